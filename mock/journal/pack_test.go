package journal

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

func ptr(s string) *string { return &s }

// packCases are entries of every shape: pointers set or not, errors with and without
// fields, empty, long and non-ASCII strings, another time zone.
func packCases() []Entry {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 123456789, time.UTC)
	paris := time.FixedZone("CET", 3600)
	long := strings.Repeat("é/", 600)
	return []Entry{
		{},
		{Time: t0, Method: "GET", Path: "/api/v1/chatting/1/threads", OperationID: ptr("listThreads"), Status: 200, AccountID: ptr("acc_1"),
			LatencyMs: 0.125, RequestID: "0badf00d-0000-4000-8000-000000000001", APIKey: "sk_…9f2c"},
		{Time: t0.In(paris), Method: "POST", Path: long, OperationID: ptr(""), Status: 400, AccountID: ptr(""), FaultID: ptr("f1"),
			Error: &EntryError{Code: "REQUEST_VALIDATION_FAILED", Message: "Request body is not valid", Fields: []string{"title: Required", "", strings.Repeat("x", 300)}}},
		{Time: t0, Method: "DELETE", Status: 0, Error: &EntryError{}},
		{Time: t0, Method: "PATCH", Status: 404, Error: &EntryError{Code: "THREAD_NOT_FOUND", Message: long}},
	}
}

// TestPackedEntriesRoundTrip: what List and Scan give back is what was put in (the id
// aside), for every shape of entry, as the ring turns over slots that held other shapes.
func TestPackedEntriesRoundTrip(t *testing.T) {
	cases := packCases()
	j := New(3)
	for round := 0; round < 4; round++ {
		for i, want := range cases {
			want := want
			id := j.Add(want)
			got, _ := j.List(Filter{Limit: 1})
			want.ID = id
			if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
				t.Fatalf("round %d case %d:\n got %#v\nwant %#v", round, i, got, want)
			}
			if got[0].Error != nil && want.Error != nil && !reflect.DeepEqual(*got[0].Error, *want.Error) {
				t.Fatalf("round %d case %d: error %#v, want %#v", round, i, *got[0].Error, *want.Error)
			}
			var scanned Entry
			j.Scan(func(e *Entry) bool { scanned = *e; return false })
			if !reflect.DeepEqual(scanned, want) {
				t.Fatalf("round %d case %d: Scan gives %#v", round, i, scanned)
			}
		}
	}
	if _, n := j.List(Filter{OperationID: "listThreads"}); n != 0 {
		t.Fatalf("operationId filter: %d entries, want 0 (the ring no longer holds it)", n)
	}
	j.Add(cases[1])
	if _, n := j.List(Filter{OperationID: "listThreads", AccountID: "acc_1", Status: 200}); n != 1 {
		t.Fatalf("filters: %d entries, want 1", n)
	}
	if _, n := j.List(Filter{AccountID: "acc"}); n != 0 {
		t.Fatalf("account filter matched a prefix")
	}
}

// TestPutAllocatesNothingOnceRound: recording into a slot that has held an entry as large
// reuses its buffer; a slot whose buffer grew huge lets it go for a small entry.
func TestPutAllocatesNothingOnceRound(t *testing.T) {
	j := New(4)
	e := packCases()[1]
	for range 4 {
		j.Put(&e)
	}
	if n := testing.AllocsPerRun(100, func() { j.Put(&e) }); n != 0 {
		t.Fatalf("Put allocates %.1f times a call once the ring is full", n)
	}
	big := packCases()[2]
	for range 4 {
		j.Put(&big)
	}
	j.Put(&e)
	newest := &j.ring[(j.start+j.n-1)%len(j.ring)]
	if cap(newest.data) > maxKeptSlotBuffer {
		t.Fatalf("a small entry kept a %d-byte buffer", cap(newest.data))
	}
}

// BenchmarkGCJournal is a full collection at the current GOMAXPROCS with an empty and a
// full journal of typical entries (run with GOMAXPROCS=1 to see what the mark phase pays).
func BenchmarkGCJournal(b *testing.B) {
	for _, n := range []int{0, DefaultCapacity} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			j := New(DefaultCapacity)
			for i := 0; i < n; i++ {
				j.Add(Entry{Time: time.Now(), Method: "GET", Path: fmt.Sprintf("/api/v1/chatting/%d/threads", i), OperationID: ptr(fmt.Sprint("op", i%70)),
					AccountID: ptr(fmt.Sprint("acc", i)), RequestID: fmt.Sprintf("%08x-0000-4000-8000-%012x", 1, i), APIKey: fmt.Sprint("sk_…", i)})
			}
			runtime.GC()
			for b.Loop() {
				runtime.GC()
			}
			runtime.KeepAlive(j)
		})
	}
}
