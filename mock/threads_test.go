package mock

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

const userAgentID = "361628903185320007" // Ava Agent, keyAgent's user

func threadsPath(bot string) string       { return "/api/v1/chatting/" + bot + "/threads" }
func threadPath(bot, id string) string    { return "/api/v1/chatting/" + bot + "/thread/" + id }
func messagePath(bot, id string) string   { return "/api/v1/chatting/" + bot + "/message/" + id }
func updateThreadsPath(bot string) string { return "/api/v1/chatting/" + bot + "/thread/update-thread" }

// list reads data.<field> as an array.
func (r resp) listAt(path string) []any {
	v, _ := r.at(path).([]any)
	return v
}

func (r resp) intAt(path string) int {
	f, _ := r.at(path).(float64)
	return int(f)
}

func (r resp) boolAt(path string) bool {
	b, _ := r.at(path).(bool)
	return b
}

// createTestThread creates a thread in botShipping and returns its id.
func createTestThread(t *testing.T, tm *testMock, body any) string {
	t.Helper()
	r := tm.do("POST", threadsPath(botShipping), keyScale, body).must(t, http.StatusCreated)
	return r.str("data.thread.id")
}

func TestThreadLifecycle(t *testing.T) {
	tm := newTestMock(t)
	tm.clock.Advance(time.Second) // after the fixtures' activity: ties are broken by id
	created := tm.do("POST", threadsPath(botShipping), keyScale, map[string]any{
		"title": "Imported from e-mail", "visitorName": "Ada Lovelace", "visitorEmail": "ada@example.com",
		"visitorPhone": "+49 30 1234", "platformSource": "email",
	}).must(t, http.StatusCreated)
	id := created.str("data.thread.id")
	for path, want := range map[string]any{
		"data.thread.title": "Imported from e-mail", "data.thread.mode": "AI", "data.thread.platformSource": "email",
		"data.thread.visitorPhone": "+49 30 1234", "data.thread.anonymous": false, "data.thread.unreadMessagesCount": 0.0,
	} {
		if got := created.at(path); got != want {
			t.Errorf("create: %s = %v; want %v", path, got, want)
		}
	}
	if got := tm.do("GET", threadsPath(botShipping), keyScale, nil).must(t, 200).str("data.threads.0.id"); got != id {
		t.Fatalf("list: first thread %q; want the new one %q (newest activity first)", got, id)
	}

	// An agent message: agentName defaults to the caller's name and the thread leaves AI mode.
	sent := tm.do("POST", threadPath(botShipping, id)+"/message", keyAgent, map[string]any{"content": "Hello Ada"}).must(t, http.StatusCreated)
	if sent.str("data.message.role") != "AGENT" || sent.str("data.message.agentName") != "Ava Agent" || sent.str("data.message.messageType") != "AGENT_MESSAGE" {
		t.Fatalf("agent message: got %s", sent.Raw)
	}
	msgID := sent.str("data.message.id")
	named := tm.do("POST", threadPath(botShipping, id)+"/message", keyAgent, map[string]any{"content": "Grace here", "agentName": "Grace"}).must(t, http.StatusCreated)
	if got := named.str("data.message.agentName"); got != "Grace" {
		t.Fatalf("agentName: got %q; want Grace", got)
	}
	details := tm.do("GET", threadPath(botShipping, id), keyAgent, nil).must(t, 200)
	if got := details.str("data.thread.mode"); got != "AGENT" {
		t.Fatalf("mode after an agent message: got %q; want AGENT", got)
	}
	if got := details.str("data.thread.visitorPhoneNumber"); got != "+49 30 1234" {
		t.Fatalf("visitorPhoneNumber: got %q", got)
	}
	if details.intAt("data.thread.visitorTotalSessions") != 1 || details.intAt("data.thread.visitorTotalMessages") != 0 || !details.boolAt("data.thread.visitorIsIdentified") {
		t.Fatalf("visitor stats: got %s", details.Raw)
	}

	msgs := tm.do("GET", threadPath(botShipping, id)+"/messages", keyScale, nil).must(t, 200)
	if l := msgs.listAt("data.messages"); len(l) != 2 || msgs.str("data.messages.0.id") != msgID {
		t.Fatalf("messages: got %s", msgs.Raw)
	}
	if msgs.boolAt("data.pagination.hasMore") || msgs.at("data.pagination.nextCursor") != nil {
		t.Fatalf("pagination: got %v", msgs.at("data.pagination"))
	}

	edited := tm.do("PATCH", messagePath(botShipping, msgID), keyAgent, map[string]any{"content": "Hello Ada!"}).must(t, 200)
	if edited.str("data.message.content") != "Hello Ada!" || !edited.boolAt("data.message.isEdited") ||
		edited.str("data.message.editedBy") != userAgentID || edited.str("data.message.editedAt") == "" {
		t.Fatalf("edit: got %s", edited.Raw)
	}

	esc := tm.do("PATCH", threadPath(botShipping, id)+"/escalate", keyAgent, nil).must(t, 200)
	if !esc.boolAt("data.thread.escalated") || esc.str("data.systemMessage.systemMessageType") != "ESCALATED" || esc.str("data.systemMessage.role") != "SYSTEM" {
		t.Fatalf("escalate: got %s", esc.Raw)
	}
	de := tm.do("PATCH", threadPath(botShipping, id)+"/escalate", keyAgent, nil).must(t, 200)
	if de.boolAt("data.thread.escalated") || de.str("data.systemMessage.systemMessageType") != "DE_ESCALATED" {
		t.Fatalf("de-escalate: got %s", de.Raw)
	}

	upd := tm.do("PATCH", updateThreadsPath(botShipping), keyAgent, []map[string]any{
		{"threadId": id, "resolved": true, "important": true, "tags": []string{"vip", "billing"}, "title": nil, "internalNotes": "Call back", "mode": "HUMAN"},
	}).must(t, 200)
	if upd.str("data.updatedThreads.0.0.id") != id || !upd.boolAt("data.updatedThreads.0.0.resolved") || upd.at("data.updatedThreads.0.0.title") != nil ||
		upd.str("data.updatedThreads.0.0.mode") != "HUMAN" || upd.str("data.updatedThreads.0.0.tags.1") != "billing" {
		t.Fatalf("update-thread: got %s", upd.Raw)
	}
	if got := tm.do("GET", threadPath(botShipping, id), keyAgent, nil).must(t, 200).str("data.thread.internalNotes"); got != "Call back" {
		t.Fatalf("internalNotes: got %q", got)
	}

	reset := tm.do("POST", threadPath(botShipping, id)+"/reset", keyAgent, nil).must(t, http.StatusCreated)
	newID := reset.str("data.newThread.id")
	if reset.str("data.oldThreadId") != id || newID == "" || newID == id {
		t.Fatalf("reset: got %s", reset.Raw)
	}
	if reset.str("data.newThread.visitorId") != created.str("data.thread.visitorId") || reset.str("data.newThread.visitorName") != "Ada Lovelace" {
		t.Fatalf("reset: new thread is not the same visitor: %s", reset.Raw)
	}
	if starters := reset.listAt("data.conversationStarters"); len(starters) != 3 || reset.str("data.conversationStarters.0.buttonTitle") != "Track my order" {
		t.Fatalf("reset: starters %v", starters)
	}
	if prompts := reset.listAt("data.followupPrompts"); len(prompts) != 2 || reset.at("data.followupPrompts.0.esclate") != true {
		t.Fatalf("reset: follow-up prompts %v", prompts)
	}
	old := tm.do("GET", threadPath(botShipping, id), keyAgent, nil).must(t, 200)
	if !old.boolAt("data.thread.archived") || old.at("data.thread.endedAt") == nil {
		t.Fatalf("reset: old thread not archived: %s", old.Raw)
	}
	oldMsgs := tm.do("GET", threadPath(botShipping, id)+"/messages?limit=2", keyAgent, nil).must(t, 200)
	if oldMsgs.str("data.messages.0.content") != "/reset" || oldMsgs.str("data.messages.0.role") != "user" || oldMsgs.str("data.messages.1.role") != "SYSTEM" {
		t.Fatalf("reset: old thread's last messages: %s", oldMsgs.Raw)
	}
	nd := tm.do("GET", threadPath(botShipping, newID), keyAgent, nil).must(t, 200)
	if nd.intAt("data.thread.visitorTotalSessions") != 2 || nd.intAt("data.thread.visitorTotalMessages") != 1 || nd.boolAt("data.thread.archived") {
		t.Fatalf("reset: new thread's visitor stats: %s", nd.Raw)
	}
}

