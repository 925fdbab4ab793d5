// Package fake generates realistic, schema-valid data from kin-openapi schemas with
// gofakeit v7, deterministically from a seed. The mock answers operations that have no
// domain handler (and any document given with --spec) with it.
package fake

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/brianvoe/gofakeit/v7"
	"github.com/getkin/kin-openapi/openapi3"
)

// Direction says which side of an exchange a value is for: readOnly properties appear
// only in responses, writeOnly properties only in requests.
type Direction int

// The directions.
const (
	Response Direction = iota
	Request
)

// Generator makes values from schemas. It is safe for concurrent use.
type Generator struct {
	seed  int64
	faker *gofakeit.Faker // locked by gofakeit itself
}

// New returns a generator; the same seed gives the same values for the same calls.
func New(seed int64) *Generator {
	return &Generator{seed: seed, faker: gofakeit.New(nonZero(uint64(seed)))}
}

// Value generates a response value for schema; name is the property name (it steers
// string and number heuristics, e.g. "email", "createdAt", "phone"), "" when unknown.
// Successive calls continue one seeded sequence.
func (g *Generator) Value(schema *openapi3.Schema, name string) any {
	return g.ValueFor(Response, schema, name)
}

// ValueFor is Value for either direction.
func (g *Generator) ValueFor(dir Direction, schema *openapi3.Schema, name string) any {
	w := walker{f: g.faker, dir: dir}
	return w.value(schema, name, 0)
}

// Response answers an operation from its first 2xx response (by status code): the media
// type's `example` (or its first named example) if present, else a generated body. JSON
// is preferred among media types. A body with an integer `statusCode` property gets the
// status (the ContextGPT envelope's invariant). Each operation's body is a function of the
// seed and the operation alone, so it is the same whatever order requests come in.
// An operation without a 2xx response answers 204 with no body; a response without
// content answers its status with no body (contentType "").
func (g *Generator) Response(op *openapi3.Operation) (status int, contentType string, body any) {
	code, resp := successResponse(op)
	if resp == nil {
		return http.StatusNoContent, "", nil
	}
	status = code
	ct, mt := pickMediaType(resp.Content)
	if mt == nil {
		return status, "", nil
	}
	if mt.Example != nil {
		return status, ct, mt.Example
	}
	if len(mt.Examples) > 0 {
		names := make([]string, 0, len(mt.Examples))
		for n := range mt.Examples {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if ex := mt.Examples[n]; ex != nil && ex.Value != nil && ex.Value.Value != nil {
				return status, ct, ex.Value.Value
			}
		}
	}
	if mt.Schema == nil || mt.Schema.Value == nil {
		return status, ct, nil
	}
	w := walker{f: gofakeit.New(nonZero(g.opSeed(op))), dir: Response}
	body = w.value(mt.Schema.Value, "", 0)
	if obj, ok := body.(map[string]any); ok {
		if p := mt.Schema.Value.Properties["statusCode"]; p != nil && p.Value != nil && p.Value.Type.Is(openapi3.TypeInteger) {
			obj["statusCode"] = status
		}
	}
	return status, ct, body
}

// opSeed mixes the generator's seed with the operation's identity.
func (g *Generator) opSeed(op *openapi3.Operation) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(strconv.FormatInt(g.seed, 10)))
	_, _ = h.Write([]byte{0})
	_, _ = h.Write([]byte(op.OperationID))
	if op.OperationID == "" {
		_, _ = h.Write([]byte(op.Summary))
	}
	return h.Sum64()
}

func nonZero(s uint64) uint64 {
	if s == 0 {
		return 0x9e3779b97f4a7c15 // gofakeit treats 0 as "random"
	}
	return s
}

