package conformance

import (
	"context"
	"strings"
	"testing"

	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/internal/mocktest"
)

// With --strict-schema, the built-in suite finds nothing against a strict mock: every
// property the mock sends (error.details per error kind, message sources, delivery payloads,
// the sink's headers and bodies) is declared by the spec, on a key and in sandbox mode.
func TestBuiltInSuiteStrictSchemaAgainstStrictMock(t *testing.T) {
	srv, violations := strictMock(t)
	for _, key := range []string{superAdminKey, ""} {
		var out strings.Builder
		red := &report.Redactor{}
		c := &report.Console{W: &out, Red: red}
		r, err := New(Config{BaseURL: srv.URL + "/api", APIKey: key, StrictSchema: true, Redactor: red,
			OnWorkflow: c.Workflow, Jobs: 2}, mocktest.Suite(t))
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		rep := r.Run(context.Background())
		c.Summary(rep)
		if rep.ExitCode != report.ExitPassed || rep.Summary.Findings != 0 {
			t.Errorf("key %q: --strict-schema run: exit %v, %d findings, want passed and 0:\n%s",
				key, rep.ExitCode, rep.Summary.Findings, out.String())
		}
	}
	if got := violations(); len(got) != 0 {
		t.Errorf("strict mode: the mock's own responses honour the contract: got %q, want empty", got)
	}
}
