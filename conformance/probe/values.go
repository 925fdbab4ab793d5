package probe

import (
	"math"
	"math/rand/v2"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// props returns the properties and required names of an object schema, allOf merged.
func props(s *openapi3.Schema) (map[string]*openapi3.Schema, []string) {
	out := map[string]*openapi3.Schema{}
	var req []string
	if s == nil {
		return out, nil
	}
	for _, sub := range s.AllOf {
		if sub.Value == nil {
			continue
		}
		p, r := props(sub.Value)
		for k, v := range p {
			out[k] = v
		}
		req = append(req, r...)
	}
	for k, v := range s.Properties {
		if v.Value != nil {
			out[k] = v.Value
		}
	}
	return out, append(req, s.Required...)
}

func is(s *openapi3.Schema, typ string) bool { return s != nil && s.Type != nil && s.Type.Is(typ) }

// valid builds a value the schema accepts: its example or default, the first enum value,
// or a value of its type within its bounds. It gives up (nil, false) on what it cannot know
// (a pattern without an example, a oneOf).
func valid(s *openapi3.Schema, depth int) (any, bool) {
	if s == nil || depth > 6 {
		return nil, false
	}
	if s.Example != nil {
		return s.Example, true
	}
	if s.Default != nil {
		return s.Default, true
	}
	if len(s.Enum) > 0 {
		return s.Enum[0], true
	}
	switch {
	case is(s, "string"):
		if s.Pattern != "" {
			return nil, false
		}
		switch s.Format {
		case "email":
			return "probe@example.com", true
		case "uri", "url":
			return "https://example.com/probe", true
		case "date-time":
			return "2026-01-01T00:00:00Z", true
		case "date":
			return "2026-01-01", true
		case "uuid":
			return "00000000-0000-4000-8000-000000000001", true
		}
		n := max(int(s.MinLength), 5)
		if s.MaxLength != nil {
			n = min(n, int(*s.MaxLength))
		}
		return strings.Repeat("p", n), true
	case is(s, "integer"), is(s, "number"):
		v := 1.0
		if s.Min != nil {
			v = math.Max(v, *s.Min)
		}
		if s.Max != nil {
			v = math.Min(v, *s.Max)
		}
		return v, true
	case is(s, "boolean"):
		return true, true
	case is(s, "array"):
		if s.MinItems == 0 || s.Items == nil {
			return []any{}, true
		}
		v, ok := valid(s.Items.Value, depth+1)
		if !ok {
			return nil, false
		}
		out := make([]any, s.MinItems)
		for i := range out {
			out[i] = v
		}
		return out, true
	case is(s, "object") || len(s.Properties) > 0 || len(s.AllOf) > 0:
		ps, req := props(s)
		out := map[string]any{}
		for _, name := range req {
			v, ok := valid(ps[name], depth+1)
			if !ok {
				return nil, false
			}
			out[name] = v
		}
		return out, true
	}
	return nil, false
}

// wrongType is a value of another JSON type than the schema's (nil when the schema has no
// single type).
func wrongType(s *openapi3.Schema) any {
	switch {
	case is(s, "string"):
		return 12345
	case is(s, "integer"), is(s, "number"):
		return "not-a-number"
	case is(s, "boolean"):
		return "not-a-boolean"
	case is(s, "array"):
		return "not-an-array"
	case is(s, "object"):
		return "not-an-object"
	}
	return nil
}

type intner interface{ IntN(int) int }

// token is a deterministic string of n characters from [a-z0-9].
func token(rng intner, n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[rng.IntN(len(letters))]
	}
	return string(b)
}

// unknownLike is an id of the same shape as known that no server holds: digits stay digits
// (of the same length), a UUID stays a UUID, anything else becomes a probe token.
func unknownLike(known string, rng *rand.Rand) string {
	switch {
	case known != "" && strings.Trim(known, "0123456789") == "":
		b := []byte(known)
		for i := range b {
			b[i] = '9'
		}
		if len(b) > 4 {
			copy(b[len(b)-4:], []byte("0"+token(digitRand{rng}, 3)))
		}
		return string(b)
	case len(known) == 36 && strings.Count(known, "-") == 4:
		return "00000000-0000-4000-8000-" + token(rng, 12)
	}
	return "probe-unknown-" + token(rng, 10)
}

// digitRand makes token draw digits only: IntN over 36 letters, mapped into 0-9.
type digitRand struct{ r *rand.Rand }

func (d digitRand) IntN(int) int { return 26 + d.r.IntN(10) }
