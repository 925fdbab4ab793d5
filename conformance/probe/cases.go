package probe

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/contextgpt/sandbox/spec"
)

// auth says which credentials a case sends.
type auth int

const (
	authMain      auth = iota // the probed account's key
	authNone                  // no Authorization header
	authMalformed             // an Authorization header that is not a bearer token
	authUnknown               // a well-formed key no account has
	authPlan                  // a key of a plan without API access (plan in testCase.plan)
)

// testCase is one generated request and what must come back.
type testCase struct {
	rt   *spec.Route
	name string
	kind string // auth, cross-account, unknown-id, method, body, query, boundary, valid, size, rate-limit
	// write marks a request expected to succeed that changes state: it runs only on the
	// probe's own chatbot.
	write  bool
	auth   auth
	plan   string
	method string            // default: the route's
	ids    map[string]string // path parameters replaced (unknown ids, another account's)
	other  bool              // address the other account's chatbot (cross-account)
	query  url.Values        // nil: the route's required query parameters with valid values
	body   []byte            // nil with hasBody false: the route's example body when it has one
	// hasBody says body is set (even empty); contentType defaults to application/json.
	hasBody     bool
	contentType string
	// expect lists the statuses the case accepts; nil accepts every declared status but
	// notStatus.
	expect    []int
	notStatus []int
	wantCode  string   // the error.code the case must get, when the contract documents it
	fieldPath []string // errors[].path that must name the field at fault
	allow     []string // a 405's Allow must list these methods
	limit     int      // a page of this size was asked for: check the pagination
	page      int
	count     bool   // the response counts in the (operation, status) table
	skip      string // why the case cannot run
}

// bodySchema is the route's JSON request body schema and example.
func bodySchema(rt *spec.Route) (schema *openapi3.Schema, example any, required bool, ok bool) {
	if rt.Operation.RequestBody == nil || rt.Operation.RequestBody.Value == nil {
		return nil, nil, false, false
	}
	rb := rt.Operation.RequestBody.Value
	mt := rb.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return nil, nil, rb.Required, false
	}
	example = mt.Example
	if example == nil {
		for _, name := range slices.Sorted(maps.Keys(mt.Examples)) {
			if ex := mt.Examples[name]; ex.Value != nil && ex.Value.Value != nil {
				example = ex.Value.Value
				break
			}
		}
	}
	if example == nil {
		example, _ = valid(mt.Schema.Value, 0)
	}
	return mt.Schema.Value, example, rb.Required, true
}

func params(rt *spec.Route, in string) []*openapi3.Parameter {
	var out []*openapi3.Parameter
	seen := map[string]bool{}
	for _, list := range []openapi3.Parameters{rt.Operation.Parameters, rt.PathItem.Parameters} {
		for _, ref := range list {
			if ref.Value != nil && ref.Value.In == in && !seen[ref.Value.Name] {
				seen[ref.Value.Name] = true
				out = append(out, ref.Value)
			}
		}
	}
	return out
}

func schemaOf(p *openapi3.Parameter) *openapi3.Schema {
	if p.Schema == nil {
		return nil
	}
	return p.Schema.Value
}

// withField returns a copy of the object body with name set to v (remove: deleted).
func withField(body any, name string, v any, remove bool) any {
	m, ok := body.(map[string]any)
	if !ok {
		return body
	}
	out := make(map[string]any, len(m)+1)
	for k, x := range m {
		out[k] = x
	}
	if remove {
		delete(out, name)
	} else {
		out[name] = v
	}
	return out
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return []byte("null")
	}
	return b
}

// generate lists the cases of one route, in a fixed order: authentication and plan, other
// accounts' and unknown ids, each query parameter, the body, and a valid request.
func (s *session) generate(rt *spec.Route) []*testCase {
	l := &routeCases{s: s, rt: rt}
	l.auth()
	l.ids()
	for _, q := range params(rt, "query") {
		l.query(q)
	}
	schema, hasBody := l.body()
	l.valid(schema, hasBody)
	return l.out
}

// routeCases collects the cases of one route.
type routeCases struct {
	s   *session
	rt  *spec.Route
	out []*testCase
}

func (l *routeCases) add(c *testCase) {
	c.rt = l.rt
	l.out = append(l.out, c)
}

