package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// -h and --help print usage to stdout and exit 0, for the program and each command.
func TestHelpExitsZero(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}, {"help", "run"}, {"run", "--help"}, {"run", "-h"},
		{"list", "--help"}, {"validate", "-h"}, {"version", "--help"}, {"run", "../../scenarios", "--help"}} {
		code, out, errOut := runMain(t, nil, args...)
		assert.Equal(t, report.ExitPassed, code, "%v: %s", args, errOut)
		assert.Contains(t, out, "usage:", "%v", args)
		assert.NotContains(t, errOut, "help requested", "%v", args)
	}
	_, out, _ := runMain(t, nil, "run", "--help")
	assert.Contains(t, out, "--base-url")
	assert.Contains(t, out, "$CONTEXTGPT_BASE_URL")
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		code, out, _ := runMain(t, nil, args...)
		assert.Equal(t, report.ExitPassed, code)
		assert.Regexp(t, `^contextgpt-conformance \S+ \(spec \S+\)\n$`, out)
	}
	version = "v9.9.9"
	defer func() { version = "" }()
	_, out, _ := runMain(t, nil, "--version")
	assert.Contains(t, out, "v9.9.9")
}

// Flags after positional arguments are flags, not paths; "--" ends the flags.
func TestFlagsAfterPositionals(t *testing.T) {
	code, out, errOut := runMain(t, nil, "list", "../../scenarios", "--help")
	assert.Equal(t, report.ExitPassed, code, errOut)
	assert.Contains(t, out, "usage:")
	code, _, errOut = runMain(t, nil, "validate", "../../scenarios/auth-errors.arazzo.yaml", "--bogus")
	assert.Equal(t, report.ExitBadInput, code)
	assert.Contains(t, errOut, "bogus")
	code, _, errOut = runMain(t, nil, "validate", "--", "--not-a-flag.yaml")
	assert.Equal(t, report.ExitBadInput, code)
	assert.Contains(t, errOut, "--not-a-flag.yaml", "read as a path after --")
	// A run whose flags come after the path: the key is a flag, so the run reaches the target.
	code, _, errOut = runMain(t, nil, "run", "../../scenarios/auth-errors.arazzo.yaml", "--base-url", "http://127.0.0.1:1/api", "--api-key", "k-12345678")
	assert.Equal(t, report.ExitUnreachable, code, errOut)
}

// An error about a value from the environment names the variable.
func TestFlagErrorsNameTheEnvironment(t *testing.T) {
	env := map[string]string{"CONTEXTGPT_PLAN": "platinum", "CONTEXTGPT_BASE_URL": "http://127.0.0.1:1/api"}
	code, _, errOut := runMain(t, env, "run")
	assert.Equal(t, report.ExitBadInput, code)
	assert.Contains(t, errOut, "$CONTEXTGPT_PLAN")
	assert.Contains(t, errOut, "platinum")
	code, _, errOut = runMain(t, map[string]string{"CONTEXTGPT_BASE_URL": "ftp://x"}, "run")
	assert.Equal(t, report.ExitBadInput, code)
	assert.Contains(t, errOut, "$CONTEXTGPT_BASE_URL")
	// The same value on the command line names the flag only.
	_, _, errOut = runMain(t, nil, "run", "--base-url", "ftp://x")
	assert.Contains(t, errOut, "--base-url")
	assert.NotContains(t, errOut, "$CONTEXTGPT_BASE_URL")
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
		assert.Equal(t, report.ExitBadInput, code, "%v: %s", args, errOut)
		assert.NotEmpty(t, errOut)
	}
	assert.Zero(t, hits)
	_, _, errOut := runMain(t, nil, "run", "--base-url", srv.URL+"/api", "--api-key", "short")
	assert.Contains(t, errOut, "too short")
	assert.NotContains(t, errOut, "short\n", "the refused key is not echoed")
}

// Colour only on a terminal: a buffer (a pipe, a file) gets none, and neither does a
// terminal with NO_COLOR or TERM=dumb.
func TestColorOnlyOnATerminal(t *testing.T) {
	var b strings.Builder
	assert.False(t, colorOK(&b, func(string) string { return "" }))
	assert.False(t, colorOK(nil, func(k string) string { return map[string]string{"NO_COLOR": "1"}[k] }))
	assert.False(t, colorOK(nil, func(k string) string { return map[string]string{"TERM": "dumb"}[k] }))
}

func TestParseInterspersed(t *testing.T) {
	f := newFlags("x", "x", &strings.Builder{})
	v := f.String("a", "", "")
	b := f.Bool("b", false, "")
	pos, err := f.parse([]string{"p1", "--a", "1", "p2", "-b", "--", "-p3"}, func(string) string { return "" })
	require.NoError(t, err)
	assert.Equal(t, []string{"p1", "p2", "-p3"}, pos)
	assert.Equal(t, "1", *v)
	assert.True(t, *b)
}

// validate warns on an API step without an Authorization parameter (it passes here, where
// the runner sends the key, and fails in other runners); the built-in suite has none.
func TestValidateWarnsWithoutAuthorization(t *testing.T) {
	code, _, errOut := runMain(t, nil, "validate", "../../conformance/testdata/golden/run.arazzo.yaml")
	assert.Equal(t, report.ExitPassed, code)
	assert.Contains(t, errOut, "warning:")
	assert.Contains(t, errOut, "no Authorization parameter")
	code, _, errOut = runMain(t, nil, "validate", "../../scenarios")
	assert.Equal(t, report.ExitPassed, code)
	assert.NotContains(t, errOut, "warning:")
}
