package mock

import (
	"encoding/json"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/contextgpt/sandbox/mock/journal"
)

// Found by tools/memattack (issue 10): a journal entry kept the error message whole, and a
// 404's message names the whole path: 10,000 requests with 7 KiB paths made a 90 MB
// journal and 9 MB limit=1000 pages, against the ≈ 15 MB the README states. The message
// is clipped like the path, field errors are bounded.
func TestAttackJournalErrorMessageEchoesPath(t *testing.T) {
	tm := newTestMock(t)
	tm.do("GET", "/api/v1/chatting/"+strings.Repeat("j", 7<<10), "", nil)
	es := journalEntries(t, tm, 1) // recorded after the response is sent
	if es[0].Error == nil {
		t.Fatalf("journal: %+v", es)
	}
	b, _ := json.Marshal(es[0])
	if len(es[0].Error.Message) > maxJournalPath || len(b) > 3<<10 {
		t.Fatalf("a journal entry of %d bytes (message %d)", len(b), len(es[0].Error.Message))
	}
	e := journalError([]byte(`{"error":{"code":"X","message":"m"},"errors":[` + strings.Repeat(`{"path":["`+strings.Repeat("f", 500)+`"],"message":"bad"},`, 50) + `{"path":[],"message":"x"}]}`))
	if e == nil || len(e.Fields) != maxJournalFields+1 || len(e.Fields[0]) > maxJournalField || !strings.HasPrefix(e.Fields[maxJournalFields], "… and 31 more") {
		t.Fatalf("fields: %d %q", len(e.Fields), e.Fields[len(e.Fields)-1])
	}
}

// Found by tools/memattack (issue 10): a journal entry pointed into the request's own
// bookkeeping (&info.operationID), which kept the whole request alive with its body (and
// kin-openapi's copy of it) for as long as the entry stayed: stored data cost twice its size
// and 10,000 entries could hold 10,000 bodies. Entries now share no memory with requests.
func TestAttackJournalRetainsRequestBodies(t *testing.T) {
	tm := newTestMock(t, func(c *Config) { c.Strict = false })
	pad := strings.Repeat("x", 900<<10)
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heap()
	for i := 0; i < 20; i++ { // refused (creativityLevel is not a number): stores nothing, journaled
		r := tm.do("POST", "/api/v1/chatbots/chatbot/"+botShipping+"/instructions", keyScale,
			map[string]any{"title": "t", "instruction": pad, "creativityLevel": "high"})
		if r.Status != http.StatusBadRequest {
			t.Fatalf("status %d", r.Status)
		}
	}
	journalEntries(t, tm, 20)
	if grew := int64(heap()) - int64(before); grew > 5<<20 {
		t.Fatalf("the heap grew by %d MiB after 20 refused 900 KiB requests: the journal keeps their bodies", grew>>20)
	}
}

// journalEntries waits (up to 5 s) until the journal holds at least n entries: a request is
// journaled after its response is sent.
func journalEntries(t *testing.T, tm *testMock, n int) []journal.Entry {
	t.Helper()
	var es []journal.Entry
	waitFor(t, "journal entries", func() bool { es, _ = tm.m.journal.List(journal.Filter{}); return len(es) >= n })
	return es
}
