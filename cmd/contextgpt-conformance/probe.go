package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/contextgpt/sandbox/conformance"
	"github.com/contextgpt/sandbox/conformance/pairs"
	"github.com/contextgpt/sandbox/conformance/probe"
	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/spec"
)

// probeCmd generates requests from the contract for every operation and checks the answers
// (package probe); with --with-suite it runs the Arazzo suite first and counts both in one
// (operation, status) coverage table.
func probeCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var errs []error
	fs := flag.NewFlagSet("probe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	var cfg probe.Config
	fs.StringVar(&cfg.BaseURL, "base-url", env("CONTEXTGPT_BASE_URL", ""), "API base URL, e.g. http://127.0.0.1:8080/api ($CONTEXTGPT_BASE_URL)")
	fs.StringVar(&cfg.APIKey, "api-key", env("CONTEXTGPT_API_KEY", ""), "API key of the account probed ($CONTEXTGPT_API_KEY; against the mock a sandbox is made without one)")
	fs.StringVar(&cfg.ChatbotID, "chatbot-id", env("CONTEXTGPT_CHATBOT_ID", ""), "an existing chatbot of the key's account: reads run on it ($CONTEXTGPT_CHATBOT_ID)")
	fs.StringVar(&cfg.ThreadID, "thread-id", env("CONTEXTGPT_THREAD_ID", ""), "an existing thread of that chatbot ($CONTEXTGPT_THREAD_ID)")
	fs.StringVar(&cfg.AccountID, "account-id", env("CONTEXTGPT_ACCOUNT_ID", ""), "the key's account (default: the first my-chatbots lists) ($CONTEXTGPT_ACCOUNT_ID)")
	fs.StringVar(&cfg.OtherKey, "other-key", env("CONTEXTGPT_OTHER_KEY", ""), "a key of another account, for the cross-account cases ($CONTEXTGPT_OTHER_KEY)")
	planKeys := inputFlag{}
	fs.Var(planKeys, "plan-key", "PLAN=KEY: a key of a plan without API access, e.g. trial=sk_... (repeatable)")
	var ops listFlag
	fs.Var(&ops, "operation", "probe only operations whose operationId matches this glob (repeatable)")
	seed := fs.String("seed", env("CONTEXTGPT_SEED", "1"), "seed of the generated values and of the --max-cases sample ($CONTEXTGPT_SEED)")
	maxCases := fs.Int("max-cases", envInt(getenv, &errs, "CONTEXTGPT_MAX_CASES", 0), "run at most this many cases, a seeded sample (0: all) ($CONTEXTGPT_MAX_CASES)")
	fs.StringVar(&cfg.RateLimit, "rate-limit", env("CONTEXTGPT_RATE_LIMIT", "auto"), "429 cases: auto (the mock with limits on), on (spends the key's rate limit), off ($CONTEXTGPT_RATE_LIMIT)")
	fs.StringVar(&cfg.Plan, "plan", env("CONTEXTGPT_PLAN", "scale"), "sandbox plan when no key is given and the target is the mock ($CONTEXTGPT_PLAN)")
	fs.StringVar(&cfg.MockAdminToken, "mock-admin-token", env("CONTEXTGPT_MOCK_ADMIN_TOKEN", ""), "bearer token for the mock's control plane ($CONTEXTGPT_MOCK_ADMIN_TOKEN)")
	specPath := fs.String("spec", env("CONTEXTGPT_SPEC", ""), "OpenAPI document of the API (default: the embedded contextgpt.yaml) ($CONTEXTGPT_SPEC)")
	fs.DurationVar(&cfg.Timeout, "timeout", envDuration(getenv, &errs, "CONTEXTGPT_TIMEOUT", conformance.DefaultConfig().Timeout), "timeout per request ($CONTEXTGPT_TIMEOUT)")
	fs.DurationVar(&cfg.MaxWait, "max-wait", envDuration(getenv, &errs, "CONTEXTGPT_MAX_WAIT", conformance.DefaultConfig().MaxWait), "longest Retry-After honoured on a 429 ($CONTEXTGPT_MAX_WAIT)")
	withSuite := fs.Bool("with-suite", false, "run the Arazzo suite (the built-in one, or the PATHs given) first: one coverage table over both")
	junit := fs.String("junit", env("CONTEXTGPT_JUNIT", ""), "write a JUnit XML report to FILE ($CONTEXTGPT_JUNIT)")
	jsonOut := fs.String("json", env("CONTEXTGPT_JSON", ""), "write a JSON report to FILE ($CONTEXTGPT_JSON)")
	minCov := fs.String("min-coverage", env("CONTEXTGPT_MIN_COVERAGE", "0"), "fail below this coverage of the documented (operation, status) pairs, in percent ($CONTEXTGPT_MIN_COVERAGE)")
	noColor := fs.Bool("no-color", getenv("NO_COLOR") != "" || getenv("CONTEXTGPT_NO_COLOR") != "", "plain console output ($NO_COLOR)")
	if err := fs.Parse(args); err != nil {
		return report.ExitBadInput
	}
	if cfg.Timeout <= 0 || cfg.MaxWait <= 0 {
		errs = append(errs, fmt.Errorf("--timeout %s, --max-wait %s: both must be positive", cfg.Timeout, cfg.MaxWait))
	}
	if n, err := strconv.ParseInt(*seed, 10, 64); err != nil {
		errs = append(errs, fmt.Errorf("--seed %q: not an integer", *seed))
	} else {
		cfg.Seed = n
	}
	cfg.MaxCases = *maxCases
	cfg.Operations = ops
	if len(planKeys) > 0 {
		cfg.PlanKeys = planKeys
	}
	if v, err := strconv.ParseFloat(strings.TrimSuffix(*minCov, "%"), 64); err != nil {
		errs = append(errs, fmt.Errorf("--min-coverage %q: %w", *minCov, err))
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
	if fs.NArg() > 0 && !*withSuite {
		errs = append(errs, fmt.Errorf("probe takes Arazzo PATHs only with --with-suite (got %s)", strings.Join(fs.Args(), " ")))
	}
	for _, p := range []string{*junit, *jsonOut} {
		if info, err := os.Stat(filepath.Dir(p)); p != "" && (err != nil || !info.IsDir()) {
			errs = append(errs, fmt.Errorf("report %s: its folder does not exist", p))
		}
	}
	red := &report.Redactor{}
	cfg.Redactor = red
	console := &report.Console{W: stdout, Color: !*noColor, Red: red}
	cfg.OnOperation = console.Workflow
	var runner *conformance.Runner
	var pr *probe.Probe
	if len(errs) == 0 {
		doc := cfg.SpecDocument
		if doc == nil {
			doc = spec.ContextGPTDocument()
		}
		sp, err := spec.Load(doc)
		if err != nil {
			errs = append(errs, fmt.Errorf("--spec: %w", err))
		} else {
			cfg.Pairs = pairs.New(sp)
		}
	}
	if len(errs) == 0 && *withSuite {
		docs, err := load(fs.Args())
		if err != nil {
			errs = append(errs, err)
		} else {
			rc := conformance.DefaultConfig()
			rc.BaseURL, rc.APIKey, rc.Plan, rc.MockAdminToken = cfg.BaseURL, cfg.APIKey, cfg.Plan, cfg.MockAdminToken
			rc.SpecDocument, rc.Timeout, rc.MaxWait, rc.Redactor = cfg.SpecDocument, cfg.Timeout, cfg.MaxWait, red
			rc.OnWorkflow, rc.OnResponse = console.Workflow, probe.RunRecorder(cfg.Pairs)
			if runner, err = conformance.New(rc, docs); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if len(errs) == 0 {
		var err error
		if pr, err = probe.New(cfg); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		fmt.Fprintln(stderr, red.String("bad input: "+errors.Join(errs...).Error()))
		return report.ExitBadInput
	}
	var suite *report.Report
	if runner != nil {
		suite = runner.Run(ctx)
		if suite.ExitCode == report.ExitUnreachable || suite.ExitCode == report.ExitBadInput {
			console.Summary(suite)
			return suite.ExitCode
		}
	}
	rep := pr.Run(ctx)
	if suite != nil {
		rep = merge(suite, rep)
	}
	console.Summary(rep)
	for _, out := range []struct {
		path  string
		write func(io.Writer, *report.Report, *report.Redactor) error
	}{{*junit, report.WriteJUnit}, {*jsonOut, report.WriteJSON}} {
		if out.path == "" {
			continue
		}
		if err := writeFile(out.path, rep, red, out.write); err != nil {
			fmt.Fprintln(stderr, err)
			return report.ExitBadInput
		}
	}
	return rep.ExitCode
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
