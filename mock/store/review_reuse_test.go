package store

import (
	"encoding/json"
	"fmt"
	"sort"
	"testing"
	"time"
)

// Review (issue 11): deletion and row reuse, imports over a full store, and cursor pages,
// each checked against a brute-force reading of a full export.

// checkReadsAgainstExport reads every exported thread back through Thread, ThreadDetails
// and PeekMessages and compares with the export: the thread as JSON, its messages in seq
// order, and its visitor's statistics counted from the export.
func checkReadsAgainstExport(t *testing.T, s *Store) exportedDoc {
	t.Helper()
	d := exportOf(t, s)
	msgs := map[string][]Message{}
	for _, m := range d.Messages {
		msgs[m.ThreadID] = append(msgs[m.ThreadID], m)
	}
	type vk struct{ bot, visitor string }
	type vstat struct {
		sessions, messages int
		first, last        time.Time
		zero               bool // a zero time was seen: first and last then depend on the order (seen)
	}
	stats := map[vk]*vstat{}
	seen := func(v *vstat, at time.Time) {
		v.zero = v.zero || at.IsZero()
		if v.first.IsZero() || at.Before(v.first) {
			v.first = at
		}
		if at.After(v.last) {
			v.last = at
		}
	}
	for _, th := range d.Threads {
		if th.VisitorID == nil {
			continue
		}
		k := vk{th.ChatbotID, *th.VisitorID}
		if stats[k] == nil {
			stats[k] = &vstat{}
		}
		stats[k].sessions++
		if th.StartedAt != nil {
			seen(stats[k], *th.StartedAt)
		}
		for _, m := range msgs[th.ID] {
			if m.Role == RoleUser {
				stats[k].messages++
				seen(stats[k], m.CreatedAt)
			}
		}
	}
	for _, th := range d.Threads {
		got, err := s.Thread(th.ChatbotID, th.ID)
		if err != nil {
			t.Fatalf("thread %s: %v", th.ID, err)
		}
		if th.Tags == nil {
			th.Tags = []string{} // reads give a list where the state has null (cloneThread)
		}
		if a, b := canon(t, got), canon(t, th); a != b {
			t.Fatalf("thread %s reads\n%s\nexport says\n%s", th.ID, a, b)
		}
		want := append([]Message{}, msgs[th.ID]...)
		sort.Slice(want, func(i, j int) bool { return seqBefore(want[i].Seq, want[j].Seq, want[i].ID, want[j].ID) })
		have, n, err := s.PeekMessages(th.ChatbotID, th.ID, 0, 0)
		if err != nil || n != len(want) {
			t.Fatalf("thread %s: %d messages (%v), export has %d", th.ID, n, err, len(want))
		}
		for i := range want {
			if a, b := canon(t, have[i]), canon(t, want[i]); a != b {
				t.Fatalf("thread %.40q message %d reads\n%.700s\nexport says\n%.700s", th.ID, i, a, b)
			}
		}
		det, err := s.ThreadDetails(th.ChatbotID, th.ID)
		if err != nil {
			t.Fatal(err)
		}
		if th.VisitorID == nil {
			continue
		}
		v := stats[vk{th.ChatbotID, *th.VisitorID}]
		if det.VisitorTotalSessions == nil || *det.VisitorTotalSessions != v.sessions ||
			det.VisitorTotalMessages == nil || *det.VisitorTotalMessages != v.messages {
			t.Fatalf("thread %s: visitor sessions/messages %v/%v, export counts %d/%d", th.ID,
				fmtInt(det.VisitorTotalSessions), fmtInt(det.VisitorTotalMessages), v.sessions, v.messages)
		}
		if !v.zero && !v.first.IsZero() && (det.VisitorFirstSeenAt == nil || !det.VisitorFirstSeenAt.Equal(v.first) || !det.VisitorLastSeenAt.Equal(v.last)) {
			t.Fatalf("thread %s: visitor first/last %v/%v, export says %v/%v", th.ID, det.VisitorFirstSeenAt, det.VisitorLastSeenAt, v.first, v.last)
		}
	}
	return d
}

func fmtInt(p *int) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

