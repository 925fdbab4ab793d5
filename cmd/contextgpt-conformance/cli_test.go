package main

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/contextgpt/sandbox/conformance/report"
)

// -h and --help print usage to stdout and exit 0, for the program and each command.
func TestHelpExitsZero(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}, {"help", "run"}, {"run", "--help"}, {"run", "-h"},
		{"list", "--help"}, {"validate", "-h"}, {"version", "--help"}, {"run", "../../scenarios", "--help"}} {
		code, out, errOut := runMain(t, nil, args...)
		if code != report.ExitPassed {
			t.Errorf("%v: %s: got %v, want %v", args, errOut, code, report.ExitPassed)
		}
		if !strings.Contains(out, "usage:") {
			t.Errorf("%v: got %q, want it to contain %q", args, out, "usage:")
		}
		if strings.Contains(errOut, "help requested") {
			t.Errorf("%v: got %q, want no %q", args, errOut, "help requested")
		}
	}
	_, out, _ := runMain(t, nil, "run", "--help")
	mustContain(t, "out", out, "--base-url", "$CONTEXTGPT_BASE_URL")
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		code, out, _ := runMain(t, nil, args...)
		if code != report.ExitPassed {
			t.Errorf("code = %v, want %v", code, report.ExitPassed)
		}
		if !regexp.MustCompile(`^contextgpt-conformance \S+ \(spec \S+\)\n$`).MatchString(out) {
			t.Errorf("out = %q, want a match for %s", out, `^contextgpt-conformance \S+ \(spec \S+\)\n$`)
		}
	}
	version = "v9.9.9"
	defer func() { version = "" }()
	_, out, _ := runMain(t, nil, "--version")
	if !strings.Contains(out, "v9.9.9") {
		t.Errorf("out = %q, want it to contain %q", out, "v9.9.9")
	}
}

// Flags after positional arguments are flags, not paths; "--" ends the flags.
func TestFlagsAfterPositionals(t *testing.T) {
	code, out, errOut := runMain(t, nil, "list", "../../scenarios", "--help")
	if code != report.ExitPassed {
		t.Errorf("%v: got %v, want %v", errOut, code, report.ExitPassed)
	}
	if !strings.Contains(out, "usage:") {
		t.Errorf("out = %q, want it to contain %q", out, "usage:")
	}
	code, _, errOut = runMain(t, nil, "validate", "../../scenarios/auth-errors.arazzo.yaml", "--bogus")
	if code != report.ExitBadInput {
		t.Errorf("code = %v, want %v", code, report.ExitBadInput)
	}
	if !strings.Contains(errOut, "bogus") {
		t.Errorf("errOut = %q, want it to contain %q", errOut, "bogus")
	}
	code, _, errOut = runMain(t, nil, "validate", "--", "--not-a-flag.yaml")
	if code != report.ExitBadInput {
		t.Errorf("code = %v, want %v", code, report.ExitBadInput)
	}
	if !strings.Contains(errOut, "--not-a-flag.yaml") {
		t.Errorf("read as a path after --: got %q, want it to contain %q", errOut, "--not-a-flag.yaml")
	}
	// A run whose flags come after the path: the key is a flag, so the run reaches the target.
	code, _, errOut = runMain(t, nil, "run", "../../scenarios/auth-errors.arazzo.yaml", "--base-url", "http://127.0.0.1:1/api", "--api-key", "k-12345678")
	if code != report.ExitUnreachable {
		t.Errorf("%v: got %v, want %v", errOut, code, report.ExitUnreachable)
	}
}

// An error about a value from the environment names the variable.
func TestFlagErrorsNameTheEnvironment(t *testing.T) {
	env := map[string]string{"CONTEXTGPT_PLAN": "platinum", "CONTEXTGPT_BASE_URL": "http://127.0.0.1:1/api"}
	code, _, errOut := runMain(t, env, "run")
	if code != report.ExitBadInput {
		t.Errorf("code = %v, want %v", code, report.ExitBadInput)
	}
	mustContain(t, "errOut", errOut, "$CONTEXTGPT_PLAN", "platinum")
	code, _, errOut = runMain(t, map[string]string{"CONTEXTGPT_BASE_URL": "ftp://x"}, "run")
	if code != report.ExitBadInput {
		t.Errorf("code = %v, want %v", code, report.ExitBadInput)
	}
	if !strings.Contains(errOut, "$CONTEXTGPT_BASE_URL") {
		t.Errorf("errOut = %q, want it to contain %q", errOut, "$CONTEXTGPT_BASE_URL")
	}
	// The same value on the command line names the flag only.
	_, _, errOut = runMain(t, nil, "run", "--base-url", "ftp://x")
	if !strings.Contains(errOut, "--base-url") {
		t.Errorf("errOut = %q, want it to contain %q", errOut, "--base-url")
	}
	if strings.Contains(errOut, "$CONTEXTGPT_BASE_URL") {
		t.Errorf("errOut = %q, want no %q", errOut, "$CONTEXTGPT_BASE_URL")
	}
}

