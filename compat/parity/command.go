package parity

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/contextgpt/sandbox/conformance"
	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/internal/cli"
	"github.com/contextgpt/sandbox/scenarios"
)

// Usage of the parity command.
const Usage = `usage:
  contextgpt-conformance parity --base-url URL --compare-with URL2 [flags] [PATH...]
      runs the workflows (default: the built-in suite) against both targets and lists, step
      by step, where their answers differ: status, error code, body fields present, field
      types and formats, headers present. Exit 0 when they agree, 1 when they differ, 2 on
      bad input, 3 when a target is unreachable.
`

type listFlag []string

func (f *listFlag) String() string     { return strings.Join(*f, ",") }
func (f *listFlag) Set(s string) error { *f = append(*f, s); return nil }

// Command is the parity subcommand; it returns the exit code.
func Command(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := cli.FlagSet("parity", Usage, args, stdout, stderr) // usage on stdout when asked for (-h), else stderr
	env := cli.Env(getenv)
	a := conformance.DefaultConfig()
	b := conformance.DefaultConfig()
	fs.StringVar(&a.BaseURL, "base-url", env("CONTEXTGPT_BASE_URL", ""), "target A's API base URL ($CONTEXTGPT_BASE_URL)")
	fs.StringVar(&a.APIKey, "api-key", env("CONTEXTGPT_API_KEY", ""), "target A's API key ($CONTEXTGPT_API_KEY); none against the mock: a sandbox")
	fs.StringVar(&a.MockAdminToken, "mock-admin-token", env("CONTEXTGPT_MOCK_ADMIN_TOKEN", ""), "target A's control-plane token, if a mock started with --admin-token")
	fs.StringVar(&b.BaseURL, "compare-with", env("CONTEXTGPT_COMPARE_WITH", ""), "target B's API base URL ($CONTEXTGPT_COMPARE_WITH)")
	fs.StringVar(&b.APIKey, "compare-api-key", env("CONTEXTGPT_COMPARE_API_KEY", ""), "target B's API key ($CONTEXTGPT_COMPARE_API_KEY)")
	fs.StringVar(&b.MockAdminToken, "compare-mock-admin-token", env("CONTEXTGPT_COMPARE_MOCK_ADMIN_TOKEN", ""), "target B's control-plane token")
	plan := fs.String("plan", env("CONTEXTGPT_PLAN", a.Plan), "sandbox plan on a mock target without a key")
	inputs := cli.Inputs{}
	fs.Var(inputs, "input", "workflow input name=value (repeatable), the same on both sides")
	var workflows, ignore listFlag
	fs.Var(&workflows, "workflow", "compare only this workflow and what it depends on (repeatable)")
	fs.Var(&ignore, "ignore-header", "a response header whose presence is not compared (repeatable)")
	specPath := fs.String("spec", env("CONTEXTGPT_SPEC", ""), "OpenAPI document of the API (default: the embedded one)")
	jsonOut := fs.String("json", "", "write the comparison as JSON to FILE")
	timeout := fs.Duration("timeout", a.Timeout, "timeout per request")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return report.ExitPassed
		}
		return report.ExitBadInput
	}
	red := &report.Redactor{}
	bad := func(err error) int {
		fmt.Fprintln(stderr, red.String("bad input: "+err.Error()))
		return report.ExitBadInput
	}
	red.Add(a.APIKey, b.APIKey, a.MockAdminToken, b.MockAdminToken)
	if a.BaseURL == "" || b.BaseURL == "" {
		return bad(errors.New("--base-url and --compare-with are both required"))
	}
	if *jsonOut != "" {
		if info, err := os.Stat(filepath.Dir(*jsonOut)); err != nil || !info.IsDir() {
			return bad(fmt.Errorf("report %s: its folder does not exist", *jsonOut))
		}
	}
	if _, ok := inputs["runId"]; !ok {
		// One runId on both sides: the workflows make the same names, so nothing differs by it.
		inputs["runId"] = fmt.Sprintf("parity-%d", os.Getpid())
	}
	for _, c := range []*conformance.Config{&a, &b} {
		c.Plan, c.Inputs, c.Workflows, c.Timeout, c.Redactor = *plan, inputs, workflows, *timeout, red
	}
	if *specPath != "" {
		data, err := os.ReadFile(*specPath)
		if err != nil {
			return bad(err)
		}
		a.SpecDocument, b.SpecDocument = data, data
	}
	return compare(ctx, a, b, fs.Args(), ignore, *jsonOut, red, stdout, stderr)
}

