package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/plans"
)

// testClock is a settable clock for store tests.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// newThreadStore is a store with one account and two chatbots.
func newThreadStore(t testing.TB, onEvent func(Event)) (*Store, *testClock, string, string) {
	t.Helper()
	clk := &testClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	s := New(Config{Seed: 7, Now: clk.Now, OnEvent: onEvent})
	acc, err := s.CreateAccount(NewAccount{Name: "Acme", Plan: plans.Enterprise})
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.CreateChatbot(acc.ID, "u1", NewChatbot{Name: "A"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateChatbot(acc.ID, "u1", NewChatbot{Name: "B"})
	if err != nil {
		t.Fatal(err)
	}
	return s, clk, a.ID, b.ID
}

func mustThread(t testing.TB, s *Store, bot string, in NewThread) Thread {
	t.Helper()
	th, err := s.CreateThread(bot, in)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

func codeOf(err error) string {
	var e *apierr.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// checkOrder fails unless the chatbot's indexes are consistent: every thread of the chatbot
// is in the whole tree, sorted newest activity first (id as tie-break) on its live fields,
// and in exactly the filter trees its live fields call for.
func checkOrder(t *testing.T, s *Store, bot string) {
	t.Helper()
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkThreadIndexLocked(bot); err != nil {
		t.Fatal(err)
	}
}

func TestThreadOrderKeptOnActivity(t *testing.T) {
	s, clk, bot, _ := newThreadStore(t, nil)
	rng := rand.New(rand.NewSource(1))
	var ids []string
	for i := 0; i < 40; i++ {
		if rng.Intn(2) == 0 {
			clk.advance(time.Millisecond)
		}
		ids = append(ids, mustThread(t, s, bot, NewThread{}).ID)
	}
	checkOrder(t, s, bot)
	for i := 0; i < 200; i++ {
		if rng.Intn(3) == 0 {
			clk.advance(time.Millisecond)
		}
		if _, err := s.SendAgentMessage(bot, ids[rng.Intn(len(ids))], AgentMessage{Content: "x"}); err != nil {
			t.Fatal(err)
		}
		checkOrder(t, s, bot)
	}
	// The list equals a full sort of the threads, page after page.
	all := make([]Thread, 0, len(ids))
	for _, id := range ids {
		th, err := s.Thread(bot, id)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, th)
	}
	sort.Slice(all, func(i, j int) bool { return threadBefore(&all[i], &all[j]) })
	var walked []string
	for page := 1; page <= 5; page++ {
		pg, err := s.ListThreads(bot, ThreadFilter{}, page, 9)
		if err != nil {
			t.Fatal(err)
		}
		if pg.Total != len(ids) {
			t.Fatalf("total %d; want %d", pg.Total, len(ids))
		}
		for _, th := range pg.Threads {
			walked = append(walked, th.ID)
		}
	}
	for i := range all {
		if walked[i] != all[i].ID {
			t.Fatalf("position %d: got %s; want %s", i, walked[i], all[i].ID)
		}
	}
}

func TestPageBounds(t *testing.T) {
	cases := []struct {
		n, page, limit int
		start, end     int
		ok             bool
	}{
		{0, 1, 20, 0, 0, false},
		{5, 1, 20, 0, 5, true},
		{45, 3, 20, 40, 45, true},
		{40, 3, 20, 0, 0, false},
		{40, 2, 20, 20, 40, true},
		{10, math.MaxInt, 100, 0, 0, false},
		{10, math.MaxInt / 2, math.MaxInt / 2, 0, 0, false},
	}
	for _, tc := range cases {
		start, end, ok := pageBounds(tc.n, tc.page, tc.limit)
		if start != tc.start || end != tc.end || ok != tc.ok {
			t.Errorf("pageBounds(%d, %d, %d) = %d, %d, %v; want %d, %d, %v", tc.n, tc.page, tc.limit, start, end, ok, tc.start, tc.end, tc.ok)
		}
	}
}

func TestListThreadsBounds(t *testing.T) {
	s, _, bot, _ := newThreadStore(t, nil)
	for i := 0; i < 3; i++ {
		mustThread(t, s, bot, NewThread{})
	}
	for _, tc := range []struct{ page, limit int }{{0, 20}, {-1, 20}, {1, 0}, {1, -5}} {
		if _, err := s.ListThreads(bot, ThreadFilter{}, tc.page, tc.limit); codeOf(err) != apierr.InvalidFieldValue {
			t.Errorf("page %d limit %d: got %v; want INVALID_FIELD_VALUE", tc.page, tc.limit, err)
		}
	}
	resolved := true
	for _, f := range []ThreadFilter{{}, {Resolved: &resolved}} {
		pg, err := s.ListThreads(bot, f, math.MaxInt, 100)
		if err != nil || len(pg.Threads) != 0 || pg.Threads == nil {
			t.Errorf("filter %+v, huge page: got %+v, %v; want an empty, non-nil page", f, pg, err)
		}
	}
	if _, err := s.ListThreads("nope", ThreadFilter{}, 1, 20); codeOf(err) != apierr.ChatbotNotFound {
		t.Errorf("unknown chatbot: got %v", err)
	}
}

// TestListThreadsCostsOPage: an unfiltered page allocates the same, in count and bytes,
// whatever the number of threads (it slices the index; it neither copies nor sorts the
// collection).
func TestListThreadsCostsOPage(t *testing.T) {
	// Allocations and bytes, not time: speed belongs in benchmarks (BenchmarkScaleThreads).
	measure := func(n int) (allocs float64, bytes uint64) {
		s, _, bot, _ := newThreadStore(t, nil)
		for i := 0; i < n; i++ {
			mustThread(t, s, bot, NewThread{})
		}
		page := func() {
			if _, err := s.ListThreads(bot, ThreadFilter{}, 2, 20); err != nil {
				t.Fatal(err)
			}
		}
		allocs = testing.AllocsPerRun(50, page)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for i := 0; i < 50; i++ {
			page()
		}
		runtime.ReadMemStats(&after)
		return allocs, (after.TotalAlloc - before.TotalAlloc) / 50
	}
	smallAllocs, smallBytes := measure(60)
	largeAllocs, largeBytes := measure(20000)
	if smallAllocs != largeAllocs {
		t.Fatalf("allocs per page: %v with 60 threads, %v with 20000; want the same", smallAllocs, largeAllocs)
	}
	if largeBytes > 2*smallBytes+1024 {
		t.Fatalf("bytes per page: %d with 60 threads, %d with 20000; want about the same", smallBytes, largeBytes)
	}
}

func TestReadThreadMessagesCursorUnderConcurrentAppends(t *testing.T) {
	s, _, bot, _ := newThreadStore(t, nil)
	th := mustThread(t, s, bot, NewThread{})
	existing := map[string]bool{}
	for i := 0; i < 300; i++ {
		m, err := s.SendAgentMessage(bot, th.ID, AgentMessage{Content: fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
		existing[m.ID] = true
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.SendAgentMessage(bot, th.ID, AgentMessage{Content: "new"}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	seen := map[string]bool{}
	var lastSeq uint64 = math.MaxUint64
	before := ""
	for {
		pg, err := s.ReadThreadMessages(bot, th.ID, before, 13)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range pg.Messages {
			if seen[m.ID] {
				t.Fatalf("message %s repeated", m.ID)
			}
			seen[m.ID] = true
			if i > 0 && pg.Messages[i-1].Seq >= m.Seq {
				t.Fatal("page not chronological")
			}
		}
		if len(pg.Messages) > 0 {
			if pg.Messages[len(pg.Messages)-1].Seq >= lastSeq {
				t.Fatal("page overlaps the previous one")
			}
			lastSeq = pg.Messages[0].Seq
		}
		if !pg.HasMore {
			if pg.NextCursor != nil {
				t.Fatal("nextCursor without hasMore")
			}
			break
		}
		if pg.NextCursor == nil || *pg.NextCursor != pg.Messages[0].ID {
			t.Fatal("nextCursor is not the oldest message returned")
		}
		before = *pg.NextCursor
	}
	close(stop)
	wg.Wait()
	for id := range existing {
		if !seen[id] {
			t.Fatalf("message %s skipped", id)
		}
	}
}

func TestReadThreadMessagesErrorsAndUnread(t *testing.T) {
	s, _, bot, other := newThreadStore(t, nil)
	a := mustThread(t, s, bot, NewThread{})
	b := mustThread(t, s, bot, NewThread{})
	o := mustThread(t, s, other, NewThread{})
	s.mu.Lock()
	s.beginWriteLocked()
	ta, _ := s.threads.get(a.ID)
	tb, _ := s.threads.get(b.ID)
	mb := s.appendMessageLocked(tb, NewMessage{Role: RoleUser, Content: "hi"})
	s.appendMessageLocked(ta, NewMessage{Role: RoleUser, Content: "one"})
	s.appendMessageLocked(ta, NewMessage{Role: RoleUser, Content: "two"})
	s.endWriteLocked()
	s.mu.Unlock()
	if got, _ := s.Thread(bot, a.ID); got.UnreadMessagesCount != 2 {
		t.Fatalf("unread %d; want 2", got.UnreadMessagesCount)
	}
	cases := []struct {
		name, bot, thread, before string
		limit                     int
		code                      string
	}{
		{"before of another thread", bot, a.ID, mb.ID, 20, apierr.InvalidFieldValue},
		{"unknown before", bot, a.ID, "nope", 20, apierr.InvalidFieldValue},
		{"thread of another chatbot", bot, o.ID, "", 20, apierr.ResourceNotFound},
		{"unknown thread", bot, "nope", "", 20, apierr.ResourceNotFound},
		{"unknown chatbot", "nope", a.ID, "", 20, apierr.ChatbotNotFound},
		{"limit 0", bot, a.ID, "", 0, apierr.InvalidFieldValue},
	}
	for _, tc := range cases {
		if _, err := s.ReadThreadMessages(tc.bot, tc.thread, tc.before, tc.limit); codeOf(err) != tc.code {
			t.Errorf("%s: got %v; want %s", tc.name, err, tc.code)
		}
	}
	if got, _ := s.Thread(bot, a.ID); got.UnreadMessagesCount != 2 {
		t.Fatalf("a failed read changed unread to %d", got.UnreadMessagesCount)
	}
	pg, err := s.ReadThreadMessages(bot, a.ID, "", 1)
	if err != nil || pg.Thread.UnreadMessagesCount != 0 || len(pg.Messages) != 1 || pg.Messages[0].Content != "two" {
		t.Fatalf("read: %+v, %v", pg, err)
	}
	if got, _ := s.Thread(bot, a.ID); got.UnreadMessagesCount != 0 {
		t.Fatalf("unread after a read: %d; want 0", got.UnreadMessagesCount)
	}
}

func TestUpdateThreadsAllOrNothing(t *testing.T) {
	s, clk, bot, other := newThreadStore(t, nil)
	a := mustThread(t, s, bot, NewThread{})
	o := mustThread(t, s, other, NewThread{})
	yes, human, notes := true, "HUMAN", "n"
	bad := "BOT"
	cases := []struct {
		name  string
		items []ThreadUpdate
		code  string
	}{
		{"empty", nil, apierr.MissingRequiredField},
		{"missing id", []ThreadUpdate{{ThreadID: a.ID, Resolved: &yes}, {Resolved: &yes}}, apierr.MissingRequiredField},
		{"unknown thread", []ThreadUpdate{{ThreadID: a.ID, Resolved: &yes}, {ThreadID: "nope"}}, apierr.ResourceNotFound},
		{"thread of another chatbot", []ThreadUpdate{{ThreadID: a.ID, Resolved: &yes}, {ThreadID: o.ID}}, apierr.ResourceNotFound},
		{"bad mode", []ThreadUpdate{{ThreadID: a.ID, Resolved: &yes}, {ThreadID: a.ID, Mode: &bad}}, apierr.InvalidFieldValue},
	}
	for _, tc := range cases {
		if _, err := s.UpdateThreads(bot, tc.items); codeOf(err) != tc.code {
			t.Errorf("%s: got %v; want %s", tc.name, err, tc.code)
		}
		if got, _ := s.Thread(bot, a.ID); got.Resolved {
			t.Fatalf("%s: thread changed although the batch failed", tc.name)
		}
	}
	clk.advance(time.Minute)
	tags := []string{"x"}
	out, err := s.UpdateThreads(bot, []ThreadUpdate{{ThreadID: a.ID, Archived: &yes, Mode: &human, Tags: &tags,
		Title: OptString{Set: true, Value: &notes}, InternalNotes: OptString{Set: true, Value: &notes}}})
	if err != nil {
		t.Fatal(err)
	}
	got := out[0]
	if !got.Archived || got.EndedAt == nil || got.Mode != ModeHuman || got.Tags[0] != "x" || *got.Title != "n" || *got.InternalNotes != "n" {
		t.Fatalf("update: %+v", got)
	}
	if !got.LastActivity.Equal(a.LastActivity) || got.UpdatedAt.Equal(a.UpdatedAt) {
		t.Fatal("a status update must set updatedAt and leave lastActivity (the list order) alone")
	}
	tags[0] = "mutated"
	if th, _ := s.Thread(bot, a.ID); th.Tags[0] != "x" {
		t.Fatal("the store kept the caller's tags slice")
	}
	out, _ = s.UpdateThreads(bot, []ThreadUpdate{{ThreadID: a.ID, Title: OptString{Set: true}}})
	if out[0].Title != nil || *out[0].InternalNotes != "n" {
		t.Fatalf("null title: %+v", out[0])
	}
}

func TestOptStringJSON(t *testing.T) {
	var v struct {
		A, B, C OptString
	}
	if err := json.Unmarshal([]byte(`{"A":null,"B":"x"}`), &v); err != nil {
		t.Fatal(err)
	}
	if !v.A.Set || v.A.Value != nil || !v.B.Set || *v.B.Value != "x" || v.C.Set {
		t.Fatalf("got %+v", v)
	}
	if err := json.Unmarshal([]byte(`{"A":3}`), &v); err == nil {
		t.Fatal("a number decoded into OptString")
	}
}

func TestToggleEscalationEmitsOncePerFlip(t *testing.T) {
	var mu sync.Mutex
	var evs []Event
	s, _, bot, _ := newThreadStore(t, func(e Event) { mu.Lock(); evs = append(evs, e); mu.Unlock() })
	th := mustThread(t, s, bot, NewThread{VisitorEmail: ptr("ada@example.com")})
	var wg sync.WaitGroup
	const flips = 51
	for i := 0; i < flips; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := s.ToggleEscalation(bot, th.ID); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, _ := s.Thread(bot, th.ID)
	if !got.Escalated {
		t.Fatal("an odd number of flips must leave the thread escalated")
	}
	mu.Lock()
	defer mu.Unlock()
	keys := map[string]bool{}
	for _, e := range evs {
		if e.Type != WebhookEventEscalated || keys[e.Key] {
			t.Fatalf("event %+v", e)
		}
		keys[e.Key] = true
	}
	if len(evs) != (flips+1)/2 {
		t.Fatalf("got %d events for %d flips from false; want %d", len(evs), flips, (flips+1)/2)
	}
	msgs, _ := s.ReadThreadMessages(bot, th.ID, "", 100)
	if len(msgs.Messages) != flips {
		t.Fatalf("got %d system messages; want %d", len(msgs.Messages), flips)
	}
	for i, m := range msgs.Messages {
		want := SystemEscalated
		if i%2 == 1 {
			want = SystemDeEscalated
		}
		if m.Role != RoleSystem || *m.SystemMessageType != want {
			t.Fatalf("message %d: %s %v; want SYSTEM %s", i, m.Role, *m.SystemMessageType, want)
		}
	}
	if _, _, err := s.ToggleEscalation(bot, "nope"); codeOf(err) != apierr.ResourceNotFound {
		t.Fatalf("unknown thread: %v", err)
	}
}

func TestResetConversationKeepsVisitor(t *testing.T) {
	s, clk, bot, _ := newThreadStore(t, nil)
	old := mustThread(t, s, bot, NewThread{VisitorName: ptr("Ada"), PlatformSource: ptr("website")})
	clk.advance(time.Second)
	r, err := s.ResetConversation(bot, old.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := r.NewThread
	if r.OldThreadID != old.ID || n.ID == old.ID || *n.VisitorID != *old.VisitorID || *n.VisitorName != "Ada" || *n.PlatformSource != "website" || n.Archived {
		t.Fatalf("new thread: %+v", n)
	}
	o, _ := s.Thread(bot, old.ID)
	if !o.Archived || o.EndedAt == nil {
		t.Fatalf("old thread: %+v", o)
	}
	d, err := s.ThreadDetails(bot, n.ID)
	if err != nil || *d.VisitorTotalSessions != 2 || *d.VisitorTotalMessages != 1 || !d.VisitorFirstSeenAt.Equal(*old.StartedAt) || !d.VisitorIsIdentified {
		t.Fatalf("details: %+v, %v", d, err)
	}
	if r.Starters == nil || r.FollowUps == nil {
		t.Fatal("starters and follow-ups must be empty lists, not nil")
	}
}

func TestEditMessage(t *testing.T) {
	s, clk, bot, other := newThreadStore(t, nil)
	th := mustThread(t, s, bot, NewThread{})
	m, err := s.SendAgentMessage(bot, th.ID, AgentMessage{Content: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.EditMessage(other, m.ID, "b", "u1"); codeOf(err) != apierr.ResourceNotFound {
		t.Fatalf("message of another chatbot: %v", err)
	}
	if _, err := s.EditMessage(bot, m.ID, " ", "u1"); codeOf(err) != apierr.MissingRequiredField {
		t.Fatalf("blank content: %v", err)
	}
	clk.advance(time.Minute)
	e, err := s.EditMessage(bot, m.ID, "b", "u1")
	if err != nil || e.Content != "b" || !e.IsEdited || *e.EditedBy != "u1" || !e.EditedAt.Equal(clk.Now()) || !e.CreatedAt.Equal(m.CreatedAt) {
		t.Fatalf("edit: %+v, %v", e, err)
	}
	if got, _ := s.Thread(bot, th.ID); !got.LastActivity.Equal(m.CreatedAt) {
		t.Fatal("an edit is not activity")
	}
}
