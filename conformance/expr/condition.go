package expr

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Condition is a parsed simple condition of a Criterion Object: literals (true, false, null,
// numbers, 'strings' with two quotes for one), runtime expressions, the operators < <= > >= == !=
// ! && || and parentheses. String comparisons ignore case; comparisons are loose (the number
// 200 equals the string "200").
type Condition struct {
	Raw  string
	root node
}

type node interface {
	eval(c *Context) (any, error)
}

type literal struct{ v any }

type exprNode struct{ e Expr }

type notNode struct{ x node }

type binary struct {
	op   string
	l, r node
}

func (n literal) eval(*Context) (any, error) { return n.v, nil }

func (n exprNode) eval(c *Context) (any, error) { return Evaluate(n.e, c) }

func (n notNode) eval(c *Context) (any, error) {
	v, err := n.x.eval(c)
	if err != nil {
		return nil, err
	}
	return !truthy(v), nil
}

func (n binary) eval(c *Context) (any, error) {
	l, err := n.l.eval(c)
	switch n.op {
	case "&&":
		if err != nil || !truthy(l) {
			return false, err
		}
		r, err := n.r.eval(c)
		return err == nil && truthy(r), err
	case "||":
		if err == nil && truthy(l) {
			return true, nil
		}
		r, rerr := n.r.eval(c)
		if rerr != nil {
			return false, rerr
		}
		return truthy(r), nil
	}
	if err != nil {
		return nil, err
	}
	r, err := n.r.eval(c)
	if err != nil {
		return nil, err
	}
	return compare(n.op, l, r)
}

func truthy(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case bool:
		return t
	case string:
		return t != ""
	case float64:
		return t != 0
	case int:
		return t != 0
	default:
		return true
	}
}

func number(v any) (float64, bool) {
	switch t := v.(type) {
	case float64:
		return t, true
	case int:
		return float64(t), true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		return f, err == nil && !math.IsNaN(f)
	}
	return 0, false
}

func compare(op string, l, r any) (bool, error) {
	ln, lok := number(l)
	rn, rok := number(r)
	_, lstr := l.(string)
	_, rstr := r.(string)
	if lok && rok && (!lstr || !rstr) {
		return cmpOrdered(op, ln, rn), nil
	}
	if lstr && rstr {
		return cmpOrdered(op, strings.ToLower(l.(string)), strings.ToLower(r.(string))), nil
	}
	switch op {
	case "==":
		return equal(l, r), nil
	case "!=":
		return !equal(l, r), nil
	}
	return false, fmt.Errorf("cannot order %s and %s", Text(l), Text(r))
}

func equal(l, r any) bool {
	if l == nil || r == nil {
		return l == nil && r == nil
	}
	lb, lbool := l.(bool)
	rb, rbool := r.(bool)
	switch {
	case lbool && rbool:
		return lb == rb
	case lbool || rbool:
		return strings.EqualFold(Text(l), Text(r))
	}
	return Text(l) == Text(r)
}

func cmpOrdered[T float64 | string](op string, a, b T) bool {
	switch op {
	case "==":
		return a == b
	case "!=":
		return a != b
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	default:
		return a >= b
	}
}

// walk calls f on each runtime expression of the condition, left to right.
func (cd Condition) walk(f func(Expr)) {
	var visit func(n node)
	visit = func(n node) {
		switch t := n.(type) {
		case exprNode:
			f(t.e)
		case notNode:
			visit(t.x)
		case binary:
			visit(t.l)
			visit(t.r)
		}
	}
	if cd.root != nil {
		visit(cd.root)
	}
}

// Evaluate reports whether the condition holds in c.
func (cd Condition) Evaluate(c *Context) (bool, error) {
	v, err := cd.root.eval(c)
	if err != nil {
		return false, err
	}
	return truthy(v), nil
}

// ParseCondition parses a simple condition. A condition wrapped in "{...}" as a whole (as in
// the standard's components example) is unwrapped.
func ParseCondition(s string) (Condition, error) {
	src := strings.TrimSpace(s)
	if strings.HasPrefix(src, "{") && strings.HasSuffix(src, "}") {
		src = strings.TrimSpace(src[1 : len(src)-1])
	}
	p := &condParser{src: src, raw: s}
	if err := p.tokenize(); err != nil {
		return Condition{Raw: s}, err
	}
	if len(p.toks) == 0 {
		return Condition{Raw: s}, syntaxErr(s, "empty condition")
	}
	n, err := p.or()
	if err != nil {
		return Condition{Raw: s}, err
	}
	if p.pos < len(p.toks) {
		return Condition{Raw: s}, syntaxErr(s, "unexpected %q", p.toks[p.pos].text)
	}
	return Condition{Raw: s, root: n}, nil
}

