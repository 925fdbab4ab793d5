package arazzo

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/contextgpt/sandbox/conformance/expr"
)

// The names a document uses: the steps and workflows its runtime expressions name, the
// source descriptions and operations its steps name.

var (
	stepRef     = regexp.MustCompile(`\$steps\.([^.\s{}#()=!<>&|]+)`)
	workflowRef = regexp.MustCompile(`\$workflows\.([^.\s{}#()=!<>&|]+)`)
)

// references checks that the runtime expressions of a workflow name its own steps
// ($steps.<id>) and workflows of the document ($workflows.<id>).
func (v *validator) references(where string, w *Workflow, ids map[string]bool) {
	var strs []string
	add := func(v any) { strs = AppendStrings(strs, v) }
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

// AppendStrings appends every string in v, a decoded YAML or JSON value (strings, maps and
// lists at any depth), to out: where a payload may hold runtime expressions.
func AppendStrings(out []string, v any) []string {
	switch t := v.(type) {
	case string:
		out = append(out, t)
	case map[string]any:
		for _, x := range t {
			out = AppendStrings(out, x)
		}
	case []any:
		for _, x := range t {
			out = AppendStrings(out, x)
		}
	}
	return out
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
