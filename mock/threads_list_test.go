package mock

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/mock/store"
)

func TestListThreadsFilters(t *testing.T) {
	tm := newTestMock(t)
	// Fixture threads of botShipping: one important, one resolved, one anonymous.
	a := createTestThread(t, tm, nil)
	b := createTestThread(t, tm, map[string]any{"visitorName": "Bo"})
	tm.do("PATCH", updateThreadsPath(botShipping), keyScale, []map[string]any{
		{"threadId": a, "archived": true, "mode": "HUMAN"}, {"threadId": b, "escalated": true, "resolved": true},
	}).must(t, 200)
	all := tm.do("GET", threadsPath(botShipping)+"?limit=100", keyScale, nil).must(t, 200)
	total := all.intAt("data.pagination.total")
	if total != 5 {
		t.Fatalf("got %d threads; want 5", total)
	}
	cases := []struct {
		query string
		field string
		want  any
		count int
	}{
		{"mode=HUMAN", "mode", "HUMAN", 1},
		{"mode=AI", "mode", "AI", 4},
		{"mode=AGENT", "mode", "AGENT", 0},
		{"archived=true", "archived", true, 1},
		{"archived=false", "archived", false, 4},
		{"resolved=true", "resolved", true, 2},
		{"escalated=true", "escalated", true, 1},
		{"important=true", "important", true, 1},
		{"important=false", "important", false, 4},
		{"anonymous=true", "anonymous", true, 2}, // the fixture's anonymous thread and a (no visitor details)
		{"anonymous=false", "anonymous", false, 3},
		{"llmModelId=gpt-x", "", nil, 0},
		{"resolved=true&escalated=false", "resolved", true, 1},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			r := tm.do("GET", threadsPath(botShipping)+"?limit=100&"+tc.query, keyScale, nil).must(t, 200)
			threads := r.listAt("data.threads")
			if len(threads) != tc.count || r.intAt("data.pagination.total") != tc.count {
				t.Fatalf("got %d threads (total %d); want %d", len(threads), r.intAt("data.pagination.total"), tc.count)
			}
			for i := range threads {
				if tc.field != "" && r.at(fmt.Sprintf("data.threads.%d.%s", i, tc.field)) != tc.want {
					t.Fatalf("thread %d: %s = %v; want %v", i, tc.field, r.at(fmt.Sprintf("data.threads.%d.%s", i, tc.field)), tc.want)
				}
			}
		})
	}
	// Filtered pages: limit 1 walks the 4 active threads one by one, in list order.
	var walked []string
	for page := 1; page <= 5; page++ {
		r := tm.do("GET", threadsPath(botShipping)+"?archived=false&limit=1&page="+strconv.Itoa(page), keyScale, nil).must(t, 200)
		if r.intAt("data.pagination.total") != 4 || r.intAt("data.pagination.totalPages") != 4 {
			t.Fatalf("page %d: pagination %v", page, r.at("data.pagination"))
		}
		for i := range r.listAt("data.threads") {
			walked = append(walked, r.str(fmt.Sprintf("data.threads.%d.id", i)))
		}
	}
	var want []string
	for i := range all.listAt("data.threads") {
		if !all.boolAt(fmt.Sprintf("data.threads.%d.archived", i)) {
			want = append(want, all.str(fmt.Sprintf("data.threads.%d.id", i)))
		}
	}
	if strings.Join(walked, ",") != strings.Join(want, ",") {
		t.Fatalf("filtered walk: got %v; want %v", walked, want)
	}
}

func TestListThreadsPages(t *testing.T) {
	tm := newTestMock(t)
	var created []string
	for i := 0; i < 7; i++ {
		tm.clock.Advance(time.Second)
		created = append(created, createTestThread(t, tm, nil))
	}
	// 3 fixture threads + 7 = 10; newest activity first.
	first := tm.do("GET", threadsPath(botShipping)+"?limit=3", keyScale, nil).must(t, 200)
	for i := 0; i < 3; i++ {
		if got, want := first.str(fmt.Sprintf("data.threads.%d.id", i)), created[len(created)-1-i]; got != want {
			t.Fatalf("position %d: got %s; want %s", i, got, want)
		}
	}
	if p := first.at("data.pagination").(map[string]any); p["total"] != 10.0 || p["totalPages"] != 4.0 || p["pages"] != 4.0 || p["page"] != 1.0 || p["limit"] != 3.0 {
		t.Fatalf("pagination: %v", p)
	}
	// Activity moves a thread to the top.
	tm.clock.Advance(time.Second)
	tm.do("POST", threadPath(botShipping, created[0])+"/message", keyScale, map[string]any{"content": "bump"}).must(t, 201)
	if got := tm.do("GET", threadsPath(botShipping)+"?limit=1", keyScale, nil).must(t, 200).str("data.threads.0.id"); got != created[0] {
		t.Fatalf("after a message: first %s; want %s", got, created[0])
	}
	// Walking every page gives every thread once.
	seen := map[string]int{}
	for page := 1; page <= 4; page++ {
		r := tm.do("GET", threadsPath(botShipping)+"?limit=3&page="+strconv.Itoa(page), keyScale, nil).must(t, 200)
		for i := range r.listAt("data.threads") {
			seen[r.str(fmt.Sprintf("data.threads.%d.id", i))]++
		}
	}
	if len(seen) != 10 {
		t.Fatalf("walk saw %d threads; want 10", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("thread %s seen %d times", id, n)
		}
	}
	for _, q := range []string{"?page=5&limit=3", "?page=1000000&limit=100", "?page=1000000&limit=1"} {
		r := tm.do("GET", threadsPath(botShipping)+q, keyScale, nil).must(t, 200)
		if len(r.listAt("data.threads")) != 0 || r.intAt("data.pagination.total") != 10 {
			t.Fatalf("%s: got %s; want an empty page with total 10", q, r.Raw)
		}
	}
	if r := tm.do("GET", threadsPath(botShipping)+"?page=1000001", keyScale, nil); r.Status != 400 {
		t.Fatalf("page 1000001: got %d; want 400", r.Status)
	}
}

