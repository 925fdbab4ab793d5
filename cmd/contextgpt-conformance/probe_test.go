package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/contextgpt/sandbox/internal/mocktest"

	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/mock"
)

func TestProbeBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"probe"}, // no --base-url
		{"probe", "--base-url", "http://127.0.0.1:1/api", "--rate-limit", "sometimes"},
		{"probe", "--base-url", "http://127.0.0.1:1/api", "--operation", "noSuchOperation"},
		{"probe", "--base-url", "http://127.0.0.1:1/api", "--operation", "[bad"},
		{"probe", "--base-url", "http://127.0.0.1:1/api", "--max-cases", "-1"},
		{"probe", "--base-url", "http://127.0.0.1:1/api", "--min-coverage", "120"},
		{"probe", "--base-url", "http://127.0.0.1:1/api", "--plan-key", "trial"},
		{"probe", "--base-url", "http://127.0.0.1:1/api", "scenarios.yaml"}, // PATHs need --with-suite
		{"probe", "--base-url", "http://127.0.0.1:1/api", "--api-key", "short"},
	} {
		code, _, errOut := runMain(t, nil, args...)
		if code != report.ExitBadInput {
			t.Errorf("%v: %s: got %v, want %v", args, errOut, code, report.ExitBadInput)
		}
	}
	code, out, _ := runMain(t, nil, "probe", "--help")
	if code != report.ExitPassed {
		t.Errorf("code = %v, want %v", code, report.ExitPassed)
	}
	mustContain(t, "out", out, "--plan-key", "$CONTEXTGPT_RATE_LIMIT")
	code, _, _ = runMain(t, nil, "probe", "--base-url", "http://127.0.0.1:1/api")
	if code != report.ExitUnreachable {
		t.Errorf("code = %v, want %v", code, report.ExitUnreachable)
	}
}

// TestProbeCommandReports probes a few operations of an in-process mock and writes the
// reports: the JSON holds the pair table, the JUnit a testcase per case (skips marked), and
// the exit code is the report's.
func TestProbeCommandReports(t *testing.T) {
	srv := mocktest.Start(t, mock.DefaultConfig())
	dir := t.TempDir()
	jsonPath, junitPath := filepath.Join(dir, "p.json"), filepath.Join(dir, "p.xml")
	code, out, errOut := runMain(t, map[string]string{"NO_COLOR": "1"}, "probe", "--base-url", srv.URL+"/api",
		"--operation", "getPersonas,getChatModeApi", "--rate-limit", "off", "--seed", "9", "--json", jsonPath, "--junit", junitPath)
	if got := []int{report.ExitPassed, report.ExitFailed}; !slices.Contains(got, code) {
		t.Fatalf("%v: got %v, want it to contain %v", out+errOut, got, code)
	}
	if !strings.Contains(out, "documented (operation, status) pairs:") {
		t.Errorf("out = %q, want it to contain %q", out, "documented (operation, status) pairs:")
	}
	var rep report.Report
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatalf("os.ReadFile: %v", err)
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("json.Unmarshal: %v", err)
	}
	if rep.ExitCode != code {
		t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, code)
	}
	if rep.PairCoverage == nil {
		t.Fatalf("rep.PairCoverage is nil")
	}
	ops := map[string]bool{}
	for _, row := range rep.PairCoverage.Rows {
		ops[row.OperationID] = true
	}
	if !reflect.DeepEqual(ops, map[string]bool{"getPersonas": true, "getChatModeApi": true}) {
		t.Errorf("the table holds the selection: got %v, want %v", ops, map[string]bool{"getPersonas": true, "getChatModeApi": true})
	}
	if rep.Summary.StepsSkipped <= 0 {
		t.Errorf("the 429 cases with --rate-limit off: got = %v, want > 0", rep.Summary.StepsSkipped)
	}
	var junit struct {
		Tests   int `xml:"tests,attr"`
		Skipped int `xml:"skipped,attr"`
	}
	data, err = os.ReadFile(junitPath)
	if err != nil {
		t.Fatalf("os.ReadFile: %v", err)
	}
	if err := xml.Unmarshal(data, &junit); err != nil {
		t.Fatalf("xml.Unmarshal: %v", err)
	}
	if junit.Skipped != rep.Summary.StepsSkipped {
		t.Errorf("junit.Skipped = %v, want %v", junit.Skipped, rep.Summary.StepsSkipped)
	}
	if junit.Tests != rep.Summary.Steps {
		t.Errorf("junit.Tests = %v, want %v", junit.Tests, rep.Summary.Steps)
	}
}
