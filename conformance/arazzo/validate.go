package arazzo

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

var componentKey = regexp.MustCompile(`^[a-zA-Z0-9.\-_]+$`)

type validator struct {
	doc  *Document
	errs []error
}

func (v *validator) add(where, format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...)))
}

// Validate checks a decoded document against the standard and against what the harness
// supports, and compiles its criteria. Unsupported constructs are errors, never skipped.
func Validate(d *Document) error {
	v := &validator{doc: d}
	if !strings.HasPrefix(d.Arazzo, "1.0.") {
		v.add("arazzo", "version %q is not supported (1.0.x)", d.Arazzo)
	}
	if d.Info.Title == "" || d.Info.Version == "" {
		v.add("info", "title and version are required")
	}
	v.extensions("", d.Extensions)
	v.extensions("info", d.Info.Extensions)
	names := map[string]bool{}
	if len(d.SourceDescriptions) == 0 {
		v.add("sourceDescriptions", "at least one is required")
	}
	for i, s := range d.SourceDescriptions {
		where := fmt.Sprintf("sourceDescriptions[%d]", i)
		v.extensions(where, s.Extensions)
		switch {
		case s.Name == "" || s.URL == "":
			v.add(where, "name and url are required")
		case !componentKey.MatchString(s.Name):
			v.add(where, "name %q must match %s", s.Name, componentKey)
		case names[s.Name]:
			v.add(where, "name %q is used twice", s.Name)
		}
		if s.Type != "" && s.Type != "openapi" {
			v.add(where, "type %q is not supported (openapi)", s.Type)
		}
		names[s.Name] = true
	}
	if len(d.Workflows) == 0 {
		v.add("workflows", "at least one is required")
	}
	ids := map[string]bool{}
	for i, w := range d.Workflows {
		where := fmt.Sprintf("workflows[%d]", i)
		if w.WorkflowID == "" {
			v.add(where, "workflowId is required")
		} else if ids[w.WorkflowID] {
			v.add(where, "workflowId %q is used twice", w.WorkflowID)
		}
		ids[w.WorkflowID] = true
		w.Document = d
	}
	v.components(ids)
	for i, w := range d.Workflows {
		v.workflow(fmt.Sprintf("workflows[%d] (%s)", i, w.WorkflowID), w, ids)
	}
	return errors.Join(v.errs...)
}

func (v *validator) extensions(where string, ext map[string]any) {
	for k := range ext {
		if !strings.HasPrefix(k, "x-") {
			v.add(where, "field %q is not part of Arazzo 1.0.1 (extensions start with x-)", k)
		}
	}
}

func (v *validator) components(ids map[string]bool) {
	c := v.doc.Components
	v.extensions("components", c.Extensions)
	check := func(kind string, keys []string) {
		for _, k := range keys {
			if !componentKey.MatchString(k) {
				v.add("components."+kind, "key %q must match %s", k, componentKey)
			}
		}
	}
	check("inputs", keys(c.Inputs))
	check("parameters", keys(c.Parameters))
	check("successActions", keys(c.SuccessActions))
	check("failureActions", keys(c.FailureActions))
	for k, p := range c.Parameters {
		if p.Reference != "" {
			v.add("components.parameters."+k, "a component cannot be a reference")
		}
		v.parameter("components.parameters."+k, p, false)
	}
	for k, a := range c.SuccessActions {
		if a.Reference != "" {
			v.add("components.successActions."+k, "a component cannot be a reference")
			continue
		}
		v.successAction("components.successActions."+k, nil, a, ids)
	}
	for k, a := range c.FailureActions {
		if a.Reference != "" {
			v.add("components.failureActions."+k, "a component cannot be a reference")
			continue
		}
		v.failureAction("components.failureActions."+k, nil, a, ids)
	}
}

func keys[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func (v *validator) workflow(where string, w *Workflow, ids map[string]bool) {
	v.extensions(where, w.Extensions)
	if r, ok := w.Extensions["x-requires-mock"]; ok {
		if _, isBool := r.(bool); !isBool {
			v.add(where, "x-requires-mock must be a boolean")
		}
	}
	for _, dep := range w.DependsOn {
		if !ids[dep] {
			v.add(where, "dependsOn %q is not a workflow of this document", dep)
		}
		if dep == w.WorkflowID {
			v.add(where, "a workflow cannot depend on itself")
		}
	}
	if len(w.Steps) == 0 {
		v.add(where, "at least one step is required")
	}
	w.stepIndex = map[string]int{}
	for i, s := range w.Steps {
		if s.StepID == "" {
			v.add(fmt.Sprintf("%s.steps[%d]", where, i), "stepId is required")
			continue
		}
		if _, dup := w.stepIndex[s.StepID]; dup {
			v.add(fmt.Sprintf("%s.steps[%d]", where, i), "stepId %q is used twice", s.StepID)
		}
		w.stepIndex[s.StepID] = i
	}
	for i, p := range w.Parameters {
		v.parameter(fmt.Sprintf("%s.parameters[%d]", where, i), p, false)
	}
	for i, s := range w.Steps {
		v.step(fmt.Sprintf("%s.steps[%d] (%s)", where, i, s.StepID), w, s, ids)
	}
	v.actionsAndOutputs(where, "successActions", "failureActions", w, w.SuccessActions, w.FailureActions, w.Outputs, ids)
	v.inputs(where, w)
	v.references(where, w, ids)
}

// inputs resolves a workflow's inputs given as {$ref: '#/components/inputs/<name>'}.
func (v *validator) inputs(where string, w *Workflow) {
	ref, isRef := w.Inputs["$ref"]
	if !isRef {
		return
	}
	s, _ := ref.(string)
	name, ok := strings.CutPrefix(s, "#/components/inputs/")
	comp, found := v.doc.Components.Inputs[name]
	schema, isObject := comp.(map[string]any)
	switch {
	case !ok || !found:
		v.add(where+".inputs", "$ref %q is not an input of components (#/components/inputs/<name>)", s)
	case len(w.Inputs) > 1:
		v.add(where+".inputs", "$ref %q has siblings; they would be ignored", s)
	case !isObject:
		v.add(where+".inputs", "components.inputs.%s is not a JSON Schema object", name)
	default:
		w.Inputs = schema
	}
}