// pick returns the first of the preferred codes the operation documents for status, or "".
func (l *routeCases) pick(status int, preferred ...string) string {
	codes := allowedCodes(l.rt.Operation.Description, status)
	for _, c := range preferred {
		if slices.Contains(codes, c) {
			return c
		}
	}
	return ""
}

// auth: no, a malformed and an unknown key (401); a key of a plan without API access (403).
func (l *routeCases) auth() {
	s, rt := l.s, l.rt
	if declares(rt, 401) {
		l.add(&testCase{name: "auth/no-authorization", kind: "auth", auth: authNone, expect: []int{401}, count: true,
			wantCode: l.pick(401, "MISSING_JWT", "API_KEY_NOT_VALID")})
		l.add(&testCase{name: "auth/malformed", kind: "auth", auth: authMalformed, expect: []int{401}, count: true})
		l.add(&testCase{name: "auth/unknown-key", kind: "auth", auth: authUnknown, expect: []int{401}, count: true,
			wantCode: l.pick(401, "API_KEY_NOT_VALID")})
	}
	if declares(rt, 403) {
		for _, plan := range slices.Sorted(maps.Keys(s.planKeys)) {
			l.add(&testCase{name: "auth/plan-" + plan, kind: "auth", auth: authPlan, plan: plan, expect: []int{403}, count: true,
				wantCode: l.pick(403, "API_ACCESS_NOT_IN_PLAN")})
		}
		if len(s.planKeys) == 0 {
			l.add(&testCase{name: "auth/plan-without-api-access", kind: "auth", expect: []int{403},
				skip: "no key of a plan without API access (--plan-key trial=KEY)"})
		}
	}
}

// ids: another account's resource (its account and chatbot ids with our key), unknown ids
// one path parameter at a time, and ids past their maxLength.
func (l *routeCases) ids() {
	s, rt := l.s, l.rt
	pps := pathParams(rt)
	// Another account's resource may answer what an id nobody holds answers (404 where
	// documented), so as not to tell that it exists.
	if slices.Contains(pps, "chatbotId") || slices.Contains(pps, "accountId") {
		c := &testCase{name: "cross-account", kind: "cross-account", other: true, count: true,
			expect: declaredAmong(rt, 403, 404)}
		if s.other.chatbotID == "" && s.other.accountID == "" {
			c.skip = "no other account (--other-key)"
		}
		l.add(c)
	}

	for _, name := range pps {
		expect := declaredAmong(rt, 404, 403) // what the operation documents for an id it does not hold
		l.add(&testCase{name: "unknown-id/" + name, kind: "unknown-id", ids: map[string]string{name: "\x00unknown"},
			expect: expect, count: true})
		var ps *openapi3.Schema
		for _, p := range params(rt, "path") {
			if p.Name == name {
				ps = schemaOf(p)
			}
		}
		if ps != nil && ps.MaxLength != nil && declares(rt, 400) {
			l.add(&testCase{name: "too-long-id/" + name, kind: "unknown-id", ids: map[string]string{name: strings.Repeat("9", int(*ps.MaxLength)+1)},
				expect: []int{400}, count: true, fieldPath: []string{name}})
		}
	}
}

