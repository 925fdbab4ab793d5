package conformance

import (
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/conformance/report"
)

// These tests run the Arazzo constructs against the fake API with a key, so no sandbox is
// involved: actions (end, goto, retry), dependsOn, $workflows outputs, workflow steps and
// components.

func key() Config { return Config{APIKey: "test-key-0123456789"} }

func TestSuccessActionEnd(t *testing.T) {
	f := newFake()
	rep := runFake(t, f, `workflows:
  - workflowId: w
    steps:
      - stepId: first
        operationId: countUp
        parameters: [{name: name, in: path, value: a}]
        onSuccess:
          - name: notYet
            type: end
            criteria: [{condition: $statusCode == 418}]
          - {name: done, type: end}
      - stepId: never
        operationId: countUp
        parameters: [{name: name, in: path, value: b}]
`, key())
	if rep.ExitCode != report.ExitPassed {
		t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitPassed)
	}
	if got := f.paths(); !reflect.DeepEqual(got, []string{"GET /api/v1/counter/a"}) {
		t.Errorf("end stops the workflow; the first action whose criteria hold wins: got %q, want %q", got, []string{"GET /api/v1/counter/a"})
	}
	if got := workflowResult(t, rep, "w").Status; got != report.Passed {
		t.Errorf(`workflowResult(t, rep, "w").Status = %q, want %q`, got, report.Passed)
	}
}

func TestSuccessActionGotoStep(t *testing.T) {
	f := newFake()
	rep := runFake(t, f, `workflows:
  - workflowId: w
    steps:
      - stepId: poll
        operationId: countUp
        parameters: [{name: name, in: path, value: poll}]
        successCriteria: [{condition: $statusCode == 200}]
        onSuccess:
          - name: again
            type: goto
            stepId: poll
            criteria: [{condition: $response.body#/attempt < 3}]
          - {name: skip, type: goto, stepId: last}
      - stepId: skipped
        operationId: countUp
        parameters: [{name: name, in: path, value: skipped}]
      - stepId: last
        operationId: countUp
        parameters: [{name: name, in: path, value: last}]
`, key())
	if rep.ExitCode != report.ExitPassed {
		t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitPassed)
	}
	if got, want := f.paths(), []string{"GET /api/v1/counter/poll", "GET /api/v1/counter/poll", "GET /api/v1/counter/poll",
		"GET /api/v1/counter/last"}; !reflect.DeepEqual(got, want) {
		t.Errorf("f.paths() = %q, want %q", got, want)
	}
	if got := stepIDs(workflowResult(t, rep, "w")); !reflect.DeepEqual(got, []string{"poll", "poll", "poll", "last", "skipped:skipped"}) {
		t.Errorf("a step run again appears once per run: got %q, want %q", got, []string{"poll", "poll", "poll", "last", "skipped:skipped"})
	}
}

func TestSuccessActionGotoWorkflow(t *testing.T) {
	f := newFake()
	rep := runFake(t, f, `workflows:
  - workflowId: w
    steps:
      - stepId: first
        operationId: countUp
        parameters: [{name: name, in: path, value: w}]
        onSuccess: [{name: elsewhere, type: goto, workflowId: other}]
      - stepId: never
        operationId: countUp
        parameters: [{name: name, in: path, value: never}]
  - workflowId: other
    steps:
      - stepId: inOther
        operationId: countUp
        parameters: [{name: name, in: path, value: other}]
`, key())
	if rep.ExitCode != report.ExitPassed {
		t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitPassed)
	}
	// other runs from w's goto and again on its own (it is not called by a step).
	if got := f.paths(); !reflect.DeepEqual(got, []string{"GET /api/v1/counter/w", "GET /api/v1/counter/other", "GET /api/v1/counter/other"}) {
		t.Errorf("f.paths() = %q, want %q", got, []string{"GET /api/v1/counter/w", "GET /api/v1/counter/other", "GET /api/v1/counter/other"})
	}
	if got := stepIDs(workflowResult(t, rep, "w")); !reflect.DeepEqual(got, []string{"first", "other/inOther", "skipped:never"}) {
		t.Errorf(`stepIDs(workflowResult(t, rep, "w")) = %q, want %q`, got, []string{"first", "other/inOther", "skipped:never"})
	}
}