// Bad input is exit 2 before any request: the server must see nothing.
func TestBadInputSendsNothing(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	for _, args := range [][]string{
		{"--plan", "bogus"},
		{"--api-key", "short"},
		{"--shard", "3/2"},
		{"--shard", "x"},
		{"--workflow", "nomatch*"},
		{"--workflow", "[bad"},
	} {
		code, _, errOut := runMain(t, nil, append([]string{"run", "--base-url", srv.URL + "/api"}, args...)...)
		if code != report.ExitBadInput {
			t.Errorf("%v: %s: got %v, want %v", args, errOut, code, report.ExitBadInput)
		}
		if errOut == "" {
			t.Errorf("errOut is empty")
		}
	}
	if hits != 0 {
		t.Errorf("hits = %v, want the zero value", hits)
	}
	_, _, errOut := runMain(t, nil, "run", "--base-url", srv.URL+"/api", "--api-key", "short")
	if !strings.Contains(errOut, "too short") {
		t.Errorf("errOut = %q, want it to contain %q", errOut, "too short")
	}
	if strings.Contains(errOut, "short\n") {
		t.Errorf("the refused key is not echoed: got %q, want no %q", errOut, "short\n")
	}
}

// Colour only on a terminal: a buffer (a pipe, a file) gets none, and neither does a
// terminal with NO_COLOR or TERM=dumb.
func TestColorOnlyOnATerminal(t *testing.T) {
	var b strings.Builder
	if colorOK(&b, func(string) string { return "" }) {
		t.Errorf(`want colorOK(&b, func(string) string { return "" }) to be false`)
	}
	if colorOK(nil, func(k string) string { return map[string]string{"NO_COLOR": "1"}[k] }) {
		t.Errorf(`want colorOK(nil, func(k string) string { return map[string]string{"NO_COLOR": "1"}[k] }) to be false`)
	}
	if colorOK(nil, func(k string) string { return map[string]string{"TERM": "dumb"}[k] }) {
		t.Errorf(`want colorOK(nil, func(k string) string { return map[string]string{"TERM": "dumb"}[k] }) to be false`)
	}
}

func TestParseInterspersed(t *testing.T) {
	f := newFlags("x", "x", &strings.Builder{})
	v := f.String("a", "", "")
	b := f.Bool("b", false, "")
	pos, err := f.parse([]string{"p1", "--a", "1", "p2", "-b", "--", "-p3"}, func(string) string { return "" })
	if err != nil {
		t.Fatalf("f.parse: %v", err)
	}
	if !reflect.DeepEqual(pos, []string{"p1", "p2", "-p3"}) {
		t.Errorf("pos = %q, want %q", pos, []string{"p1", "p2", "-p3"})
	}
	if *v != "1" {
		t.Errorf("*v = %q, want %q", *v, "1")
	}
	if !(*b) {
		t.Errorf("want *b to be true")
	}
}

// validate warns on an API step without an Authorization parameter (it passes here, where
// the runner sends the key, and fails in other runners); the built-in suite has none.
func TestValidateWarnsWithoutAuthorization(t *testing.T) {
	code, _, errOut := runMain(t, nil, "validate", "../../conformance/testdata/golden/run.arazzo.yaml")
	if code != report.ExitPassed {
		t.Errorf("code = %v, want %v", code, report.ExitPassed)
	}
	mustContain(t, "errOut", errOut, "warning:", "no Authorization parameter")
	code, _, errOut = runMain(t, nil, "validate", "../../scenarios")
	if code != report.ExitPassed {
		t.Errorf("code = %v, want %v", code, report.ExitPassed)
	}
	if strings.Contains(errOut, "warning:") {
		t.Errorf("errOut = %q, want no %q", errOut, "warning:")
	}
}