// compare loads the workflows (the built-in suite when no path is given), runs them on both
// targets, prints the table and writes the JSON report; it returns the exit code.
func compare(ctx context.Context, a, b conformance.Config, paths, ignore []string, jsonOut string, red *report.Redactor, stdout, stderr io.Writer) int {
	bad := func(err error) int {
		fmt.Fprintln(stderr, red.String("bad input: "+err.Error()))
		return report.ExitBadInput
	}
	var docs []*arazzo.Document
	var err error
	if len(paths) == 0 {
		docs, err = arazzo.LoadFS(scenarios.FS, ".", "scenarios")
	} else {
		docs, err = arazzo.LoadPaths(paths)
	}
	if err != nil {
		return bad(err)
	}
	res, err := Compare(ctx, Target{Name: "A", Config: a}, Target{Name: "B", Config: b}, docs, Options{IgnoreHeaders: ignore})
	if err != nil {
		return bad(err)
	}
	WriteTable(stdout, res, red)
	if jsonOut != "" {
		f, err := os.Create(jsonOut)
		if err == nil {
			err = WriteJSON(f, res, red)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintln(stderr, err)
			return report.ExitBadInput
		}
	}
	for _, rep := range []*report.Report{res.ReportA, res.ReportB} {
		if rep.ExitCode == report.ExitUnreachable || rep.ExitCode == report.ExitBadInput {
			fmt.Fprintln(stderr, red.String(rep.Target+": "+rep.Error))
			return rep.ExitCode
		}
	}
	if len(res.Differences) > 0 {
		return report.ExitFailed
	}
	return report.ExitPassed
}

// WriteTable prints the comparison as a readable table.
func WriteTable(w io.Writer, res *Result, red *report.Redactor) {
	fmt.Fprintln(w, red.String(fmt.Sprintf("A: %s\nB: %s", res.A, res.B)))
	fmt.Fprintf(w, "%d workflows, %d steps compared, %d differences\n", len(res.Workflows), res.Steps, len(res.Differences))
	for _, wp := range res.Workflows {
		if wp.A != wp.B {
			fmt.Fprintf(w, "workflow %s: %s on A, %s on B\n", red.String(wp.WorkflowID), wp.A, wp.B)
		}
	}
	if len(res.Differences) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKFLOW\tSTEP\tOPERATION\tWHAT\tWHERE\tA\tB")
	for _, d := range res.Differences {
		fmt.Fprintln(tw, red.String(strings.Join([]string{d.Workflow, d.Step, d.OperationID, d.Kind, d.Where, d.A, d.B}, "\t")))
	}
	tw.Flush()
}

// WriteJSON writes the comparison, the two runs' reports included, as indented JSON; every
// text goes through the redactor before it is encoded.
func WriteJSON(w io.Writer, res *Result, red *report.Redactor) error {
	out := struct {
		A           string            `json:"a"`
		B           string            `json:"b"`
		Workflows   []*WorkflowParity `json:"workflows"`
		Steps       int               `json:"steps"`
		Differences []Difference      `json:"differences"`
		ReportA     json.RawMessage   `json:"reportA"`
		ReportB     json.RawMessage   `json:"reportB"`
	}{A: red.String(res.A), B: red.String(res.B), Steps: res.Steps, Differences: make([]Difference, len(res.Differences))}
	for _, wp := range res.Workflows {
		out.Workflows = append(out.Workflows, &WorkflowParity{WorkflowID: red.String(wp.WorkflowID), A: wp.A, B: wp.B})
	}
	for i, d := range res.Differences {
		for _, s := range []*string{&d.Workflow, &d.Step, &d.OperationID, &d.Where, &d.A, &d.B} {
			*s = red.String(*s)
		}
		out.Differences[i] = d
	}
	for _, r := range []struct {
		rep *report.Report
		dst *json.RawMessage
	}{{res.ReportA, &out.ReportA}, {res.ReportB, &out.ReportB}} {
		var buf bytes.Buffer
		if err := report.WriteJSON(&buf, r.rep, red); err != nil {
			return err
		}
		*r.dst = buf.Bytes()
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
