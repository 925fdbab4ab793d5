package conformance

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/conformance/report"
)

// dependsOnDoc lists the dependent workflow first: the runner must still run makeItem before it.
const dependsOnDoc = `workflows:
  - workflowId: useItem
    dependsOn: [makeItem]
    steps:
      - stepId: read
        operationId: getItem
        parameters: [{name: id, in: path, value: $workflows.makeItem.outputs.id}]
        successCriteria:
          - condition: $statusCode == 200
          - condition: $response.body#/name == $workflows.makeItem.outputs.name
  - workflowId: makeItem
    steps:
      - stepId: create
        operationId: createItem
        requestBody: {payload: {name: "item {$inputs.runId}"}}
        successCriteria: [{condition: $statusCode == $inputs.expect}]
        outputs: {id: $response.body#/id, name: $response.body#/name}
    outputs:
      id: $steps.create.outputs.id
      name: $steps.create.outputs.name
    inputs:
      type: object
      properties:
        expect: {type: integer}
      required: [expect]
  - workflowId: unrelated
    steps:
      - stepId: count
        operationId: countUp
        parameters: [{name: name, in: path, value: unrelated}]
`

func TestDependsOnOrderAndWorkflowOutputs(t *testing.T) {
	f := newFake()
	cfg := key()
	cfg.Inputs = map[string]string{"runId": "r42", "expect": "201"}
	rep := runFake(t, f, dependsOnDoc, cfg)
	if rep.ExitCode != report.ExitPassed {
		t.Errorf("%v: got %v, want %v", rep.Error, rep.ExitCode, report.ExitPassed)
	}
	if got := f.paths(); !reflect.DeepEqual(got, []string{"POST /api/v1/items", "GET /api/v1/items/item-1", "GET /api/v1/counter/unrelated"}) {
		t.Errorf("makeItem runs before useItem, which reads its outputs: got %q, want %q", got, []string{"POST /api/v1/items", "GET /api/v1/items/item-1", "GET /api/v1/counter/unrelated"})
	}
	if f.items["item-1"] != "item r42" {
		t.Errorf("$inputs.runId is given to every workflow: got %q, want %q", f.items["item-1"], "item r42")
	}
	var ids []string
	for _, w := range rep.Workflows {
		ids = append(ids, w.WorkflowID)
	}
	if !reflect.DeepEqual(ids, []string{"useItem", "makeItem", "unrelated"}) {
		t.Errorf("the report keeps document order: got %q, want %q", ids, []string{"useItem", "makeItem", "unrelated"})
	}
}

func TestDependsOnFailedSkips(t *testing.T) {
	f := newFake()
	cfg := key()
	cfg.Inputs = map[string]string{"expect": "200"}
	rep := runFake(t, f, dependsOnDoc, cfg)
	if rep.ExitCode != report.ExitFailed {
		t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitFailed)
	}
	if got := workflowResult(t, rep, "makeItem").Status; got != report.Failed {
		t.Errorf(`workflowResult(t, rep, "makeItem").Status = %q, want %q`, got, report.Failed)
	}
	use := workflowResult(t, rep, "useItem")
	if use.Status != report.Skipped {
		t.Errorf("use.Status = %q, want %q", use.Status, report.Skipped)
	}
	if use.Reason != "dependsOn makeItem, which did not pass" {
		t.Errorf("use.Reason = %q, want %q", use.Reason, "dependsOn makeItem, which did not pass")
	}
	if got := f.paths(); slices.Contains(got, "GET /api/v1/items/item-1") {
		t.Errorf("f.paths() = %q, want no %q", got, "GET /api/v1/items/item-1")
	}
	if rep.Summary.WorkflowsSkipped != 1 {
		t.Errorf("rep.Summary.WorkflowsSkipped = %v, want %v", rep.Summary.WorkflowsSkipped, 1)
	}
}

func TestSelectedWorkflowBringsItsDependencies(t *testing.T) {
	f := newFake()
	cfg := key()
	cfg.Inputs = map[string]string{"expect": "201"}
	cfg.Workflows = []string{"useItem"}
	rep := runFake(t, f, dependsOnDoc, cfg)
	if rep.ExitCode != report.ExitPassed {
		t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitPassed)
	}
	if got := len(rep.Workflows); got != 2 {
		t.Errorf("len(rep.Workflows) = %d, want %d: %+v", got, 2, rep.Workflows)
	}
	if got := f.paths(); slices.Contains(got, "GET /api/v1/counter/unrelated") {
		t.Errorf("f.paths() = %q, want no %q", got, "GET /api/v1/counter/unrelated")
	}
}

