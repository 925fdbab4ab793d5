package main

import (
	"context"
	"fmt"
	"strings"

	cliflag "github.com/contextgpt/sandbox/internal/cli" // the command line's shared parts (this package has a type cli)

	"github.com/contextgpt/sandbox/conformance"
	"github.com/contextgpt/sandbox/conformance/pairs"
	"github.com/contextgpt/sandbox/conformance/probe"
	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/spec"
)

// probeFlags are probe's flags once defined: the configuration they fill and the values that
// need checking before they go into it.
type probeFlags struct {
	*flags
	cfg       probe.Config
	target    target
	out       outputs
	planKeys  cliflag.Inputs
	ops       listFlag
	withSuite *bool
}

func newProbeFlags(c *cli) *probeFlags {
	p := &probeFlags{flags: newFlags("probe", "probe [flags] [--with-suite [PATH...]]", c.stdout), planKeys: cliflag.Inputs{}}
	f, cfg := p.flags, &p.cfg
	p.target = bindTarget(f, &cfg.BaseURL, &cfg.APIKey, &cfg.Plan, &cfg.MockAdminToken, &cfg.Timeout, &cfg.MaxWait,
		"API key of the account probed (against the mock a sandbox is made without one)",
		"OpenAPI document of the API (default: the embedded contextgpt.yaml)")
	for _, s := range []struct {
		into       *string
		name, help string
	}{
		{&cfg.ChatbotID, "chatbot-id", "an existing chatbot of the key's account: reads run on it"},
		{&cfg.ThreadID, "thread-id", "an existing thread of that chatbot"},
		{&cfg.AccountID, "account-id", "the key's account (default: the first my-chatbots lists)"},
		{&cfg.OtherKey, "other-key", "a key of another account, for the cross-account cases"},
	} {
		f.StringVar(s.into, s.name, "", s.help)
		f.bindEnv(s.name, "CONTEXTGPT_"+strings.ToUpper(strings.ReplaceAll(s.name, "-", "_")))
	}
	f.Var(p.planKeys, "plan-key", "`PLAN=KEY`: a key of a plan without API access, e.g. trial=sk_... (repeatable)")
	f.Var(&p.ops, "operation", "probe only these operations (`operationIds or globs`, comma-separated or repeated)")
	f.Int64Var(&cfg.Seed, "seed", 1, "seed of the generated values and of the --max-cases sample")
	f.bindEnv("seed", "CONTEXTGPT_SEED")
	f.IntVar(&cfg.MaxCases, "max-cases", 0, "run at most this many cases, a seeded sample (0: all)")
	f.bindEnv("max-cases", "CONTEXTGPT_MAX_CASES")
	f.StringVar(&cfg.RateLimit, "rate-limit", "auto", "429 cases: auto (against the mock with limits on), on (spends the key's rate limit), off")
	f.bindEnv("rate-limit", "CONTEXTGPT_RATE_LIMIT")
	p.withSuite = f.Bool("with-suite", false, "run the Arazzo suite (the built-in one, or the PATHs given) first: one coverage table over both")
	p.out = bindOutputs(f, "fail below this coverage of the documented (operation, status) pairs, in `percent`")
	return p
}

// check completes the configuration from the flags that needed parsing and returns every
// error of bad input (all of them, before any request).
func (p *probeFlags) check(paths []string) []error {
	cfg := &p.cfg
	errs := p.target.checkDurations()
	for _, k := range []struct{ flag, key string }{{"api-key", cfg.APIKey}, {"other-key", cfg.OtherKey}} {
		if k.key != "" && len(k.key) < minKeyLength {
			errs = append(errs, fmt.Errorf("--%s: %d characters is too short to be a key (at least %d)", k.flag, len(k.key), minKeyLength))
		}
	}
	cfg.Operations = p.ops
	if len(p.planKeys) > 0 {
		cfg.PlanKeys = p.planKeys
	}
	var err error
	if cfg.MinCoverage, err = p.out.minCoverage(); err != nil {
		errs = append(errs, err)
	}
	if cfg.SpecDocument, err = p.target.readSpec(); err != nil {
		errs = append(errs, err)
	}
	if len(paths) > 0 && !*p.withSuite {
		errs = append(errs, fmt.Errorf("probe takes Arazzo PATHs only with --with-suite (got %s)", strings.Join(paths, " ")))
	}
	return append(errs, p.out.checkFolders()...)
}

