package conformance

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/spec"
)

// A 429 the runner waited on and sent again after is superseded: what the checks found on it
// (here an undeclared property under --strict-schema) is reported with its wait, and only
// the final attempt decides the step. A final answer with the same fault still fails.
func TestSupersededAttemptFindingsDoNotFailTheStep(t *testing.T) {
	sleep := func(context.Context, time.Duration) error { return nil }
	var out strings.Builder
	rep, _ := runNet(t, Config{StrictSchema: true, Sleep: sleep, OnWorkflow: (&report.Console{W: &out}).Workflow}, "limitedextra")
	st := rep.Workflows[0].Steps[0]
	if rep.ExitCode != report.ExitPassed || st.Status != report.Passed || len(st.Findings) != 0 || rep.Summary.Findings != 0 {
		t.Fatalf("429 then 200: got exit %v, step %v, findings %v (summary %d), want passed with none",
			rep.ExitCode, st.Status, st.Findings, rep.Summary.Findings)
	}
	if st.Attempts != 2 || len(st.Waits) != 1 {
		t.Fatalf("got %d attempts and waits %+v, want 2 and one wait", st.Attempts, st.Waits)
	}
	if fs := st.Waits[0].Findings; len(fs) != 1 || fs[0].Check != spec.CheckBodyUndeclared || fs[0].Pointer != "/hint" {
		t.Errorf("the superseded 429's findings: got %+v, want one body-undeclared at /hint", fs)
	}
	if !strings.Contains(out.String(), "superseded, not counted: ") {
		t.Errorf("the console does not show the superseded attempt's finding:\n%s", out.String())
	}

	// The same fault on the final answer fails the step.
	rep, _ = runNet(t, Config{StrictSchema: true, Sleep: sleep}, "extra")
	if st := rep.Workflows[0].Steps[0]; st.Status != report.Failed || len(st.Findings) == 0 {
		t.Errorf("an undeclared property on the final answer: got %v with %v, want failed", st.Status, st.Findings)
	}
}