func TestFailureActionEnd(t *testing.T) {
	for name, actions := range map[string]string{
		"explicit end":      "\n        onFailure: [{name: stop, type: end}]",
		"no failure action": "",
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake()
			rep := runFake(t, f, `workflows:
  - workflowId: w
    steps:
      - stepId: missing
        operationId: getItem
        parameters: [{name: id, in: path, value: nope}]
        successCriteria: [{condition: $statusCode == 200}]`+actions+`
      - stepId: never
        operationId: countUp
        parameters: [{name: name, in: path, value: never}]
`, key())
			if rep.ExitCode != report.ExitFailed {
				t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitFailed)
			}
			if got := f.paths(); !reflect.DeepEqual(got, []string{"GET /api/v1/items/nope"}) {
				t.Errorf("f.paths() = %q, want %q", got, []string{"GET /api/v1/items/nope"})
			}
			w := workflowResult(t, rep, "w")
			if w.Status != report.Failed {
				t.Errorf("w.Status = %q, want %q", w.Status, report.Failed)
			}
			if w.Reason != "step missing failed" {
				t.Errorf("w.Reason = %q, want %q", w.Reason, "step missing failed")
			}
			if got := len(w.Steps); got != 2 {
				t.Fatalf("len(w.Steps) = %d, want %d: %+v", got, 2, w.Steps)
			}
			if w.Steps[1].Status != report.Skipped {
				t.Errorf("the step after the failure is listed as skipped: got %q, want %q", w.Steps[1].Status, report.Skipped)
			}
			if w.Steps[1].Reason != "not run: step missing failed" {
				t.Errorf("w.Steps[1].Reason = %q, want %q", w.Steps[1].Reason, "not run: step missing failed")
			}
			if got := len(w.Steps[0].Findings); got != 1 {
				t.Fatalf("len(w.Steps[0].Findings) = %d, want %d: %+v", got, 1, w.Steps[0].Findings)
			}
			if w.Steps[0].Findings[0].Check != checkCriterion {
				t.Errorf("w.Steps[0].Findings[0].Check = %q, want %q", w.Steps[0].Findings[0].Check, checkCriterion)
			}
			if w.Steps[0].Findings[0].Expected != "$statusCode == 200" {
				t.Errorf("w.Steps[0].Findings[0].Expected = %q, want %q", w.Steps[0].Findings[0].Expected, "$statusCode == 200")
			}
			if w.Steps[0].Findings[0].Actual != "$statusCode = 404" {
				t.Errorf("w.Steps[0].Findings[0].Actual = %q, want %q", w.Steps[0].Findings[0].Actual, "$statusCode = 404")
			}
		})
	}
}

func TestFailureActionGotoCleanUp(t *testing.T) {
	f := newFake()
	rep := runFake(t, f, `workflows:
  - workflowId: w
    steps:
      - stepId: create
        operationId: createItem
        requestBody: {payload: {name: thing}}
        successCriteria: [{condition: $statusCode == 201}]
        outputs: {id: $response.body#/id}
      - stepId: wrongName
        operationId: getItem
        parameters: [{name: id, in: path, value: $steps.create.outputs.id}]
        successCriteria: [{condition: "$response.body#/name == 'other'"}]
        onFailure: [{name: cleanUp, type: goto, stepId: delete}]
      - stepId: skipped
        operationId: countUp
        parameters: [{name: name, in: path, value: skipped}]
      - stepId: delete
        operationId: deleteItem
        parameters: [{name: id, in: path, value: $steps.create.outputs.id}]
        successCriteria: [{condition: $statusCode == 204}]
`, key())
	if rep.ExitCode != report.ExitFailed {
		t.Errorf("the failed step fails the workflow although clean-up passed: got %v, want %v", rep.ExitCode, report.ExitFailed)
	}
	if got := f.paths(); !reflect.DeepEqual(got, []string{"POST /api/v1/items", "GET /api/v1/items/item-1", "DELETE /api/v1/items/item-1"}) {
		t.Errorf("f.paths() = %q, want %q", got, []string{"POST /api/v1/items", "GET /api/v1/items/item-1", "DELETE /api/v1/items/item-1"})
	}
	w := workflowResult(t, rep, "w")
	if w.Reason != "step wrongName failed" {
		t.Errorf("w.Reason = %q, want %q", w.Reason, "step wrongName failed")
	}
	if len(f.items) != 0 {
		t.Errorf("clean-up ran: got %v, want empty", f.items)
	}
}

func TestFailureActionGotoWorkflow(t *testing.T) {
	f := newFake()
	rep := runFake(t, f, `workflows:
  - workflowId: w
    steps:
      - stepId: missing
        operationId: getItem
        parameters: [{name: id, in: path, value: nope}]
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: rescue, type: goto, workflowId: rescue}]
  - workflowId: rescue
    steps:
      - stepId: fix
        operationId: countUp
        parameters: [{name: name, in: path, value: rescue}]
`, key())
	if rep.ExitCode != report.ExitFailed {
		t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitFailed)
	}
	w := workflowResult(t, rep, "w")
	if got := stepIDs(w); !reflect.DeepEqual(got, []string{"missing", "rescue/fix"}) {
		t.Errorf("stepIDs(w) = %q, want %q", got, []string{"missing", "rescue/fix"})
	}
	if w.Status != report.Failed {
		t.Errorf("w.Status = %q, want %q", w.Status, report.Failed)
	}
}

