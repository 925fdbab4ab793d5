package expr

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/theory/jsonpath"
)

// Criterion types of the Criterion Object.
const (
	TypeSimple   = "simple"
	TypeRegex    = "regex"
	TypeJSONPath = "jsonpath"
)

// goessner is the one JSONPath version the standard names besides RFC 9535. Redocly respect
// evaluates it as it evaluates RFC 9535, and so does this package: the queries the two
// readings share (paths, filters, wildcards) mean the same.
const goessner = "draft-goessner-dispatch-jsonpath-00"

// Criterion is a compiled Criterion Object: built once when a document loads, evaluated per
// response.
type Criterion struct {
	Type      string
	Raw       string // the condition as written
	context   *Expr
	condition Condition
	regex     *regexp.Regexp
	path      *jsonpath.Path // a jsonpath condition without embedded expressions
	// parts is a jsonpath condition with embedded {$expressions}, parsed per evaluation.
	parts []templatePart
}

// templatePart is literal query text or an embedded runtime expression.
type templatePart struct {
	text string
	expr *Expr
}

// CompileCriterion compiles a criterion. typ is "" (simple), "simple", "regex" or
// "jsonpath"; version is the Criterion Expression Type Object's version, where one is given
// (only JSONPath's draft-goessner-dispatch-jsonpath-00). xpath is refused.
//
// A jsonpath condition is an RFC 9535 query evaluated, as Redocly respect (the reference
// runner) evaluates it, against a one-element array holding the context: it holds when it
// selects at least one node. So the standard's own example, $[?count(@.pets) > 0] with
// context $response.body, holds on a body {"pets": [...]} with pets; and
// $[?(@.data.totalCount == 1)] tests a field. The query may embed runtime expressions in
// braces ({$inputs.name}), replaced by their JSON text before the query is read.
//
// A comparison outside a filter ($.data.totalCount == 1) is not RFC 9535 and other runners
// read it differently; it is refused with an error that shows the portable form.
func CompileCriterion(context, condition, typ, version string) (*Criterion, error) {
	c := &Criterion{Type: typ, Raw: condition}
	if c.Type == "" {
		c.Type = TypeSimple
	}
	if version != "" && !(c.Type == TypeJSONPath && version == goessner) {
		return nil, fmt.Errorf("criterion %q: expression type %s version %q is not supported (jsonpath: RFC 9535, or %s read as RFC 9535)", condition, c.Type, version, goessner)
	}
	if context != "" {
		e, err := Parse(context)
		if err != nil {
			return nil, fmt.Errorf("criterion context: %w", err)
		}
		c.context = &e
	}
	var err error
	switch c.Type {
	case TypeSimple:
		c.condition, err = ParseCondition(condition)
	case TypeRegex, TypeJSONPath:
		if c.context == nil {
			return nil, fmt.Errorf("criterion %q: a %s criterion needs a context", condition, c.Type)
		}
		if c.Type == TypeRegex {
			c.regex, err = regexp.Compile(condition)
			break
		}
		if lhs, op, rhs, found := splitComparison(condition); found {
			return nil, fmt.Errorf("criterion %q: a jsonpath condition is an RFC 9535 query, not a comparison; runners read this form differently. "+
				"Write the comparison inside a filter, which is evaluated against [context]: %s (or as a simple condition: %s)",
				condition, portableFilter(lhs, op, rhs), portableSimple(context, lhs, op, rhs))
		}
		c.parts, err = splitEmbedded(condition)
		if err == nil && len(c.parts) == 1 && c.parts[0].expr == nil {
			c.parts = nil
			c.path, err = jsonpath.Parse(condition)
		} else if err == nil {
			// Check the syntax with placeholders standing in for the expressions.
			_, err = jsonpath.Parse(c.fill(func(*Expr) string { return "0" }))
		}
	default:
		return nil, fmt.Errorf("criterion %q: type %q is not supported (simple, regex, jsonpath)", condition, c.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("criterion %q: %w", condition, err)
	}
	return c, nil
}

// portableFilter rewrites "$.a.b == 1" as "$[?(@.a.b == 1)]".
func portableFilter(lhs, op, rhs string) string {
	return "$[?(@" + strings.TrimPrefix(lhs, "$") + " " + op + " " + rhs + ")]"
}

// portableSimple rewrites "$.a.b == 1" with context $response.body as
// "$response.body#/a/b == 1", when the path is plain names.
func portableSimple(context, lhs, op, rhs string) string {
	ptr := ""
	for _, seg := range strings.Split(strings.TrimPrefix(lhs, "$"), ".") {
		if seg == "" {
			continue
		}
		if strings.ContainsAny(seg, "[]*?@'\" ") {
			return "(not expressible: the path is not plain names)"
		}
		ptr += "/" + seg
	}
	if strings.HasPrefix(rhs, `"`) {
		rhs = "'" + strings.ReplaceAll(strings.Trim(rhs, `"`), "'", "''") + "'"
	}
	sep := "#"
	if strings.Contains(context, "#") {
		sep = ""
	}
	return context + sep + ptr + " " + op + " " + rhs
}

// splitEmbedded cuts a query into text and {$expression} parts, as respect reads them: a
// brace, a dollar, no braces inside.
func splitEmbedded(s string) ([]templatePart, error) {
	var parts []templatePart
	rest := s
	for {
		i := strings.Index(rest, "{$")
		if i < 0 {
			break
		}
		j := strings.IndexAny(rest[i+1:], "{}")
		if j < 0 || rest[i+1+j] != '}' {
			break
		}
		e, err := Parse(rest[i+1 : i+1+j])
		if err != nil {
			return nil, err
		}
		if i > 0 {
			parts = append(parts, templatePart{text: rest[:i]})
		}
		parts = append(parts, templatePart{expr: &e})
		rest = rest[i+2+j:]
	}
	if rest != "" || len(parts) == 0 {
		parts = append(parts, templatePart{text: rest})
	}
	return parts, nil
}

func (c *Criterion) fill(value func(*Expr) string) string {
	var b strings.Builder
	for _, p := range c.parts {
		if p.expr == nil {
			b.WriteString(p.text)
		} else {
			b.WriteString(value(p.expr))
		}
	}
	return b.String()
}

// jsonText renders an embedded value as respect does: strings, arrays and objects as JSON,
// numbers and booleans as they print.
func jsonText(v any) string {
	switch t := v.(type) {
	case string, []any, map[string]any:
		b, err := json.Marshal(t)
		if err != nil {
			return "null"
		}
		return string(b)
	case nil:
		return "null"
	}
	return Text(v)
}

// splitComparison finds the first comparison operator outside brackets, parentheses and
// quotes.
func splitComparison(s string) (lhs, op, rhs string, found bool) {
	depth := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case quote != 0:
			if ch == '\\' {
				i++
			} else if ch == quote {
				quote = 0
			}
		case ch == '\'' || ch == '"':
			quote = ch
		case ch == '[' || ch == '(':
			depth++
		case ch == ']' || ch == ')':
			depth--
		case depth == 0 && strings.ContainsRune("=!<>", rune(ch)):
			op := string(ch)
			if i+1 < len(s) && s[i+1] == '=' {
				op += "="
			}
			if op == "=" || op == "!" {
				continue // not a comparison; the JSONPath parser reports it
			}
			return strings.TrimSpace(s[:i]), op, strings.TrimSpace(s[i+len(op):]), true
		}
	}
	return "", "", "", false
}

