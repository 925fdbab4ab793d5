package arazzo

import (
	"fmt"
	"strings"

	"github.com/contextgpt/sandbox/conformance/expr"
)

// step checks one step: exactly one of operationId, operationPath and workflowId; its
// parameters, request body, criteria and actions.
func (v *validator) step(where string, w *Workflow, s *Step, ids map[string]bool) {
	v.extensions(where, s.Extensions)
	n := 0
	for _, f := range []string{s.OperationID, s.OperationPath, s.WorkflowID} {
		if f != "" {
			n++
		}
	}
	if n != 1 {
		v.add(where, "exactly one of operationId, operationPath and workflowId is required")
	}
	if s.OperationID != "" {
		v.operationID(where, s.OperationID)
	}
	if s.OperationPath != "" {
		if _, _, _, err := SplitOperationPath(s.OperationPath); err != nil {
			v.add(where, "%v", err)
		} else if src, _, _, _ := SplitOperationPath(s.OperationPath); v.source(src) == nil {
			v.add(where, "operationPath names source %q, which is not in sourceDescriptions", src)
		}
	}
	if s.WorkflowID != "" && !ids[s.WorkflowID] {
		v.add(where, "workflowId %q is not a workflow of this document", s.WorkflowID)
	}
	for i, p := range s.Parameters {
		v.parameter(fmt.Sprintf("%s.parameters[%d]", where, i), p, s.WorkflowID != "")
	}
	if b := s.RequestBody; b != nil {
		v.extensions(where+".requestBody", b.Extensions)
		if s.WorkflowID != "" {
			v.add(where, "a step that runs a workflow takes no requestBody")
		}
		v.values(where+".requestBody.payload", b.Payload)
		for i, r := range b.Replacements {
			rw := fmt.Sprintf("%s.requestBody.replacements[%d]", where, i)
			v.extensions(rw, r.Extensions)
			if !strings.HasPrefix(r.Target, "/") && r.Target != "" {
				v.add(rw, "target %q must be a JSON Pointer (XPath is not supported)", r.Target)
			}
			v.values(rw+".value", r.Value)
		}
	}
	v.criteria(where+".successCriteria", s.SuccessCriteria)
	v.actionsAndOutputs(where, "onSuccess", "onFailure", w, s.OnSuccess, s.OnFailure, s.Outputs, ids)
}

// actionsAndOutputs checks the success and failure actions and the outputs of a workflow or
// a step (their fields are named successActions/failureActions and onSuccess/onFailure).
func (v *validator) actionsAndOutputs(where, successField, failureField string, w *Workflow, success []*SuccessAction, failure []*FailureAction, outputs map[string]string, ids map[string]bool) {
	for i, a := range success {
		v.successAction(fmt.Sprintf("%s.%s[%d]", where, successField, i), w, a, ids)
	}
	for i, a := range failure {
		v.failureAction(fmt.Sprintf("%s.%s[%d]", where, failureField, i), w, a, ids)
	}
	for k, o := range outputs {
		v.template(where+".outputs."+k, o)
	}
}

func (v *validator) parameter(where string, p *Parameter, workflowStep bool) {
	v.extensions(where, p.Extensions)
	if p.Reference != "" {
		v.reference(where, p.Reference, "parameters", "a parameter", func(n string) bool { return v.doc.Components.Parameters[n] != nil })
		if p.Value != nil {
			v.values(where+".value", p.Value)
		}
		if p.Name != "" || p.In != "" || len(p.Extensions) > 0 {
			v.add(where, "a reusable object takes only reference and value; its other fields would be ignored")
		}
		return
	}
	if p.Name == "" {
		v.add(where, "name is required")
	}
	switch p.In {
	case "path", "query", "header":
	case "":
		if !workflowStep {
			v.add(where, "in is required on an operation's parameter (path, query or header)")
		}
	case "cookie":
		v.add(where, "in: cookie is not supported")
	default:
		v.add(where, "in %q is not one of path, query, header", p.In)
	}
	v.values(where+".value", p.Value)
}

// values checks every string inside a literal value as a template.
func (v *validator) values(where string, val any) {
	switch t := val.(type) {
	case string:
		v.template(where, t)
	case map[string]any:
		for k, x := range t {
			v.values(where+"."+k, x)
		}
	case []any:
		for i, x := range t {
			v.values(fmt.Sprintf("%s[%d]", where, i), x)
		}
	}
}

