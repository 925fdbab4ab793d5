package spec

import (
	"reflect"
	"sync"
	"unicode/utf16"

	"github.com/getkin/kin-openapi/openapi3"
)

// A request body schema made only of the keywords below is checked by a small compiled
// acceptor before kin-openapi's VisitJSON: objects (properties, required, any other
// property allowed), strings (minLength, maxLength, enum of strings, format), booleans,
// nullable. It reads each keyword as kin does (string length counted as kin counts it; a
// format is checked by kin itself, on that one value). It only ever says "valid": a body it
// does not accept, and every schema using any other keyword, goes through kin's VisitJSON
// as before, so the errors a client sees are kin's. TestFastBodyAcceptsOnlyWhatKinAccepts
// holds it to that on every operation's examples and their mutations. On a thread create
// it replaces kin's walk of the body (about an eighth of the request's CPU in a profile).

// fastSchema is a compiled schema; nil means "not compiled: ask kin".
type fastSchema struct {
	kind     string // openapi3.TypeObject, TypeString or TypeBoolean
	nullable bool
	// strings
	minLen uint64
	maxLen *uint64
	enum   []string         // nil: no enum
	format *openapi3.Schema // the schema, when it has a format no validator below checks (kin checks the value)
	// formatValidator is the document's validator of the schema's format, the one kin's
	// visitJSONString calls for it (the document's own string formats come first there).
	formatValidator openapi3.StringFormatValidator
	// objects
	required []string
	props    map[string]*fastSchema
}

var fastSchemas sync.Map // *openapi3.Schema → *fastSchema (nil when it cannot be compiled)

// fastBodyAccepts reports whether schema surely accepts value (false: ask kin). formats are
// the document's string format validators (the ones opts hand kin).
func fastBodyAccepts(schema *openapi3.Schema, value any, formats map[string]openapi3.StringFormatValidator, opts []openapi3.SchemaValidationOption) bool {
	f, ok := fastSchemas.Load(schema)
	if !ok {
		f, _ = fastSchemas.LoadOrStore(schema, compileFast(schema, formats, map[*openapi3.Schema]bool{}))
	}
	fs, _ := f.(*fastSchema)
	return fs != nil && fs.accepts(value, opts)
}

// compileFast compiles a schema that uses only the supported keywords, else returns nil.
func compileFast(s *openapi3.Schema, formats map[string]openapi3.StringFormatValidator, visiting map[*openapi3.Schema]bool) *fastSchema {
	if s == nil || visiting[s] || s.Type == nil || len(*s.Type) != 1 {
		return nil
	}
	visiting[s] = true
	defer delete(visiting, s)
	// Every field but the supported and the descriptive ones must be at its zero value.
	rest := *s
	rest.Extensions, rest.Origin, rest.Title, rest.Description, rest.Default, rest.Example = nil, nil, "", "", nil, nil
	rest.ExternalDocs, rest.Deprecated, rest.XML, rest.Examples, rest.Comment = nil, false, nil, nil, ""
	rest.Type, rest.Format, rest.Enum, rest.Nullable, rest.MinLength, rest.MaxLength = nil, "", nil, false, 0, nil
	rest.Required, rest.Properties = nil, nil
	if !reflect.DeepEqual(rest, openapi3.Schema{}) {
		return nil
	}
	f := &fastSchema{kind: (*s.Type)[0], nullable: s.Nullable}
	switch f.kind {
	case openapi3.TypeString:
		if len(s.Required) > 0 || len(s.Properties) > 0 {
			return nil
		}
		f.minLen, f.maxLen = s.MinLength, s.MaxLength
		if s.Enum != nil {
			f.enum = []string{}
			for _, e := range s.Enum {
				str, ok := e.(string)
				if !ok {
					return nil
				}
				f.enum = append(f.enum, str)
			}
		}
		if v, ok := formats[s.Format]; ok && s.Format != "" {
			f.formatValidator = v
		} else if s.Format != "" {
			f.format = s
		}
	case openapi3.TypeObject:
		if s.Format != "" || s.Enum != nil || s.MinLength != 0 || s.MaxLength != nil {
			return nil
		}
		f.required = s.Required
		f.props = map[string]*fastSchema{}
		for name, ref := range s.Properties {
			if ref == nil {
				return nil
			}
			p := compileFast(ref.Value, formats, visiting)
			if p == nil {
				return nil
			}
			f.props[name] = p
		}
	case openapi3.TypeBoolean:
		if s.Format != "" || s.Enum != nil || s.MinLength != 0 || s.MaxLength != nil || len(s.Required) > 0 || len(s.Properties) > 0 {
			return nil
		}
	default:
		return nil
	}
	return f
}

// accepts is true only when kin would accept v too.
func (f *fastSchema) accepts(v any, opts []openapi3.SchemaValidationOption) bool {
	if v == nil {
		return f.nullable
	}
	switch f.kind {
	case openapi3.TypeBoolean:
		_, ok := v.(bool)
		return ok
	case openapi3.TypeString:
		s, ok := v.(string)
		if !ok {
			return false
		}
		if f.minLen != 0 || f.maxLen != nil {
			n := uint64(0)
			for _, r := range s { // as kin counts
				if utf16.IsSurrogate(r) {
					n += 2
				} else {
					n++
				}
			}
			if n < f.minLen || f.maxLen != nil && n > *f.maxLen {
				return false
			}
		}
		if f.enum != nil {
			found := false
			for _, e := range f.enum {
				if e == s {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		if f.formatValidator != nil {
			return f.formatValidator.Validate(s) == nil
		}
		return f.format == nil || f.format.VisitJSON(s, opts...) == nil
	case openapi3.TypeObject:
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		for _, r := range f.required {
			if _, ok := m[r]; !ok {
				return false
			}
		}
		for k, x := range m {
			if p := f.props[k]; p != nil && !p.accepts(x, opts) {
				return false
			}
		}
		return true
	}
	return false
}
