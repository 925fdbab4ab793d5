package mock

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// Review (issue 11, the store's thread and message tables) through the HTTP API in strict
// mode (every response validated against the spec): a state with odd but valid threads and
// messages goes in with PUT /__mock/state, round-trips byte for byte, reads back through
// the API, takes writes, and the writes are in the next export.

func decodeState(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var doc map[string]any
	if err := d.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func reviewOddState(t *testing.T, tm *testMock) (doc map[string]any, ids []string) {
	t.Helper()
	doc = decodeState(t, tm.getState(t))
	ids = []string{"6BA7B810-9DAD-11D1-80B4-00C04FD430C8", "legacy-thread_1", "6ba7b810-9dad-11d1-80b4-00c04fd430c9"}
	times := []string{"2026-03-02T11:30:00.000000005+05:30", "2026-03-02T09:00:00.5-08:00", "2026-03-02T09:00:00Z"}
	for i, id := range ids {
		var tags any = []any{}
		if i == 1 {
			tags = nil
		}
		doc["threads"] = append(doc["threads"].([]any), map[string]any{
			"id": id, "chatbotId": botShipping, "visitorId": []any{"V-" + id, nil, strings.ToUpper(id)}[i], "title": "Zoë ✓ \x00 " + id,
			"mode": []string{"AI", "AGENT", "HUMAN"}[i], "anonymous": i == 1, "unreadMessagesCount": json.Number("2"),
			"escalated": false, "important": i == 0, "resolved": false, "archived": false, "tags": tags,
			"positiveCount": json.Number("0"), "negativeCount": json.Number("0"), "platformSource": []any{"api", nil, "widget"}[i],
			"startedAt": times[i], "updatedAt": times[i], "endedAt": nil, "visitorName": []any{"Zoë", nil, ""}[i],
			"visitorEmail": nil, "visitorPhone": nil, "botIconSrc": nil, "userIconSrc": nil, "agentIconSrc": nil,
			"bubbleIconSrc": nil, "llmModel": nil, "internalNotes": nil, "lastActivityAt": times[(i+1)%3],
			"seq": json.Number("1"),
		})
		for j, role := range []string{"user", "assistant"} {
			var source any
			if j == 1 && i != 1 {
				source = []any{}
			}
			doc["messages"] = append(doc["messages"].([]any), map[string]any{
				"id": id + "-m" + string(rune('0'+j)), "threadId": id, "chatbotId": botShipping,
				"messageType": []string{"USER_MESSAGE", "AI_MESSAGE"}[j], "systemMessageType": nil, "content": "héllo \x00 " + role,
				"contentTimestamp": times[j], "role": role, "agentName": nil, "parentMessageId": nil, "llmModelId": nil,
				"reaction": nil, "source": source, "isEdited": false, "editedBy": nil, "editedAt": nil,
				"createdAt": times[j], "updatedAt": times[j], "seq": json.Number(string(rune('2' + j))),
			})
		}
	}
	return doc, ids
}

func TestReviewStateOddThreadsThroughTheAPI(t *testing.T) {
	tm := newTestMock(t)
	doc, ids := reviewOddState(t, tm)
	tm.do("PUT", "/__mock/state", "", doc).must(t, 200)
	first := tm.getState(t)
	tm.do("PUT", "/__mock/state", "", json.RawMessage(first)).must(t, 200)
	if second := tm.getState(t); !bytes.Equal(first, second) {
		t.Fatalf("GET → PUT → GET differs (%d vs %d bytes)", len(first), len(second))
	}
	chat := "/api/v1/chatting/" + botShipping
	// Every list and filter answers (and validates) with the imported threads in it.
	all := tm.do("GET", chat+"/threads?limit=100", keyScale, nil).must(t, 200)
	listed := string(all.Raw)
	for _, id := range ids {
		if !strings.Contains(listed, `"`+id+`"`) {
			t.Fatalf("thread %s is not listed", id)
		}
	}
	for _, q := range []string{"mode=HUMAN", "important=true", "anonymous=true&mode=AGENT"} {
		tm.do("GET", chat+"/threads?limit=100&"+q, keyScale, nil).must(t, 200)
	}
	for _, id := range ids {
		p := url.PathEscape(id)
		if d := tm.do("GET", chat+"/thread/"+p, keyScale, nil).must(t, 200); d.str("data.thread.id") != id {
			t.Fatalf("thread %s details: %s", id, d.Raw)
		}
		tm.do("GET", chat+"/thread/"+p+"/messages", keyScale, nil).must(t, 200)
		// Writes to the imported thread: an agent message, a status update, an escalation.
		tm.do("POST", chat+"/thread/"+p+"/message", keyScale, map[string]any{"content": "agent reply " + id}).must(t, 201)
		tm.do("PATCH", chat+"/thread/update-thread", keyScale, []map[string]any{{"threadId": id, "tags": []string{"tag-" + id}, "resolved": true}}).must(t, 200)
	}
	after := decodeState(t, tm.getState(t))
	found := 0
	for _, x := range after["threads"].([]any) {
		th := x.(map[string]any)
		for _, id := range ids {
			if th["id"] != id {
				continue
			}
			found++
			tags, _ := th["tags"].([]any)
			if len(tags) != 1 || tags[0] != "tag-"+id || th["resolved"] != true {
				t.Errorf("thread %s: the update was lost: tags %v resolved %v", id, th["tags"], th["resolved"])
			}
			if th["unreadMessagesCount"].(json.Number).String() != "0" {
				t.Errorf("thread %s: reading its messages did not mark it read: %v", id, th["unreadMessagesCount"])
			}
		}
	}
	if found != len(ids) {
		t.Fatalf("%d of %d imported threads in the export", found, len(ids))
	}
	msgs := 0
	for _, x := range after["messages"].([]any) {
		if c, _ := x.(map[string]any)["content"].(string); strings.HasPrefix(c, "agent reply ") {
			msgs++
		}
	}
	if msgs != len(ids) {
		t.Fatalf("%d of %d agent messages in the export", msgs, len(ids))
	}
}
