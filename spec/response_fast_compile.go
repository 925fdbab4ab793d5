package spec

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Compiling kin-openapi schemas into the fast path's nodes (see response_fast.go).

// Kinds a node admits (JSON Schema types).
const (
	kindObject uint8 = 1 << iota
	kindArray
	kindString
	kindInteger
	kindNumber
	kindBoolean
)

// fastNode is one compiled schema.
type fastNode struct {
	types    uint8 // 0: any type
	nullable bool

	props        map[string]fastProp
	nRequired    int
	addl         uint8 // addlAny, addlNone or addlSchema
	addlNode     *fastNode
	minProps     int
	maxProps     int // -1: none
	items        *fastNode
	minItems     int
	maxItems     int // -1: none
	minLen       int
	maxLen       int // -1: none
	pattern      *regexp.Regexp
	format       *fastFormat
	min, max     *float64
	exclMin      bool
	exclMax      bool
	enum         []any // string, float64, bool or nil
	allOf        []*fastNode
	anyOf, oneOf []*fastNode
	own          *fastNode // with allOf/anyOf/oneOf: the node's own keywords alone
}

type fastProp struct {
	node     *fastNode
	required int // index among the required properties, -1 when optional
}

const (
	addlAny uint8 = iota
	addlNone
	addlSchema
)

// fastCompiler turns kin-openapi schemas into nodes; err is set on the first keyword the
// fast path does not implement.
type fastCompiler struct {
	f    *fastValidator
	done map[*openapi3.Schema]*fastNode
	err  error
}

// fastKeywords are the schema keywords the fast path implements (or that do not constrain).
var fastKeywords = map[string]bool{
	"type": true, "nullable": true, "properties": true, "required": true, "additionalProperties": true,
	"items": true, "minItems": true, "maxItems": true, "minProperties": true, "maxProperties": true,
	"minLength": true, "maxLength": true, "pattern": true, "enum": true, "minimum": true, "maximum": true,
	"exclusiveMinimum": true, "exclusiveMaximum": true, "format": true, "allOf": true, "anyOf": true, "oneOf": true,
	"description": true, "title": true, "example": true, "examples": true, "default": true, "deprecated": true,
	"externalDocs": true, "xml": true,
}

func (c *fastCompiler) fail(format string, args ...any) *fastNode {
	if c.err == nil {
		c.err = fmt.Errorf(format, args...)
	}
	return nil
}

func (c *fastCompiler) node(s *openapi3.Schema) *fastNode {
	if s == nil {
		return c.fail("unresolved schema")
	}
	if n, ok := c.done[s]; ok {
		return n
	}
	n := &fastNode{maxProps: -1, maxItems: -1, maxLen: -1, nullable: s.Nullable}
	c.done[s] = n // before the children: schemas may refer to themselves
	if err := c.checkKeywords(s); err != nil {
		return c.fail("%v", err)
	}
	c.types(n, s)
	c.object(n, s)
	c.scalars(n, s)
	c.composition(n, s)
	if c.err != nil {
		return nil
	}
	return n
}

func (c *fastCompiler) types(n *fastNode, s *openapi3.Schema) {
	if s.Type != nil && len(*s.Type) > 1 {
		c.fail("several types")
		return
	}
	for _, t := range s.Type.Slice() {
		switch t {
		case openapi3.TypeObject:
			n.types |= kindObject
		case openapi3.TypeArray:
			n.types |= kindArray
		case openapi3.TypeString:
			n.types |= kindString
		case openapi3.TypeInteger:
			n.types |= kindInteger
		case openapi3.TypeNumber:
			n.types |= kindNumber | kindInteger
		case openapi3.TypeBoolean:
			n.types |= kindBoolean
		default:
			c.fail("type %q", t)
		}
	}
}

