package journal

import (
	"testing"
	"time"
)

func TestRingKeepsNewestAndFilters(t *testing.T) {
	j := New(3)
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	op := "getMyChatbots"
	for i := range 5 {
		status := 200
		if i%2 == 1 {
			status = 429
		}
		j.Add(Entry{Time: t0.Add(time.Duration(i) * time.Second), Method: "GET", Path: "/api/v1/x", OperationID: &op, Status: status})
	}
	all, total := j.List(Filter{})
	if total != 3 || len(all) != 3 || all[0].ID != "req-000005" || all[2].ID != "req-000003" {
		t.Fatalf("got %d entries (%v); want req-000005..req-000003 newest first", total, all)
	}
	if _, n := j.List(Filter{Status: 429}); n != 1 {
		t.Fatalf("status filter: got %d; want 1", n)
	}
	if got, n := j.List(Filter{Since: t0.Add(3 * time.Second), Limit: 1}); n != 2 || len(got) != 1 {
		t.Fatalf("since+limit: got %d of %d; want 1 of 2", len(got), n)
	}
	if _, n := j.List(Filter{OperationID: "other"}); n != 0 {
		t.Fatalf("operationId filter: got %d; want 0", n)
	}
	j.Clear()
	if j.Add(Entry{}) != "req-000006" || j.Len() != 1 {
		t.Fatal("ids did not keep counting after Clear")
	}
}
