package expr

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Values are the inputs and outputs of a workflow or a step.
type Values struct {
	Inputs  map[string]any
	Outputs map[string]any
}

// Context is what expressions read. Bodies are decoded JSON (map[string]any, []any, string,
// float64, bool, nil); a body that is not JSON is its text.
type Context struct {
	URL            string
	Method         string
	StatusCode     int
	RequestHeader  http.Header
	RequestQuery   url.Values
	RequestPath    map[string]string
	RequestBody    any
	ResponseHeader http.Header
	ResponseBody   any
	// Inputs are the current workflow's inputs; Outputs its outputs so far (or, for a step
	// that runs a workflow, that workflow's outputs).
	Inputs  map[string]any
	Outputs map[string]any
	// Steps and Workflows are keyed by id.
	Steps     map[string]Values
	Workflows map[string]Values
	// SourceDescriptions maps a name to its fields (url, type).
	SourceDescriptions map[string]map[string]any
	// Components maps a type (parameters, successActions, failureActions, inputs) to its
	// named entries.
	Components map[string]map[string]any
}

// ErrUnresolved is wrapped when an expression names something that has no value (yet).
var ErrUnresolved = errors.New("unresolved runtime expression")

func unresolved(e Expr, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrUnresolved, e.Raw, fmt.Sprintf(format, args...))
}

// Evaluate returns the value of e in c, keeping its type.
func Evaluate(e Expr, c *Context) (any, error) {
	switch e.Kind {
	case URL, Method, StatusCode, RequestHeader, ResponseHeader, RequestQuery, RequestPath:
		return messageValue(e, c)
	case SourceDescriptions, Components:
		return documentValue(e, c)
	}
	v, err := rootValue(e, c)
	if err != nil || !e.HasPointer {
		return v, err
	}
	return Resolve(v, e.Pointer)
}

// messageValue is a part of the request or the response other than a body.
func messageValue(e Expr, c *Context) (any, error) {
	switch e.Kind {
	case URL:
		return c.URL, nil
	case Method:
		return c.Method, nil
	case StatusCode:
		if c.StatusCode == 0 {
			return nil, unresolved(e, "no response yet")
		}
		return c.StatusCode, nil
	case RequestHeader, ResponseHeader:
		h := c.RequestHeader
		if e.Kind == ResponseHeader {
			h = c.ResponseHeader
		}
		vals := h.Values(e.Name)
		if len(vals) == 0 {
			return nil, unresolved(e, "no such header")
		}
		return vals[0], nil
	case RequestQuery:
		if !c.RequestQuery.Has(e.Name) {
			return nil, unresolved(e, "no such query parameter")
		}
		return c.RequestQuery.Get(e.Name), nil
	case RequestPath:
		p, ok := c.RequestPath[e.Name]
		if !ok {
			return nil, unresolved(e, "no such path parameter")
		}
		return p, nil
	}
	return nil, unresolved(e, "unknown kind")
}

// rootValue is what a JSON Pointer of e applies to: a body, an input or output, a step's
// or a workflow's inputs or outputs.
func rootValue(e Expr, c *Context) (any, error) {
	switch e.Kind {
	case RequestBody:
		return c.RequestBody, nil
	case ResponseBody:
		return c.ResponseBody, nil
	case Inputs, Outputs:
		m := c.Inputs
		if e.Kind == Outputs {
			m = c.Outputs
		}
		val, ok := m[e.Name]
		if !ok {
			return nil, unresolved(e, "not set")
		}
		return val, nil
	case Steps, Workflows:
		src := c.Steps
		if e.Kind == Workflows {
			src = c.Workflows
		}
		vals, ok := src[e.Name]
		if !ok {
			return nil, unresolved(e, "%s has not run", e.Name)
		}
		m := vals.Outputs
		if e.Field == "inputs" {
			m = vals.Inputs
		}
		val, ok := m[e.Key]
		if !ok {
			return nil, unresolved(e, "%s has no %s %q", e.Name, e.Field, e.Key)
		}
		return val, nil
	}
	return nil, unresolved(e, "unknown kind")
}

// documentValue is a source description's field or a component.
func documentValue(e Expr, c *Context) (any, error) {
	switch e.Kind {
	case SourceDescriptions:
		fields, ok := c.SourceDescriptions[e.Name]
		if !ok {
			return nil, unresolved(e, "no such source description")
		}
		if e.Field == "" {
			return fields, nil
		}
		val, ok := fields[e.Field]
		if !ok {
			return nil, unresolved(e, "no such field")
		}
		return val, nil
	case Components:
		typ, ok := c.Components[e.Name]
		if !ok {
			return nil, unresolved(e, "no such component type")
		}
		val, ok := typ[e.Field]
		if !ok {
			return nil, unresolved(e, "no such component")
		}
		return val, nil
	}
	return nil, unresolved(e, "unknown kind")
}

// Resolve follows a JSON Pointer (RFC 6901) into a decoded JSON value.
func Resolve(v any, pointer string) (any, error) {
	if pointer == "" {
		return v, nil
	}
	if pointer[0] != '/' {
		return nil, fmt.Errorf("%w: pointer %q does not start with '/'", ErrUnresolved, pointer)
	}
	for _, tok := range strings.Split(pointer[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch t := v.(type) {
		case map[string]any:
			next, ok := t[tok]
			if !ok {
				return nil, fmt.Errorf("%w: pointer %q: no member %q", ErrUnresolved, pointer, tok)
			}
			v = next
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(t) || tok != strconv.Itoa(i) {
				return nil, fmt.Errorf("%w: pointer %q: no index %q in an array of %d", ErrUnresolved, pointer, tok, len(t))
			}
			v = t[i]
		default:
			return nil, fmt.Errorf("%w: pointer %q: cannot descend into %T at %q", ErrUnresolved, pointer, v, tok)
		}
	}
	return v, nil
}

// Evaluate renders the template in c: a whole expression keeps its value's type, anything
// else is a string.
func (t Template) Evaluate(c *Context) (any, error) {
	if t.Whole != nil {
		return Evaluate(*t.Whole, c)
	}
	if len(t.Parts) == 1 && t.Parts[0].Expr == nil {
		return t.Parts[0].Literal, nil
	}
	var b strings.Builder
	for _, p := range t.Parts {
		if p.Expr == nil {
			b.WriteString(p.Literal)
			continue
		}
		v, err := Evaluate(*p.Expr, c)
		if err != nil {
			return nil, err
		}
		b.WriteString(Text(v))
	}
	return b.String(), nil
}

// Text renders a value for embedding in a string: strings as they are, null as empty,
// anything else as JSON.
func Text(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case int:
		return strconv.Itoa(t)
	default:
		b, err := json.Marshal(t)
		if err != nil {
			return fmt.Sprint(t)
		}
		return string(b)
	}
}
