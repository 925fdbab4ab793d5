package spec

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestMatchIntoMatchesMatch matches every operation's path (with values in place of its
// parameters, some escaped, some longer than the segment buffer), paths that do not match
// and wrong methods, one after another into one reused Route: MatchInto must give what
// Match gives (the route, its parameters and nothing left from the request before), and
// leave the Route alone on an error.
func TestMatchIntoMatchesMatch(t *testing.T) {
	s := mustLoad(t, ContextGPTDocument())
	var paths []string
	for _, r := range s.Routes() {
		n := 0
		p := r.PathTemplate
		for strings.Contains(p, "{") {
			i, j := strings.Index(p, "{"), strings.Index(p, "}")
			n++
			p = p[:i] + fmt.Sprintf("v%d%%2Fx", n) + p[j+1:]
		}
		paths = append(paths, r.Method+" "+p, "GET "+p, "PUT "+p, "GET "+p+"/extra", "DELETE "+p+strings.Repeat("/a", 20))
	}
	paths = append(paths, "GET /", "GET ", "GET /api", "GET /api/v1/chatting//threads", "GET "+strings.Repeat("/x", 40))
	var dst Route
	matched := 0
	for _, mp := range paths {
		method, path, _ := strings.Cut(mp, " ")
		want, wantErr := s.Match(method, path)
		before := dst
		beforeParams := fmt.Sprint(dst.PathParams)
		err := s.MatchInto(&dst, method, path)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("%s: MatchInto error %v, Match %v", mp, err, wantErr)
		}
		if err != nil {
			if dst.OperationID != before.OperationID || fmt.Sprint(dst.PathParams) != beforeParams {
				t.Fatalf("%s: a failed MatchInto changed the route", mp)
			}
			continue
		}
		matched++
		got := dst
		if !reflect.DeepEqual(got.PathParams, want.PathParams) || got.OperationID != want.OperationID || got.Method != want.Method ||
			got.Operation != want.Operation || got.PathTemplate != want.PathTemplate {
			t.Fatalf("%s: MatchInto gives %s %v, Match %s %v", mp, got.OperationID, got.PathParams, want.OperationID, want.PathParams)
		}
	}
	if matched < len(s.Routes()) {
		t.Fatalf("only %d paths matched", matched)
	}
}

// BenchmarkMatchInto is BenchmarkMatch into one reused Route, as the mock matches.
func BenchmarkMatchInto(b *testing.B) {
	s := mustLoad(b, ContextGPTDocument())
	var r Route
	b.ReportAllocs()
	for b.Loop() {
		if err := s.MatchInto(&r, "PATCH", "/api/v1/chatbots/chatbot/361628903185310001/follow-up-prompts/0b8e5a52"); err != nil {
			b.Fatal(err)
		}
	}
}
