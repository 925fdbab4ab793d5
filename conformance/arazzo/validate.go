package arazzo

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/contextgpt/sandbox/conformance/expr"
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
	for i, a := range w.SuccessActions {
		v.successAction(fmt.Sprintf("%s.successActions[%d]", where, i), w, a, ids)
	}
	for i, a := range w.FailureActions {
		v.failureAction(fmt.Sprintf("%s.failureActions[%d]", where, i), w, a, ids)
	}
	for k, o := range w.Outputs {
		v.template(where+".outputs."+k, o)
	}
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

var (
	stepRef     = regexp.MustCompile(`\$steps\.([^.\s{}#()=!<>&|]+)`)
	workflowRef = regexp.MustCompile(`\$workflows\.([^.\s{}#()=!<>&|]+)`)
)

// references checks that the runtime expressions of a workflow name its own steps
// ($steps.<id>) and workflows of the document ($workflows.<id>).
func (v *validator) references(where string, w *Workflow, ids map[string]bool) {
	var strs []string
	add := func(v any) { strs = appendStrings(strs, v) }
	criteria := func(cs []*Criterion) {
		for _, c := range cs {
			strs = append(strs, c.Context)
			if c.Type.Type == "" || c.Type.Type == expr.TypeSimple {
				strs = append(strs, c.Condition)
			}
		}
	}
	for _, p := range w.Parameters {
		add(p.Value)
	}
	for _, o := range w.Outputs {
		strs = append(strs, o)
	}
	for _, a := range w.SuccessActions {
		criteria(a.Criteria)
	}
	for _, a := range w.FailureActions {
		criteria(a.Criteria)
	}
	for _, s := range w.Steps {
		for _, p := range s.Parameters {
			add(p.Value)
		}
		if b := s.RequestBody; b != nil {
			add(b.Payload)
			for _, r := range b.Replacements {
				add(r.Value)
			}
		}
		criteria(s.SuccessCriteria)
		for _, a := range s.OnSuccess {
			criteria(a.Criteria)
		}
		for _, a := range s.OnFailure {
			criteria(a.Criteria)
		}
		for _, o := range s.Outputs {
			strs = append(strs, o)
		}
	}
	reported := map[string]bool{}
	for _, s := range strs {
		for _, m := range stepRef.FindAllStringSubmatch(s, -1) {
			if _, ok := w.stepIndex[m[1]]; !ok && !reported[m[0]] {
				reported[m[0]] = true
				v.add(where, "%s names step %q, which is not a step of this workflow", m[0], m[1])
			}
		}
		for _, m := range workflowRef.FindAllStringSubmatch(s, -1) {
			if !ids[m[1]] && !reported[m[0]] {
				reported[m[0]] = true
				v.add(where, "%s names workflow %q, which is not a workflow of this document", m[0], m[1])
			}
		}
	}
}

func appendStrings(out []string, v any) []string {
	switch t := v.(type) {
	case string:
		out = append(out, t)
	case map[string]any:
		for _, x := range t {
			out = appendStrings(out, x)
		}
	case []any:
		for _, x := range t {
			out = appendStrings(out, x)
		}
	}
	return out
}

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
	for i, a := range s.OnSuccess {
		v.successAction(fmt.Sprintf("%s.onSuccess[%d]", where, i), w, a, ids)
	}
	for i, a := range s.OnFailure {
		v.failureAction(fmt.Sprintf("%s.onFailure[%d]", where, i), w, a, ids)
	}
	for k, o := range s.Outputs {
		v.template(where+".outputs."+k, o)
	}
}

// SplitOperationID splits "$sourceDescriptions.<name>.<operationId>" into its source and
// operationId; a plain operationId has no source.
func SplitOperationID(id string) (source, operationID string, err error) {
	if !strings.HasPrefix(id, "$") {
		return "", id, nil
	}
	rest, ok := strings.CutPrefix(id, "$sourceDescriptions.")
	src, op, found := strings.Cut(rest, ".")
	if !ok || !found || src == "" || op == "" {
		return "", "", fmt.Errorf("operationId %q: expected $sourceDescriptions.<name>.<operationId>", id)
	}
	return src, op, nil
}

