package spec

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestValidateRequestBodyMatchesKin checks ValidateRequestBody (one decode, the body
// validated against the schema directly) against ValidateRequest (kin-openapi's whole
// path) on every operation of the document that takes a JSON body: its examples, and
// each of them made invalid in every way the mutations below know (a field dropped, null,
// of each wrong type, too long; an unknown field; the body as another JSON type, empty
// object, malformed, duplicate names), under several spellings of the content type. The
// two must return the same field errors and the same MissingRequired, and the fast path
// must have decoded every body it accepted.
func TestValidateRequestBodyMatchesKin(t *testing.T) {
	s := mustLoad(t, ContextGPTDocument())
	param := regexp.MustCompile(`\{[^}]+\}`)
	ops, cases := 0, 0
	for path, item := range s.Doc().Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			mt := op.RequestBody.Value.Content.Get("application/json")
			if mt == nil {
				continue
			}
			ops++
			url := s.BasePath() + param.ReplaceAllString(path, "361628903185300001")
			bodies := requestBodyCases(t, mt)
			for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON", "text/plain"} {
				for _, body := range bodies {
					cases++
					compareBodyValidation(t, s, method, url, ct, body)
				}
			}
		}
	}
	t.Logf("%d operations, %d cases", ops, cases)
	if ops < 20 || cases < 1000 {
		t.Fatalf("only %d operations and %d cases: the document's JSON bodies were not found", ops, cases)
	}
}

func compareBodyValidation(t *testing.T, s *Spec, method, url, ct string, body []byte) {
	t.Helper()
	newReq := func() *http.Request {
		r, err := http.NewRequest(method, url, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Content-Type", ct)
		return r
	}
	r := newReq()
	route, err := s.Match(method, r.URL.EscapedPath())
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	want := s.ValidateRequest(context.Background(), r, route)
	value, decoded, got := s.ValidateRequestBody(context.Background(), newReq(), route, body)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s %s (%s) body %s:\n fast path: %v\n kin:       %v", method, url, ct, body, got, want)
	}
	if got == nil && strings.HasPrefix(strings.ToLower(ct), "application/json") && decoded {
		if !json.Valid(body) {
			t.Fatalf("%s %s body %s: decoded, but it is not one JSON value", method, url, body)
		}
		var ref any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&ref); err != nil || !reflect.DeepEqual(value, ref) {
			t.Fatalf("%s %s body %s: decoded %#v, want %#v", method, url, body, value, ref)
		}
	}
	if got != nil && (decoded || value != nil) {
		t.Fatalf("%s %s body %s: an invalid body handed on a value (%v)", method, url, body, value)
	}
}

// requestBodyCases are a media type's examples and every mutation of each.
func requestBodyCases(t *testing.T, mt *openapi3.MediaType) [][]byte {
	var examples []any
	if mt.Example != nil {
		examples = append(examples, mt.Example)
	}
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range mt.Examples {
			if !yield(k) {
				return
			}
		}
	}) {
		if ex := mt.Examples[name]; ex != nil && ex.Value != nil && ex.Value.Value != nil {
			examples = append(examples, ex.Value.Value)
		}
	}
	if mt.Schema != nil && mt.Schema.Value != nil && mt.Schema.Value.Example != nil {
		examples = append(examples, mt.Schema.Value.Example)
	}
	examples = append(examples, map[string]any{})
	out := [][]byte{[]byte(`{`), []byte(`[]`), []byte(`"text"`), []byte(`12`), []byte(`null`), []byte(`true`),
		[]byte(`{"a":1,"a":2}`), []byte(`{} {}`), []byte(`{} x`), []byte("{}\n\t "), []byte(` {"x": 1e400}`)}
	wrong := []any{nil, "", strings.Repeat("x", 5000), 12, -1.5, 1e300, true, []any{}, []any{"a", 1}, map[string]any{}, map[string]any{"k": nil}}
	add := func(v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	for _, ex := range examples {
		add(ex)
		obj, ok := ex.(map[string]any)
		if !ok {
			if arr, ok := ex.([]any); ok && len(arr) > 0 {
				add([]any{})
				add(append(slices.Clone(arr), nil))
				for _, w := range wrong {
					add([]any{w})
				}
				if first, ok := arr[0].(map[string]any); ok {
					for k := range first {
						for _, w := range wrong {
							add([]any{with(first, k, w)})
						}
					}
				}
			}
			continue
		}
		add(with(obj, "unknownField", "x"))
		for k := range obj {
			add(without(obj, k))
			for _, w := range wrong {
				add(with(obj, k, w))
			}
		}
	}
	return out
}

func with(obj map[string]any, k string, v any) map[string]any {
	out := make(map[string]any, len(obj)+1)
	for key, val := range obj {
		out[key] = val
	}
	out[k] = v
	return out
}

func without(obj map[string]any, k string) map[string]any {
	out := with(obj, k, nil)
	delete(out, k)
	return out
}