// TestRetry: retryAfter and retryLimit as Arazzo reads them, case by case (a table).
func TestRetry(t *testing.T) {
	tests := []struct {
		name       string
		failUntil  int
		action     string
		maxWait    time.Duration
		retryAfter string // the server's Retry-After
		wantCalls  int
		wantSleeps []time.Duration
		wantPass   bool
		wantReason string
	}{
		{name: "succeeds within the limit", failUntil: 2, action: "{name: again, type: retry, retryAfter: 1.5, retryLimit: 3}",
			wantCalls: 3, wantSleeps: []time.Duration{1500 * time.Millisecond, 1500 * time.Millisecond}, wantPass: true},
		{name: "limit exhausted", failUntil: 9, action: "{name: again, type: retry, retryAfter: 0.25, retryLimit: 2}",
			wantCalls: 3, wantSleeps: []time.Duration{250 * time.Millisecond, 250 * time.Millisecond}, wantReason: "step flaky failed after 2 retries"},
		{name: "one retry by default", failUntil: 9, action: "{name: again, type: retry}",
			wantCalls: 2, wantSleeps: []time.Duration{0}, wantReason: "step flaky failed after 1 retries"},
		{name: "retryLimit 0 does not retry", failUntil: 9, action: "{name: again, type: retry, retryLimit: 0}",
			wantCalls: 1, wantReason: "step flaky failed after 0 retries"},
		{name: "Retry-After overrules retryAfter", failUntil: 1, retryAfter: "7", action: "{name: again, type: retry, retryAfter: 1, retryLimit: 1}",
			wantCalls: 2, wantSleeps: []time.Duration{7 * time.Second}, wantPass: true},
		{name: "waits are capped by max-wait", failUntil: 1, retryAfter: "120", maxWait: 5 * time.Second,
			action: "{name: again, type: retry, retryAfter: 300, retryLimit: 1}", wantCalls: 2, wantSleeps: []time.Duration{5 * time.Second}, wantPass: true},
		{name: "criteria pick the action", failUntil: 1, action: "{name: notThis, type: end, criteria: [{condition: $statusCode == 404}]}\n          - {name: again, type: retry, retryLimit: 1, criteria: [{condition: $statusCode == 503}]}",
			wantCalls: 2, wantSleeps: []time.Duration{0}, wantPass: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			retryAfter := ""
			if tc.retryAfter != "" {
				retryAfter = "\n          - {name: X-Retry-After, in: header, value: " + tc.retryAfter + "}"
			}
			cfg := key()
			cfg.MaxWait = tc.maxWait
			rep := runFake(t, f, `workflows:
  - workflowId: w
    steps:
      - stepId: flaky
        operationId: countUp
        parameters:
          - {name: name, in: path, value: flaky}
          - {name: X-Fail-Until, in: header, value: `+strconv.Itoa(tc.failUntil)+`}`+retryAfter+`
        successCriteria: [{condition: $statusCode == 200}]
        onFailure:
          - `+tc.action+`
`, cfg)
			if got := f.paths(); len(got) != tc.wantCalls {
				t.Errorf("len(f.paths()) = %d, want %d: %q", len(got), tc.wantCalls, got)
			}
			if !reflect.DeepEqual(f.slept, tc.wantSleeps) {
				t.Errorf("f.slept = %v, want %v", f.slept, tc.wantSleeps)
			}
			w := workflowResult(t, rep, "w")
			if got := len(w.Steps); got != 1 {
				t.Fatalf("a retried step is reported once: got %d items, want %d: %+v", got, 1, w.Steps)
			}
			if w.Steps[0].Attempts != tc.wantCalls {
				t.Errorf("w.Steps[0].Attempts = %v, want %v", w.Steps[0].Attempts, tc.wantCalls)
			}
			if tc.wantPass {
				if w.Status != report.Passed {
					t.Errorf("%v: got %q, want %q", w.Reason, w.Status, report.Passed)
				}
				if len(w.Steps[0].Findings) != 0 {
					t.Errorf("the failed attempts' criteria do not count once a retry passes: got %+v, want empty", w.Steps[0].Findings)
				}
				if rep.ExitCode != report.ExitPassed {
					t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitPassed)
				}
				return
			}
			if w.Status != report.Failed {
				t.Errorf("w.Status = %q, want %q", w.Status, report.Failed)
			}
			if w.Reason != tc.wantReason {
				t.Errorf("w.Reason = %q, want %q", w.Reason, tc.wantReason)
			}
		})
	}
}