func (v *validator) template(where, s string) {
	if _, err := expr.ParseTemplate(s); err != nil {
		v.add(where, "%v", err)
	}
}

func (v *validator) criteria(where string, cs []*Criterion) {
	for i, c := range cs {
		cw := fmt.Sprintf("%s[%d]", where, i)
		v.extensions(cw, c.Extensions)
		compiled, err := expr.CompileCriterion(c.Context, c.Condition, c.Type.Type, c.Type.Version)
		if err != nil {
			v.add(cw, "%v", err)
			continue
		}
		c.compiled = compiled
	}
}

func (v *validator) successAction(where string, w *Workflow, a *SuccessAction, ids map[string]bool) {
	if a.Reference != "" {
		v.reference(where, a.Reference, "successActions", "a success action", func(n string) bool { return v.doc.Components.SuccessActions[n] != nil })
		if a.Name != "" || a.Type != "" || a.StepID != "" || a.WorkflowID != "" || len(a.Criteria) > 0 || len(a.Extensions) > 0 {
			v.add(where, "a reusable object takes only reference; its other fields would be ignored")
		}
		return
	}
	if !v.action(where, w, a.Name, a.Type, a.StepID, a.WorkflowID, a.Extensions, ids) {
		v.add(where, "type %q is not end or goto", a.Type)
	}
	v.criteria(where+".criteria", a.Criteria)
}

func (v *validator) failureAction(where string, w *Workflow, a *FailureAction, ids map[string]bool) {
	if a.Reference != "" {
		v.reference(where, a.Reference, "failureActions", "a failure action", func(n string) bool { return v.doc.Components.FailureActions[n] != nil })
		if a.Name != "" || a.Type != "" || a.StepID != "" || a.WorkflowID != "" || len(a.Criteria) > 0 ||
			a.RetryAfter != nil || a.RetryLimit != nil || len(a.Extensions) > 0 {
			v.add(where, "a reusable object takes only reference; its other fields would be ignored")
		}
		return
	}
	if !v.action(where, w, a.Name, a.Type, a.StepID, a.WorkflowID, a.Extensions, ids) {
		switch a.Type {
		case "retry":
			if a.StepID != "" || a.WorkflowID != "" {
				v.target(where, w, a.StepID, a.WorkflowID, ids)
			}
			if a.RetryAfter != nil && *a.RetryAfter < 0 || a.RetryLimit != nil && *a.RetryLimit < 0 {
				v.add(where, "retryAfter and retryLimit are non-negative")
			}
		default:
			v.add(where, "type %q is not end, goto or retry", a.Type)
		}
	}
	v.criteria(where+".criteria", a.Criteria)
}

// action checks what success and failure actions share: their extensions, a name, and the
// end and goto types (goto with its target). It returns false for another type.
func (v *validator) action(where string, w *Workflow, name, typ, stepID, workflowID string, ext map[string]any, ids map[string]bool) bool {
	v.extensions(where, ext)
	if name == "" {
		v.add(where, "name is required")
	}
	switch typ {
	case "end":
		return true
	case "goto":
		v.target(where, w, stepID, workflowID, ids)
		return true
	}
	return false
}

// reference checks a reusable object's reference: "$components.<kind>.<name>" naming an
// entry of the document's components.
func (v *validator) reference(where, ref, kind, what string, known func(name string) bool) {
	name, ok := strings.CutPrefix(ref, "$components."+kind+".")
	if !ok || !known(name) {
		v.add(where, "reference %q is not %s of components", ref, what)
	}
}

func (v *validator) target(where string, w *Workflow, stepID, workflowID string, ids map[string]bool) {
	switch {
	case stepID != "" && workflowID != "":
		v.add(where, "stepId and workflowId are mutually exclusive")
	case stepID == "" && workflowID == "":
		v.add(where, "goto needs a stepId or a workflowId")
	case w != nil && stepID != "":
		if _, ok := w.stepIndex[stepID]; !ok && len(w.stepIndex) > 0 {
			v.add(where, "stepId %q is not a step of workflow %q", stepID, w.WorkflowID)
		}
	case workflowID != "" && !ids[workflowID]:
		v.add(where, "workflowId %q is not a workflow of this document", workflowID)
	}
}