// fillBot gives a chatbot n threads with a visitor message, an agent message and an
// escalation each, a reset conversation on every third.
func fillBot(t *testing.T, s *Store, clk *testClock, bot string, n int) []string {
	t.Helper()
	var ids []string
	for i := 0; i < n; i++ {
		clk.advance(time.Second)
		th := mustThread(t, s, bot, NewThread{VisitorName: sptr(fmt.Sprintf("v%d", i))})
		ids = append(ids, th.ID)
		if _, err := s.VisitorMessage(bot, th.ID, VisitorTurn{Content: "q", Reply: &VisitorReply{Content: "a",
			Sources: []MessageSource{{Title: "t", URL: "u"}}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SendAgentMessage(bot, th.ID, AgentMessage{Content: "agent", AgentName: sptr("Bo")}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.ToggleEscalation(bot, th.ID); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			r, err := s.ResetConversation(bot, th.ID)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.NewThread.ID)
			if _, err := s.VisitorMessage(bot, r.NewThread.ID, VisitorTurn{Content: "again"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return ids
}

// Deleting a chatbot frees its thread and message rows; threads and messages made after
// reuse them. Everything of the other chatbots, old and new, reads back as the export
// says; nothing of the deleted one is left; an import over the full store replaces it all.
func TestReviewDeleteReuseImport(t *testing.T) {
	s, clk, botA, botB := newThreadStore(t, nil)
	fillBot(t, s, clk, botA, 12)
	bIDs := fillBot(t, s, clk, botB, 5)
	before := exportOf(t, s)
	checkReadsAgainstExport(t, s)
	c, err := s.chatbotAccount(botA)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteChatbot(c, botA); err != nil {
		t.Fatal(err)
	}
	newB := fillBot(t, s, clk, botB, 9) // reuses A's rows
	third, err := s.CreateChatbot(c, "u1", NewChatbot{Name: "C"})
	if err != nil {
		t.Fatal(err)
	}
	fillBot(t, s, clk, third.ID, 4)
	after := checkReadsAgainstExport(t, s)
	for _, th := range after.Threads {
		if th.ChatbotID == botA {
			t.Fatalf("thread %s of the deleted chatbot is still exported", th.ID)
		}
	}
	for _, m := range after.Messages {
		if m.ChatbotID == botA {
			t.Fatalf("message %s of the deleted chatbot is still exported", m.ID)
		}
	}
	// B's threads from before the delete are unchanged (but for what B's later writes did: none).
	old := map[string]string{}
	for _, th := range before.Threads {
		if th.ChatbotID == botB {
			old[th.ID] = canon(t, th)
		}
	}
	for _, th := range after.Threads {
		if w, ok := old[th.ID]; ok && w != canon(t, th) {
			t.Fatalf("thread %s of B changed by the delete and reuse:\n%s\n%s", th.ID, canon(t, th), w)
		}
	}
	if got, want := len(after.Threads), len(bIDs)+len(newB)+4+2; got != want { // C: 4 threads + 2 resets
		t.Fatalf("%d threads exported, want %d", got, want)
	}
	checkListsAgainstExport(t, s, botB, reviewFilters([]string{ModeAI, ModeAgent}, []string{SimulatedModelID}))
	checkOrder(t, s, botB)
	checkOrder(t, s, third.ID)

	// An import over the full store: another store's state, then every read again.
	o, oclk, oa, _ := newThreadStore(t, nil)
	oclk.advance(time.Hour)
	fillBot(t, o, oclk, oa, 3)
	raw, err := o.Export()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(raw); err != nil {
		t.Fatal(err)
	}
	mine, err := s.Export()
	if err != nil {
		t.Fatal(err)
	}
	if string(mine) != string(raw) {
		t.Fatal("the store does not export what was imported over it")
	}
	checkReadsAgainstExport(t, s)
	if _, err := s.Thread(botB, bIDs[0]); err == nil {
		t.Fatal("a thread of the replaced state is still readable")
	}
	// And it keeps working: writes after the import land and read back.
	fillBot(t, s, oclk, oa, 2)
	checkReadsAgainstExport(t, s)
	checkOrder(t, s, oa)
}

// chatbotAccount is the account of a chatbot (test helper).
func (s *Store) chatbotAccount(bot string) (string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.chatbots[bot]
	if !ok {
		return "", fmt.Errorf("no chatbot %s", bot)
	}
	return c.AccountID, nil
}

// FINDING (predates the message table; import only): two messages of one thread with the
// same seq (Import accepts it: seqBefore breaks the tie by id) make ReadThreadMessages'
// cursor skip one. message.go finds the page end with sort.Search on seq >= the cursor's
// seq, so the cursor's twin that sorts before it is never returned.
func TestReviewCursorPagesWithEqualSeqs(t *testing.T) {
	doc, threads, _ := oddDoc(t)
	in, _ := json.Marshal(doc)
	s := New(Config{Seed: 7})
	if _, err := s.Import(in); err != nil {
		t.Fatal(err)
	}
	th := threads[0]
	bot, id := th["chatbotId"].(string), th["id"].(string)
	all, n, err := s.PeekMessages(bot, id, 0, 0)
	if err != nil || n != 3 {
		t.Fatalf("%d messages, %v", n, err)
	}
	var got []string
	before := ""
	for i := 0; i < 5; i++ {
		p, err := s.ReadThreadMessages(bot, id, before, 1)
		if err != nil {
			t.Fatal(err)
		}
		for j := len(p.Messages) - 1; j >= 0; j-- {
			got = append(got, p.Messages[j].ID)
		}
		if p.NextCursor == nil {
			break
		}
		before = *p.NextCursor
	}
	var want []string
	for j := len(all) - 1; j >= 0; j-- {
		want = append(want, all[j].ID)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("paging back one at a time gives %q, the thread has %q", got, want)
	}
}

// The imported odd threads (ids that are not UUIDs, upper-case UUIDs beside their
// lower-case twins, empty and upper-case visitor ids shared by several threads, times at
// offsets and at the ends of the range) read back as exported, with their visitors'
// statistics counted from the export; and again after writes to them.
func TestReviewReadsOfImportedOddThreads(t *testing.T) {
	doc, threads, messages := oddDoc(t)
	// Seqs past the document's idSequence are TestReviewImportedSeqPastIDSequence's case.
	for _, list := range [][]map[string]any{threads, messages} {
		for _, x := range list {
			if x["seq"].(json.Number).String() == "18446744073709551615" {
				x["seq"] = json.Number("5")
			}
		}
	}
	in, _ := json.Marshal(doc)
	s := New(Config{Seed: 7, Now: func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }})
	if _, err := s.Import(in); err != nil {
		t.Fatal(err)
	}
	checkReadsAgainstExport(t, s)
	for i, th := range threads {
		bot, id := th["chatbotId"].(string), th["id"].(string)
		if _, err := s.SendAgentMessage(bot, id, AgentMessage{Content: fmt.Sprint("agent ", i)}); err != nil {
			t.Fatalf("%.40q: %v", id, err)
		}
		if _, err := s.VisitorMessage(bot, id, VisitorTurn{Content: "visitor"}); err != nil {
			t.Fatalf("%.40q: %v", id, err)
		}
		if _, err := s.UpdateThreads(bot, []ThreadUpdate{{ThreadID: id, Tags: &[]string{"after"}, Archived: bptr(i%2 == 0)}}); err != nil {
			t.Fatal(err)
		}
	}
	d := checkReadsAgainstExport(t, s)
	for _, th := range d.Threads {
		if len(th.Tags) == 1 && th.Tags[0] == "after" {
			continue
		}
		if th.Seq != 0 || th.ID != "" {
			for _, o := range threads {
				if o["id"] == th.ID {
					t.Fatalf("thread %.40q lost its update: tags %q", th.ID, th.Tags)
				}
			}
		}
	}
	checkListsAgainstExport(t, s, threads[0]["chatbotId"].(string), reviewFilters([]string{"AI", "AGENT", "HUMAN", "", "weird mode"}, []string{"m1", "M1"}))
}

// FINDING (import): Import accepts a thread or message whose seq is past the document's
// idSequence (snapshot.go checks ids and references, not seqs). Messages written after it
// get smaller seqs but are appended at the end of the thread's list (appendMessageLocked),
// so the list is no longer in seq order: ReadThreadMessages' cursor (sort.Search on seq,
// message.go) then pages wrongly, and the next export -> import (which sorts by seq)
// reorders the thread's messages. A state file saved from one run and edited, or two
// merged, is enough.
func TestReviewImportedSeqPastIDSequence(t *testing.T) {
	s, _, bot, _ := newThreadStore(t, nil)
	th := mustThread(t, s, bot, NewThread{})
	if _, err := s.SendAgentMessage(bot, th.ID, AgentMessage{Content: "old"}); err != nil {
		t.Fatal(err)
	}
	raw, _ := s.Export()
	doc := decodeDoc(t, raw)
	for _, x := range doc["messages"].([]any) {
		x.(map[string]any)["seq"] = json.Number("1000000")
	}
	in, _ := json.Marshal(doc)
	if _, err := s.Import(in); err != nil {
		t.Skipf("import refuses a seq past idSequence (the fix): %v", err)
	}
	for i := 0; i < 3; i++ {
		if _, err := s.SendAgentMessage(bot, th.ID, AgentMessage{Content: fmt.Sprint("new ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	live, _, _ := s.PeekMessages(bot, th.ID, 0, 0)
	var got []string
	before := ""
	for i := 0; i < 6; i++ {
		p, err := s.ReadThreadMessages(bot, th.ID, before, 1)
		if err != nil {
			t.Fatal(err)
		}
		for j := len(p.Messages) - 1; j >= 0; j-- {
			got = append(got, p.Messages[j].Content)
		}
		if p.NextCursor == nil {
			break
		}
		before = *p.NextCursor
	}
	var want []string
	for j := len(live) - 1; j >= 0; j-- {
		want = append(want, live[j].Content)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("paging back one at a time gives %q, the thread reads %q", got, want)
	}
	raw2, _ := s.Export()
	s2 := New(Config{Seed: 7})
	if _, err := s2.Import(raw2); err != nil {
		t.Fatal(err)
	}
	again, _, _ := s2.PeekMessages(bot, th.ID, 0, 0)
	if a, b := canon(t, again), canon(t, live); a != b {
		t.Errorf("export -> import reorders the thread's messages:\nbefore %.400s\nafter  %.400s", b, a)
	}
}
