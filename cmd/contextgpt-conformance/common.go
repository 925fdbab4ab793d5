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
	"time"

	"github.com/contextgpt/sandbox/conformance"
	"github.com/contextgpt/sandbox/conformance/report"
)

// minKeyLength is the shortest --api-key accepted: a shorter secret cannot be redacted
// without hiding ordinary words of the output.
const minKeyLength = 8

// target holds the flags both run and probe take to reach the API: where, with which key,
// which sandbox plan, the mock's control-plane token, and the spec to validate against.
type target struct {
	baseURL, apiKey, plan, mockAdminToken *string
	specPath                              *string
	timeout, maxWait                      *time.Duration
}

// bindTarget defines the target flags on f, storing into the fields given.
func bindTarget(f *flags, baseURL, apiKey, plan, mockAdminToken *string, timeout, maxWait *time.Duration, apiKeyHelp, specHelp string) target {
	def := conformance.DefaultConfig()
	f.StringVar(baseURL, "base-url", "", "API base URL, e.g. http://127.0.0.1:8080/api")
	f.bindEnv("base-url", "CONTEXTGPT_BASE_URL")
	f.StringVar(apiKey, "api-key", "", apiKeyHelp)
	f.bindEnv("api-key", "CONTEXTGPT_API_KEY")
	f.StringVar(plan, "plan", def.Plan, "sandbox plan when no key is given and the target is the mock ("+strings.Join(conformance.Plans, ", ")+")")
	f.bindEnv("plan", "CONTEXTGPT_PLAN")
	f.StringVar(mockAdminToken, "mock-admin-token", "", "bearer token for the mock's control plane")
	f.bindEnv("mock-admin-token", "CONTEXTGPT_MOCK_ADMIN_TOKEN")
	specPath := f.String("spec", "", specHelp)
	f.bindEnv("spec", "CONTEXTGPT_SPEC")
	f.DurationVar(timeout, "timeout", def.Timeout, "timeout per request")
	f.bindEnv("timeout", "CONTEXTGPT_TIMEOUT")
	f.DurationVar(maxWait, "max-wait", def.MaxWait, "longest Retry-After honoured on a 429")
	f.bindEnv("max-wait", "CONTEXTGPT_MAX_WAIT")
	return target{baseURL: baseURL, apiKey: apiKey, plan: plan, mockAdminToken: mockAdminToken,
		specPath: specPath, timeout: timeout, maxWait: maxWait}
}

// checkDurations returns the errors of a non-positive --timeout or --max-wait.
func (t target) checkDurations() []error {
	var errs []error
	if *t.timeout <= 0 {
		errs = append(errs, fmt.Errorf("--timeout %s: must be positive", *t.timeout))
	}
	if *t.maxWait <= 0 {
		errs = append(errs, fmt.Errorf("--max-wait %s: must be positive", *t.maxWait))
	}
	return errs
}

// readSpec returns the --spec document (nil when none was given, so the default applies).
func (t target) readSpec() ([]byte, error) {
	if *t.specPath == "" {
		return nil, nil
	}
	data, err := os.ReadFile(*t.specPath)
	if err != nil {
		return data, fmt.Errorf("--spec: %w", err)
	}
	return data, nil
}

// outputs holds the flags both commands take for what they write and how they judge the run.
type outputs struct {
	junit, jsonOut, htmlOut, minCov *string
	noColor                         *bool
}

// bindOutputs defines the report, coverage and colour flags on f.
func bindOutputs(f *flags, minCovHelp string) outputs {
	var o outputs
	o.junit = f.String("junit", "", "write a JUnit XML report to `FILE`")
	f.bindEnv("junit", "CONTEXTGPT_JUNIT")
	o.jsonOut = f.String("json", "", "write a JSON report to `FILE`")
	f.bindEnv("json", "CONTEXTGPT_JSON")
	o.htmlOut = f.String("report-html", "", "write a self-contained HTML report to `FILE`")
	f.bindEnv("report-html", "CONTEXTGPT_REPORT_HTML")
	o.minCov = f.String("min-coverage", "0", minCovHelp)
	f.bindEnv("min-coverage", "CONTEXTGPT_MIN_COVERAGE")
	o.noColor = f.Bool("no-color", false, "plain console output (also $NO_COLOR, TERM=dumb, or output that is not a terminal)")
	return o
}

// minCoverage parses --min-coverage ("80" or "80%").
func (o outputs) minCoverage() (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSuffix(*o.minCov, "%"), 64)
	if err != nil {
		return 0, fmt.Errorf("--min-coverage %q: not a number", *o.minCov)
	}
	return v, nil
}

// checkFolders returns an error for each report asked for whose folder does not exist: a
// report that cannot be written is bad input, found before the run, not after it.
func (o outputs) checkFolders() []error {
	var errs []error
	for _, out := range []struct{ name, path string }{{"junit", *o.junit}, {"json", *o.jsonOut}, {"report-html", *o.htmlOut}} {
		if info, err := os.Stat(filepath.Dir(out.path)); out.path != "" && (err != nil || !info.IsDir()) {
			errs = append(errs, fmt.Errorf("--%s %s: its folder does not exist", out.name, out.path))
		}
	}
	return errs
}

// console returns the console report writer: coloured unless --no-color or the terminal
// says otherwise.
func (o outputs) console(c *cli, red *report.Redactor, verbose bool) *report.Console {
	return &report.Console{W: c.stdout, Color: !*o.noColor && colorOK(c.stdout, c.getenv), Red: red, Verbose: verbose}
}

// write writes the JUnit, JSON and HTML reports asked for, each redacted.
func (o outputs) write(rep *report.Report, red *report.Redactor) error {
	for _, out := range []struct {
		path  string
		write func(io.Writer, *report.Report, *report.Redactor) error
	}{{*o.junit, report.WriteJUnit}, {*o.jsonOut, report.WriteJSON}, {*o.htmlOut, report.WriteHTML}} {
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

// parseInput parses run's or probe's arguments. A parse error is the first of the bad
// inputs the command collects before any request; help is returned as the error.
func (f *flags) parseInput(args []string, getenv func(string) string) (paths []string, errs []error, help error) {
	paths, err := f.parse(args, getenv)
	if errors.Is(err, errHelp) {
		return nil, nil, err
	}
	if err != nil {
		errs = append(errs, err)
	}
	return paths, errs, nil
}

// badInputs is exit 2 with every bad input at once, redacted, each flag named as its value
// was given (on the command line or in the environment).
func (f *flags) badInputs(red *report.Redactor, errs []error) error {
	return badInput(errors.New(red.String(f.explain("bad input: " + errors.Join(errs...).Error()))))
}

// runSuite prints the runner's warnings to stderr, redacted, and runs the suite.
func runSuite(ctx context.Context, c *cli, red *report.Redactor, runner *conformance.Runner) *report.Report {
	for _, w := range runner.Warnings() {
		fmt.Fprintln(c.stderr, red.String("warning: "+w))
	}
	return runner.Run(ctx)
}