// query: one query parameter missing, of the wrong type, outside its enum or bounds, and
// at its boundaries (reads only).
func (l *routeCases) query(q *openapi3.Parameter) {
	s, rt := l.s, l.rt
	qs := schemaOf(q)
	if qs == nil {
		return
	}
	base := s.baseQuery(rt)
	set := func(v ...string) url.Values {
		out := url.Values{}
		for k, x := range base {
			out[k] = slices.Clone(x)
		}
		out.Del(q.Name)
		for _, x := range v {
			out.Add(q.Name, x)
		}
		return out
	}
	bad := func(label string, v ...string) {
		l.add(&testCase{name: "query/" + q.Name + "/" + label, kind: "query", query: set(v...), expect: []int{400}, count: true,
			fieldPath: []string{q.Name}})
	}
	if q.Required {
		bad("missing")
	}
	switch {
	case is(qs, "integer") || is(qs, "number"):
		bad("not-a-number", "abc")
		if qs.Min != nil {
			bad("below-minimum-"+num(*qs.Min-1), num(*qs.Min-1))
		}
		if qs.Max != nil {
			bad("above-maximum-"+num(*qs.Max+1), num(*qs.Max+1))
		}
		if rt.Method == http.MethodGet {
			for _, edge := range []*float64{qs.Min, qs.Max} {
				if edge == nil {
					continue
				}
				c := &testCase{name: "boundary/" + q.Name + "=" + num(*edge), kind: "boundary",
					query: set(num(*edge)), expect: successStatuses(rt), count: true}
				if q.Name == "limit" {
					c.limit = int(*edge)
				}
				if q.Name == "page" {
					c.page = int(*edge)
				}
				l.add(c)
			}
		}
	case is(qs, "boolean"):
		bad("not-a-boolean", "maybe")
	case is(qs, "string"):
		if len(qs.Enum) > 0 {
			bad("outside-enum", "probe-"+token(s.p.rng, 6))
		}
		if qs.MaxLength != nil {
			bad(fmt.Sprintf("over-maxLength-%d", *qs.MaxLength), strings.Repeat("q", int(*qs.MaxLength)+1))
			if rt.Method == http.MethodGet && len(qs.Enum) == 0 && qs.Pattern == "" && qs.Format == "" && !idLike(q.Name) {
				l.add(&testCase{name: fmt.Sprintf("boundary/%s-at-maxLength-%d", q.Name, *qs.MaxLength), kind: "boundary",
					query: set(strings.Repeat("q", int(*qs.MaxLength))), notStatus: []int{400}, count: true})
			}
		}
	case is(qs, "array"):
		if qs.Items != nil && qs.Items.Value != nil && qs.Items.Value.MaxLength != nil {
			bad(fmt.Sprintf("item-over-maxLength-%d", *qs.Items.Value.MaxLength), strings.Repeat("q", int(*qs.Items.Value.MaxLength)+1))
		}
	}
}

// body: malformed JSON, a wrong content type, an empty body, a missing required field, and
// per field a wrong type, a value outside its enum, bounds or maxLength (and at it), and an
// oversized body. It returns the body's schema and whether the operation takes one.
func (l *routeCases) body() (*openapi3.Schema, bool) {
	s, rt := l.s, l.rt
	schema, example, required, ok := bodySchema(rt)
	if !ok {
		return schema, false
	}
	bad := func(name string, body []byte, ct string, field []string) {
		l.add(&testCase{name: "body/" + name, kind: "body", body: body, hasBody: true, contentType: ct, expect: []int{400},
			count: true, fieldPath: field})
	}
	bad("malformed-json", []byte(`{"probe": `), "", nil)
	bad("wrong-content-type", mustJSON(example), "text/plain", nil)
	if required {
		bad("empty", []byte{}, "", nil)
	}
	if is(schema, "array") {
		bad("not-an-array", []byte(`{"probe": true}`), "", nil)
	}
	ps, req := props(schema)
	for _, name := range req {
		if _, isObj := example.(map[string]any); isObj {
			bad("missing/"+name, mustJSON(withField(example, name, nil, true)), "", []string{name})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(ps)) {
		fs := ps[name]
		if fs.ReadOnly {
			continue
		}
		if v := wrongType(fs); v != nil {
			bad("wrong-type/"+name, mustJSON(withField(example, name, v, false)), "", []string{name})
		}
		if is(fs, "string") && len(fs.Enum) > 0 {
			bad("outside-enum/"+name, mustJSON(withField(example, name, "probe-"+token(s.p.rng, 6), false)), "", []string{name})
		}
		if is(fs, "string") && fs.MaxLength != nil {
			bad(fmt.Sprintf("over-maxLength/%s", name), mustJSON(withField(example, name, strings.Repeat("b", int(*fs.MaxLength)+1), false)), "", []string{name})
			if len(fs.Enum) == 0 && fs.Pattern == "" && fs.Format == "" && !idLike(name) {
				l.add(&testCase{name: fmt.Sprintf("boundary/%s-at-maxLength", name), kind: "boundary", write: rt.Method != http.MethodGet,
					body: mustJSON(withField(example, name, strings.Repeat("b", int(*fs.MaxLength)), false)), hasBody: true,
					notStatus: []int{400}, count: true})
			}
		}
		if is(fs, "integer") || is(fs, "number") {
			if fs.Min != nil {
				bad(fmt.Sprintf("below-minimum/%s", name), mustJSON(withField(example, name, *fs.Min-1, false)), "", []string{name})
			}
			if fs.Max != nil {
				bad(fmt.Sprintf("above-maximum/%s", name), mustJSON(withField(example, name, *fs.Max+1, false)), "", []string{name})
			}
		}
	}
	if declares(rt, 413) {
		l.add(&testCase{name: "body/too-large", kind: "size", body: oversized(), hasBody: true, expect: []int{413}, count: true,
			wantCode: l.pick(413, "PAYLOAD_TOO_LARGE")})
	}
	return schema, true
}

// valid: a valid request (the example body): any declared status but 400, unless the
// example names ids of other resources (orderedIds, id), which this chatbot does not hold.
func (l *routeCases) valid(schema *openapi3.Schema, ok bool) {
	rt := l.rt
	valid := &testCase{name: "valid/example", kind: "valid", write: rt.Method != http.MethodGet, notStatus: []int{400}, count: true}
	if ok && namesIDs(schema) {
		valid.notStatus = nil
	}
	l.add(valid)
}

// namesIDs reports whether a body schema has a property that holds ids.
func namesIDs(s *openapi3.Schema) bool {
	ps, _ := props(s)
	for name := range ps {
		if n := strings.ToLower(name); n == "id" || strings.HasSuffix(n, "ids") {
			return true
		}
	}
	return is(s, "array")
}

// idLike reports whether a parameter names an id or a cursor: a free value there addresses
// nothing, so "at maxLength must pass" does not apply.
func idLike(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, "id") || strings.HasSuffix(n, "ids") || n == "before" || n == "after" || n == "cursor" ||
		strings.Contains(n, "locale") || strings.Contains(n, "url") || strings.Contains(n, "src") || strings.Contains(n, "email")
}