// object compiles properties, required, additionalProperties and the property counts.
func (c *fastCompiler) object(n *fastNode, s *openapi3.Schema) {
	if len(s.Required) > 64 {
		c.fail("more than 64 required properties")
		return
	}
	if len(s.Properties) > 0 {
		n.props = make(map[string]fastProp, len(s.Properties))
		for name, p := range s.Properties {
			if p == nil {
				c.fail("property %s unresolved", name)
				return
			}
			n.props[name] = fastProp{node: c.node(p.Value), required: -1}
		}
	}
	for _, name := range s.Required {
		p, ok := n.props[name]
		if ok && p.required >= 0 {
			continue // listed twice
		}
		if !ok {
			p = fastProp{} // required, any value
		}
		p.required = n.nRequired
		n.nRequired++
		if n.props == nil {
			n.props = map[string]fastProp{}
		}
		n.props[name] = p
	}
	switch ap := s.AdditionalProperties; {
	case ap.Has != nil && !*ap.Has:
		n.addl = addlNone
	case ap.Schema != nil:
		n.addl, n.addlNode = addlSchema, c.node(ap.Schema.Value)
	}
	n.minProps = int(s.MinProps)
	if s.MaxProps != nil {
		n.maxProps = int(*s.MaxProps)
	}
}

// scalars compiles items and the array, string and number keywords, and enum.
func (c *fastCompiler) scalars(n *fastNode, s *openapi3.Schema) {
	if s.Items != nil {
		n.items = c.node(s.Items.Value)
	}
	n.minItems = int(s.MinItems)
	if s.MaxItems != nil {
		n.maxItems = int(*s.MaxItems)
	}
	n.minLen = int(s.MinLength)
	if s.MaxLength != nil {
		n.maxLen = int(*s.MaxLength)
	}
	if s.Pattern != "" {
		re, err := regexp.Compile(s.Pattern)
		if err != nil {
			c.fail("pattern %q: %v", s.Pattern, err)
			return
		}
		n.pattern = re
	}
	if s.Format != "" {
		if n.format = c.f.format(s.Format); n.format == nil {
			c.fail("format %q", s.Format)
			return
		}
	}
	n.min, n.max = s.Min, s.Max
	n.exclMin, n.exclMax = s.ExclusiveMin.IsTrue(), s.ExclusiveMax.IsTrue()
	if s.ExclusiveMin.Value != nil || s.ExclusiveMax.Value != nil {
		c.fail("numeric exclusive bounds")
		return
	}
	for _, v := range s.Enum {
		switch x := v.(type) {
		case string, float64, bool, nil:
			n.enum = append(n.enum, v)
		case int:
			n.enum = append(n.enum, float64(x))
		default:
			c.fail("enum value %T", v)
			return
		}
	}
}

// composition compiles allOf, anyOf and oneOf, and the node's own keywords apart.
func (c *fastCompiler) composition(n *fastNode, s *openapi3.Schema) {
	for _, list := range []struct {
		in  openapi3.SchemaRefs
		out *[]*fastNode
	}{{s.AllOf, &n.allOf}, {s.AnyOf, &n.anyOf}, {s.OneOf, &n.oneOf}} {
		for _, ref := range list.in {
			if ref == nil {
				c.fail("composition part unresolved")
				return
			}
			*list.out = append(*list.out, c.node(ref.Value))
		}
	}
	if len(n.allOf)+len(n.anyOf)+len(n.oneOf) > 0 {
		if n.nullable {
			c.fail("nullable beside allOf/anyOf/oneOf") // the library adds null alternatives its own way
			return
		}
		own := *n
		own.allOf, own.anyOf, own.oneOf = nil, nil, nil
		n.own = &own
	}
}

// checkKeywords refuses a schema with any keyword outside fastKeywords (kin's own rendering
// of the schema, so a keyword kin knows and the fast path does not is never ignored).
func (c *fastCompiler) checkKeywords(s *openapi3.Schema) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	for k := range m {
		if strings.HasPrefix(k, "x-") {
			continue
		}
		if !fastKeywords[k] {
			return fmt.Errorf("keyword %s", k)
		}
	}
	if s.UniqueItems || s.ReadOnly || s.WriteOnly || s.Not != nil || s.Discriminator != nil || s.MultipleOf != nil {
		return fmt.Errorf("keyword outside the fast path")
	}
	return nil
}
