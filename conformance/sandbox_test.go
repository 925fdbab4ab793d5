package conformance

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/contextgpt/sandbox/conformance/report"
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
			if rep.ExitCode != report.ExitPassed {
				t.Errorf("%v: got %v, want %v", rep.Error, rep.ExitCode, report.ExitPassed)
			}
			if !rep.Mock {
				t.Errorf("want rep.Mock to be true")
			}
			if got := len(f.created); got != 3 {
				t.Fatalf("one sandbox per linked group: got %d items, want %d: %q", got, 3, f.created)
			}
			keyOf := func(name string) string {
				auth := f.authOf("/api/v1/counter/" + name)
				if got := len(auth); got != 1 {
					t.Fatalf("%v: got %d items, want %d: %q", name, got, 1, auth)
				}
				if auth[0] == "" {
					t.Fatalf("%s sent a key: auth[0] is empty", name)
				}
				return auth[0]
			}
			if got, want := keyOf("b"), keyOf("a"); got != want {
				t.Errorf("dependsOn shares the sandbox: got %q, want %q", got, want)
			}
			if got, want := keyOf("d"), keyOf("c"); got != want {
				t.Errorf("$workflows shares the sandbox: got %q, want %q", got, want)
			}
			if got, want := keyOf("c"), keyOf("a"); got == want {
				t.Errorf(`keyOf("c") = %q, want anything else`, got)
			}
			if got, want := keyOf("f"), keyOf("a"); got == want {
				t.Errorf(`keyOf("f") = %q, want anything else`, got)
			}
			if got, want := keyOf("f"), keyOf("c"); got == want {
				t.Errorf(`keyOf("f") = %q, want anything else`, got)
			}
			for _, k := range []string{keyOf("a"), keyOf("c"), keyOf("f")} {
				if !regexp.MustCompile(`^Bearer sbx\.\d\.S3cr3t-sandbox-key$`).MatchString(k) {
					t.Errorf("k = %q, want a match for %s", k, `^Bearer sbx\.\d\.S3cr3t-sandbox-key$`)
				}
			}
			if len(f.sandboxes) != 0 {
				t.Errorf("every sandbox is deleted afterwards: got %v, want empty", f.sandboxes)
			}
			if got, want := slices.Sorted(slices.Values(f.deleted)), slices.Sorted(slices.Values(f.created)); !slices.Equal(got, want) {
				t.Errorf("got %q, want %q in any order", got, want)
			}
		})
	}
}

func TestSandboxDeletedWhenAStepFails(t *testing.T) {
	f := newFake()
	f.mock = true
	rep := runFake(t, f, groupsDoc, Config{Jobs: 2, Inputs: map[string]string{"dStatus": "418"}})
	if rep.ExitCode != report.ExitFailed {
		t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitFailed)
	}
	if got := workflowResult(t, rep, "d").Status; got != report.Failed {
		t.Errorf(`workflowResult(t, rep, "d").Status = %q, want %q`, got, report.Failed)
	}
	if got := workflowResult(t, rep, "a").Status; got != report.Passed {
		t.Errorf("other groups are not affected: got %q, want %q", got, report.Passed)
	}
	if got := len(f.created); got != 3 {
		t.Errorf("len(f.created) = %d, want %d: %q", got, 3, f.created)
	}
	if len(f.sandboxes) != 0 {
		t.Errorf("the failed group's sandbox is deleted too: got %v, want empty", f.sandboxes)
	}
}

func TestNoSandboxWithAKey(t *testing.T) {
	f := newFake()
	f.mock = true
	rep := runFake(t, f, groupsDoc, Config{APIKey: "given-key-123456", Inputs: map[string]string{"dStatus": "200"}})
	if rep.ExitCode != report.ExitPassed {
		t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitPassed)
	}
	if len(f.created) != 0 {
		t.Errorf("a given key is used as it is: got %q, want empty", f.created)
	}
	for _, name := range []string{"a", "b", "c", "d", "f"} {
		if got := f.authOf("/api/v1/counter/" + name); !reflect.DeepEqual(got, []string{"Bearer given-key-123456"}) {
			t.Errorf(`f.authOf("/api/v1/counter/"+name) = %q, want %q`, got, []string{"Bearer given-key-123456"})
		}
	}
}

func TestSandboxRefused(t *testing.T) {
	f := newFake()
	f.mock = true
	f.sandboxFails = true
	rep := runFake(t, f, groupsDoc, Config{Inputs: map[string]string{"dStatus": "200"}})
	if rep.ExitCode != report.ExitFailed {
		t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitFailed)
	}
	if got := f.paths(); len(got) != 0 {
		t.Errorf("no API call without a key: got %q, want empty", got)
	}
	if got := len(rep.Workflows); got != 5 {
		t.Fatalf("f, run only by e's step, is not reported on its own: got %d items, want %d: %+v", got, 5, rep.Workflows)
	}
	for _, w := range rep.Workflows {
		if w.Status != report.Failed {
			t.Errorf("%v: got %q, want %q", w.WorkflowID, w.Status, report.Failed)
		}
		if !strings.Contains(w.Reason, "no sandbox: POST /__mock/sandboxes answered 500") {
			t.Errorf("%v: got %q, want it to contain %q", w.WorkflowID, w.Reason, "no sandbox: POST /__mock/sandboxes answered 500")
		}
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
	slices.SortFunc(groups, slices.Compare)
	if want := [][]string{{"a", "b"}, {"c", "d"}, {"e", "f"}}; !reflect.DeepEqual(groups, want) {
		t.Errorf("groups = %q, want %q in any order", groups, want)
	}
}
