package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The fast path may only vouch for a response libopenapi-validator finds nothing wrong with.
// Every response example of both documents, and thousands of variants of each (a value
// replaced by another type, null, a string of the wrong format, a property dropped or added,
// an array emptied), go through both: whenever the fast path says "conforms", the library
// must agree.
func TestFastPathNeverVouchesForWhatTheLibraryRejects(t *testing.T) {
	for _, doc := range []struct {
		name string
		data []byte
	}{{"contextgpt.yaml", ContextGPTDocument()}, {"mock-admin.yaml", MockAdminDocument()}} {
		t.Run(doc.name, func(t *testing.T) {
			v, err := NewResponseValidator(doc.data)
			if err != nil {
				t.Fatal(err)
			}
			if v.fast == nil {
				t.Fatal("no fast path for a 3.0 document")
			}
			lib, err := v.library()
			if err != nil {
				t.Fatal(err)
			}
			s := mustLoad(t, doc.data)
			seen, examples, fastExamples, variants, fastVariants := 0, 0, 0, 0, 0
			for _, e := range responseExamples(s) {
				r, path, status, ex := e.route, e.path, e.status, e.value
				seen++
				if raceEnabled && seen%4 != 0 {
					continue // a quarter of the examples under the race detector
				}
				header := exampleHeaders(r, status)
				check := func(body []byte, what string) bool {
					req := httptest.NewRequest(r.Method, path, nil)
					if !v.fast.conforms(r.Method, path, status, header, body) {
						return false
					}
					if p := lib.validate(req, status, header, body); len(p) > 0 {
						t.Errorf("%s %s %d, %s: the fast path vouched for a response the library rejects: %v\nbody: %s",
							r.Method, r.PathTemplate, status, what, p, cutBody(body))
					}
					return true
				}
				raw, err := json.Marshal(ex)
				if err != nil {
					t.Fatal(err)
				}
				examples++
				if check(raw, "the example") {
					fastExamples++
				}
				for _, m := range append(sample(mutations(ex), maxVariants), hugeNumbers(ex)...) {
					body, err := json.Marshal(m.value)
					if err != nil {
						t.Fatal(err)
					}
					variants++
					if check(body, m.what) {
						fastVariants++
					}
				}
			}
			t.Logf("%d examples, %d vouched for by the fast path; %d variants, %d vouched for", examples, fastExamples, variants, fastVariants)
			if examples == 0 || variants < 5*examples {
				t.Fatalf("only %d examples and %d variants: the test checks too little", examples, variants)
			}
			if fastExamples*10 < examples*8 {
				t.Errorf("the fast path vouched for only %d of %d examples: most conforming responses take the slow path", fastExamples, examples)
			}
		})
	}
}

// exampleHeaders gives every header the response declares a value of its type.
func exampleHeaders(r *Route, status int) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	ref := r.Operation.Responses.Value(strconv.Itoa(status))
	if ref == nil || ref.Value == nil {
		return h
	}
	for name, hr := range ref.Value.Headers {
		if hr == nil || hr.Value == nil || hr.Value.Schema == nil || hr.Value.Schema.Value == nil {
			continue
		}
		if hr.Value.Schema.Value.Type.Is("integer") {
			h.Set(name, "7")
		} else {
			h.Set(name, "Sat, 01 Aug 2026 12:00:00 GMT")
		}
	}
	return h
}

// maxVariants bounds the variants of one example (taken evenly from all of them), so the
// test stays a few seconds; fewer under the race detector.
var maxVariants = map[bool]int{false: 30, true: 6}[raceEnabled]

func sample(ms []mutation, n int) []mutation {
	if len(ms) <= n {
		return ms
	}
	out := make([]mutation, 0, n)
	for i := range n {
		out = append(out, ms[i*len(ms)/n])
	}
	return out
}

type mutation struct {
	what  string
	value any
}