func TestThreadMessagesResetsUnread(t *testing.T) {
	tm := newTestMock(t)
	list := tm.do("GET", threadsPath(botShipping)+"?limit=100", keyScale, nil).must(t, 200)
	var id string
	for i := range list.listAt("data.threads") {
		if n := list.intAt(fmt.Sprintf("data.threads.%d.unreadMessagesCount", i)); n > 0 {
			id = list.str(fmt.Sprintf("data.threads.%d.id", i))
			break
		}
	}
	if id == "" {
		t.Fatal("fixtures: no thread with unread messages")
	}
	r := tm.do("GET", threadPath(botShipping, id)+"/messages", keyScale, nil).must(t, 200)
	if got := r.intAt("data.thread.unreadMessagesCount"); got != 0 {
		t.Fatalf("response thread: unread %d; want 0", got)
	}
	if r.str("data.thread.id") != id {
		t.Fatalf("response thread id %q; want %q", r.str("data.thread.id"), id)
	}
	if got := tm.do("GET", threadPath(botShipping, id), keyScale, nil).must(t, 200).intAt("data.thread.unreadMessagesCount"); got != 0 {
		t.Fatalf("after reading: unread %d; want 0", got)
	}
}

func TestThreadErrors(t *testing.T) {
	tm := newTestMock(t)
	id := createTestThread(t, tm, map[string]any{"visitorName": "Ada"})
	sent := tm.do("POST", threadPath(botShipping, id)+"/message", keyScale, map[string]any{"content": "hi"}).must(t, 201)
	msgID := sent.str("data.message.id")
	otherThread := tm.do("GET", threadsPath(botOutfitters), keyGrowth, nil).must(t, 200).str("data.threads.0.id")
	otherMsg := tm.do("GET", threadPath(botOutfitters, otherThread)+"/messages", keyGrowth, nil).must(t, 200).str("data.messages.0.id")
	secondThread := createTestThread(t, tm, nil)
	secondMsg := tm.do("POST", threadPath(botShipping, secondThread)+"/message", keyScale, map[string]any{"content": "x"}).must(t, 201).str("data.message.id")
	const unknownBot = "361628903185399999"

	cases := []errorCase{
		{"list: no key", "GET", threadsPath(botShipping), "", nil, 401, "MISSING_JWT", ""},
		{"list: unknown chatbot", "GET", threadsPath(unknownBot), keyScale, nil, 404, "CHATBOT_NOT_FOUND", ""},
		{"list: other account", "GET", threadsPath(botOutfitters), keyScale, nil, 404, "CHATBOT_NOT_FOUND", ""},
		{"list: limit 0", "GET", threadsPath(botShipping) + "?limit=0", keyScale, nil, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"list: limit 101", "GET", threadsPath(botShipping) + "?limit=101", keyScale, nil, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"list: page 0", "GET", threadsPath(botShipping) + "?page=0", keyScale, nil, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"list: negative page", "GET", threadsPath(botShipping) + "?page=-3", keyScale, nil, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"list: huge page", "GET", threadsPath(botShipping) + "?page=99999999999999999999", keyScale, nil, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"list: page not a number", "GET", threadsPath(botShipping) + "?page=two", keyScale, nil, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"list: bad mode", "GET", threadsPath(botShipping) + "?mode=BOT", keyScale, nil, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"list: bad boolean", "GET", threadsPath(botShipping) + "?resolved=maybe", keyScale, nil, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"create: other account", "POST", threadsPath(botOutfitters), keyScale, map[string]any{}, 404, "CHATBOT_NOT_FOUND", ""},
		{"create: unknown chatbot", "POST", threadsPath(unknownBot), keyScale, map[string]any{}, 404, "CHATBOT_NOT_FOUND", ""},
		{"create: title too long", "POST", threadsPath(botShipping), keyScale, map[string]any{"title": strings.Repeat("t", 201)}, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"create: malformed json", "POST", threadsPath(botShipping), keyScale, `{"title":`, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"details: unknown thread", "GET", threadPath(botShipping, "nope"), keyScale, nil, 404, "RESOURCE_NOT_FOUND", ""},
		{"details: thread of another chatbot", "GET", threadPath(botShipping, otherThread), keyScale, nil, 404, "RESOURCE_NOT_FOUND", ""},
		{"details: other account", "GET", threadPath(botOutfitters, otherThread), keyScale, nil, 404, "CHATBOT_NOT_FOUND", ""},
		{"messages: unknown thread", "GET", threadPath(botShipping, "nope") + "/messages", keyScale, nil, 404, "RESOURCE_NOT_FOUND", ""},
		{"messages: unknown before", "GET", threadPath(botShipping, id) + "/messages?before=nope", keyScale, nil, 400, "INVALID_FIELD_VALUE", ""},
		{"messages: before of another thread", "GET", threadPath(botShipping, id) + "/messages?before=" + secondMsg, keyScale, nil, 400, "INVALID_FIELD_VALUE", ""},
		{"messages: limit 0", "GET", threadPath(botShipping, id) + "/messages?limit=0", keyScale, nil, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"messages: limit 101", "GET", threadPath(botShipping, id) + "/messages?limit=101", keyScale, nil, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"update: unknown thread", "PATCH", updateThreadsPath(botShipping), keyScale, []map[string]any{{"threadId": "nope", "resolved": true}}, 404, "RESOURCE_NOT_FOUND", ""},
		{"update: missing threadId", "PATCH", updateThreadsPath(botShipping), keyScale, []map[string]any{{"resolved": true}}, 400, "MISSING_REQUIRED_FIELD", ""},
		{"update: empty array", "PATCH", updateThreadsPath(botShipping), keyScale, []map[string]any{}, 400, "MISSING_REQUIRED_FIELD", ""},
		{"update: object, not array", "PATCH", updateThreadsPath(botShipping), keyScale, map[string]any{"threadId": id}, 400, "MISSING_REQUIRED_FIELD", ""},
		{"update: bad mode", "PATCH", updateThreadsPath(botShipping), keyScale, []map[string]any{{"threadId": id, "mode": "BOT"}}, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"update: other account", "PATCH", updateThreadsPath(botOutfitters), keyScale, []map[string]any{{"threadId": otherThread}}, 404, "CHATBOT_NOT_FOUND", ""},
		{"escalate: unknown thread", "PATCH", threadPath(botShipping, "nope") + "/escalate", keyScale, nil, 404, "RESOURCE_NOT_FOUND", ""},
		{"escalate: unknown chatbot", "PATCH", threadPath(unknownBot, id) + "/escalate", keyScale, nil, 404, "CHATBOT_NOT_FOUND", ""},
		{"agent message: unknown thread", "POST", threadPath(botShipping, "nope") + "/message", keyScale, map[string]any{"content": "x"}, 404, "RESOURCE_NOT_FOUND", ""},
		{"agent message: missing content", "POST", threadPath(botShipping, id) + "/message", keyScale, map[string]any{"agentName": "x"}, 400, "MISSING_REQUIRED_FIELD", ""},
		{"agent message: empty content", "POST", threadPath(botShipping, id) + "/message", keyScale, map[string]any{"content": ""}, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"agent message: blank content", "POST", threadPath(botShipping, id) + "/message", keyScale, map[string]any{"content": "   "}, 400, "MISSING_REQUIRED_FIELD", ""},
		{"agent message: other account", "POST", threadPath(botOutfitters, otherThread) + "/message", keyScale, map[string]any{"content": "x"}, 404, "CHATBOT_NOT_FOUND", ""},
		{"edit: unknown message", "PATCH", messagePath(botShipping, "nope"), keyScale, map[string]any{"content": "x"}, 404, "RESOURCE_NOT_FOUND", ""},
		{"edit: message of another chatbot", "PATCH", messagePath(botShipping, otherMsg), keyScale, map[string]any{"content": "x"}, 404, "RESOURCE_NOT_FOUND", ""},
		{"edit: missing content", "PATCH", messagePath(botShipping, msgID), keyScale, map[string]any{}, 400, "MISSING_REQUIRED_FIELD", ""},
		{"edit: content not a string", "PATCH", messagePath(botShipping, msgID), keyScale, map[string]any{"content": 3}, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"reset: unknown thread", "POST", threadPath(botShipping, "nope") + "/reset", keyScale, nil, 404, "RESOURCE_NOT_FOUND", ""},
		{"reset: other account", "POST", threadPath(botOutfitters, otherThread) + "/reset", keyScale, nil, 404, "CHATBOT_NOT_FOUND", ""},
		{"PUT on a message is 405", "PUT", messagePath(botShipping, msgID), keyScale, map[string]any{"content": "x"}, 405, "METHOD_NOT_ALLOWED", ""},
		{"PUT on a thread's message route is 405", "PUT", threadPath(botShipping, id) + "/message", keyScale, map[string]any{"content": "x"}, 405, "METHOD_NOT_ALLOWED", ""},
		{"PUT on a thread is 405", "PUT", threadPath(botShipping, id), keyScale, map[string]any{}, 405, "METHOD_NOT_ALLOWED", ""},
	}
	tm.checkErrors(t, cases)
}

