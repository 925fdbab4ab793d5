package conformance

import (
	"reflect"
	"strings"
	"testing"

	"github.com/contextgpt/sandbox/conformance/report"
)

// A step workflow (a shared setUp) that failed is not run again by a later workflow's step:
// a re-run would repeat what it created (a second chatbot of the same name, 409). The later
// workflow is skipped, with the reason.
func TestFailedStepWorkflowIsNotRunAgain(t *testing.T) {
	f := newFake()
	rep := runFake(t, f, `workflows:
  - workflowId: first
    steps:
      - stepId: setUp
        workflowId: maker
  - workflowId: second
    steps:
      - stepId: setUp
        workflowId: maker
      - stepId: read
        operationId: getItem
        parameters: [{name: id, in: path, value: item-1}]
  - workflowId: maker
    steps:
      - stepId: create
        operationId: createItem
        requestBody: {payload: {name: shared}}
        successCriteria: [{condition: $statusCode == 299}]
`, Config{APIKey: "k"})
	if got := f.paths(); !reflect.DeepEqual(got, []string{"POST /api/v1/items"}) {
		t.Errorf("requests: got %q, want the setUp's create once", got)
	}
	if rep.ExitCode != report.ExitFailed {
		t.Errorf("rep.ExitCode = %v, want %v (the setUp failed)", rep.ExitCode, report.ExitFailed)
	}
	byID := map[string]report.WorkflowResult{}
	for _, w := range rep.Workflows {
		byID[w.WorkflowID] = w
	}
	if got := byID["first"].Status; got != report.Failed {
		t.Errorf("first: got %v, want failed", got)
	}
	second := byID["second"]
	if second.Status != report.Skipped || !strings.Contains(second.Reason, "maker already failed") {
		t.Fatalf("second: got %v (%q), want skipped because maker already failed", second.Status, second.Reason)
	}
	for _, s := range second.Steps {
		if s.Status != report.Skipped || s.Reason == "" {
			t.Errorf("second's step %s: got %v (%q), want skipped with a reason", s.StepID, s.Status, s.Reason)
		}
	}
}