// mutations lists variants of a JSON value: at every node, other types and null in its
// place, a wrong date-time and email where a string was, each property dropped, an
// undeclared property added, an array emptied and its first item duplicated.
func mutations(v any) []mutation {
	var out []mutation
	var walk func(path string, node any, replace func(any) any)
	walk = func(path string, node any, replace func(any) any) {
		for _, alt := range []any{nil, "text", 12345, 1.5, true, map[string]any{}, []any{}, "2026-13-45T99:00:00Z", "not an email"} {
			if fmt.Sprint(alt) == fmt.Sprint(node) {
				continue
			}
			out = append(out, mutation{fmt.Sprintf("%s replaced by %#v", path, alt), replace(alt)})
		}
		switch n := node.(type) {
		case map[string]any:
			keys := make([]string, 0, len(n))
			for k := range n {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				without := func() map[string]any {
					c := make(map[string]any, len(n))
					for kk, vv := range n {
						if kk != k {
							c[kk] = vv
						}
					}
					return c
				}
				out = append(out, mutation{path + "/" + k + " dropped", replace(without())})
				walk(path+"/"+k, n[k], func(x any) any {
					c := without()
					c[k] = x
					return replace(c)
				})
			}
			added := map[string]any{"zzUndeclared": 1}
			for k, vv := range n {
				added[k] = vv
			}
			out = append(out, mutation{path + " with an undeclared property", replace(added)})
		case []any:
			out = append(out, mutation{path + " emptied", replace([]any{})})
			if len(n) > 0 {
				out = append(out, mutation{path + " first item twice", replace(append([]any{n[0]}, n...))})
				walk(path+"/0", n[0], func(x any) any {
					c := append([]any{x}, n[1:]...)
					return replace(c)
				})
			}
		}
	}
	walk("", v, func(x any) any { return x })
	return out
}

// hugeNumbers lists variants with numbers a float64 cannot hold (the library's decoding
// rejects them): every number of v replaced by one, and one added to every object, where
// only an additionalProperties schema or a free-form map lets it through.
func hugeNumbers(v any) []mutation {
	huge := []any{json.Number("1e400"), json.Number("-1e400"), json.Number(strings.Repeat("9", 400))}
	var out []mutation
	var walk func(path string, node any, replace func(any) any)
	walk = func(path string, node any, replace func(any) any) {
		switch n := node.(type) {
		case float64:
			for _, h := range huge {
				out = append(out, mutation{fmt.Sprintf("%s replaced by %.12s", path, h), replace(h)})
			}
		case map[string]any:
			clone := func() map[string]any {
				c := make(map[string]any, len(n)+1)
				for k, vv := range n {
					c[k] = vv
				}
				return c
			}
			added := clone()
			added["zzHuge"] = huge[0]
			out = append(out, mutation{path + " with an added 1e400", replace(added)})
			for k, vv := range n {
				walk(path+"/"+k, vv, func(x any) any {
					c := clone()
					c[k] = x
					return replace(c)
				})
			}
		case []any:
			for i, vv := range n {
				walk(fmt.Sprintf("%s/%d", path, i), vv, func(x any) any {
					c := append([]any(nil), n...)
					c[i] = x
					return replace(c)
				})
			}
		}
	}
	walk("", v, func(x any) any { return x })
	return out
}

// A number a float64 cannot hold is never vouched for, in a typed field without bounds or in
// a free-form one (the library cannot decode the body).
func TestFastPathRefusesNumbersBeyondFloat64(t *testing.T) {
	v, err := NewResponseValidator(ContextGPTDocument())
	if err != nil {
		t.Fatal(err)
	}
	lib, err := v.library()
	if err != nil {
		t.Fatal(err)
	}
	s := mustLoad(t, ContextGPTDocument())
	// A typed integer without bounds, and two numbers of free-form error.details.
	for _, needle := range []string{`"distanceFromBottomDesktop":`, `"details":{"limitBytes":`, `"details":{"retryAfter":`} {
		checked := 0
		number := regexp.MustCompile(regexp.QuoteMeta(needle) + `-?[0-9.eE+-]+`)
		for _, e := range responseExamples(s) {
			r, path, status := e.route, e.path, e.status
			raw, _ := json.Marshal(e.value)
			if !bytes.Contains(raw, []byte(needle)) {
				continue
			}
			h := exampleHeaders(r, status)
			req := httptest.NewRequest(r.Method, path, nil)
			if !v.fast.conforms(r.Method, path, status, h, raw) {
				t.Fatalf("%s %s %d: the example itself is not vouched for", r.Method, r.PathTemplate, status)
			}
			for _, huge := range []string{"1e400", "-1e400", strings.Repeat("9", 400)} {
				body := number.ReplaceAll(raw, []byte(needle+huge))
				if v.fast.conforms(r.Method, path, status, h, body) {
					t.Errorf("%s %s %d: %s%.12s vouched for", r.Method, r.PathTemplate, status, needle, huge)
				}
				if len(lib.validate(req, status, h, body)) == 0 {
					t.Errorf("%s %s %d: %s%.12s: the library accepts it too", r.Method, r.PathTemplate, status, needle, huge)
				}
			}
			checked++
		}
		if checked == 0 {
			t.Errorf("no example has %s", needle)
		}
	}
}

// responseExample is one declared response's example, with a concrete path for its route.
type responseExample struct {
	route  *Route
	path   string
	status int
	value  any
}