func TestThreadRoutesMethodNotAllowed(t *testing.T) {
	tm := newTestMock(t)
	for path, want := range map[string]string{
		messagePath(botShipping, "m1"):             "PATCH",
		threadPath(botShipping, "t1") + "/message": "POST",
	} {
		r := tm.do("PUT", path, keyScale, map[string]any{"content": "x"}).must(t, 405)
		if got := r.Header.Get("Allow"); !strings.Contains(got, want) {
			t.Errorf("PUT %s: Allow %q; want it to list %s", path, got, want)
		}
	}
}

func TestUpdateThreadStatusIsAllOrNothing(t *testing.T) {
	tm := newTestMock(t)
	a := createTestThread(t, tm, nil)
	b := createTestThread(t, tm, nil)
	r := tm.do("PATCH", updateThreadsPath(botShipping), keyScale, []map[string]any{
		{"threadId": a, "resolved": true}, {"threadId": "missing", "archived": true}, {"threadId": b, "important": true},
	}).must(t, 404)
	if r.code() != "RESOURCE_NOT_FOUND" {
		t.Fatalf("got code %q", r.code())
	}
	for _, id := range []string{a, b} {
		d := tm.do("GET", threadPath(botShipping, id), keyScale, nil).must(t, 200)
		if d.boolAt("data.thread.resolved") || d.boolAt("data.thread.important") {
			t.Fatalf("thread %s changed although the batch failed: %s", id, d.Raw)
		}
	}
	// A thread of another chatbot fails the batch the same way.
	other := tm.do("GET", threadsPath(botOutfitters), keyGrowth, nil).must(t, 200).str("data.threads.0.id")
	tm.do("PATCH", updateThreadsPath(botShipping), keyScale, []map[string]any{{"threadId": a, "resolved": true}, {"threadId": other}}).must(t, 404)
	if tm.do("GET", threadPath(botShipping, a), keyScale, nil).must(t, 200).boolAt("data.thread.resolved") {
		t.Fatal("thread changed although the batch named another chatbot's thread")
	}

	ok := tm.do("PATCH", updateThreadsPath(botShipping), keyScale, []map[string]any{
		{"threadId": a, "archived": true}, {"threadId": b, "escalated": true, "tags": []string{}}, {"threadId": a, "resolved": true},
	}).must(t, 200)
	if n := len(ok.listAt("data.updatedThreads")); n != 3 {
		t.Fatalf("got %d inner arrays; want 3 (one per item)", n)
	}
	if !ok.boolAt("data.updatedThreads.0.0.archived") || ok.boolAt("data.updatedThreads.0.0.resolved") || !ok.boolAt("data.updatedThreads.2.0.resolved") {
		t.Fatalf("each inner array must be the thread after its own item: %s", ok.Raw)
	}
	if ok.at("data.updatedThreads.0.0.endedAt") == nil {
		t.Fatal("archiving did not set endedAt")
	}
}
