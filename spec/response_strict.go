package spec

import (
	"mime"
	"strings"

	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// declaredMapEntry tells whether the undeclared property at pointer (strict mode) is an entry
// of a map the schema declares with an additionalProperties schema (e.g. the sink's headers):
// libopenapi-validator's strict mode flags those too, but a schema-valued
// additionalProperties is the document declaring the object as a map, so its entries are
// declared. A bare `additionalProperties: true` declares nothing and stays flagged.
func declaredMapEntry(op *v3.Operation, status int, contentType, pointer string) bool {
	_, r := responseCode(op, status)
	if r == nil || r.Content == nil {
		return false
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	media := r.Content.GetOrZero(mt)
	if media == nil || media.Schema == nil {
		return false
	}
	segs := strings.Split(strings.TrimPrefix(pointer, "/"), "/")
	if len(segs) == 0 || segs[0] == "" {
		return false
	}
	s := media.Schema.Schema()
	for _, seg := range segs[:len(segs)-1] {
		seg = strings.NewReplacer("~1", "/", "~0", "~").Replace(seg)
		entry := s != nil && s.AdditionalProperties != nil && s.AdditionalProperties.IsA() &&
			(s.Properties == nil || s.Properties.GetOrZero(seg) == nil)
		s = childSchema(s, seg)
		if s == nil {
			return false
		}
		if entry && anySchema(s) {
			return true // inside an entry of a map of anything: free-form by declaration
		}
	}
	return s != nil && s.AdditionalProperties != nil && s.AdditionalProperties.IsA() &&
		(s.Properties == nil || s.Properties.GetOrZero(segs[len(segs)-1]) == nil)
}

// childSchema gives the schema of s's member seg (a property, a map entry or an array item),
// looking into allOf parts; nil when it cannot tell.
func childSchema(s *base.Schema, seg string) *base.Schema {
	if s == nil {
		return nil
	}
	if s.Properties != nil {
		if p := s.Properties.GetOrZero(seg); p != nil {
			return p.Schema()
		}
	}
	if s.Items != nil && s.Items.IsA() && seg != "" && strings.Trim(seg, "0123456789") == "" {
		return s.Items.A.Schema()
	}
	for _, part := range s.AllOf {
		if c := childSchema(part.Schema(), seg); c != nil {
			return c
		}
	}
	if s.AdditionalProperties != nil && s.AdditionalProperties.IsA() {
		return s.AdditionalProperties.A.Schema()
	}
	return nil
}

// anySchema tells whether s declares nothing about a value's members (`{}` or a bare type),
// or is an anyOf with such a branch (the spec's "any value, null included": `anyOf: [{},
// {type: object, nullable: true}]`, which OpenAPI 3.0 readers with and without nullable on
// untyped schemas read alike).
func anySchema(s *base.Schema) bool {
	if s == nil {
		return false
	}
	if (s.Properties == nil || s.Properties.Len() == 0) && s.Items == nil && s.AdditionalProperties == nil &&
		len(s.AllOf)+len(s.OneOf)+len(s.AnyOf) == 0 {
		return true
	}
	if len(s.AllOf)+len(s.OneOf) == 0 && (s.Properties == nil || s.Properties.Len() == 0) {
		for _, b := range s.AnyOf {
			if anySchema(b.Schema()) {
				return true
			}
		}
	}
	return false
}
