package spec

import (
	"errors"
	"sort"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"
)

// This file is what the mock asks of the document besides matching and validation, so that
// kin-openapi's types stay inside this package: a component schema's properties, the
// default document of a component schema, an operation's declared responses and examples.

// Property is one property of a component schema.
type Property struct {
	// Type is the property's JSON Schema type ("string", "integer", "boolean", "object",
	// "array", "number"), "" when the schema names none.
	Type   string
	schema *openapi3.Schema
}

// Check validates a JSON value (as encoding/json decodes it; ints are accepted for
// numbers) against the property's schema; the error's text is the schema's reason.
func (p *Property) Check(v any) error {
	if n, ok := v.(int); ok {
		v = float64(n) // kin-openapi's VisitJSON expects JSON numbers as float64
	}
	err := p.schema.VisitJSON(v)
	if err == nil {
		return nil
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) && se.Reason != "" {
		return errors.New(se.Reason)
	}
	return err
}

// Properties are the properties of the named component schema (its own, not allOf's);
// false when the document has no such schema.
func (s *Spec) Properties(schemaName string) (map[string]*Property, bool) {
	schema := s.componentSchema(schemaName)
	if schema == nil {
		return nil, false
	}
	out := make(map[string]*Property, len(schema.Properties))
	for name, ref := range schema.Properties {
		if ref == nil || ref.Value == nil {
			continue
		}
		out[name] = &Property{Type: schemaType(ref.Value), schema: ref.Value}
	}
	return out, true
}

func (s *Spec) componentSchema(name string) *openapi3.Schema {
	if s.doc == nil || s.doc.Components == nil {
		return nil
	}
	ref, ok := s.doc.Components.Schemas[name]
	if !ok || ref == nil {
		return nil
	}
	return ref.Value
}

func schemaType(s *openapi3.Schema) string {
	if s.Type == nil || len(*s.Type) == 0 {
		return ""
	}
	return (*s.Type)[0]
}

// Version is the document's info.version.
func (s *Spec) Version() string {
	if s.doc == nil || s.doc.Info == nil {
		return ""
	}
	return s.doc.Info.Version
}

// NeedsAuth tells whether an operation declares security (its own, else the document's).
func (s *Spec) NeedsAuth(r *Route) bool {
	if r.Operation.Security != nil {
		return len(*r.Operation.Security) > 0
	}
	return len(s.doc.Security) > 0
}

// Declares tells whether the operation declares a response for status.
func (r *Route) Declares(status int) bool {
	ref := r.Operation.Responses.Value(strconv.Itoa(status))
	return ref != nil && ref.Value != nil
}

// BodyMediaTypes lists the media types the operation's request body takes, sorted
// ("application/json", "multipart/form-data"); none without a request body.
func (r *Route) BodyMediaTypes() []string {
	rb := r.Operation.RequestBody
	if rb == nil || rb.Value == nil {
		return nil
	}
	out := make([]string, 0, len(rb.Value.Content))
	for mt := range rb.Value.Content {
		out = append(out, mt)
	}
	sort.Strings(out)
	return out
}

// JSONBodyIsArray tells whether the operation's application/json request body is an array
// (a batch, like update-thread).
func (r *Route) JSONBodyIsArray() bool {
	rb := r.Operation.RequestBody
	if rb == nil || rb.Value == nil {
		return false
	}
	mt := rb.Value.Content.Get("application/json")
	return mt != nil && mt.Schema != nil && mt.Schema.Value != nil && mt.Schema.Value.Type.Is(openapi3.TypeArray)
}

// DeclaredStatuses lists the statuses the operation declares, sorted ("200", "400", "default").
func (r *Route) DeclaredStatuses() []string {
	var out []string
	for k := range r.Operation.Responses.Map() {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ResponseExample is the JSON example of the operation's response for status: `example`,
// else the first of `examples` by name; nil when it has none.
func (r *Route) ResponseExample(status int) any {
	ref := r.Operation.Responses.Value(strconv.Itoa(status))
	if ref == nil || ref.Value == nil {
		return nil
	}
	mt := ref.Value.Content.Get("application/json")
	if mt == nil {
		return nil
	}
	if mt.Example != nil {
		return mt.Example
	}
	names := make([]string, 0, len(mt.Examples))
	for n := range mt.Examples {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if ex := mt.Examples[n]; ex != nil && ex.Value != nil {
			return ex.Value.Value
		}
	}
	return nil
}

// maxDefaultDepth bounds recursion through self-referencing schemas.
const maxDefaultDepth = 8

// Defaults builds the default document of every object schema under components: every
// property present, with its `default`, else null when nullable, else the zero value of its
// type (nested objects filled the same way, arrays empty). Each call builds fresh values.
func (s *Spec) Defaults() map[string]map[string]any {
	out := map[string]map[string]any{}
	if s.doc == nil || s.doc.Components == nil {
		return out
	}
	for name, ref := range s.doc.Components.Schemas {
		if ref == nil || ref.Value == nil {
			continue
		}
		if d, ok := schemaDefault(ref.Value, 0).(map[string]any); ok {
			out[name] = d
		}
	}
	return out
}

// schemaDefault is the default value of one schema: its `default`, else null when
// nullable, else the zero value of its type. Objects get every property (allOf merged).
func schemaDefault(s *openapi3.Schema, depth int) any {
	if s == nil {
		return nil
	}
	if s.Default != nil {
		return normalizeDefault(s, cloneJSON(s.Default))
	}
	if s.Nullable {
		return nil
	}
	if depth > maxDefaultDepth {
		return nil
	}
	switch {
	case s.Type.Is(openapi3.TypeString):
		return ""
	case s.Type.Is(openapi3.TypeBoolean):
		return false
	case s.Type.Is(openapi3.TypeInteger):
		return 0
	case s.Type.Is(openapi3.TypeNumber):
		return 0.0
	case s.Type.Is(openapi3.TypeArray):
		return []any{}
	case s.Type.Is(openapi3.TypeObject) || len(s.Properties) > 0 || len(s.AllOf) > 0:
		obj := map[string]any{}
		for _, part := range s.AllOf {
			if part == nil || part.Value == nil {
				continue
			}
			if sub, ok := schemaDefault(part.Value, depth+1).(map[string]any); ok {
				for k, v := range sub {
					obj[k] = v
				}
			}
		}
		for name, p := range s.Properties {
			if p == nil || p.Value == nil {
				continue
			}
			obj[name] = schemaDefault(p.Value, depth+1)
		}
		return obj
	}
	return nil
}

// normalizeDefault turns an integer schema's float64 default (as JSON decodes it) into an int.
func normalizeDefault(s *openapi3.Schema, v any) any {
	if f, ok := v.(float64); ok && s.Type.Is(openapi3.TypeInteger) && f == float64(int(f)) {
		return int(f)
	}
	return v
}

// cloneJSON deep-copies a JSON-like value (maps, slices and scalars).
func cloneJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = cloneJSON(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneJSON(e)
		}
		return out
	default:
		return v
	}
}
