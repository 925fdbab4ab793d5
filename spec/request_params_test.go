package spec

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// paramCandidates are values tried for a parameter of the given schema: valid ones, the
// edges of its bounds, and values kin refuses.
func paramCandidates(s *openapi3.Schema) []string {
	out := []string{"", "x", "0", "1", "-1", "20", "1.5", "abc", "true", "false", "TRUE", "yes",
		"361628903185318482", "99999999999999999999", " 1", "1e3", "é", "😀", "a b", strings.Repeat("z", 65)}
	for _, e := range s.Enum {
		if str, ok := e.(string); ok {
			out = append(out, str, str+"x", strings.ToLower(str))
		}
	}
	for _, b := range []*float64{s.Min, s.Max} {
		if b != nil {
			n := int64(*b)
			for _, d := range []int64{-1, 0, 1} {
				out = append(out, strconv.FormatInt(n+d, 10))
			}
		}
	}
	if s.MaxLength != nil {
		m := int(*s.MaxLength)
		out = append(out, strings.Repeat("a", m), strings.Repeat("a", m+1), strings.Repeat("😀", m/2), strings.Repeat("😀", m/2+1))
	}
	if s.MinLength > 0 {
		m := int(s.MinLength)
		out = append(out, strings.Repeat("a", m), strings.Repeat("a", m-1))
	}
	return out
}

// routeParams are the parameters kin validates for a route (the path item's, unless the
// operation overrides them, then the operation's).
func routeParams(r *Route) []*openapi3.Parameter {
	var out []*openapi3.Parameter
	for _, ref := range r.PathItem.Parameters {
		if r.Operation.Parameters.GetByInAndName(ref.Value.In, ref.Value.Name) == nil {
			out = append(out, ref.Value)
		}
	}
	for _, ref := range r.Operation.Parameters {
		out = append(out, ref.Value)
	}
	return out
}

// TestFastParamsAcceptOnlyWhatKinAccepts tries every operation's parameters with valid,
// edge and invalid values (one parameter varied at a time, the others valid or left out,
// repeated query keys too) through the compiled check and kin's ValidateRequest without
// the body: whatever the check accepts, kin must accept. The check must also be in use:
// most operations compile, and a page of threads is accepted.
func TestFastParamsAcceptOnlyWhatKinAccepts(t *testing.T) {
	s := mustLoad(t, ContextGPTDocument())
	compiled, accepted, refusedByKin := 0, 0, 0
	check := func(r *Route, target string) {
		req := httptest.NewRequest(r.Method, target, nil)
		route, err := s.Match(req.Method, req.URL.EscapedPath())
		if err != nil || route.OperationID != r.OperationID {
			return
		}
		fast := route.params.accepts(route.PathParams, req.URL.Query())
		kerr := openapi3filter.ValidateRequest(context.Background(), s.requestInput(req, route, s.paramOptions))
		if kerr != nil {
			refusedByKin++
		}
		if fast {
			accepted++
			if kerr != nil {
				t.Fatalf("%s %s: the check accepts it, kin refuses it: %v", r.OperationID, target, kerr)
			}
		}
	}
	for _, r := range s.routes {
		if r.params == nil {
			continue
		}
		compiled++
		params := routeParams(r)
		valid := map[string]string{} // a value kin accepts for each parameter, when one is found
		for _, p := range params {
			if p.In != openapi3.ParameterInPath {
				continue
			}
			valid[p.Name] = "361628903185318482"
		}
		path := func(vals map[string]string) string {
			out := r.PathTemplate
			for _, p := range params {
				if p.In == openapi3.ParameterInPath {
					out = strings.ReplaceAll(out, "{"+p.Name+"}", url.PathEscape(vals[p.Name]))
				}
			}
			return out
		}
		for _, p := range params {
			if p.Schema == nil || p.Schema.Value == nil {
				continue
			}
			for _, v := range paramCandidates(p.Schema.Value) {
				switch p.In {
				case openapi3.ParameterInPath:
					vals := map[string]string{}
					for k, x := range valid {
						vals[k] = x
					}
					vals[p.Name] = v
					check(r, path(vals))
				case openapi3.ParameterInQuery:
					base := path(valid)
					check(r, base+"?"+url.Values{p.Name: {v}}.Encode())
					check(r, base+"?"+url.Values{p.Name: {"", v}}.Encode())
					check(r, base+"?"+url.Values{p.Name: {v, "abc"}}.Encode())
					check(r, base+"?"+p.Name) // present, no '='
				}
			}
		}
		check(r, path(valid))
	}
	t.Logf("%d of %d operations compiled; %d requests accepted by the check, %d refused by kin", compiled, len(s.routes), accepted, refusedByKin)
	if compiled < len(s.routes)/2 || accepted < 200 || refusedByKin < 200 {
		t.Fatalf("%d operations compiled, %d accepted, %d refused by kin: the check is hardly exercised", compiled, accepted, refusedByKin)
	}
	route, err := s.Match(http.MethodGet, "/api/v1/chatting/361628903185300001/threads")
	if err != nil {
		t.Fatal(err)
	}
	if route.params == nil || !route.params.accepts(route.PathParams, url.Values{"page": {"1"}, "limit": {"20"}}) {
		t.Fatal("a page of threads is not taken by the check")
	}
	for _, q := range []url.Values{{"page": {"0"}}, {"limit": {"101"}}, {"page": {"x"}}, {"mode": {"ai"}}, {"resolved": {"maybe"}}, {"limit": {""}}} {
		if route.params.accepts(route.PathParams, q) {
			t.Fatalf("the check takes %v, which kin refuses", q)
		}
	}
	pattern := &openapi3.Parameter{Name: "q", In: "query", Schema: openapi3.NewStringSchema().WithPattern("^a$").NewRef()}
	if _, ok := compileParam(pattern); ok {
		t.Fatal("a parameter with a pattern was compiled")
	}
}