// successResponse finds the first 2xx response: exact codes in order, then "2XX".
func successResponse(op *openapi3.Operation) (int, *openapi3.Response) {
	if op == nil || op.Responses == nil {
		return 0, nil
	}
	codes := []int{}
	var ranged *openapi3.Response
	for k, ref := range op.Responses.Map() {
		if ref == nil || ref.Value == nil {
			continue
		}
		if strings.EqualFold(k, "2XX") {
			ranged = ref.Value
			continue
		}
		if n, err := strconv.Atoi(k); err == nil && n >= 200 && n < 300 {
			codes = append(codes, n)
		}
	}
	if len(codes) > 0 {
		sort.Ints(codes)
		return codes[0], op.Responses.Value(strconv.Itoa(codes[0])).Value
	}
	if ranged != nil {
		return http.StatusOK, ranged
	}
	return 0, nil
}

// pickMediaType prefers application/json, then any +json type, then the first by name.
func pickMediaType(content openapi3.Content) (string, *openapi3.MediaType) {
	if len(content) == 0 {
		return "", nil
	}
	if mt := content["application/json"]; mt != nil {
		return "application/json", mt
	}
	names := make([]string, 0, len(content))
	for n := range content {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if strings.HasSuffix(n, "+json") {
			return n, content[n]
		}
	}
	return names[0], content[names[0]]
}

// walker generates one value; it carries the faker and the direction.
type walker struct {
	f   *gofakeit.Faker
	dir Direction
}

// maxDepth bounds recursion through self-referencing schemas.
const maxDepth = 12

func (w walker) value(s *openapi3.Schema, name string, depth int) any {
	if s == nil {
		return nil
	}
	if depth > maxDepth {
		if s.Nullable {
			return nil
		}
		return w.zero(s)
	}
	// A nullable value is usually present; null now and then shows clients the case.
	if s.Nullable && w.f.IntN(10) == 0 {
		return nil
	}
	if len(s.Enum) > 0 {
		return w.enum(s)
	}
	if len(s.AllOf) > 0 {
		return w.allOf(s, name, depth)
	}
	if len(s.OneOf) > 0 {
		return w.oneOf(s, name, depth)
	}
	if len(s.AnyOf) > 0 {
		ref := s.AnyOf[w.f.IntN(len(s.AnyOf))]
		if ref != nil && ref.Value != nil {
			return w.value(ref.Value, name, depth+1)
		}
	}
	switch {
	case s.Type.Is(openapi3.TypeString):
		return w.str(s, name)
	case s.Type.Is(openapi3.TypeInteger):
		return w.integer(s, name)
	case s.Type.Is(openapi3.TypeNumber):
		return w.number(s, name)
	case s.Type.Is(openapi3.TypeBoolean):
		return w.f.Bool()
	case s.Type.Is(openapi3.TypeArray):
		return w.array(s, name, depth)
	case s.Type.Is(openapi3.TypeObject), len(s.Properties) > 0:
		return w.object(s, depth)
	case s.Items != nil:
		return w.array(s, name, depth)
	}
	// No type: anything validates; a word is the most useful.
	return w.f.Word()
}

func (w walker) enum(s *openapi3.Schema) any {
	vals := make([]any, 0, len(s.Enum))
	for _, v := range s.Enum {
		if v != nil || s.Nullable {
			vals = append(vals, v)
		}
	}
	if len(vals) == 0 {
		return nil
	}
	return vals[w.f.IntN(len(vals))]
}

// zero is the smallest valid value of a schema (used past the depth bound).
func (w walker) zero(s *openapi3.Schema) any {
	switch {
	case len(s.Enum) > 0:
		return s.Enum[0]
	case s.Type.Is(openapi3.TypeString):
		return strings.Repeat("a", int(s.MinLength))
	case s.Type.Is(openapi3.TypeInteger), s.Type.Is(openapi3.TypeNumber):
		if s.Min != nil {
			return math.Ceil(*s.Min)
		}
		return 0
	case s.Type.Is(openapi3.TypeBoolean):
		return false
	case s.Type.Is(openapi3.TypeArray):
		return []any{}
	}
	return map[string]any{}
}