// SplitOperationPath splits "{$sourceDescriptions.<name>.url}#/paths/~1v1~1x/get" into the
// source name, the path ("/v1/x") and the method ("get").
func SplitOperationPath(p string) (source, path, method string, err error) {
	head, ptr, ok := strings.Cut(p, "#")
	name, isSource := strings.CutPrefix(strings.Trim(head, "{}"), "$sourceDescriptions.")
	name, isURL := strings.CutSuffix(name, ".url")
	if !ok || !isSource || !isURL || !strings.HasPrefix(head, "{") {
		return "", "", "", fmt.Errorf("operationPath %q: expected {$sourceDescriptions.<name>.url}#/paths/<path>/<method>", p)
	}
	segs := strings.Split(ptr, "/")
	if len(segs) != 4 || segs[0] != "" || segs[1] != "paths" {
		return "", "", "", fmt.Errorf("operationPath %q: expected #/paths/<escaped path>/<method>", p)
	}
	path = strings.ReplaceAll(strings.ReplaceAll(segs[2], "~1", "/"), "~0", "~")
	return name, path, strings.ToLower(segs[3]), nil
}

func (v *validator) source(name string) *SourceDescription {
	for i := range v.doc.SourceDescriptions {
		if v.doc.SourceDescriptions[i].Name == name {
			return &v.doc.SourceDescriptions[i]
		}
	}
	return nil
}

func (v *validator) operationID(where, id string) {
	src, _, err := SplitOperationID(id)
	if err != nil {
		v.add(where, "%v", err)
		return
	}
	if src != "" && v.source(src) == nil {
		v.add(where, "operationId names source %q, which is not in sourceDescriptions", src)
	}
}

func (v *validator) parameter(where string, p *Parameter, workflowStep bool) {
	v.extensions(where, p.Extensions)
	if p.Reference != "" {
		name, ok := strings.CutPrefix(p.Reference, "$components.parameters.")
		if !ok || v.doc.Components.Parameters[name] == nil {
			v.add(where, "reference %q is not a parameter of components", p.Reference)
		}
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
		name, ok := strings.CutPrefix(a.Reference, "$components.successActions.")
		if !ok || v.doc.Components.SuccessActions[name] == nil {
			v.add(where, "reference %q is not a success action of components", a.Reference)
		}
		if a.Name != "" || a.Type != "" || a.StepID != "" || a.WorkflowID != "" || len(a.Criteria) > 0 || len(a.Extensions) > 0 {
			v.add(where, "a reusable object takes only reference; its other fields would be ignored")
		}
		return
	}
	v.extensions(where, a.Extensions)
	if a.Name == "" {
		v.add(where, "name is required")
	}
	switch a.Type {
	case "end":
	case "goto":
		v.target(where, w, a.StepID, a.WorkflowID, ids)
	default:
		v.add(where, "type %q is not end or goto", a.Type)
	}
	v.criteria(where+".criteria", a.Criteria)
}

func (v *validator) failureAction(where string, w *Workflow, a *FailureAction, ids map[string]bool) {
	if a.Reference != "" {
		name, ok := strings.CutPrefix(a.Reference, "$components.failureActions.")
		if !ok || v.doc.Components.FailureActions[name] == nil {
			v.add(where, "reference %q is not a failure action of components", a.Reference)
		}
		if a.Name != "" || a.Type != "" || a.StepID != "" || a.WorkflowID != "" || len(a.Criteria) > 0 ||
			a.RetryAfter != nil || a.RetryLimit != nil || len(a.Extensions) > 0 {
			v.add(where, "a reusable object takes only reference; its other fields would be ignored")
		}
		return
	}
	v.extensions(where, a.Extensions)
	if a.Name == "" {
		v.add(where, "name is required")
	}
	switch a.Type {
	case "end":
	case "goto":
		v.target(where, w, a.StepID, a.WorkflowID, ids)
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
	v.criteria(where+".criteria", a.Criteria)
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
