package conformance

import (
	"slices"
	"testing"

	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// groupsDoc has three groups: a and b (dependsOn), c and d ($workflows), e and the f it
// calls (a workflow step); each workflow counts under its own name.
const groupsDoc = `workflows:
  - workflowId: a
    steps:
      - stepId: s
        operationId: countUp
        parameters: [{name: name, in: path, value: a}]
        outputs: {n: $response.body#/attempt}
    outputs: {n: $steps.s.outputs.n}
  - workflowId: b
    dependsOn: [a]
    steps:
      - stepId: s
        operationId: countUp
        parameters: [{name: name, in: path, value: b}]
  - workflowId: c
    steps:
      - stepId: s
        operationId: countUp
        parameters: [{name: name, in: path, value: c}]
        outputs: {n: $response.body#/attempt}
    outputs: {n: $steps.s.outputs.n}
  - workflowId: d
    steps:
      - stepId: s
        operationId: countUp
        parameters:
          - {name: name, in: path, value: d}
          - {name: X-Seen, in: header, value: $workflows.c.outputs.n}
        successCriteria: [{condition: $statusCode == $inputs.dStatus}]
    inputs:
      type: object
      properties:
        dStatus: {type: integer}
  - workflowId: e
    steps:
      - {stepId: s, workflowId: f}
  - workflowId: f
    steps:
      - stepId: s
        operationId: countUp
        parameters: [{name: name, in: path, value: f}]
`

func TestSandboxPerLinkedGroup(t *testing.T) {
	for _, jobs := range []int{1, 3} {
		t.Run(map[int]string{1: "one job", 3: "three jobs"}[jobs], func(t *testing.T) {
			f := newFake()
			f.mock = true
			rep := runFake(t, f, groupsDoc, Config{Jobs: jobs, Inputs: map[string]string{"dStatus": "200"}})
			assert.Equal(t, report.ExitPassed, rep.ExitCode, rep.Error)
			assert.True(t, rep.Mock)
			require.Len(t, f.created, 3, "one sandbox per linked group")
			keyOf := func(name string) string {
				auth := f.authOf("/api/v1/counter/" + name)
				require.Len(t, auth, 1, name)
				require.NotEmpty(t, auth[0], "%s sent a key", name)
				return auth[0]
			}
			assert.Equal(t, keyOf("a"), keyOf("b"), "dependsOn shares the sandbox")
			assert.Equal(t, keyOf("c"), keyOf("d"), "$workflows shares the sandbox")
			assert.NotEqual(t, keyOf("a"), keyOf("c"))
			assert.NotEqual(t, keyOf("a"), keyOf("f"))
			assert.NotEqual(t, keyOf("c"), keyOf("f"))
			for _, k := range []string{keyOf("a"), keyOf("c"), keyOf("f")} {
				assert.Regexp(t, `^Bearer sbx\.\d\.S3cr3t-sandbox-key$`, k)
			}
			assert.Empty(t, f.sandboxes, "every sandbox is deleted afterwards")
			assert.ElementsMatch(t, f.created, f.deleted)
		})
	}
}

func TestSandboxDeletedWhenAStepFails(t *testing.T) {
	f := newFake()
	f.mock = true
	rep := runFake(t, f, groupsDoc, Config{Jobs: 2, Inputs: map[string]string{"dStatus": "418"}})
	assert.Equal(t, report.ExitFailed, rep.ExitCode)
	assert.Equal(t, report.Failed, workflowResult(t, rep, "d").Status)
	assert.Equal(t, report.Passed, workflowResult(t, rep, "a").Status, "other groups are not affected")
	assert.Len(t, f.created, 3)
	assert.Empty(t, f.sandboxes, "the failed group's sandbox is deleted too")
}

func TestNoSandboxWithAKey(t *testing.T) {
	f := newFake()
	f.mock = true
	rep := runFake(t, f, groupsDoc, Config{APIKey: "given-key-123456", Inputs: map[string]string{"dStatus": "200"}})
	assert.Equal(t, report.ExitPassed, rep.ExitCode)
	assert.Empty(t, f.created, "a given key is used as it is")
	for _, name := range []string{"a", "b", "c", "d", "f"} {
		assert.Equal(t, []string{"Bearer given-key-123456"}, f.authOf("/api/v1/counter/"+name))
	}
}

func TestSandboxRefused(t *testing.T) {
	f := newFake()
	f.mock = true
	f.sandboxFails = true
	rep := runFake(t, f, groupsDoc, Config{Inputs: map[string]string{"dStatus": "200"}})
	assert.Equal(t, report.ExitFailed, rep.ExitCode)
	assert.Empty(t, f.paths(), "no API call without a key")
	require.Len(t, rep.Workflows, 5, "f, run only by e's step, is not reported on its own")
	for _, w := range rep.Workflows {
		assert.Equal(t, report.Failed, w.Status, w.WorkflowID)
		assert.Contains(t, w.Reason, "no sandbox: POST /__mock/sandboxes answered 500", w.WorkflowID)
	}
}

func TestGroups(t *testing.T) {
	f := newFake()
	f.mock = true
	r := newFakeRunner(t, f, groupsDoc, Config{Inputs: map[string]string{"dStatus": "200"}})
	groups := r.groups()
	for _, g := range groups {
		slices.Sort(g)
	}
	assert.ElementsMatch(t, [][]string{{"a", "b"}, {"c", "d"}, {"e", "f"}}, groups)
}