// allOf merges the parts' objects (a lone part, e.g. a nullable $ref wrapper, is used as is).
func (w walker) allOf(s *openapi3.Schema, name string, depth int) any {
	var merged map[string]any
	var last any
	for _, ref := range s.AllOf {
		if ref == nil || ref.Value == nil {
			continue
		}
		v := w.value(nonNull(ref.Value), name, depth+1)
		if obj, ok := v.(map[string]any); ok {
			if merged == nil {
				merged = map[string]any{}
			}
			for k, e := range obj {
				merged[k] = e
			}
			continue
		}
		last = v
	}
	if len(s.Properties) > 0 {
		if obj, ok := w.object(s, depth).(map[string]any); ok {
			if merged == nil {
				merged = map[string]any{}
			}
			for k, e := range obj {
				merged[k] = e
			}
		}
	}
	if merged != nil {
		return merged
	}
	return last
}

// nonNull is a schema's non-nullable copy when the wrapper decided on a value already.
func nonNull(s *openapi3.Schema) *openapi3.Schema {
	if !s.Nullable {
		return s
	}
	c := *s
	c.Nullable = false
	return &c
}

// oneOf tries the variants from a random start and keeps the first value that matches
// exactly one of them (the first value generated when none does).
func (w walker) oneOf(s *openapi3.Schema, name string, depth int) any {
	n := len(s.OneOf)
	start := w.f.IntN(n)
	var first any
	for i := 0; i < 3*n; i++ { // up to three rounds: a variant may yield a value that also matches another
		ref := s.OneOf[(start+i)%n]
		if ref == nil || ref.Value == nil {
			continue
		}
		v := w.value(ref.Value, name, depth+1)
		if i == 0 {
			first = v
		}
		if s.VisitJSON(jsonRoundTrip(v)) == nil {
			return v
		}
	}
	return first
}

func jsonRoundTrip(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return v
	}
	return out
}

func (w walker) object(s *openapi3.Schema, depth int) any {
	out := map[string]any{}
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		ref := s.Properties[n]
		if ref == nil || ref.Value == nil {
			continue
		}
		p := ref.Value
		if (w.dir == Response && p.WriteOnly) || (w.dir == Request && p.ReadOnly) {
			continue
		}
		out[n] = w.value(p, n, depth+1)
	}
	if len(s.Properties) == 0 && s.AdditionalProperties.Schema != nil && s.AdditionalProperties.Schema.Value != nil {
		count := 1 + w.f.IntN(3)
		for i := 0; i < count; i++ {
			k := strings.ToLower(w.f.Noun())
			out[k] = w.value(s.AdditionalProperties.Schema.Value, k, depth+1)
		}
	}
	return out
}

func (w walker) array(s *openapi3.Schema, name string, depth int) any {
	lo, hi := int(s.MinItems), 3
	if lo > hi {
		hi = lo
	}
	if s.MaxItems != nil && int(*s.MaxItems) < hi {
		hi = int(*s.MaxItems)
	}
	if lo == 0 && hi > 0 {
		lo = 1 // one item at least shows the item's shape
	}
	count := lo
	if hi > lo {
		count = w.f.IntRange(lo, hi)
	}
	out := make([]any, 0, count)
	if s.Items == nil || s.Items.Value == nil {
		for i := 0; i < count; i++ {
			out = append(out, w.f.Word())
		}
		return out
	}
	item := singular(name)
	seen := map[string]bool{}
	for tries := 0; len(out) < count && tries < count*10; tries++ {
		v := w.value(s.Items.Value, item, depth+1)
		if s.UniqueItems {
			b, _ := json.Marshal(v)
			if seen[string(b)] {
				continue
			}
			seen[string(b)] = true
		}
		out = append(out, v)
	}
	return out
}

// singular turns a list's property name into its items' name ("tags" → "tag").
func singular(name string) string {
	switch {
	case strings.HasSuffix(name, "ies"):
		return strings.TrimSuffix(name, "ies") + "y"
	case strings.HasSuffix(name, "s"):
		return strings.TrimSuffix(name, "s")
	}
	return name
}
