package store

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// A thread goes into its record and comes back with every field as it was: nil and empty
// tags apart, a shared or own platform source, times in UTC or at an offset, every optional
// value present or absent.
func TestThreadRecordRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 123456789, time.UTC)
	east := time.Date(2026, 3, 2, 11, 30, 0, 5, time.FixedZone("", 2*3600+1800))
	str := func(s string) *string { return &s }
	full := Thread{ID: "t-full", ChatbotID: "bot-1", VisitorID: str("v-1"), Title: str("Order \x00 question ✓"), Mode: ModeAgent,
		Anonymous: true, UnreadMessagesCount: 7, Escalated: true, Important: true, Resolved: true, Archived: true,
		Tags: []string{"a", "", "ü"}, PositiveCount: 3, NegativeCount: -2, PlatformSource: str("widget"),
		StartedAt: &east, UpdatedAt: at, EndedAt: &at, VisitorName: str(""), VisitorEmail: str("ada@example.com"),
		VisitorPhone: str("+1 555"), BotIconSrc: str("b"), UserIconSrc: str("u"), AgentIconSrc: str("a"), BubbleIconSrc: str("x"),
		LLMModel: &LLMModel{ID: "m-1", Provider: "openai", Title: "GPT"}, InternalNotes: str(strings.Repeat("n", 300)),
		LastActivity: east, Seq: 1 << 40}
	bare := Thread{ID: "t-bare", ChatbotID: "bot-2", Mode: "SOMETHING ELSE", PlatformSource: apiSource, UpdatedAt: time.Time{}}
	for _, in := range []Thread{full, bare, {ID: "t-empty-tags", ChatbotID: "bot-1", Tags: []string{}}} {
		tt := newThreadTable()
		th := in
		tt.add(&th)
		got := tt.at(tt.row(in.ID))
		want, _ := json.Marshal(in)
		have, _ := json.Marshal(got)
		if string(want) != string(have) {
			t.Fatalf("round trip of %s:\n got %s\nwant %s", in.ID, have, want)
		}
		if (in.Tags == nil) != (got.Tags == nil) {
			t.Fatalf("%s: tags nil %v, want %v", in.ID, got.Tags == nil, in.Tags == nil)
		}
		if (in.PlatformSource == apiSource) != (got.PlatformSource == apiSource) {
			t.Fatalf("%s: the shared platform source was not kept shared", in.ID)
		}
		if !got.LastActivity.Equal(in.LastActivity) || !got.UpdatedAt.Equal(in.UpdatedAt) {
			t.Fatalf("%s: times %v %v, want %v %v", in.ID, got.LastActivity, got.UpdatedAt, in.LastActivity, in.UpdatedAt)
		}
	}
}

// The copies a list returns are their own: the scratch thread the list decodes into is
// reused for the next row, and nothing of it may show through a copy.
func TestListedThreadsShareNothing(t *testing.T) {
	s, _, bot, _ := newThreadStore(t, nil)
	for i := 0; i < 5; i++ {
		title, name := fmt.Sprintf("title %d", i), fmt.Sprintf("name %d", i)
		mustThread(t, s, bot, NewThread{Title: &title, VisitorName: &name})
	}
	page, err := s.ListThreads(bot, ThreadFilter{}, 1, 10)
	if err != nil || len(page.Threads) != 5 {
		t.Fatalf("list: %d threads, %v", len(page.Threads), err)
	}
	seen := map[string]bool{}
	for i, th := range page.Threads {
		var n int
		if _, err := fmt.Sscanf(*th.Title, "title %d", &n); err != nil || *th.VisitorName != fmt.Sprintf("name %d", n) || seen[*th.Title] {
			t.Fatalf("thread %d: title %q name %q: another thread's values, or a repeat", i, *th.Title, *th.VisitorName)
		}
		seen[*th.Title] = true
	}
}

// A change made in a write is in the record when the write ends, and a copy taken before it
// does not see it.
func TestThreadWritesReachTheRecord(t *testing.T) {
	s, _, bot, _ := newThreadStore(t, nil)
	th := mustThread(t, s, bot, NewThread{Title: ptr("before")})
	before, _ := s.Thread(bot, th.ID)
	if _, err := s.UpdateThreads(bot, []ThreadUpdate{{ThreadID: th.ID, Title: OptString{Set: true, Value: ptr("after")},
		Tags: &[]string{"x"}, Resolved: ptr(true)}}); err != nil {
		t.Fatal(err)
	}
	after, _ := s.Thread(bot, th.ID)
	if *after.Title != "after" || len(after.Tags) != 1 || !after.Resolved {
		t.Fatalf("after the update: %+v", after)
	}
	if *before.Title != "before" || len(before.Tags) != 0 || before.Resolved {
		t.Fatalf("the copy taken before the update changed: %+v", before)
	}
	resolved, err := s.ListThreads(bot, ThreadFilter{Resolved: ptr(true)}, 1, 10)
	if err != nil || resolved.Total != 1 || resolved.Threads[0].ID != th.ID {
		t.Fatalf("resolved filter after the update: %+v, %v", resolved, err)
	}
}

