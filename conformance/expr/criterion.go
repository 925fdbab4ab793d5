package expr

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/theory/jsonpath"
)

// Criterion types of the Criterion Object.
const (
	TypeSimple   = "simple"
	TypeRegex    = "regex"
	TypeJSONPath = "jsonpath"
)

// Criterion is a compiled Criterion Object: built once when a document loads, evaluated per
// response.
type Criterion struct {
	Type       string
	Raw        string // the condition as written
	context    *Expr
	condition  Condition
	regex      *regexp.Regexp
	path       *jsonpath.Path
	comparison *pathComparison // a jsonpath condition of the form <path> <op> <literal>
}

// pathComparison is the jsonpath condition other Arazzo runners (Redocly Respect) accept
// beside RFC 9535 queries: a path that selects exactly one node, a comparison operator and a
// literal, e.g. $.error.code == 'API_KEY_NOT_VALID'.
type pathComparison struct {
	path    *jsonpath.Path
	op      string
	literal any
}

// CompileCriterion compiles a criterion. typ is "" (simple), "simple", "regex" or
// "jsonpath"; version is the Criterion Expression Type Object's version, where one is given:
// only RFC 9535 JSONPath is supported, so any version is refused. xpath is refused.
//
// A jsonpath condition is either an RFC 9535 query, which holds when it selects at least one
// node ($.data.items[?@.escalated == true]), or a comparison: an RFC 9535 query that selects
// exactly one node, one of the operators == != < <= > >=, and a literal ('text' or "text",
// a number, true, false or null), compared as a simple condition compares
// ($.error.code == 'API_KEY_NOT_VALID'). The comparison form is not RFC 9535; it is what
// other Arazzo runners (Redocly Respect) accept. An operator counts only outside brackets and
// quotes, so filter expressions keep their RFC 9535 meaning.
func CompileCriterion(context, condition, typ, version string) (*Criterion, error) {
	c := &Criterion{Type: typ, Raw: condition}
	if c.Type == "" {
		c.Type = TypeSimple
	}
	if version != "" {
		return nil, fmt.Errorf("criterion %q: expression type version %q is not supported (RFC 9535 JSONPath only)", condition, version)
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
		switch {
		case c.Type == TypeRegex:
			c.regex, err = regexp.Compile(condition)
		default:
			if lhs, op, rhs, found := splitComparison(condition); found {
				c.comparison, err = compilePathComparison(lhs, op, rhs)
			} else {
				c.path, err = jsonpath.Parse(condition)
			}
		}
	default:
		return nil, fmt.Errorf("criterion %q: type %q is not supported (simple, regex, jsonpath)", condition, c.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("criterion %q: %w", condition, err)
	}
	return c, nil
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

func compilePathComparison(lhs, op, rhs string) (*pathComparison, error) {
	p, err := jsonpath.Parse(lhs)
	if err != nil {
		return nil, err
	}
	lit, err := parseLiteral(rhs)
	if err != nil {
		return nil, err
	}
	return &pathComparison{path: p, op: op, literal: lit}, nil
}

// parseLiteral reads the right side of a path comparison.
func parseLiteral(s string) (any, error) {
	switch {
	case s == "true":
		return true, nil
	case s == "false":
		return false, nil
	case s == "null":
		return nil, nil
	case len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'':
		inner := s[1 : len(s)-1]
		if strings.Contains(strings.ReplaceAll(inner, "''", ""), "'") {
			return nil, fmt.Errorf("literal %s: a quote inside a 'string' is written ''", s)
		}
		return strings.ReplaceAll(inner, "''", "'"), nil
	case len(s) >= 2 && s[0] == '"':
		var str string
		if err := json.Unmarshal([]byte(s), &str); err != nil {
			return nil, fmt.Errorf("literal %s: %w", s, err)
		}
		return str, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, fmt.Errorf("%q is not a literal ('text', \"text\", a number, true, false or null)", s)
	}
	return f, nil
}

// Evaluate reports whether the criterion holds in ctx. A simple condition with a context
// evaluates against the whole context as the standard has it (the context only matters to
// regex and jsonpath). A regex matches the context's text; a JSONPath query holds when it
// selects at least one node; a JSONPath comparison holds when its path selects exactly one
// node and the comparison holds (another count of nodes is an error that says so).
func (c *Criterion) Evaluate(ctx *Context) (bool, error) {
	if c.Type == TypeSimple {
		return c.condition.Evaluate(ctx)
	}
	v, err := Evaluate(*c.context, ctx)
	if err != nil {
		return false, err
	}
	switch {
	case c.Type == TypeRegex:
		return c.regex.MatchString(Text(v)), nil
	case c.comparison != nil:
		nodes := c.comparison.path.Select(v)
		if len(nodes) != 1 {
			return false, fmt.Errorf("criterion %q: %s selects %d nodes; a comparison needs exactly one",
				c.Raw, c.comparison.path, len(nodes))
		}
		return compare(c.comparison.op, nodes[0], c.comparison.literal)
	}
	return len(c.path.Select(v)) > 0, nil
}