// oversized is a JSON object of 1 MiB + 64 KiB: past the mock's 1 MiB and the reference's
// 16 KiB.
func oversized() []byte {
	return []byte(`{"probe":"` + strings.Repeat("z", 1<<20+64<<10) + `"}`)
}

// methodCases lists, per path of the selected routes, a method the path lacks: 405 with Allow.
func (s *session) methodCases(routes []*spec.Route) map[*spec.Route]*testCase {
	out := map[*spec.Route]*testCase{}
	done := map[string]bool{}
	for _, rt := range routes {
		if done[rt.SpecPath] {
			continue
		}
		done[rt.SpecPath] = true
		var have []string
		for m := range rt.PathItem.Operations() {
			have = append(have, strings.ToUpper(m))
		}
		sort.Strings(have)
		var missing []string
		for _, m := range allMethods {
			if slices.Contains(have, m) {
				continue
			}
			// A method another path template answers for the same URL is not missing
			// (PATCH .../instructions/select-instruction is updateInstruction's).
			if other, err := s.p.spec.Match(m, s.p.spec.BasePath()+sampleURL(rt.SpecPath)); err == nil && other != nil {
				continue
			}
			missing = append(missing, m)
		}
		if len(missing) == 0 {
			continue
		}
		m := missing[s.p.rng.IntN(len(missing))]
		out[rt] = &testCase{rt: rt, name: "method/" + m, kind: "method", method: m, expect: []int{405}, allow: have,
			hasBody: m != http.MethodGet && m != http.MethodDelete, body: []byte("{}")}
	}
	return out
}

// baseQuery is the route's required query parameters with values that pass.
func (s *session) baseQuery(rt *spec.Route) url.Values {
	out := url.Values{}
	for _, q := range params(rt, "query") {
		if !q.Required {
			continue
		}
		qs := schemaOf(q)
		var ex any
		switch {
		case q.Example != nil:
			ex = q.Example
		case qs != nil && qs.Example != nil:
			ex = qs.Example
		case qs != nil && is(qs, "array") && qs.Items != nil && qs.Items.Value != nil && qs.Items.Value.Example != nil:
			ex = qs.Items.Value.Example
		}
		if list, ok := ex.([]any); ok && len(list) > 0 {
			ex = list[0]
		}
		v := "probe-" + token(s.p.rng, 6)
		if ex != nil {
			v = fmt.Sprint(ex)
		}
		out.Set(q.Name, v)
	}
	return out
}

// sampleURL fills every parameter of a spec path with a placeholder value.
func sampleURL(template string) string {
	out := template
	for _, name := range pathParamsOf(template) {
		out = strings.Replace(out, "{"+name+"}", "probe1", 1)
	}
	return out
}

// num writes a number as a query carries it: 1000000, not 1e+06.
func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
