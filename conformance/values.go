package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/conformance/expr"
)

func evalTemplate(s string, c *expr.Context) (any, error) {
	t, err := expr.ParseTemplate(s)
	if err != nil {
		return nil, err
	}
	return t.Evaluate(c)
}

// resolveValue evaluates every string of a literal value as a template, deeply.
func resolveValue(v any, c *expr.Context) (any, error) {
	switch t := v.(type) {
	case string:
		return evalTemplate(t, c)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			r, err := resolveValue(x, c)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			r, err := resolveValue(x, c)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

func criteriaHold(cs []*arazzo.Criterion, c *expr.Context) (bool, error) {
	for _, cr := range cs {
		ok, err := cr.Compiled().Evaluate(c)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

func refName(ref string) string {
	for i := len(ref) - 1; i >= 0; i-- {
		if ref[i] == '.' {
			return ref[i+1:]
		}
	}
	return ref
}

// MissingParamError is FillPath's error for a path parameter without a value.
type MissingParamError struct{ Name string }

func (e *MissingParamError) Error() string { return "path parameter " + e.Name + " has no value" }

// FillPath puts the path parameters into a spec path template ("/chatbot/{chatbotId}"),
// each escaped as one path segment. value returns a parameter's value and whether it has
// one; the first without one is a *MissingParamError. The harness's steps and the probe's
// generated requests both fill paths with it.
func FillPath(template string, value func(name string) (string, bool)) (string, error) {
	var b strings.Builder
	rest := template
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			b.WriteString(rest)
			return b.String(), nil
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("path %s: unclosed '{'", template)
		}
		name := rest[i+1 : i+j]
		v, ok := value(name)
		if !ok {
			return "", &MissingParamError{Name: name}
		}
		b.WriteString(rest[:i])
		b.WriteString(url.PathEscape(v))
		rest = rest[i+j+1:]
	}
}

func encodeBody(contentType string, payload any) ([]byte, error) {
	if s, ok := payload.(string); ok {
		return []byte(s), nil
	}
	mt := strings.TrimSpace(strings.Split(contentType, ";")[0])
	switch {
	case mt == "application/x-www-form-urlencoded":
		m, ok := payload.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("requestBody: a form payload is an object or a string")
		}
		form := url.Values{}
		for k, v := range m {
			form.Set(k, expr.Text(v))
		}
		return []byte(form.Encode()), nil
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return json.Marshal(payload)
	}
	return nil, fmt.Errorf("requestBody: content type %s needs a string payload", contentType)
}

// setPointer sets v at a JSON Pointer of a copy-on-write payload.
func setPointer(doc any, pointer string, v any) (any, error) {
	if pointer == "" {
		return v, nil
	}
	toks := strings.Split(pointer[1:], "/")
	for i, t := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	var set func(node any, toks []string) (any, error)
	set = func(node any, toks []string) (any, error) {
		if len(toks) == 0 {
			return v, nil
		}
		switch t := node.(type) {
		case map[string]any:
			out := make(map[string]any, len(t)+1)
			for k, x := range t {
				out[k] = x
			}
			child, err := set(t[toks[0]], toks[1:])
			out[toks[0]] = child
			return out, err
		case []any:
			i, err := strconv.Atoi(toks[0])
			if toks[0] == "-" {
				i = len(t)
			} else if err != nil || i < 0 || i >= len(t) {
				return nil, fmt.Errorf("target %s: no index %s", pointer, toks[0])
			}
			out := append([]any(nil), t...)
			if i == len(t) {
				out = append(out, nil)
			}
			out[i], err = set(out[i], toks[1:])
			return out, err
		case nil:
			return set(map[string]any{}, toks)
		}
		return nil, fmt.Errorf("target %s: cannot descend into %T", pointer, node)
	}
	return set(doc, toks)
}

func decodeBody(header http.Header, body []byte) any {
	if len(body) == 0 {
		return nil
	}
	var v any
	if strings.Contains(header.Get("Content-Type"), "json") && json.Unmarshal(body, &v) == nil {
		return v
	}
	return string(body)
}
