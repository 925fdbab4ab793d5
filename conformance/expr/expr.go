// Package expr parses and evaluates Arazzo 1.0.1 runtime expressions ($url, $statusCode,
// $response.body#/pointer, $steps.id.outputs.name, ...), strings that embed them ("{$...}"),
// and the criteria: simple conditions, regular expressions and JSONPath.
//
// A jsonpath criterion's condition is an RFC 9535 query (github.com/theory/jsonpath),
// evaluated as Redocly respect, the reference runner, evaluates it: against a one-element
// array holding the context. It holds when it selects at least one node:
//
//	context: $response.body
//	condition: $[?count(@.pets) > 0]        # the standard's example
//	type: jsonpath
//
//	context: $response.body
//	condition: $[?(@.data.totalCount == 1)]  # a field compared
//	type: jsonpath
//
// Runtime expressions may be embedded in braces ($[?@.name == {$inputs.name}]); each is
// replaced by its value's JSON text before the query is read. A comparison outside a filter
// ($.data.totalCount == 1) is refused with an error that shows these portable forms.
package expr

import (
	"errors"
	"fmt"
	"strings"
)

// Kind is the source a runtime expression reads.
type Kind int

// The kinds of runtime expression of Arazzo 1.0.1.
const (
	URL Kind = iota + 1
	Method
	StatusCode
	RequestHeader
	RequestQuery
	RequestPath
	RequestBody
	ResponseHeader
	ResponseBody
	Inputs
	Outputs
	Steps
	Workflows
	SourceDescriptions
	Components
)

var kindNames = map[Kind]string{
	URL: "$url", Method: "$method", StatusCode: "$statusCode",
	RequestHeader: "$request.header", RequestQuery: "$request.query", RequestPath: "$request.path",
	RequestBody: "$request.body", ResponseHeader: "$response.header", ResponseBody: "$response.body",
	Inputs: "$inputs", Outputs: "$outputs", Steps: "$steps", Workflows: "$workflows",
	SourceDescriptions: "$sourceDescriptions", Components: "$components",
}

func (k Kind) String() string { return kindNames[k] }

// Expr is one parsed runtime expression.
type Expr struct {
	Kind Kind
	// Name is the header, query or path parameter name, the input or output name, the step,
	// workflow or source description id, or the components type.
	Name string
	// Field is the part after a step, workflow, source description or component id:
	// "outputs" or "inputs" for steps and workflows ("outputs.name" splits into Field "outputs"
	// and Key "name"), the component's name for components.
	Field string
	// Key is the name inside Field ($steps.s.outputs.<Key>).
	Key string
	// Pointer is the JSON Pointer after '#', without the '#'; HasPointer tells "#" from none.
	Pointer    string
	HasPointer bool
	// Raw is the text the expression was parsed from.
	Raw string
}

func (e Expr) String() string { return e.Raw }

// ErrSyntax is wrapped by every parse error.
var ErrSyntax = errors.New("runtime expression syntax")

func syntaxErr(raw, format string, args ...any) error {
	return fmt.Errorf("%w: %q: %s", ErrSyntax, raw, fmt.Sprintf(format, args...))
}

// Parse parses a whole string as one runtime expression.
func Parse(s string) (Expr, error) {
	e := Expr{Raw: s}
	if !strings.HasPrefix(s, "$") {
		return e, syntaxErr(s, "a runtime expression starts with '$'")
	}
	body, ptr, hasPtr := strings.Cut(s, "#")
	e.Pointer, e.HasPointer = ptr, hasPtr
	if hasPtr {
		if err := checkPointer(ptr); err != nil {
			return e, syntaxErr(s, "%v", err)
		}
	}
	switch {
	case body == "$url":
		e.Kind = URL
	case body == "$method":
		e.Kind = Method
	case body == "$statusCode":
		e.Kind = StatusCode
	case strings.HasPrefix(body, "$request.") || strings.HasPrefix(body, "$response."):
		return parseSource(e, body)
	case strings.HasPrefix(body, "$inputs."):
		e.Kind, e.Name = Inputs, body[len("$inputs."):]
	case strings.HasPrefix(body, "$outputs."):
		e.Kind, e.Name = Outputs, body[len("$outputs."):]
	case strings.HasPrefix(body, "$steps."):
		e.Kind = Steps
		return parseNamed(e, body[len("$steps."):], true)
	case strings.HasPrefix(body, "$workflows."):
		e.Kind = Workflows
		return parseNamed(e, body[len("$workflows."):], true)
	case strings.HasPrefix(body, "$sourceDescriptions."):
		e.Kind = SourceDescriptions
		return parseNamed(e, body[len("$sourceDescriptions."):], false)
	case strings.HasPrefix(body, "$components."):
		e.Kind = Components
		return parseNamed(e, body[len("$components."):], false)
	default:
		return e, syntaxErr(s, "unknown source")
	}
	if e.Kind != URL && e.Kind != Method && e.Kind != StatusCode && e.Name == "" {
		return e, syntaxErr(s, "a name is required")
	}
	if hasPtr && e.Kind != Inputs && e.Kind != Outputs {
		return e, syntaxErr(s, "a JSON pointer applies to bodies, inputs and outputs only")
	}
	if strings.ContainsAny(e.Name, " \t\r\n{}") {
		return e, syntaxErr(s, "a name holds no spaces or braces")
	}
	return e, nil
}

