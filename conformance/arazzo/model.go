// Package arazzo is the Arazzo 1.0.1 document model of the conformance harness: it loads
// documents (YAML or JSON), refuses unknown fields and unsupported constructs, and checks
// references between workflows, steps, sources and components.
package arazzo

import "github.com/contextgpt/sandbox/conformance/expr"

// Document is an Arazzo 1.0.1 document.
type Document struct {
	Arazzo             string              `yaml:"arazzo"`
	Info               Info                `yaml:"info"`
	SourceDescriptions []SourceDescription `yaml:"sourceDescriptions"`
	Workflows          []*Workflow         `yaml:"workflows"`
	Components         Components          `yaml:"components"`
	Extensions         map[string]any      `yaml:",inline"`

	// Path is where the document was read from (a file, or "scenarios/x.arazzo.yaml" for
	// the embedded suite).
	Path string `yaml:"-"`
}

// Info is the Info Object.
type Info struct {
	Title       string         `yaml:"title"`
	Summary     string         `yaml:"summary"`
	Description string         `yaml:"description"`
	Version     string         `yaml:"version"`
	Extensions  map[string]any `yaml:",inline"`
}

// SourceDescription names an OpenAPI document the steps call.
type SourceDescription struct {
	Name       string         `yaml:"name"`
	URL        string         `yaml:"url"`
	Type       string         `yaml:"type"`
	Extensions map[string]any `yaml:",inline"`
}

// Workflow is the Workflow Object.
type Workflow struct {
	WorkflowID     string            `yaml:"workflowId"`
	Summary        string            `yaml:"summary"`
	Description    string            `yaml:"description"`
	Inputs         map[string]any    `yaml:"inputs"`
	DependsOn      []string          `yaml:"dependsOn"`
	Steps          []*Step           `yaml:"steps"`
	SuccessActions []*SuccessAction  `yaml:"successActions"`
	FailureActions []*FailureAction  `yaml:"failureActions"`
	Outputs        map[string]string `yaml:"outputs"`
	Parameters     []*Parameter      `yaml:"parameters"`
	Extensions     map[string]any    `yaml:",inline"`
	Document       *Document         `yaml:"-"`
	stepIndex      map[string]int
}

// RequiresMock reports the x-requires-mock extension: the workflow runs only against the
// mock (it uses the control plane, or routes the reference lacks).
func (w *Workflow) RequiresMock() bool {
	b, _ := w.Extensions["x-requires-mock"].(bool)
	return b
}

// StepIndex returns the position of a step by id.
func (w *Workflow) StepIndex(id string) (int, bool) {
	i, ok := w.stepIndex[id]
	return i, ok
}

// Step is the Step Object.
type Step struct {
	StepID          string            `yaml:"stepId"`
	Description     string            `yaml:"description"`
	OperationID     string            `yaml:"operationId"`
	OperationPath   string            `yaml:"operationPath"`
	WorkflowID      string            `yaml:"workflowId"`
	Parameters      []*Parameter      `yaml:"parameters"`
	RequestBody     *RequestBody      `yaml:"requestBody"`
	SuccessCriteria []*Criterion      `yaml:"successCriteria"`
	OnSuccess       []*SuccessAction  `yaml:"onSuccess"`
	OnFailure       []*FailureAction  `yaml:"onFailure"`
	Outputs         map[string]string `yaml:"outputs"`
	Extensions      map[string]any    `yaml:",inline"`
}

// Parameter is a Parameter Object, or a Reusable Object that points at one
// ($components.parameters.name, with an optional value that overrides it).
type Parameter struct {
	Name       string         `yaml:"name"`
	In         string         `yaml:"in"`
	Value      any            `yaml:"value"`
	Reference  string         `yaml:"reference"`
	Extensions map[string]any `yaml:",inline"`
}

// RequestBody is the Request Body Object.
type RequestBody struct {
	ContentType  string                `yaml:"contentType"`
	Payload      any                   `yaml:"payload"`
	Replacements []*PayloadReplacement `yaml:"replacements"`
	Extensions   map[string]any        `yaml:",inline"`
}

// PayloadReplacement sets a value at a JSON Pointer of the payload.
type PayloadReplacement struct {
	Target     string         `yaml:"target"`
	Value      any            `yaml:"value"`
	Extensions map[string]any `yaml:",inline"`
}

// Criterion is the Criterion Object. Type is a string or a Criterion Expression Type Object.
type Criterion struct {
	Context    string         `yaml:"context"`
	Condition  string         `yaml:"condition"`
	Type       CriterionType  `yaml:"type"`
	Extensions map[string]any `yaml:",inline"`

	compiled *expr.Criterion
}

// Compiled returns the criterion compiled when the document loaded.
func (c *Criterion) Compiled() *expr.Criterion { return c.compiled }

// CriterionType is "simple", "regex", "jsonpath", or an expression type object.
type CriterionType struct {
	Type    string
	Version string
}

// SuccessAction is the Success Action Object, or a Reusable Object that points at one.
type SuccessAction struct {
	Name       string         `yaml:"name"`
	Type       string         `yaml:"type"`
	WorkflowID string         `yaml:"workflowId"`
	StepID     string         `yaml:"stepId"`
	Criteria   []*Criterion   `yaml:"criteria"`
	Reference  string         `yaml:"reference"`
	Extensions map[string]any `yaml:",inline"`
}

// FailureAction is the Failure Action Object, or a Reusable Object that points at one.
type FailureAction struct {
	Name       string         `yaml:"name"`
	Type       string         `yaml:"type"`
	WorkflowID string         `yaml:"workflowId"`
	StepID     string         `yaml:"stepId"`
	RetryAfter *float64       `yaml:"retryAfter"`
	RetryLimit *int           `yaml:"retryLimit"`
	Criteria   []*Criterion   `yaml:"criteria"`
	Reference  string         `yaml:"reference"`
	Extensions map[string]any `yaml:",inline"`
}

// Components is the Components Object.
type Components struct {
	Inputs         map[string]any            `yaml:"inputs"`
	Parameters     map[string]*Parameter     `yaml:"parameters"`
	SuccessActions map[string]*SuccessAction `yaml:"successActions"`
	FailureActions map[string]*FailureAction `yaml:"failureActions"`
	Extensions     map[string]any            `yaml:",inline"`
}
