// Command contextgpt-conformance replays Arazzo workflows against a ContextGPT API target
// (the mock, staging or production) and checks every response against the contract.
//
//	contextgpt-conformance run [flags] [PATH...]
//	contextgpt-conformance list [PATH...]
//	contextgpt-conformance validate PATH...
//
// Exit codes: 0 passed, 1 a check or criterion failed, 2 bad input, 3 target unreachable.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/contextgpt/sandbox/conformance"
	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/scenarios"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage:
  contextgpt-conformance run [flags] [PATH...]   run workflows (default: the built-in suite)
  contextgpt-conformance list [PATH...]          print the workflows
  contextgpt-conformance validate PATH...        check documents without running them
`

// run is the whole program; it returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return report.ExitBadInput
	}
	switch args[0] {
	case "run":
		return runCmd(ctx, args[1:], getenv, stdout, stderr)
	case "list":
		docs, err := load(args[1:])
		if err != nil {
			fmt.Fprintln(stderr, err)
			return report.ExitBadInput
		}
		for _, d := range docs {
			for _, w := range d.Workflows {
				mark := ""
				if w.RequiresMock() {
					mark = " [x-requires-mock]"
				}
				fmt.Fprintf(stdout, "%s\t%s%s\t%s\n", w.WorkflowID, d.Path, mark, w.Summary)
			}
		}
		return report.ExitPassed
	case "validate":
		if len(args) < 2 {
			fmt.Fprint(stderr, usage)
			return report.ExitBadInput
		}
		docs, err := load(args[1:])
		if err == nil {
			// Binding operations to the spec is part of validation.
			_, err = conformance.New(conformance.Config{BaseURL: "http://127.0.0.1/api"}, docs)
		}
		if err != nil {
			fmt.Fprintln(stderr, err)
			return report.ExitBadInput
		}
		fmt.Fprintf(stdout, "%d documents valid\n", len(docs))
		return report.ExitPassed
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return report.ExitPassed
	}
	fmt.Fprintf(stderr, "unknown command %q\n%s", args[0], usage)
	return report.ExitBadInput
}

func load(paths []string) ([]*arazzo.Document, error) {
	if len(paths) == 0 {
		return arazzo.LoadFS(scenarios.FS, ".", "scenarios")
	}
	return arazzo.LoadPaths(paths)
}

type inputFlag map[string]string

func (f inputFlag) String() string { return "" }
func (f inputFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("expected name=value")
	}
	f[k] = v
	return nil
}

type listFlag []string

func (f *listFlag) String() string     { return strings.Join(*f, ",") }
func (f *listFlag) Set(s string) error { *f = append(*f, s); return nil }

func runCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg := conformance.DefaultConfig()
	var errs []error // bad input, reported before any request
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&cfg.BaseURL, "base-url", env("CONTEXTGPT_BASE_URL", ""), "API base URL, e.g. http://127.0.0.1:8080/api ($CONTEXTGPT_BASE_URL)")
	fs.StringVar(&cfg.APIKey, "api-key", env("CONTEXTGPT_API_KEY", ""), "API key sent on every step ($CONTEXTGPT_API_KEY)")
	fs.StringVar(&cfg.Plan, "plan", env("CONTEXTGPT_PLAN", cfg.Plan), "sandbox plan when no key is given and the target is the mock ($CONTEXTGPT_PLAN)")
	fs.StringVar(&cfg.MockAdminToken, "mock-admin-token", env("CONTEXTGPT_MOCK_ADMIN_TOKEN", ""), "bearer token for the mock's control plane ($CONTEXTGPT_MOCK_ADMIN_TOKEN)")
	inputs := inputFlag{}
	fs.Var(inputs, "input", "workflow input name=value (repeatable)")
	specPath := fs.String("spec", env("CONTEXTGPT_SPEC", ""), "OpenAPI document of the API (default: the embedded contextgpt.yaml) ($CONTEXTGPT_SPEC)")
	var workflows listFlag
	fs.Var(&workflows, "workflow", "run only this workflow and what it depends on (repeatable)")
	jobs := fs.Int("jobs", envInt(getenv, &errs, "CONTEXTGPT_JOBS", cfg.Jobs), "workflow groups run in parallel ($CONTEXTGPT_JOBS)")
	fs.DurationVar(&cfg.Timeout, "timeout", envDuration(getenv, &errs, "CONTEXTGPT_TIMEOUT", cfg.Timeout), "timeout per request ($CONTEXTGPT_TIMEOUT)")
	fs.DurationVar(&cfg.MaxWait, "max-wait", envDuration(getenv, &errs, "CONTEXTGPT_MAX_WAIT", cfg.MaxWait), "longest Retry-After honoured on a 429 ($CONTEXTGPT_MAX_WAIT)")
	junit := fs.String("junit", env("CONTEXTGPT_JUNIT", ""), "write a JUnit XML report to FILE ($CONTEXTGPT_JUNIT)")
	jsonOut := fs.String("json", env("CONTEXTGPT_JSON", ""), "write a JSON report to FILE ($CONTEXTGPT_JSON)")
	htmlOut := fs.String("report-html", env("CONTEXTGPT_REPORT_HTML", ""), "write a self-contained HTML report to FILE ($CONTEXTGPT_REPORT_HTML)")
	minCov := fs.String("min-coverage", env("CONTEXTGPT_MIN_COVERAGE", "0"), "fail below this operation coverage, in percent ($CONTEXTGPT_MIN_COVERAGE)")
	noColor := fs.Bool("no-color", getenv("NO_COLOR") != "" || getenv("CONTEXTGPT_NO_COLOR") != "", "plain console output ($NO_COLOR)")
	if err := fs.Parse(args); err != nil {
		return report.ExitBadInput
	}
	if *jobs < 1 {
		errs = append(errs, fmt.Errorf("--jobs %d: at least 1", *jobs))
	}
	if cfg.Timeout <= 0 || cfg.MaxWait <= 0 {
		errs = append(errs, fmt.Errorf("--timeout %s, --max-wait %s: both must be positive", cfg.Timeout, cfg.MaxWait))
	}
	cfg.Jobs = *jobs
	cfg.Inputs = inputs
	cfg.Workflows = workflows
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
	docs, err := load(fs.Args())
	if err != nil {
		errs = append(errs, err)
	}
	red := &report.Redactor{}
	cfg.Redactor = red
	console := &report.Console{W: stdout, Color: !*noColor, Red: red}
	cfg.OnWorkflow = console.Workflow
	for _, p := range []string{*junit, *jsonOut, *htmlOut} {
		// A report that cannot be written is bad input, found before the run, not after it.
		if info, err := os.Stat(filepath.Dir(p)); p != "" && (err != nil || !info.IsDir()) {
			errs = append(errs, fmt.Errorf("report %s: its folder does not exist", p))
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
		fmt.Fprintln(stderr, red.String("bad input: "+errors.Join(errs...).Error()))
		return report.ExitBadInput
	}
	rep := runner.Run(ctx)
	console.Summary(rep)
	for _, out := range []struct {
		path  string
		write func(io.Writer, *report.Report, *report.Redactor) error
	}{{*junit, report.WriteJUnit}, {*jsonOut, report.WriteJSON}, {*htmlOut, report.WriteHTML}} {
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

// envInt reads an integer variable; a value that is not one is bad input, not ignored.
func envInt(getenv func(string) string, errs *[]error, name string, def int) int {
	v := getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("$%s %q: not an integer", name, v))
		return def
	}
	return n
}

// envDuration reads a duration variable; a value that is not one is bad input, not ignored.
func envDuration(getenv func(string) string, errs *[]error, name string, def time.Duration) time.Duration {
	v := getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("$%s %q: not a duration (e.g. 30s)", name, v))
		return def
	}
	return d
}