type token struct {
	kind byte // 'o' operator, 'l' literal, 'e' expression, '(' , ')'
	text string
	val  any
	expr Expr
}

type condParser struct {
	src, raw string
	toks     []token
	pos      int
}

var operators = []string{"&&", "||", "==", "!=", "<=", ">=", "<", ">", "!"}

func (p *condParser) tokenize() error {
	s := p.src
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			p.toks = append(p.toks, token{kind: c, text: string(c)})
			i++
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for ; ; j++ {
				if j >= len(s) {
					return syntaxErr(p.raw, "unterminated string")
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						b.WriteByte('\'')
						j++
						continue
					}
					break
				}
				b.WriteByte(s[j])
			}
			p.toks = append(p.toks, token{kind: 'l', text: s[i : j+1], val: b.String()})
			i = j + 1
		case c == '$':
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\r\n()=!<>&|", rune(s[j])) {
				j++
			}
			e, err := Parse(s[i:j])
			if err != nil {
				return err
			}
			p.toks = append(p.toks, token{kind: 'e', text: s[i:j], expr: e})
			i = j
		default:
			if op := matchOperator(s[i:]); op != "" {
				p.toks = append(p.toks, token{kind: 'o', text: op})
				i += len(op)
				continue
			}
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\r\n()=!<>&|'", rune(s[j])) {
				j++
			}
			word := s[i:j]
			var v any
			switch word {
			case "true":
				v = true
			case "false":
				v = false
			case "null":
			default:
				f, err := strconv.ParseFloat(word, 64)
				if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
					return syntaxErr(p.raw, "%q is not a literal, operator or runtime expression", word)
				}
				v = f
			}
			p.toks = append(p.toks, token{kind: 'l', text: word, val: v})
			i = j
		}
	}
	return nil
}

func matchOperator(s string) string {
	for _, op := range operators {
		if strings.HasPrefix(s, op) {
			return op
		}
	}
	return ""
}

func (p *condParser) peekOp(ops ...string) string {
	if p.pos < len(p.toks) && p.toks[p.pos].kind == 'o' {
		for _, op := range ops {
			if p.toks[p.pos].text == op {
				return op
			}
		}
	}
	return ""
}

func (p *condParser) or() (node, error) {
	l, err := p.and()
	for err == nil && p.peekOp("||") != "" {
		p.pos++
		var r node
		if r, err = p.and(); err == nil {
			l = binary{op: "||", l: l, r: r}
		}
	}
	return l, err
}

func (p *condParser) and() (node, error) {
	l, err := p.cmp()
	for err == nil && p.peekOp("&&") != "" {
		p.pos++
		var r node
		if r, err = p.cmp(); err == nil {
			l = binary{op: "&&", l: l, r: r}
		}
	}
	return l, err
}

func (p *condParser) cmp() (node, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	if op := p.peekOp("==", "!=", "<", "<=", ">", ">="); op != "" {
		p.pos++
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		if p.peekOp("==", "!=", "<", "<=", ">", ">=") != "" {
			return nil, syntaxErr(p.raw, "comparisons do not chain; use && or parentheses")
		}
		return binary{op: op, l: l, r: r}, nil
	}
	return l, nil
}

func (p *condParser) unary() (node, error) {
	if p.pos >= len(p.toks) {
		return nil, syntaxErr(p.raw, "unexpected end of condition")
	}
	t := p.toks[p.pos]
	p.pos++
	switch t.kind {
	case 'o':
		if t.text != "!" {
			return nil, syntaxErr(p.raw, "unexpected operator %q", t.text)
		}
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return notNode{x: x}, nil
	case '(':
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.pos >= len(p.toks) || p.toks[p.pos].kind != ')' {
			return nil, syntaxErr(p.raw, "missing ')'")
		}
		p.pos++
		return n, nil
	case 'l':
		return literal{v: t.val}, nil
	case 'e':
		return exprNode{e: t.expr}, nil
	}
	return nil, syntaxErr(p.raw, "unexpected %q", t.text)
}
