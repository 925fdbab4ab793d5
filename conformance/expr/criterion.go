package expr

import (
	"fmt"
	"regexp"

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
	Type      string
	Raw       string // the condition as written
	context   *Expr
	condition Condition
	regex     *regexp.Regexp
	path      *jsonpath.Path
}

// CompileCriterion compiles a criterion. typ is "" (simple), "simple", "regex" or
// "jsonpath" (RFC 9535); version is the Criterion Expression Type Object's version, where one
// is given: only RFC 9535 JSONPath is supported, so any version is refused. xpath is refused.
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
		if c.Type == TypeRegex {
			c.regex, err = regexp.Compile(condition)
		} else {
			c.path, err = jsonpath.Parse(condition)
		}
	default:
		return nil, fmt.Errorf("criterion %q: type %q is not supported (simple, regex, jsonpath)", condition, c.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("criterion %q: %w", condition, err)
	}
	return c, nil
}

// Evaluate reports whether the criterion holds in ctx. A simple condition with a context
// evaluates against the whole context as the standard has it (the context only matters to
// regex and jsonpath). A regex matches the context's text; a JSONPath query holds when it
// selects at least one node.
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
	return len(c.path.Select(v)) > 0, nil
}