// Evaluate reports whether the criterion holds in ctx. A simple condition with a context
// evaluates against the whole context as the standard has it (the context only matters to
// regex and jsonpath). A regex matches the context's text; a JSONPath query holds when it
// selects at least one node of [context].
func (c *Criterion) Evaluate(ctx *Context) (bool, error) {
	if c.Type == TypeSimple {
		return c.condition.Evaluate(ctx)
	}
	v, err := Evaluate(*c.context, ctx)
	if err != nil {
		return false, err
	}
	if c.Type == TypeRegex {
		return c.regex.MatchString(Text(v)), nil
	}
	p := c.path
	if p == nil {
		var ferr error
		q := c.fill(func(e *Expr) string {
			x, err := Evaluate(*e, ctx)
			if err != nil && ferr == nil {
				ferr = err
			}
			return jsonText(x)
		})
		if ferr != nil {
			return false, ferr
		}
		if p, err = jsonpath.Parse(q); err != nil {
			return false, fmt.Errorf("criterion %q: with its expressions filled in, %q: %w", c.Raw, q, err)
		}
	}
	return len(p.Select([]any{v})) > 0, nil
}

// Explain describes, after a criterion did not hold, what it compared: the expected side is
// the condition (and its context), the actual side the values the response gave.
func (c *Criterion) Explain(ctx *Context) (expected, actual string) {
	const maxText = 300
	cut := func(s string) string {
		if len(s) > maxText {
			return s[:maxText] + "..."
		}
		return s
	}
	if c.Type == TypeSimple {
		var vals []string
		seen := map[string]bool{}
		c.condition.walk(func(e Expr) {
			if seen[e.Raw] {
				return
			}
			seen[e.Raw] = true
			v, err := Evaluate(e, ctx)
			if err != nil {
				vals = append(vals, e.Raw+" unresolved ("+err.Error()+")")
				return
			}
			vals = append(vals, e.Raw+" = "+cut(jsonText(v)))
		})
		return c.Raw, strings.Join(vals, "; ")
	}
	if c.Type == TypeJSONPath {
		expected = c.Raw + " selects a node of [" + c.context.Raw + "]"
	} else {
		expected = c.context.Raw + " matches " + c.Raw
	}
	v, err := Evaluate(*c.context, ctx)
	if err != nil {
		return expected, c.context.Raw + " unresolved (" + err.Error() + ")"
	}
	if c.Type == TypeRegex {
		return expected, c.context.Raw + " = " + cut(jsonText(Text(v)))
	}
	return expected, "no node selected; " + c.context.Raw + " = " + cut(jsonText(v))
}