func TestThreadMessagesCursor(t *testing.T) {
	tm := newTestMock(t)
	id := createTestThread(t, tm, nil)
	var ids []string
	for i := 0; i < 25; i++ {
		ids = append(ids, tm.do("POST", threadPath(botShipping, id)+"/message", keyScale, map[string]any{"content": "m" + strconv.Itoa(i)}).must(t, 201).str("data.message.id"))
	}
	r := tm.do("GET", threadPath(botShipping, id)+"/messages?limit=10", keyScale, nil).must(t, 200)
	if got := r.str("data.messages.0.id"); got != ids[15] {
		t.Fatalf("first page starts at %s; want %s (the newest 10, chronological)", got, ids[15])
	}
	if got := r.str("data.messages.9.id"); got != ids[24] {
		t.Fatalf("first page ends at %s; want the newest %s", got, ids[24])
	}
	if !r.boolAt("data.pagination.hasMore") || r.str("data.pagination.nextCursor") != ids[15] || r.intAt("data.pagination.limit") != 10 {
		t.Fatalf("pagination: %v", r.at("data.pagination"))
	}
	r = tm.do("GET", threadPath(botShipping, id)+"/messages?limit=10&before="+ids[15], keyScale, nil).must(t, 200)
	if r.str("data.messages.0.id") != ids[5] || r.str("data.pagination.nextCursor") != ids[5] {
		t.Fatalf("second page: %v", r.at("data.pagination"))
	}
	r = tm.do("GET", threadPath(botShipping, id)+"/messages?limit=10&before="+ids[5], keyScale, nil).must(t, 200)
	if len(r.listAt("data.messages")) != 5 || r.boolAt("data.pagination.hasMore") || r.at("data.pagination.nextCursor") != nil {
		t.Fatalf("last page: %s", r.Raw)
	}
	r = tm.do("GET", threadPath(botShipping, id)+"/messages?before="+ids[0], keyScale, nil).must(t, 200)
	if len(r.listAt("data.messages")) != 0 || r.boolAt("data.pagination.hasMore") {
		t.Fatalf("before the first message: %s", r.Raw)
	}
}

// TestThreadMessagesCursorUnderInserts walks a thread back page by page while goroutines
// append messages through the store: every message that existed when the walk began is
// seen exactly once, and nothing is seen twice.
func TestThreadMessagesCursorUnderInserts(t *testing.T) {
	tm := newTestMock(t)
	id := createTestThread(t, tm, nil)
	st := tm.m.Store()
	var existing []string
	for i := 0; i < 120; i++ {
		m, err := st.SendAgentMessage(botShipping, id, store.AgentMessage{Content: "old " + strconv.Itoa(i)})
		if err != nil {
			t.Fatal(err)
		}
		existing = append(existing, m.ID)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := st.SendAgentMessage(botShipping, id, store.AgentMessage{Content: fmt.Sprintf("new %d/%d", w, i)}); err != nil {
					t.Error(err)
					return
				}
				time.Sleep(50 * time.Microsecond)
			}
		}(w)
	}
	seen := map[string]int{}
	before := ""
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("walk does not end")
		}
		path := threadPath(botShipping, id) + "/messages?limit=7"
		if before != "" {
			path += "&before=" + before
		}
		r := tm.do("GET", path, keyScale, nil).must(t, 200)
		msgs := r.listAt("data.messages")
		for i := range msgs {
			seen[r.str(fmt.Sprintf("data.messages.%d.id", i))]++
		}
		if !r.boolAt("data.pagination.hasMore") {
			break
		}
		before = r.str("data.pagination.nextCursor")
		if before != r.str("data.messages.0.id") {
			t.Fatalf("nextCursor %s is not the oldest message returned %s", before, r.str("data.messages.0.id"))
		}
	}
	close(stop)
	wg.Wait()
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("message %s seen %d times", id, n)
		}
	}
	for _, id := range existing {
		if seen[id] != 1 {
			t.Fatalf("message %s, there when the walk began, was skipped", id)
		}
	}
}

// TestConcurrentCreateThreads creates N threads at once through HTTP (run with -race):
// exactly N more threads exist afterwards, and every one can be read.