// responseExamples lists every response example of the document, route by route.
func responseExamples(s *Spec) []responseExample {
	var out []responseExample
	for _, r := range s.Routes() {
		path := pathParam.ReplaceAllString(r.PathTemplate, "x")
		for _, code := range r.DeclaredStatuses() {
			status, err := strconv.Atoi(code)
			if err != nil {
				continue
			}
			if ex := r.ResponseExample(status); ex != nil {
				out = append(out, responseExample{route: r, path: path, status: status, value: ex})
			}
		}
	}
	return out
}

func cutBody(b []byte) string {
	s := string(b)
	if len(s) > 400 {
		return s[:400] + "…"
	}
	return strings.TrimSpace(s)
}

// The date-time shortcut accepts only what the library's date-time format accepts.
func TestQuickDateTimeIsASubsetOfTheLibrary(t *testing.T) {
	f := (&fastValidator{}).format("date-time")
	if f == nil {
		t.Fatal("no date-time format")
	}
	cases := []string{
		"2026-08-01T12:00:00Z", "2026-08-01T12:00:00.123Z", "2026-08-01T12:00:00+02:00", "2026-08-01T12:00:00-11:30",
		"2024-02-29T00:00:00Z", "2025-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-08-01T24:00:00Z",
		"2026-08-01T12:60:00Z", "2026-08-01T12:00:60Z", "2026-08-01t12:00:00z", "2026-08-01T12:00:00", "2026-08-01 12:00:00Z",
		"2026-08-01T12:00:00.Z", "2026-08-01T12:00:00,5Z", "2026-08-01T12:00:00+24:00", "2026-8-01T12:00:00Z",
		"+2026-08-01T12:00:00Z", "2026-08-01T12:00:00+0200", "1900-02-29T00:00:00Z", "2000-02-29T00:00:00Z",
		"2026-00-10T00:00:00Z", "2026-08-00T00:00:00Z", "2026-08-01T12:00:00.123456789+05:45",
	}
	accepted := 0
	for _, c := range cases {
		lib := f.schema.Validate(c) == nil
		if quickDateTime(c) {
			accepted++
			if !lib {
				t.Errorf("%q: the shortcut accepts, the library does not", c)
			}
		}
		if f.string(c) != lib {
			t.Errorf("%q: the fast path says %t, the library %t", c, f.string(c), lib)
		}
	}
	if accepted < 6 {
		t.Errorf("the shortcut accepted only %d of the cases: it decides too little", accepted)
	}
}

// A path the library does not match (an empty parameter leaves a trailing or double slash)
// is never vouched for: the library reports operation-declared.
func TestFastPathLeavesOddPathsToTheLibrary(t *testing.T) {
	v, err := NewResponseValidator(ContextGPTDocument())
	if err != nil {
		t.Fatal(err)
	}
	body := threadList(t, 2)
	for _, p := range []string{"/api/v1/chatting/361628903185318482/threads/", "/api/v1/chatting//threads", "/api//v1/chatting/1/threads"} {
		if v.fast.conforms(http.MethodGet, p, 200, jsonHeader(), body) {
			t.Errorf("%s: the fast path vouched for it", p)
		}
	}
	if !v.fast.conforms(http.MethodGet, "/api/v1/chatting/361628903185318482/threads", 200, jsonHeader(), body) {
		t.Error("the same list on the right path was not vouched for")
	}
}

// Hostile and large bodies: a 10,000-thread page is vouched for in one pass, a body nested
// 100,000 deep or cut short is refused without a panic (and the library then explains it).
func TestFastPathHostileBodies(t *testing.T) {
	v, err := NewResponseValidator(ContextGPTDocument())
	if err != nil {
		t.Fatal(err)
	}
	req := listThreadsRequest()
	big := bytes.Replace(threadList(t, 10000), []byte(`"limit":10000`), []byte(`"limit":100`), 1) // limit is at most 100
	if !v.fast.conforms(req.Method, req.URL.EscapedPath(), 200, jsonHeader(), big) {
		t.Fatalf("a conforming page of 10,000 threads (%d bytes) was not vouched for", len(big))
	}
	deep := []byte(`{"success":true,"statusCode":200,"message":"x","data":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`)
	cut := big[:len(big)/2]
	for name, body := range map[string][]byte{"nested 100,000 deep": deep, "cut short": cut, "empty": {}, "two values": append(threadList(t, 1), threadList(t, 1)...)} {
		if v.fast.conforms(req.Method, req.URL.EscapedPath(), 200, jsonHeader(), body) {
			t.Errorf("%s: vouched for", name)
		}
		if name != "empty" && name != "two values" && len(v.ValidateResponse(req, 200, jsonHeader(), body)) == 0 {
			t.Errorf("%s: the library found nothing wrong", name)
		}
	}
}
