package main

import (
	"strings"
	"testing"

	"github.com/contextgpt/sandbox/conformance/report"
)

// Exit 2 wins over exit 3: each bad input is reported although the port is closed.
func TestBadInputWinsOverUnreachable(t *testing.T) {
	const down = "http://127.0.0.1:1/api"
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"unknown flag", nil, []string{"--bogus"}, "bogus"},
		{"bad flag value", nil, []string{"--jobs", "x"}, "jobs"},
		{"broken document", nil, []string{"--api-key", "k-12345678", "../../conformance/arazzo/testdata/negative/duplicate-step-id.arazzo.yaml"}, "bad input"},
		{"spec missing", nil, []string{"--api-key", "k-12345678", "--spec", "/nonexistent"}, "--spec"},
		{"min-coverage", nil, []string{"--api-key", "k-12345678", "--min-coverage", "x"}, "--min-coverage"},
		// Regressions: these were silently replaced by defaults and the run went on.
		{"env timeout not a duration", map[string]string{"CONTEXTGPT_TIMEOUT": "abc"}, []string{"--api-key", "k-12345678"}, "CONTEXTGPT_TIMEOUT"},
		{"env max-wait not a duration", map[string]string{"CONTEXTGPT_MAX_WAIT": "soon"}, []string{"--api-key", "k-12345678"}, "CONTEXTGPT_MAX_WAIT"},
		{"env jobs not an integer", map[string]string{"CONTEXTGPT_JOBS": "x"}, []string{"--api-key", "k-12345678"}, "CONTEXTGPT_JOBS"},
		{"negative timeout", nil, []string{"--api-key", "k-12345678", "--timeout", "-5s"}, "--timeout"},
		{"junit folder missing", nil, []string{"--api-key", "k-12345678", "--junit", "/nonexistent/dir/r.xml"}, "r.xml"},
		{"json folder missing", nil, []string{"--api-key", "k-12345678", "--json", "/nonexistent/dir/r.json"}, "r.json"},
		{"zero jobs", nil, []string{"--api-key", "k-12345678", "--jobs", "0"}, "--jobs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runMain(t, tc.env, append([]string{"run", "--base-url", down}, tc.args...)...)
			if code != report.ExitBadInput {
				t.Errorf("%v: got %v, want %v", errOut, code, report.ExitBadInput)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("errOut = %q, want it to contain %q", errOut, tc.want)
			}
		})
	}
}