func TestWorkflowStep(t *testing.T) {
	f := newFake()
	rep := runFake(t, f, `workflows:
  - workflowId: caller
    steps:
      - stepId: setUp
        workflowId: maker
        parameters:
          - {name: itemName, value: "made by {$inputs.runId}"}
        successCriteria: [{condition: $outputs.name == 'made by r1'}]
        outputs: {id: $outputs.id}
      - stepId: read
        operationId: getItem
        parameters: [{name: id, in: path, value: $steps.setUp.outputs.id}]
        successCriteria: [{condition: $statusCode == 200}]
  - workflowId: maker
    inputs:
      type: object
      properties:
        itemName: {type: string}
      required: [itemName]
    steps:
      - stepId: create
        operationId: createItem
        requestBody: {payload: {name: $inputs.itemName}}
        outputs: {id: $response.body#/id}
    outputs:
      id: $steps.create.outputs.id
      name: $inputs.itemName
`, Config{APIKey: "k", Inputs: map[string]string{"runId": "r1"}})
	if rep.ExitCode != report.ExitPassed {
		t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitPassed)
	}
	if got := len(rep.Workflows); got != 1 {
		t.Fatalf("a workflow only run by steps is not run on its own: got %d items, want %d: %+v", got, 1, rep.Workflows)
	}
	if got := stepIDs(rep.Workflows[0]); !reflect.DeepEqual(got, []string{"maker/create", "setUp", "read"}) {
		t.Errorf("stepIDs(rep.Workflows[0]) = %q, want %q", got, []string{"maker/create", "setUp", "read"})
	}
	if got := f.paths(); !reflect.DeepEqual(got, []string{"POST /api/v1/items", "GET /api/v1/items/item-1"}) {
		t.Errorf("f.paths() = %q, want %q", got, []string{"POST /api/v1/items", "GET /api/v1/items/item-1"})
	}
}

const componentsDoc = `components:
  inputs:
    counter:
      type: object
      properties:
        name: {type: string}
        failUntil: {type: integer}
      required: [name]
  parameters:
    counterName: {name: name, in: path, value: $inputs.name}
    failing: {name: X-Fail-Until, in: header, value: 0}
  successActions:
    stop: {name: stop, type: end}
  failureActions:
    again: {name: again, type: retry, retryAfter: 2, retryLimit: 1}
workflows:
  - workflowId: w
    inputs: {$ref: "#/components/inputs/counter"}
    parameters:
      - reference: $components.parameters.failing
        value: $inputs.failUntil
    steps:
      - stepId: first
        operationId: countUp
        parameters: [{reference: $components.parameters.counterName}]
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{reference: $components.failureActions.again}]
        onSuccess: [{reference: $components.successActions.stop}]
      - stepId: never
        operationId: countUp
        parameters: [{name: name, in: path, value: never}]
`

func TestComponents(t *testing.T) {
	f := newFake()
	rep := runFake(t, f, componentsDoc, Config{APIKey: "k", Inputs: map[string]string{"name": "comp", "failUntil": "1"}})
	if rep.ExitCode != report.ExitPassed {
		t.Errorf("%+v: got %v, want %v", rep.Workflows, rep.ExitCode, report.ExitPassed)
	}
	if got := f.paths(); !reflect.DeepEqual(got, []string{"GET /api/v1/counter/comp", "GET /api/v1/counter/comp"}) {
		t.Errorf("the parameter component (its value overridden), the retry and the end all come from components: got %q, want %q", got, []string{"GET /api/v1/counter/comp", "GET /api/v1/counter/comp"})
	}
	if !reflect.DeepEqual(f.slept, []time.Duration{2 * time.Second}) {
		t.Errorf("f.slept = %v, want %v", f.slept, []time.Duration{2 * time.Second})
	}
}

func TestBadInputBeforeAnyRequest(t *testing.T) {
	f := newFake()
	srv := httptest.NewServer(f)
	defer srv.Close()
	parse := func(t *testing.T, doc string) *arazzo.Document {
		d, err := arazzo.Parse([]byte(fakeHead+doc), "testdata/test.arazzo.yaml")
		if err != nil {
			t.Fatalf("arazzo.Parse: %v", err)
		}
		return d
	}
	tests := []struct {
		name string
		cfg  Config
		doc  string
		want string
	}{
		{name: "required input missing (via components.inputs)", cfg: Config{APIKey: "k"}, doc: componentsDoc,
			want: `workflow w: input "name" is required`},
		{name: "input of the wrong type", cfg: Config{APIKey: "k", Inputs: map[string]string{"name": "x", "failUntil": "soon"}},
			doc: componentsDoc, want: "--input failUntil"},
		{name: "undeclared input", cfg: Config{APIKey: "k", Inputs: map[string]string{"name": "x", "colour": "red"}},
			doc: componentsDoc, want: "--input colour: no selected workflow declares this input"},
		{name: "unknown workflow selected", cfg: Config{APIKey: "k", Workflows: []string{"nope"}, Inputs: map[string]string{"name": "x"}},
			doc: componentsDoc, want: `--workflow "nope" is not in the documents`},
		{name: "min coverage out of range", cfg: Config{APIKey: "k", MinCoverage: 101, Inputs: map[string]string{"name": "x"}},
			doc: componentsDoc, want: "--min-coverage 101 is not a percentage"},
		{name: "no base url", cfg: Config{APIKey: "k", BaseURL: "-"}, doc: componentsDoc, want: "--base-url"},
		{name: "base url with a query", cfg: Config{APIKey: "k", BaseURL: "http://127.0.0.1/api?x=1"}, doc: componentsDoc, want: "no query"},
		{name: "base url not http", cfg: Config{APIKey: "k", BaseURL: "ftp://127.0.0.1/api"}, doc: componentsDoc, want: "expected http(s)"},
		{name: "operationId not in the source", cfg: Config{APIKey: "k"},
			doc: "workflows: [{workflowId: w, steps: [{stepId: s, operationId: getMyChatbots}]}]\n", want: `operationId "getMyChatbots" is in no source`},
		{name: "operationPath not in the source", cfg: Config{APIKey: "k"},
			doc:  "workflows: [{workflowId: w, steps: [{stepId: s, operationPath: \"{$sourceDescriptions.fake.url}#/paths/~1v1~1nope/get\"}]}]\n",
			want: "no GET /v1/nope in testdata/fake.openapi.yaml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			switch cfg.BaseURL {
			case "":
				cfg.BaseURL = srv.URL + "/api"
			case "-":
				cfg.BaseURL = ""
			}
			_, err := New(cfg, []*arazzo.Document{parse(t, tc.doc)})
			if err == nil {
				t.Fatalf("New: got no error, want one")
			}
			var bad *BadInputError
			if !errors.As(err, &bad) {
				t.Errorf("got %T; want *BadInputError (exit 2)", err)
			}
			if got := err.Error(); !strings.Contains(got, tc.want) {
				t.Errorf("err.Error() = %q, want it to contain %q", got, tc.want)
			}
		})
	}
	if got := f.paths(); len(got) != 0 {
		t.Errorf("bad input sends no request: got %q, want empty", got)
	}
}