// loadPairs loads the spec and sets the (operation, status) pairs the probe counts.
func (p *probeFlags) loadPairs() error {
	doc := p.cfg.SpecDocument
	if doc == nil {
		doc = spec.ContextGPTDocument()
	}
	sp, err := spec.Load(doc)
	if err != nil {
		return fmt.Errorf("--spec: %w", err)
	}
	p.cfg.Pairs = pairs.New(sp, probe.Selector(p.cfg.Operations))
	return nil
}

// suiteRunner builds the runner of the Arazzo suite --with-suite runs first, configured like
// the probe and recording into its coverage table.
func (p *probeFlags) suiteRunner(paths []string, console *report.Console) (*conformance.Runner, error) {
	docs, err := load(paths)
	if err != nil {
		return nil, err
	}
	cfg := &p.cfg
	rc := conformance.DefaultConfig()
	rc.BaseURL, rc.APIKey, rc.Plan, rc.MockAdminToken = cfg.BaseURL, cfg.APIKey, cfg.Plan, cfg.MockAdminToken
	rc.SpecDocument, rc.Timeout, rc.MaxWait, rc.Redactor = cfg.SpecDocument, cfg.Timeout, cfg.MaxWait, cfg.Redactor
	rc.OnWorkflow, rc.OnResponse, rc.Version = console.Workflow, probe.RunRecorder(cfg.Pairs), buildVersion()
	return conformance.New(rc, docs)
}

// probeCmd generates requests from the contract for every operation and checks the answers
// (package probe); with --with-suite it runs the Arazzo suite first and counts both in one
// (operation, status) coverage table. Steps: parse and check the flags, load the spec's
// pairs, build the suite's runner and the probe (all bad input reported at once, before any
// request), run the suite, run the probe, merge, write the reports.
func probeCmd(ctx context.Context, c *cli, args []string) error {
	p := newProbeFlags(c)
	paths, errs, help := p.parseInput(args, c.getenv) // errs: bad input, reported before any request
	if help != nil {
		return help
	}
	errs = append(errs, p.check(paths)...)
	red := &report.Redactor{}
	console := p.out.console(c, red, false)
	p.cfg.Redactor, p.cfg.OnOperation = red, console.Workflow
	if len(errs) == 0 {
		if err := p.loadPairs(); err != nil {
			errs = append(errs, err)
		}
	}
	var runner *conformance.Runner
	var err error
	if len(errs) == 0 && *p.withSuite {
		if runner, err = p.suiteRunner(paths, console); err != nil {
			errs = append(errs, err)
		}
	}
	var pr *probe.Probe
	if len(errs) == 0 {
		if pr, err = probe.New(p.cfg); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return p.badInputs(red, errs)
	}
	var suite *report.Report
	if runner != nil {
		suite = runSuite(ctx, c, red, runner)
		if suite.ExitCode == report.ExitUnreachable || suite.ExitCode == report.ExitBadInput {
			console.Summary(suite)
			return exitWith(suite.ExitCode)
		}
	}
	rep := pr.Run(ctx)
	if suite != nil {
		rep = merge(suite, rep)
	}
	conformance.Categorize(rep) // the probe's findings get their check's category
	console.Summary(rep)
	if err := p.out.write(rep, red); err != nil {
		return badInput(err)
	}
	return exitWith(rep.ExitCode)
}

// merge puts the suite's workflows before the probe's operations in one report; the worse
// exit code wins (unreachable over failed over passed).
func merge(suite, pr *report.Report) *report.Report {
	out := *pr
	out.Workflows = append(append([]report.WorkflowResult(nil), suite.Workflows...), pr.Workflows...)
	out.Coverage = suite.Coverage
	out.Started = suite.Started
	out.Duration = suite.Duration + pr.Duration
	if out.Error == "" {
		out.Error = suite.Error
	}
	rank := map[int]int{report.ExitPassed: 0, report.ExitFailed: 1, report.ExitBadInput: 2, report.ExitUnreachable: 3}
	if rank[suite.ExitCode] > rank[out.ExitCode] {
		out.ExitCode = suite.ExitCode
	}
	out.Summarize()
	return &out
}
