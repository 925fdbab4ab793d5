package conformance

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	assert.Equal(t, report.ExitPassed, rep.ExitCode, rep.Error)
	assert.Equal(t, []string{"POST /api/v1/items", "GET /api/v1/items/item-1", "GET /api/v1/counter/unrelated"}, f.paths(),
		"makeItem runs before useItem, which reads its outputs")
	assert.Equal(t, "item r42", f.items["item-1"], "$inputs.runId is given to every workflow")
	var ids []string
	for _, w := range rep.Workflows {
		ids = append(ids, w.WorkflowID)
	}
	assert.Equal(t, []string{"useItem", "makeItem", "unrelated"}, ids, "the report keeps document order")
}

func TestDependsOnFailedSkips(t *testing.T) {
	f := newFake()
	cfg := key()
	cfg.Inputs = map[string]string{"expect": "200"}
	rep := runFake(t, f, dependsOnDoc, cfg)
	assert.Equal(t, report.ExitFailed, rep.ExitCode)
	assert.Equal(t, report.Failed, workflowResult(t, rep, "makeItem").Status)
	use := workflowResult(t, rep, "useItem")
	assert.Equal(t, report.Skipped, use.Status)
	assert.Equal(t, "dependsOn makeItem, which did not pass", use.Reason)
	assert.NotContains(t, f.paths(), "GET /api/v1/items/item-1")
	assert.Equal(t, 1, rep.Summary.WorkflowsSkipped)
}

func TestSelectedWorkflowBringsItsDependencies(t *testing.T) {
	f := newFake()
	cfg := key()
	cfg.Inputs = map[string]string{"expect": "201"}
	cfg.Workflows = []string{"useItem"}
	rep := runFake(t, f, dependsOnDoc, cfg)
	assert.Equal(t, report.ExitPassed, rep.ExitCode)
	assert.Len(t, rep.Workflows, 2)
	assert.NotContains(t, f.paths(), "GET /api/v1/counter/unrelated")
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
	assert.Equal(t, report.ExitPassed, rep.ExitCode)
	require.Len(t, rep.Workflows, 1, "a workflow only run by steps is not run on its own")
	assert.Equal(t, []string{"maker/create", "setUp", "read"}, stepIDs(rep.Workflows[0]))
	assert.Equal(t, []string{"POST /api/v1/items", "GET /api/v1/items/item-1"}, f.paths())
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
	assert.Equal(t, report.ExitPassed, rep.ExitCode, "%+v", rep.Workflows)
	assert.Equal(t, []string{"GET /api/v1/counter/comp", "GET /api/v1/counter/comp"}, f.paths(),
		"the parameter component (its value overridden), the retry and the end all come from components")
	assert.Equal(t, []time.Duration{2 * time.Second}, f.slept)
}

func TestBadInputBeforeAnyRequest(t *testing.T) {
	f := newFake()
	srv := httptest.NewServer(f)
	defer srv.Close()
	parse := func(t *testing.T, doc string) *arazzo.Document {
		d, err := arazzo.Parse([]byte(fakeHead+doc), "testdata/test.arazzo.yaml")
		require.NoError(t, err)
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
			require.Error(t, err)
			var bad *BadInputError
			assert.True(t, errors.As(err, &bad), "got %T; want *BadInputError (exit 2)", err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	assert.Empty(t, f.paths(), "bad input sends no request")
}

// The negative corpus of the runner: documents that load (the arazzo package accepts them)
// but cannot run, because they do not bind to their sources. Each .err holds substrings of
// the *BadInputError.
func TestBindingNegativeCorpus(t *testing.T) {
	paths, err := filepath.Glob("testdata/negative/*.arazzo.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			want, err := os.ReadFile(strings.TrimSuffix(path, ".arazzo.yaml") + ".err")
			require.NoError(t, err)
			docs, err := arazzo.LoadPaths([]string{path})
			require.NoError(t, err, "binding cases load; the loader's own cases live in arazzo/testdata")
			_, err = New(Config{BaseURL: "http://127.0.0.1:1/api", APIKey: "k"}, docs)
			require.Error(t, err)
			var bad *BadInputError
			assert.True(t, errors.As(err, &bad), "got %T; want *BadInputError", err)
			for _, line := range strings.Split(strings.TrimSpace(string(want)), "\n") {
				assert.Contains(t, err.Error(), line)
			}
		})
	}
}

func TestDuplicateWorkflowAcrossDocuments(t *testing.T) {
	doc := fakeHead + "workflows: [{workflowId: w, steps: [{stepId: s, operationId: echo}]}]\n"
	a, err := arazzo.Parse([]byte(doc), "testdata/a.arazzo.yaml")
	require.NoError(t, err)
	b, err := arazzo.Parse([]byte(doc), "testdata/b.arazzo.yaml")
	require.NoError(t, err)
	_, err = New(Config{BaseURL: "http://127.0.0.1:1/api", APIKey: "k"}, []*arazzo.Document{a, b})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `workflow "w" is in testdata/a.arazzo.yaml and testdata/b.arazzo.yaml`)
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
	assert.Equal(t, report.ExitPassed, rep.ExitCode)
	assert.False(t, rep.Mock)
	w := workflowResult(t, rep, "mockOnly")
	assert.Equal(t, report.Skipped, w.Status)
	assert.Equal(t, "x-requires-mock: the target is not the mock", w.Reason)
	assert.Len(t, f.paths(), 1)
}

var _ = context.Background
