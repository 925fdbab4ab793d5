package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// Review (issue 11): snapshots of the thread and message tables. A state document with
// odd values goes in, comes out byte for byte on a second round, and every thread and
// message reads back as it was written (compared as canonical JSON).

// decodeDoc reads a state document generically, numbers kept exact.
func decodeDoc(t *testing.T, b []byte) map[string]any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var doc map[string]any
	if err := d.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func canon(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// oddDoc is a real store's export with threads and messages of odd values added to it.
func oddDoc(t *testing.T) (doc map[string]any, threads, messages []map[string]any) {
	t.Helper()
	s, _, bot, _ := newThreadStore(t, nil)
	base := mustThread(t, s, bot, NewThread{})
	if _, err := s.SendAgentMessage(bot, base.ID, AgentMessage{Content: "hello"}); err != nil {
		t.Fatal(err)
	}
	raw, err := s.Export()
	if err != nil {
		t.Fatal(err)
	}
	doc = decodeDoc(t, raw)
	long := strings.Repeat("λ\x00x", 70000) // 280,000 bytes, NULs inside
	times := []any{
		"2026-03-02T11:30:00.000000005+02:30", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
		"9999-12-31T23:59:59.999999999-12:00", "0001-01-01T00:00:00+14:00", "1677-09-21T00:12:43.145224191Z",
		"2262-04-11T23:47:16.854775808Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999999999Z",
	}
	ids := []string{
		"T-not-a-uuid", "6BA7B810-9DAD-11D1-80B4-00C04FD430C8", "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
		"6ba7b810-9dad-11d1-80b4-00c04fd430c8 ", " 6ba7b810-9dad-11d1-80b4-00c04fd430c8", "6ba7b8109dad11d180b400c04fd430c8xxxx",
		"6ba7b810-9dad-11d1-80b4-00c04fd430cg", "ü", strings.Repeat("i", 5000), "0", "x\x00y",
	}
	for i, id := range ids {
		at := times[i%len(times)]
		var visitor any = fmt.Sprintf("visitor-%d", i%3)
		switch i % 4 {
		case 1:
			visitor = nil
		case 2:
			visitor = ""
		case 3:
			visitor = strings.ToUpper("6ba7b810-9dad-11d1-80b4-00c04fd430c" + fmt.Sprint(i%10))
		}
		var tags any = []any{}
		switch i % 3 {
		case 1:
			tags = nil
		case 2:
			tags = []any{"", "a\x00b", "✓", long[:100]}
		}
		var model any
		if i%2 == 0 {
			model = map[string]any{"id": []string{"", "m1", "M1"}[i%3], "provider": "p\x00", "title": ""}
		}
		var title any
		if i%3 != 1 {
			title = []string{"", long, "t"}[i%3]
		}
		th := map[string]any{
			"id": id, "chatbotId": bot, "visitorId": visitor, "title": title,
			"mode": []string{"AI", "AGENT", "HUMAN", "HUMAN", "AI"}[i%5], "anonymous": i%2 == 0,
			"unreadMessagesCount": json.Number(fmt.Sprint([]int{0, 1, -5, 1 << 40}[i%4])),
			"escalated":           i%3 == 0, "important": i%4 == 0, "resolved": i%5 == 0, "archived": i%2 == 1,
			"tags": tags, "positiveCount": json.Number("-3"), "negativeCount": json.Number("9223372036854775807"),
			"platformSource": []any{nil, "api", "", "widget"}[i%4], "startedAt": []any{nil, at}[i%2],
			"updatedAt": times[(i+3)%len(times)], "endedAt": []any{at, nil}[i%2],
			"visitorName": []any{nil, "", "Zoë"}[i%3], "visitorEmail": []any{"a@b.c", nil}[i%2], "visitorPhone": nil,
			"botIconSrc": "b", "userIconSrc": nil, "agentIconSrc": "", "bubbleIconSrc": long[:10],
			"llmModel": model, "internalNotes": []any{nil, "n\x00"}[i%2], "lastActivityAt": times[(i+5)%len(times)],
			"seq": json.Number(fmt.Sprint([]uint64{0, 1, 1 << 62, 42}[i%4])),
		}
		threads = append(threads, th)
		for j := 0; j < 3; j++ {
			var source any
			switch (i + j) % 3 {
			case 0:
				source = nil
			case 1:
				source = []any{}
			default:
				source = []any{map[string]any{"title": "", "url": "u\x00", "snippet": long[:50]}, map[string]any{"title": "t", "url": "", "snippet": ""}}
			}
			m := map[string]any{
				"id": fmt.Sprintf("%s/m%d", id, j), "threadId": id, "chatbotId": bot,
				"messageType": []string{"USER_MESSAGE", "AI_MESSAGE", "SOMETHING"}[j], "systemMessageType": []any{nil, "ESCALATED", ""}[j],
				"content": []string{"", long, "✓"}[j], "contentTimestamp": []any{nil, times[j]}[j%2],
				"role": []string{"user", "assistant", "SYSTEM"}[j], "agentName": []any{nil, ""}[j%2],
				"parentMessageId": nil, "llmModelId": []any{"x", nil}[j%2], "reaction": []any{nil, "LIKE"}[j%2],
				"source": source, "isEdited": j == 1, "editedBy": []any{nil, "u1"}[j%2], "editedAt": []any{nil, times[4]}[j%2],
				"createdAt": times[(i+j)%len(times)], "updatedAt": times[(i+j+1)%len(times)],
				"seq": json.Number(fmt.Sprint([]uint64{7, 7, 1 << 62}[j])), // two share a seq
			}
			messages = append(messages, m)
		}
	}
	doc["threads"] = append(doc["threads"].([]any), toAny(threads)...)
	doc["messages"] = append(doc["messages"].([]any), toAny(messages)...)
	// Import refuses modes and roles outside the spec's enums and seqs past idSequence
	// (the review's findings, fixed): the odd values here stay within those rules.
	doc["idSequence"] = json.Number(fmt.Sprint(uint64(1) << 62))
	return doc, threads, messages
}

func toAny(list []map[string]any) []any {
	out := make([]any, len(list))
	for i, x := range list {
		out[i] = x
	}
	return out
}

func TestReviewSnapshotOddValuesRoundTrip(t *testing.T) {
	doc, threads, messages := oddDoc(t)
	in, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{Seed: 7})
	if _, err := s.Import(in); err != nil {
		t.Fatalf("import: %v", err)
	}
	first, err := s.Export()
	if err != nil {
		t.Fatal(err)
	}
	s2 := New(Config{Seed: 7})
	if _, err := s2.Import(first); err != nil {
		t.Fatalf("re-import: %v", err)
	}
	second, err := s2.Export()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Fatalf("export -> import -> export differs (%d vs %d bytes)", len(first), len(second))
	}
	out := decodeDoc(t, first)
	byID := func(list []any) map[string]string {
		m := map[string]string{}
		for _, x := range list {
			o := x.(map[string]any)
			m[o["id"].(string)] = canon(t, o)
		}
		return m
	}
	gotT, gotM := byID(out["threads"].([]any)), byID(out["messages"].([]any))
	for _, th := range threads {
		id := th["id"].(string)
		if want := canon(t, th); gotT[id] != want {
			t.Errorf("thread %.40q:\n got %.600s\nwant %.600s", id, gotT[id], want)
		}
	}
	for _, m := range messages {
		id := m["id"].(string)
		if want := canon(t, m); gotM[id] != want {
			t.Errorf("message %.40q:\n got %.600s\nwant %.600s", id, gotM[id], want)
		}
	}
}
