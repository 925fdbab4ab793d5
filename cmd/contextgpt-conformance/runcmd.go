package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	cliflag "github.com/contextgpt/sandbox/internal/cli" // the command line's shared parts (this package has a type cli)

	"github.com/contextgpt/sandbox/conformance"
	"github.com/contextgpt/sandbox/conformance/report"
)

// minKeyLength is the shortest --api-key accepted: a shorter secret cannot be redacted
// without hiding ordinary words of the output.
const minKeyLength = 8

func runCmd(ctx context.Context, c *cli, args []string) error {
	cfg := conformance.DefaultConfig()
	f := newFlags("run", "run [flags] [PATH...]", c.stdout)
	f.StringVar(&cfg.BaseURL, "base-url", "", "API base URL, e.g. http://127.0.0.1:8080/api")
	f.bindEnv("base-url", "CONTEXTGPT_BASE_URL")
	f.StringVar(&cfg.APIKey, "api-key", "", "API key: fills the workflows' apiKey input, sent on every API step")
	f.bindEnv("api-key", "CONTEXTGPT_API_KEY")
	f.StringVar(&cfg.Plan, "plan", cfg.Plan, "sandbox plan when no key is given and the target is the mock ("+strings.Join(conformance.Plans, ", ")+")")
	f.bindEnv("plan", "CONTEXTGPT_PLAN")
	f.StringVar(&cfg.MockAdminToken, "mock-admin-token", "", "bearer token for the mock's control plane")
	f.bindEnv("mock-admin-token", "CONTEXTGPT_MOCK_ADMIN_TOKEN")
	inputs := cliflag.Inputs{}
	f.Var(inputs, "input", "workflow input `name=value` (repeatable)")
	specPath := f.String("spec", "", "OpenAPI document of the API (default: what the workflows' sourceDescriptions name)")
	f.bindEnv("spec", "CONTEXTGPT_SPEC")
	var workflows listFlag
	f.Var(&workflows, "workflow", "run only these workflows (`ids or globs`, comma-separated or repeated) and what they depend on")
	shard := f.String("shard", "", "run part `i/n` of the workflows (linked ones stay together), to split a suite over CI machines")
	f.bindEnv("shard", "CONTEXTGPT_SHARD")
	f.IntVar(&cfg.Jobs, "jobs", cfg.Jobs, "workflow groups run in parallel")
	f.bindEnv("jobs", "CONTEXTGPT_JOBS")
	f.DurationVar(&cfg.Timeout, "timeout", cfg.Timeout, "timeout per request")
	f.bindEnv("timeout", "CONTEXTGPT_TIMEOUT")
	f.DurationVar(&cfg.MaxWait, "max-wait", cfg.MaxWait, "longest Retry-After honoured on a 429")
	f.bindEnv("max-wait", "CONTEXTGPT_MAX_WAIT")
	junit := f.String("junit", "", "write a JUnit XML report to `FILE`")
	f.bindEnv("junit", "CONTEXTGPT_JUNIT")
	jsonOut := f.String("json", "", "write a JSON report to `FILE`")
	f.bindEnv("json", "CONTEXTGPT_JSON")
	htmlOut := f.String("report-html", "", "write a self-contained HTML report to `FILE`")
	f.bindEnv("report-html", "CONTEXTGPT_REPORT_HTML")
	minCov := f.String("min-coverage", "0", "fail below this operation coverage, in `percent`")
	f.bindEnv("min-coverage", "CONTEXTGPT_MIN_COVERAGE")
	f.BoolVar(&cfg.Verbose, "v", false, "print every exchange (request, response, curl line) and keep it in the reports")
	f.BoolVar(&cfg.StrictSchema, "strict-schema", false, "flag body properties the spec does not declare (body-undeclared)")
	f.bindEnv("strict-schema", "CONTEXTGPT_STRICT_SCHEMA")
	f.DurationVar(&cfg.MaxResponseTime, "max-response-time", 0, "flag a response slower than this `duration` (response-time; 0: no limit)")
	f.bindEnv("max-response-time", "CONTEXTGPT_MAX_RESPONSE_TIME")
	noColor := f.Bool("no-color", false, "plain console output (also $NO_COLOR, TERM=dumb, or output that is not a terminal)")
	paths, err := f.parse(args, c.getenv)
	if errors.Is(err, errHelp) {
		return err
	}
	var errs []error // bad input, reported before any request
	if err != nil {
		errs = append(errs, err)
	}
	if cfg.Jobs < 1 {
		errs = append(errs, fmt.Errorf("--jobs %d: at least 1", cfg.Jobs))
	}
	if cfg.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("--timeout %s: must be positive", cfg.Timeout))
	}
	if cfg.MaxResponseTime < 0 {
		errs = append(errs, fmt.Errorf("--max-response-time %s: must not be negative", cfg.MaxResponseTime))
	}
	if cfg.MaxWait <= 0 {
		errs = append(errs, fmt.Errorf("--max-wait %s: must be positive", cfg.MaxWait))
	}
	if cfg.APIKey != "" && len(cfg.APIKey) < minKeyLength {
		errs = append(errs, fmt.Errorf("--api-key: %d characters is too short to be a key (at least %d; a shorter secret cannot be redacted from the output safely)", len(cfg.APIKey), minKeyLength))
	}
	if *shard != "" {
		if cfg.Shard, err = conformance.ParseShard(*shard); err != nil {
			errs = append(errs, err)
		}
	}
	cfg.Inputs = inputs
	cfg.Workflows = workflows
	cfg.Version = buildVersion()
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
	docs, err := load(paths)
	if err != nil {
		errs = append(errs, err)
	}
	red := &report.Redactor{}
	cfg.Redactor = red
	console := &report.Console{W: c.stdout, Color: !*noColor && colorOK(c.stdout, c.getenv), Red: red, Verbose: cfg.Verbose}
	cfg.OnWorkflow = console.Workflow
	cfg.OnHint = console.Hint
	for _, name := range []string{"junit", "json", "report-html"} {
		// A report that cannot be written is bad input, found before the run, not after it.
		p := f.Lookup(name).Value.String()
		if info, err := os.Stat(filepath.Dir(p)); p != "" && (err != nil || !info.IsDir()) {
			errs = append(errs, fmt.Errorf("--%s %s: its folder does not exist", name, p))
		}
	}
	var runner *conformance.Runner
	if len(errs) == 0 {
		runner, err = conformance.New(cfg, docs)
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return badInput(errors.New(red.String(f.explain("bad input: " + errors.Join(errs...).Error()))))
	}
	for _, w := range runner.Warnings() {
		fmt.Fprintln(c.stderr, red.String("warning: "+w))
	}
	rep := runner.Run(ctx)
	console.Summary(rep)
	if err := writeReports(rep, red, *junit, *jsonOut, *htmlOut); err != nil {
		return badInput(err)
	}
	return exitWith(rep.ExitCode)
}

// writeReports writes the JUnit, JSON and HTML reports to the paths given (an empty path: not
// asked for), each redacted.
func writeReports(rep *report.Report, red *report.Redactor, junit, jsonOut, htmlOut string) error {
	for _, out := range []struct {
		path  string
		write func(io.Writer, *report.Report, *report.Redactor) error
	}{{junit, report.WriteJUnit}, {jsonOut, report.WriteJSON}, {htmlOut, report.WriteHTML}} {
		if out.path == "" {
			continue
		}
		if err := writeFile(out.path, rep, red, out.write); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(path string, rep *report.Report, red *report.Redactor, write func(io.Writer, *report.Report, *report.Redactor) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f, rep, red); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
