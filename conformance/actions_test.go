package conformance

import (
	"strconv"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	assert.Equal(t, report.ExitPassed, rep.ExitCode)
	assert.Equal(t, []string{"GET /api/v1/counter/a"}, f.paths(), "end stops the workflow; the first action whose criteria hold wins")
	assert.Equal(t, report.Passed, workflowResult(t, rep, "w").Status)
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
	assert.Equal(t, report.ExitPassed, rep.ExitCode)
	assert.Equal(t, []string{"GET /api/v1/counter/poll", "GET /api/v1/counter/poll", "GET /api/v1/counter/poll",
		"GET /api/v1/counter/last"}, f.paths())
	assert.Equal(t, []string{"poll", "poll", "poll", "last", "skipped:skipped"}, stepIDs(workflowResult(t, rep, "w")), "a step run again appears once per run")
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
	assert.Equal(t, report.ExitPassed, rep.ExitCode)
	// other runs from w's goto and again on its own (it is not called by a step).
	assert.Equal(t, []string{"GET /api/v1/counter/w", "GET /api/v1/counter/other", "GET /api/v1/counter/other"}, f.paths())
	assert.Equal(t, []string{"first", "other/inOther", "skipped:never"}, stepIDs(workflowResult(t, rep, "w")))
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
			assert.Equal(t, report.ExitFailed, rep.ExitCode)
			assert.Equal(t, []string{"GET /api/v1/items/nope"}, f.paths())
			w := workflowResult(t, rep, "w")
			assert.Equal(t, report.Failed, w.Status)
			assert.Equal(t, "step missing failed", w.Reason)
			require.Len(t, w.Steps, 2)
			assert.Equal(t, report.Skipped, w.Steps[1].Status, "the step after the failure is listed as skipped")
			assert.Equal(t, "not run: step missing failed", w.Steps[1].Reason)
			require.Len(t, w.Steps[0].Findings, 1)
			assert.Equal(t, checkCriterion, w.Steps[0].Findings[0].Check)
			assert.Equal(t, "$statusCode == 200", w.Steps[0].Findings[0].Expected)
			assert.Equal(t, "$statusCode = 404", w.Steps[0].Findings[0].Actual)
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
	assert.Equal(t, report.ExitFailed, rep.ExitCode, "the failed step fails the workflow although clean-up passed")
	assert.Equal(t, []string{"POST /api/v1/items", "GET /api/v1/items/item-1", "DELETE /api/v1/items/item-1"}, f.paths())
	w := workflowResult(t, rep, "w")
	assert.Equal(t, "step wrongName failed", w.Reason)
	assert.Empty(t, f.items, "clean-up ran")
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
	assert.Equal(t, report.ExitFailed, rep.ExitCode)
	w := workflowResult(t, rep, "w")
	assert.Equal(t, []string{"missing", "rescue/fix"}, stepIDs(w))
	assert.Equal(t, report.Failed, w.Status)
}

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
			assert.Len(t, f.paths(), tc.wantCalls)
			assert.Equal(t, tc.wantSleeps, f.slept)
			w := workflowResult(t, rep, "w")
			require.Len(t, w.Steps, 1, "a retried step is reported once")
			assert.Equal(t, tc.wantCalls, w.Steps[0].Attempts)
			if tc.wantPass {
				assert.Equal(t, report.Passed, w.Status, w.Reason)
				assert.Empty(t, w.Steps[0].Findings, "the failed attempts' criteria do not count once a retry passes")
				assert.Equal(t, report.ExitPassed, rep.ExitCode)
				return
			}
			assert.Equal(t, report.Failed, w.Status)
			assert.Equal(t, tc.wantReason, w.Reason)
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
	assert.Equal(t, report.ExitFailed, rep.ExitCode)
	w := workflowResult(t, rep, "w")
	require.Len(t, w.Steps, 1)
	st := w.Steps[0]
	assert.Equal(t, 2, st.Attempts)
	assert.Equal(t, 200, st.HTTPStatus)
	assert.Equal(t, report.Failed, st.Status)
	require.Len(t, st.Findings, 1, "got %+v", st.Findings)
	assert.Equal(t, "body-schema", st.Findings[0].Check)
	assert.Equal(t, "/attempt", st.Findings[0].Pointer)
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
	assert.Equal(t, report.ExitPassed, rep.ExitCode)
	assert.Equal(t, []string{"GET /api/v1/counter/flaky", "GET /api/v1/counter/refresh", "GET /api/v1/counter/flaky",
		"GET /api/v1/counter/refresh"}, f.paths(), "the target runs, then the failed step again, then the workflow goes on")
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
	assert.Equal(t, report.ExitPassed, rep.ExitCode)
	assert.Equal(t, []string{"GET /api/v1/counter/flaky", "GET /api/v1/counter/flaky", "GET /api/v1/counter/flaky",
		"GET /api/v1/counter/c"}, f.paths(), "the workflow's actions apply to steps without their own")
	assert.Len(t, f.slept, 2)
}
