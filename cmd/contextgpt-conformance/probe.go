package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	cliflag "github.com/contextgpt/sandbox/internal/cli" // the command line's shared parts (this package has a type cli)

	"github.com/contextgpt/sandbox/conformance"
	"github.com/contextgpt/sandbox/conformance/pairs"
	"github.com/contextgpt/sandbox/conformance/probe"
	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/spec"
)

// probeCmd generates requests from the contract for every operation and checks the answers
// (package probe); with --with-suite it runs the Arazzo suite first and counts both in one
// (operation, status) coverage table.
func probeCmd(ctx context.Context, c *cli, args []string) error {
	var cfg probe.Config
	f := newFlags("probe", "probe [flags] [--with-suite [PATH...]]", c.stdout)
	f.StringVar(&cfg.BaseURL, "base-url", "", "API base URL, e.g. http://127.0.0.1:8080/api")
	f.bindEnv("base-url", "CONTEXTGPT_BASE_URL")
	f.StringVar(&cfg.APIKey, "api-key", "", "API key of the account probed (against the mock a sandbox is made without one)")
	f.bindEnv("api-key", "CONTEXTGPT_API_KEY")
	f.StringVar(&cfg.ChatbotID, "chatbot-id", "", "an existing chatbot of the key's account: reads run on it")
	f.bindEnv("chatbot-id", "CONTEXTGPT_CHATBOT_ID")
	f.StringVar(&cfg.ThreadID, "thread-id", "", "an existing thread of that chatbot")
	f.bindEnv("thread-id", "CONTEXTGPT_THREAD_ID")
	f.StringVar(&cfg.AccountID, "account-id", "", "the key's account (default: the first my-chatbots lists)")
	f.bindEnv("account-id", "CONTEXTGPT_ACCOUNT_ID")
	f.StringVar(&cfg.OtherKey, "other-key", "", "a key of another account, for the cross-account cases")
	f.bindEnv("other-key", "CONTEXTGPT_OTHER_KEY")
	planKeys := cliflag.Inputs{}
	f.Var(planKeys, "plan-key", "`PLAN=KEY`: a key of a plan without API access, e.g. trial=sk_... (repeatable)")
	var ops listFlag
	f.Var(&ops, "operation", "probe only these operations (`operationIds or globs`, comma-separated or repeated)")
	f.Int64Var(&cfg.Seed, "seed", 1, "seed of the generated values and of the --max-cases sample")
	f.bindEnv("seed", "CONTEXTGPT_SEED")
	f.IntVar(&cfg.MaxCases, "max-cases", 0, "run at most this many cases, a seeded sample (0: all)")
	f.bindEnv("max-cases", "CONTEXTGPT_MAX_CASES")
	f.StringVar(&cfg.RateLimit, "rate-limit", "auto", "429 cases: auto (against the mock with limits on), on (spends the key's rate limit), off")
	f.bindEnv("rate-limit", "CONTEXTGPT_RATE_LIMIT")
	f.StringVar(&cfg.Plan, "plan", "scale", "sandbox plan when no key is given and the target is the mock ("+strings.Join(conformance.Plans, ", ")+")")
	f.bindEnv("plan", "CONTEXTGPT_PLAN")
	f.StringVar(&cfg.MockAdminToken, "mock-admin-token", "", "bearer token for the mock's control plane")
	f.bindEnv("mock-admin-token", "CONTEXTGPT_MOCK_ADMIN_TOKEN")
	specPath := f.String("spec", "", "OpenAPI document of the API (default: the embedded contextgpt.yaml)")
	f.bindEnv("spec", "CONTEXTGPT_SPEC")
	def := conformance.DefaultConfig()
	f.DurationVar(&cfg.Timeout, "timeout", def.Timeout, "timeout per request")
	f.bindEnv("timeout", "CONTEXTGPT_TIMEOUT")
	f.DurationVar(&cfg.MaxWait, "max-wait", def.MaxWait, "longest Retry-After honoured on a 429")
	f.bindEnv("max-wait", "CONTEXTGPT_MAX_WAIT")
	withSuite := f.Bool("with-suite", false, "run the Arazzo suite (the built-in one, or the PATHs given) first: one coverage table over both")
	junit := f.String("junit", "", "write a JUnit XML report to `FILE`")
	f.bindEnv("junit", "CONTEXTGPT_JUNIT")
	jsonOut := f.String("json", "", "write a JSON report to `FILE`")
	f.bindEnv("json", "CONTEXTGPT_JSON")
	htmlOut := f.String("report-html", "", "write a self-contained HTML report to `FILE`")
	f.bindEnv("report-html", "CONTEXTGPT_REPORT_HTML")
	minCov := f.String("min-coverage", "0", "fail below this coverage of the documented (operation, status) pairs, in `percent`")
	f.bindEnv("min-coverage", "CONTEXTGPT_MIN_COVERAGE")
	noColor := f.Bool("no-color", false, "plain console output (also $NO_COLOR, TERM=dumb, or output that is not a terminal)")
	paths, err := f.parse(args, c.getenv)
	if errors.Is(err, errHelp) {
		return err
	}
	var errs []error // bad input, reported before any request
	if err != nil {
		errs = append(errs, err)
	}
	if cfg.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("--timeout %s: must be positive", cfg.Timeout))
	}
	if cfg.MaxWait <= 0 {
		errs = append(errs, fmt.Errorf("--max-wait %s: must be positive", cfg.MaxWait))
	}
	for _, k := range []struct{ flag, key string }{{"api-key", cfg.APIKey}, {"other-key", cfg.OtherKey}} {
		if k.key != "" && len(k.key) < minKeyLength {
			errs = append(errs, fmt.Errorf("--%s: %d characters is too short to be a key (at least %d)", k.flag, len(k.key), minKeyLength))
		}
	}
	cfg.Operations = ops
	if len(planKeys) > 0 {
		cfg.PlanKeys = planKeys
	}
	if v, err := strconv.ParseFloat(strings.TrimSuffix(*minCov, "%"), 64); err != nil {
		errs = append(errs, fmt.Errorf("--min-coverage %q: not a number", *minCov))
	} else {
		cfg.MinCoverage = v
	}
	if *specPath != "" {
		data, err := os.ReadFile(*specPath)
		if err != nil {
			errs = append(errs, fmt.Errorf("--spec: %w", err))
		}
		cfg.SpecDocument = data
	}
	if len(paths) > 0 && !*withSuite {
		errs = append(errs, fmt.Errorf("probe takes Arazzo PATHs only with --with-suite (got %s)", strings.Join(paths, " ")))
	}
	for _, name := range []string{"junit", "json", "report-html"} {
		p := f.Lookup(name).Value.String()
		if info, err := os.Stat(filepath.Dir(p)); p != "" && (err != nil || !info.IsDir()) {
			errs = append(errs, fmt.Errorf("--%s %s: its folder does not exist", name, p))
		}
	}
	red := &report.Redactor{}
	cfg.Redactor = red
	console := &report.Console{W: c.stdout, Color: !*noColor && colorOK(c.stdout, c.getenv), Red: red}
	cfg.OnOperation = console.Workflow
	var runner *conformance.Runner
	var pr *probe.Probe
	if len(errs) == 0 {
		doc := cfg.SpecDocument
		if doc == nil {
			doc = spec.ContextGPTDocument()
		}
		if sp, err := spec.Load(doc); err != nil {
			errs = append(errs, fmt.Errorf("--spec: %w", err))
		} else {
			cfg.Pairs = pairs.New(sp, probe.Selector(cfg.Operations))
		}
	}
	if len(errs) == 0 && *withSuite {
		docs, err := load(paths)
		if err != nil {
			errs = append(errs, err)
		} else {
			rc := conformance.DefaultConfig()
			rc.BaseURL, rc.APIKey, rc.Plan, rc.MockAdminToken = cfg.BaseURL, cfg.APIKey, cfg.Plan, cfg.MockAdminToken
			rc.SpecDocument, rc.Timeout, rc.MaxWait, rc.Redactor = cfg.SpecDocument, cfg.Timeout, cfg.MaxWait, red
			rc.OnWorkflow, rc.OnResponse, rc.Version = console.Workflow, probe.RunRecorder(cfg.Pairs), buildVersion()
			if runner, err = conformance.New(rc, docs); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if len(errs) == 0 {
		if pr, err = probe.New(cfg); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return badInput(errors.New(red.String(f.explain("bad input: " + errors.Join(errs...).Error()))))
	}
	var suite *report.Report
	if runner != nil {
		for _, w := range runner.Warnings() {
			fmt.Fprintln(c.stderr, red.String("warning: "+w))
		}
		suite = runner.Run(ctx)
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
	if err := writeReports(rep, red, *junit, *jsonOut, *htmlOut); err != nil {
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