// The negative corpus of the runner: documents that load (the arazzo package accepts them)
// but cannot run, because they do not bind to their sources. Each .err holds substrings of
// the *BadInputError.
func TestBindingNegativeCorpus(t *testing.T) {
	paths, err := filepath.Glob("testdata/negative/*.arazzo.yaml")
	if err != nil {
		t.Fatalf("filepath.Glob: %v", err)
	}
	if len(paths) == 0 {
		t.Fatalf("paths is empty")
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			want, err := os.ReadFile(strings.TrimSuffix(path, ".arazzo.yaml") + ".err")
			if err != nil {
				t.Fatalf("os.ReadFile: %v", err)
			}
			docs, err := arazzo.LoadPaths([]string{path})
			if err != nil {
				t.Fatalf("binding cases load; the loader's own cases live in arazzo/testdata: %v", err)
			}
			_, err = New(Config{BaseURL: "http://127.0.0.1:1/api", APIKey: "k"}, docs)
			if err == nil {
				t.Fatalf("New: got no error, want one")
			}
			var bad *BadInputError
			if !errors.As(err, &bad) {
				t.Errorf("got %T; want *BadInputError", err)
			}
			for _, line := range strings.Split(strings.TrimSpace(string(want)), "\n") {
				if got := err.Error(); !strings.Contains(got, line) {
					t.Errorf("err.Error() = %q, want it to contain %q", got, line)
				}
			}
		})
	}
}

func TestDuplicateWorkflowAcrossDocuments(t *testing.T) {
	doc := fakeHead + "workflows: [{workflowId: w, steps: [{stepId: s, operationId: echo}]}]\n"
	a, err := arazzo.Parse([]byte(doc), "testdata/a.arazzo.yaml")
	if err != nil {
		t.Fatalf("arazzo.Parse: %v", err)
	}
	b, err := arazzo.Parse([]byte(doc), "testdata/b.arazzo.yaml")
	if err != nil {
		t.Fatalf("arazzo.Parse: %v", err)
	}
	_, err = New(Config{BaseURL: "http://127.0.0.1:1/api", APIKey: "k"}, []*arazzo.Document{a, b})
	if err == nil {
		t.Fatalf("New: got no error, want one")
	}
	if got := err.Error(); !strings.Contains(got, `workflow "w" is in testdata/a.arazzo.yaml and testdata/b.arazzo.yaml`) {
		t.Errorf("err.Error() = %q, want it to contain %q", got, `workflow "w" is in testdata/a.arazzo.yaml and testdata/b.arazzo.yaml`)
	}
}

func TestRequiresMockSkippedElsewhere(t *testing.T) {
	f := newFake()
	rep := runFake(t, f, `workflows:
  - workflowId: mockOnly
    x-requires-mock: true
    steps: [{stepId: s, operationId: echo}]
  - workflowId: anywhere
    steps: [{stepId: s, operationId: echo}]
`, key())
	if rep.ExitCode != report.ExitPassed {
		t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitPassed)
	}
	if rep.Mock {
		t.Errorf("want rep.Mock to be false")
	}
	w := workflowResult(t, rep, "mockOnly")
	if w.Status != report.Skipped {
		t.Errorf("w.Status = %q, want %q", w.Status, report.Skipped)
	}
	if w.Reason != "x-requires-mock: the target is not the mock" {
		t.Errorf("w.Reason = %q, want %q", w.Reason, "x-requires-mock: the target is not the mock")
	}
	if got := f.paths(); len(got) != 1 {
		t.Errorf("len(f.paths()) = %d, want %d: %q", len(got), 1, got)
	}
}

var _ = context.Background
