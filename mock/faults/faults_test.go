package faults

import (
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func TestTimesAndOrder(t *testing.T) {
	s := NewSet(1)
	two := 2
	a, err := s.Add(Rule{Match: Match{OperationID: "op"}, Action: Action{Status: 500}, Times: &two}, t0)
	if err != nil || a.ID != "fault-1" || *a.Remaining != 2 {
		t.Fatalf("got %+v, %v", a, err)
	}
	s.Add(Rule{Match: Match{PathPrefix: "/api/"}, Action: Action{Status: 503}}, t0)
	req := Request{OperationID: "op", Method: "GET", Path: "/api/x"}
	for i, want := range []string{"fault-1", "fault-1", "fault-2", "fault-2"} {
		r, ok := s.Fire(req)
		if !ok || r.ID != want {
			t.Fatalf("firing %d: got %s, %v; want %s", i, r.ID, ok, want)
		}
	}
	if l := s.List(); *l[0].Remaining != 0 || l[0].Hits != 2 || l[1].Hits != 2 {
		t.Fatalf("got %+v", l)
	}
	if _, ok := s.Fire(Request{Path: "/other"}); ok {
		t.Fatal("a rule fired on a request it does not match")
	}
	if !s.Delete("fault-2") || s.Delete("fault-2") {
		t.Fatal("delete")
	}
}

func sequence(seed int64) string {
	s := NewSet(seed)
	p := 0.5
	s.Add(Rule{Action: Action{Drop: true}, Probability: &p}, t0)
	var b strings.Builder
	for range 64 {
		if _, ok := s.Fire(Request{}); ok {
			b.WriteByte('x')
		} else {
			b.WriteByte('.')
		}
	}
	return b.String()
}

func TestProbabilityIsSeeded(t *testing.T) {
	if first, again := sequence(3), sequence(3); first != again {
		t.Fatal("same seed, different sequences")
	}
	if sequence(3) == sequence(4) {
		t.Fatal("different seeds, same sequence")
	}
}

func TestValidate(t *testing.T) {
	zero := 0
	bad := []Rule{
		{},
		{Action: Action{Status: 200}},
		{Action: Action{Latency: "soon"}},
		{Action: Action{Drop: true, Status: 500}},
		{Action: Action{Status: 500}, Match: Match{PathPrefix: "api"}},
		{Action: Action{Status: 500}, Times: &zero},
	}
	for i, r := range bad {
		if Validate(r) == nil {
			t.Errorf("rule %d: accepted %+v", i, r)
		}
	}
}