func TestRetryKeepsCheckFindings(t *testing.T) {
	f := newFake()
	// The first answer is a 503 that breaks its schema; the retry passes, but the broken
	// response stays a finding (criteria of the failed attempt do not).
	rep := runFake(t, f, `workflows:
  - workflowId: w
    steps:
      - stepId: flaky
        operationId: countUp
        parameters:
          - {name: name, in: path, value: flaky}
          - {name: X-Fail-Until, in: header, value: 1}
          - {name: X-Broken, in: header, value: "yes"}
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: again, type: retry, retryLimit: 1}]
`, key())
	if rep.ExitCode != report.ExitFailed {
		t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitFailed)
	}
	w := workflowResult(t, rep, "w")
	if got := len(w.Steps); got != 1 {
		t.Fatalf("len(w.Steps) = %d, want %d: %+v", got, 1, w.Steps)
	}
	st := w.Steps[0]
	if st.Attempts != 2 {
		t.Errorf("st.Attempts = %v, want %v", st.Attempts, 2)
	}
	if st.HTTPStatus != 200 {
		t.Errorf("st.HTTPStatus = %v, want %v", st.HTTPStatus, 200)
	}
	if st.Status != report.Failed {
		t.Errorf("st.Status = %q, want %q", st.Status, report.Failed)
	}
	if got := len(st.Findings); got != 1 {
		t.Fatalf("got %d items, want %d: %+v", got, 1, st.Findings)
	}
	if st.Findings[0].Check != "body-schema" {
		t.Errorf("st.Findings[0].Check = %q, want %q", st.Findings[0].Check, "body-schema")
	}
	if st.Findings[0].Pointer != "/attempt" {
		t.Errorf("st.Findings[0].Pointer = %q, want %q", st.Findings[0].Pointer, "/attempt")
	}
}

func TestRetryRunsTargetStepFirst(t *testing.T) {
	f := newFake()
	rep := runFake(t, f, `workflows:
  - workflowId: w
    steps:
      - stepId: flaky
        operationId: countUp
        parameters:
          - {name: name, in: path, value: flaky}
          - {name: X-Fail-Until, in: header, value: 1}
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: refreshFirst, type: retry, stepId: refresh, retryLimit: 1}]
      - stepId: refresh
        operationId: countUp
        parameters: [{name: name, in: path, value: refresh}]
`, key())
	if rep.ExitCode != report.ExitPassed {
		t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitPassed)
	}
	if got, want := f.paths(), []string{"GET /api/v1/counter/flaky", "GET /api/v1/counter/refresh", "GET /api/v1/counter/flaky",
		"GET /api/v1/counter/refresh"}; !reflect.DeepEqual(got, want) {
		t.Errorf("the target runs, then the failed step again, then the workflow goes on: got %q, want %q", got, want)
	}
}

func TestWorkflowLevelActions(t *testing.T) {
	f := newFake()
	rep := runFake(t, f, `workflows:
  - workflowId: w
    successActions:
      - name: skipB
        type: goto
        stepId: c
        criteria: [{condition: $response.body#/attempt == 3}]
    failureActions:
      - {name: again, type: retry, retryLimit: 2}
    steps:
      - stepId: flaky
        operationId: countUp
        parameters:
          - {name: name, in: path, value: flaky}
          - {name: X-Fail-Until, in: header, value: 2}
        successCriteria: [{condition: $statusCode == 200}]
      - stepId: b
        operationId: countUp
        parameters: [{name: name, in: path, value: b}]
      - stepId: c
        operationId: countUp
        parameters: [{name: name, in: path, value: c}]
        onSuccess: [{name: stop, type: end}]
      - stepId: d
        operationId: countUp
        parameters: [{name: name, in: path, value: d}]
`, key())
	if rep.ExitCode != report.ExitPassed {
		t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitPassed)
	}
	if got, want := f.paths(), []string{"GET /api/v1/counter/flaky", "GET /api/v1/counter/flaky", "GET /api/v1/counter/flaky",
		"GET /api/v1/counter/c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("the workflow's actions apply to steps without their own: got %q, want %q", got, want)
	}
	if got := len(f.slept); got != 2 {
		t.Errorf("len(f.slept) = %d, want %d: %v", got, 2, f.slept)
	}
}