// Times at an offset and threads without visitor survive export and import byte for byte.
func TestThreadRecordsExportByteForByte(t *testing.T) {
	s, _, bot, _ := newThreadStore(t, nil)
	mustThread(t, s, bot, NewThread{Title: ptr("one")})
	doc, err := s.Export()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	threads := m["threads"].([]any)
	th := threads[0].(map[string]any)
	th["startedAt"] = "2026-03-02T11:00:00.5+02:00"
	th["lastActivityAt"] = "2026-03-02T11:00:00-05:30"
	th["visitorId"] = nil
	th["tags"] = nil
	edited, _ := json.Marshal(m)
	s2 := New(Config{Seed: 7})
	if _, err := s2.Import(edited); err != nil {
		t.Fatal(err)
	}
	out1, err := s2.Export()
	if err != nil {
		t.Fatal(err)
	}
	s3 := New(Config{Seed: 7})
	if _, err := s3.Import(out1); err != nil {
		t.Fatal(err)
	}
	out2, _ := s3.Export()
	if string(out1) != string(out2) {
		t.Fatalf("export → import → export differs")
	}
	for _, want := range []string{`"startedAt":"2026-03-02T11:00:00.5+02:00"`, `"lastActivityAt":"2026-03-02T11:00:00-05:30"`, `"visitorId":null`, `"tags":null`} {
		if !strings.Contains(string(out1), want) {
			t.Fatalf("export lost %s", want)
		}
	}
}

// Only the canonical lower-case form of a UUID is a UUID key; any other id is a string key,
// and both kinds are found, listed and removed.
func TestThreadTableIDs(t *testing.T) {
	for _, c := range []struct {
		id   string
		uuid bool
	}{
		{"0f8fad5b-d9cb-469f-a165-70867728950e", true},
		{"0F8FAD5B-D9CB-469F-A165-70867728950E", false},
		{"0f8fad5b-d9cb-469f-a165-70867728950", false},
		{"0f8fad5bd-9cb-469f-a165-70867728950e", false},
		{"0f8fad5b-d9cb-469f-a165-70867728950g", false},
		{"thread-1", false},
		{"", false},
	} {
		if _, ok := parseUUID(c.id); ok != c.uuid {
			t.Fatalf("parseUUID(%q) = %v, want %v", c.id, ok, c.uuid)
		}
	}
	tt := newThreadTable()
	ids := []string{"0f8fad5b-d9cb-469f-a165-70867728950e", "0F8FAD5B-D9CB-469F-A165-70867728950E", "thread-1"}
	for _, id := range ids {
		tt.add(&Thread{ID: id, ChatbotID: "bot", VisitorID: ptr("v-" + id)})
	}
	seen := map[string]bool{}
	tt.each(func(row int32, id, bot string) {
		th := tt.at(row)
		if th.ID != id || bot != "bot" || *th.VisitorID != "v-"+id {
			t.Fatalf("row %d: %q %q %q", row, th.ID, bot, *th.VisitorID)
		}
		seen[id] = true
	})
	if len(seen) != 3 || tt.Len() != 3 {
		t.Fatalf("each saw %v, Len %d", seen, tt.Len())
	}
	tt.remove(ids[0])
	if tt.row(ids[0]) != 0 || tt.row(ids[1]) == 0 || tt.Len() != 2 {
		t.Fatalf("after removing the UUID: rows %d %d, Len %d", tt.row(ids[0]), tt.row(ids[1]), tt.Len())
	}
	tt.add(&Thread{ID: "thread-2", ChatbotID: "bot"}) // takes the freed row: nothing of the old one shows
	if th, _ := tt.get("thread-2"); th.VisitorID != nil {
		t.Fatalf("a reused row kept the old visitor id %q", *th.VisitorID)
	}
}

// A message goes into its record and comes back with every field as it was.
func TestMessageRecordRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 1, time.UTC)
	off := time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("", -3600))
	str := func(s string) *string { return &s }
	full := Message{ID: "m-1", ThreadID: "t-1", ChatbotID: "bot", MessageType: "AI_MESSAGE", SystemMessageType: str("RESET"),
		Content: "héllo \x00 " + strings.Repeat("x", 500), ContentTimestamp: &off, Role: RoleAssistant, AgentName: str("Ann"),
		ParentMessageID: str("m-0"), LLMModelID: str("gpt"), Reaction: str("LIKE"),
		Source: []MessageSource{{Title: "T", URL: "https://example.com", Snippet: ""}}, IsEdited: true, EditedBy: str("u-1"),
		EditedAt: &at, CreatedAt: at, UpdatedAt: off, Seq: 99}
	for _, in := range []Message{full, {ID: "m-2", ThreadID: "t-1", ChatbotID: "bot", Role: "custom", Source: []MessageSource{}},
		{ID: "0f8fad5b-d9cb-469f-a165-70867728950e", ThreadID: "t-2", ChatbotID: "bot2"}} {
		tt := newThreadTable() // a message names its thread by row: the thread must be stored
		tt.add(&Thread{ID: in.ThreadID, ChatbotID: in.ChatbotID})
		mt := newMsgTable(tt)
		m := in
		mt.add(&m)
		got := mt.at(mt.row(in.ID))
		want, _ := json.Marshal(in)
		have, _ := json.Marshal(got)
		if string(want) != string(have) {
			t.Fatalf("round trip of %s:\n got %s\nwant %s", in.ID, have, want)
		}
		if (in.Source == nil) != (got.Source == nil) || mt.isUser(got.row) != (in.Role == RoleUser) || mt.seqOf(got.row) != in.Seq {
			t.Fatalf("%s: source nil %v, isUser %v, seq %d", in.ID, got.Source == nil, mt.isUser(got.row), mt.seqOf(got.row))
		}
	}
}

