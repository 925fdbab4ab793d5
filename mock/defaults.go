package mock

import (
	"github.com/getkin/kin-openapi/openapi3"

	"github.com/contextgpt/sandbox/mock/store"
)

// defaultsFor returns a fresh, complete document for the named component schema of the
// served spec (e.g. "AppearanceSettings", "LeadSettings"): every property present, with its
// `default`, else null when nullable, else the zero value of its type (nested objects are
// filled the same way, arrays are empty). The templates are built once in New
// (buildDefaults); each call deep-copies one, so callers may modify the result freely.
// An unknown name gives an empty document.
func (m *Mock) defaultsFor(schemaName string) store.Doc {
	t, ok := m.defaults[schemaName]
	if !ok {
		return store.Doc{}
	}
	return cloneValue(t).(store.Doc)
}

// buildDefaults builds the default document of every object schema under components.
func buildDefaults(doc *openapi3.T) map[string]store.Doc {
	out := map[string]store.Doc{}
	if doc == nil || doc.Components == nil {
		return out
	}
	for name, ref := range doc.Components.Schemas {
		if ref == nil || ref.Value == nil {
			continue
		}
		if d, ok := schemaDefault(ref.Value, 0).(map[string]any); ok {
			out[name] = d
		}
	}
	return out
}

// maxDefaultDepth bounds recursion through self-referencing schemas.
const maxDefaultDepth = 8

// schemaDefault is the default value of one schema: its `default`, else null when
// nullable, else the zero value of its type. Objects get every property (allOf merged).
func schemaDefault(s *openapi3.Schema, depth int) any {
	if s == nil {
		return nil
	}
	if s.Default != nil {
		return normalizeDefault(s, cloneValue(s.Default))
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

// cloneValue deep-copies a JSON-like value (maps, slices and scalars).
func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = cloneValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneValue(e)
		}
		return out
	default:
		return v
	}
}