func parseSource(e Expr, body string) (Expr, error) {
	request := strings.HasPrefix(body, "$request.")
	rest := strings.TrimPrefix(strings.TrimPrefix(body, "$request."), "$response.")
	kinds := map[string][2]Kind{
		"header": {RequestHeader, ResponseHeader},
		"query":  {RequestQuery, 0},
		"path":   {RequestPath, 0},
	}
	pick := func(k [2]Kind) Kind {
		if request {
			return k[0]
		}
		return k[1]
	}
	if rest == "body" {
		e.Kind = pick([2]Kind{RequestBody, ResponseBody})
		return e, nil
	}
	if e.HasPointer {
		return e, syntaxErr(e.Raw, "a JSON pointer applies to bodies, inputs and outputs only")
	}
	src, name, ok := strings.Cut(rest, ".")
	k, known := kinds[src]
	if !ok || !known || name == "" {
		return e, syntaxErr(e.Raw, "expected header.<name>, query.<name>, path.<name> or body")
	}
	if e.Kind = pick(k); e.Kind == 0 {
		return e, syntaxErr(e.Raw, "a response has no %s", src)
	}
	if src == "header" {
		for _, r := range name {
			if !isTchar(r) {
				return e, syntaxErr(e.Raw, "%q is not a header name character", r)
			}
		}
	}
	e.Name = name
	return e, nil
}

func isTchar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		strings.ContainsRune("!#$%&'*+-.^_`|~", r)
}

// parseNamed splits "<id>.<field>[.<key>]".
func parseNamed(e Expr, rest string, fieldKey bool) (Expr, error) {
	id, tail, _ := strings.Cut(rest, ".")
	if id == "" {
		return e, syntaxErr(e.Raw, "an id is required")
	}
	e.Name = id
	if !fieldKey {
		e.Field = tail
		if e.Kind == Components && tail == "" {
			return e, syntaxErr(e.Raw, "expected $components.<type>.<name>")
		}
		if e.HasPointer {
			return e, syntaxErr(e.Raw, "a JSON pointer applies to bodies, inputs and outputs only")
		}
		return e, nil
	}
	field, key, _ := strings.Cut(tail, ".")
	if field != "outputs" && field != "inputs" {
		return e, syntaxErr(e.Raw, "expected %s.<id>.outputs.<name> or .inputs.<name>", e.Kind)
	}
	if key == "" {
		return e, syntaxErr(e.Raw, "expected a name after %s", field)
	}
	e.Field, e.Key = field, key
	return e, nil
}

func checkPointer(p string) error {
	if p != "" && p[0] != '/' {
		return fmt.Errorf("a JSON pointer starts with '/'")
	}
	for i := 0; i < len(p); i++ {
		if p[i] == '~' && (i+1 >= len(p) || p[i+1] != '0' && p[i+1] != '1') {
			return fmt.Errorf("'~' must be followed by 0 or 1")
		}
	}
	return nil
}

// Part is a piece of a template: literal text or an embedded expression.
type Part struct {
	Literal string
	Expr    *Expr
}

// Template is a string value that may be one whole runtime expression (its value keeps its
// type) or text with embedded "{$...}" expressions (the value is a string).
type Template struct {
	Raw   string
	Parts []Part
	// Whole is set when the value is one runtime expression and nothing else.
	Whole *Expr
}

// IsLiteral reports whether the template holds no expression.
func (t Template) IsLiteral() bool {
	return t.Whole == nil && (len(t.Parts) == 0 || len(t.Parts) == 1 && t.Parts[0].Expr == nil)
}

// ParseTemplate parses a string value of an Arazzo document. A value starting with '$' is a
// whole runtime expression; otherwise each "{$...}" is an embedded one and other text is
// literal ("{" not followed by "$" is literal too).
func ParseTemplate(s string) (Template, error) {
	t := Template{Raw: s}
	if strings.HasPrefix(s, "$") {
		e, err := Parse(s)
		if err != nil {
			return t, err
		}
		t.Whole = &e
		return t, nil
	}
	rest := s
	var lit strings.Builder
	for {
		i := strings.Index(rest, "{$")
		if i < 0 {
			lit.WriteString(rest)
			break
		}
		lit.WriteString(rest[:i])
		end := strings.IndexByte(rest[i:], '}')
		if end < 0 {
			return t, syntaxErr(s, "an embedded expression is not closed with '}'")
		}
		e, err := Parse(rest[i+1 : i+end])
		if err != nil {
			return t, err
		}
		if lit.Len() > 0 {
			t.Parts = append(t.Parts, Part{Literal: lit.String()})
			lit.Reset()
		}
		t.Parts = append(t.Parts, Part{Expr: &e})
		rest = rest[i+end+1:]
	}
	if lit.Len() > 0 || len(t.Parts) == 0 {
		t.Parts = append(t.Parts, Part{Literal: lit.String()})
	}
	return t, nil
}