// Messages read in pages are copies of their own, and an edit reaches the record.
func TestMessagePagesShareNothing(t *testing.T) {
	s, _, bot, _ := newThreadStore(t, nil)
	th := mustThread(t, s, bot, NewThread{})
	for i := 0; i < 4; i++ {
		if _, err := s.SendAgentMessage(bot, th.ID, AgentMessage{Content: fmt.Sprintf("message %d", i), AgentName: ptr(fmt.Sprintf("agent %d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	page, err := s.ReadThreadMessages(bot, th.ID, "", 10)
	if err != nil || len(page.Messages) != 4 {
		t.Fatalf("read: %d messages, %v", len(page.Messages), err)
	}
	for i, m := range page.Messages {
		if m.Content != fmt.Sprintf("message %d", i) || m.AgentName == nil || *m.AgentName != fmt.Sprintf("agent %d", i) {
			t.Fatalf("message %d: %q by %v", i, m.Content, m.AgentName)
		}
	}
	if _, err := s.EditMessage(bot, page.Messages[1].ID, "edited", "u-1"); err != nil {
		t.Fatal(err)
	}
	again, _ := s.ReadThreadMessages(bot, th.ID, "", 10)
	if again.Messages[1].Content != "edited" || !again.Messages[1].IsEdited || page.Messages[1].Content != "message 1" {
		t.Fatalf("after the edit: %q (edited %v); the earlier copy says %q", again.Messages[1].Content, again.Messages[1].IsEdited, page.Messages[1].Content)
	}
}

// Visitor stats come back as they were put, under UUID and other ids alike; an unknown
// visitor has none, and a visitor not yet seen keeps zero times.
func TestVisitorIndex(t *testing.T) {
	x := newVisitorIndex(newThreadTable())
	at := time.Date(2026, 3, 2, 9, 0, 0, 7, time.FixedZone("", 3600))
	keys := []visitorKey{{"0f8fad5b-d9cb-469f-a165-70867728950e", "1f8fad5b-d9cb-469f-a165-70867728950e"},
		{"0f8fad5b-d9cb-469f-a165-70867728950e", "visitor-1"}, {"361628903185300002", "1f8fad5b-d9cb-469f-a165-70867728950e"}}
	for i, k := range keys {
		if got := x.get(k); got != (visitorStats{}) {
			t.Fatalf("unknown visitor %d: %+v", i, got)
		}
		v := visitorStats{sessions: i + 1, messages: 2 * i}
		if i > 0 {
			v.seen(at)
		}
		x.put(k, v)
	}
	for i, k := range keys {
		got := x.get(k)
		if got.sessions != i+1 || got.messages != 2*i || got.first.IsZero() != (i == 0) || (i > 0 && (!got.first.Equal(at) || got.last.Format(time.RFC3339Nano) != at.Format(time.RFC3339Nano))) {
			t.Fatalf("visitor %d: %+v", i, got)
		}
	}
	x.del(keys[1])
	if x.get(keys[1]) != (visitorStats{}) || x.get(keys[0]).sessions != 1 || x.get(keys[2]).sessions != 3 {
		t.Fatalf("after deleting one visitor the others changed, or it stayed")
	}
}

// A multi-filter walk reads each row's key without allocating, model filter included.
func TestMatchesAllocatesNothing(t *testing.T) {
	tt := newThreadTable()
	th := &Thread{ID: "t-1", ChatbotID: "bot", Mode: ModeAI, Resolved: true, LLMModel: &LLMModel{ID: "m-1"}}
	th.ix = th.currentIx()
	tt.add(th)
	row := tt.row("t-1")
	model, mode, yes := "m-1", ModeAI, true
	f := ThreadFilter{LLMModelID: &model, Mode: &mode, Resolved: &yes}
	if !tt.matches(row, f) {
		t.Fatal("the thread does not match its own values")
	}
	if n := testing.AllocsPerRun(100, func() { tt.matches(row, f) }); n != 0 {
		t.Fatalf("matches allocates %v times a row", n)
	}
}
