package mock

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/mock/store"
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
func TestConcurrentCreateThreads(t *testing.T) {
	const n = 200
	// libopenapi-validator's strict check races with itself under concurrent responses (it
	// renders schemas into shared nodes: reported to the lead), so strict mode is off here;
	// tm.do still validates every response with kin-openapi.
	tm := newTestMock(t, func(cfg *Config) { cfg.Strict = false })
	before := tm.do("GET", threadsPath(botShipping), keyScale, nil).must(t, 200).intAt("data.pagination.total")
	ids := make([]string, n)
	var wg sync.WaitGroup
	keys := []string{keyScale, keyScaleAdmin, keyEditor, keyAgent}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := tm.do("POST", threadsPath(botShipping), keys[i%len(keys)], map[string]any{"title": "concurrent " + strconv.Itoa(i)})
			if r.Status != http.StatusCreated {
				t.Errorf("create %d: status %d: %s", i, r.Status, r.Raw)
				return
			}
			ids[i] = r.str("data.thread.id")
		}(i)
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	listed := map[string]bool{}
	total := 0
	for page := 1; ; page++ {
		r := tm.do("GET", threadsPath(botShipping)+"?limit=100&page="+strconv.Itoa(page), keyScale, nil).must(t, 200)
		total = r.intAt("data.pagination.total")
		threads := r.listAt("data.threads")
		for i := range threads {
			listed[r.str(fmt.Sprintf("data.threads.%d.id", i))] = true
		}
		if len(threads) < 100 {
			break
		}
	}
	if total != before+n || len(listed) != before+n {
		t.Fatalf("got total %d, %d distinct listed; want %d", total, len(listed), before+n)
	}
	for i, id := range ids {
		if !listed[id] {
			t.Fatalf("thread %d (%s) is not listed", i, id)
		}
		if got, err := tm.m.Store().Thread(botShipping, id); err != nil || *got.Title != "concurrent "+strconv.Itoa(i) {
			t.Fatalf("thread %d (%s): %v, %+v", i, id, err, got)
		}
	}
}

// threadEventLog records store events (the webhook hook is replaced for the test).
type threadEventLog struct {
	mu     sync.Mutex
	events []store.Event
}

func (l *threadEventLog) add(e store.Event) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

func (l *threadEventLog) of(typ string) []store.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []store.Event
	for _, e := range l.events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func TestEscalationEvents(t *testing.T) {
	tm := newTestMock(t)
	var log threadEventLog
	tm.m.Store().SetOnEvent(log.add)
	id := createTestThread(t, tm, map[string]any{"visitorName": "Ada", "visitorEmail": "ada@example.com"})
	path := threadPath(botShipping, id) + "/escalate"
	for i, want := range []bool{true, false, true, false, true} {
		r := tm.do("PATCH", path, keyAgent, nil).must(t, 200)
		if r.boolAt("data.thread.escalated") != want {
			t.Fatalf("toggle %d: escalated %v; want %v", i, r.boolAt("data.thread.escalated"), want)
		}
	}
	evs := log.of("CONVERSATION_ESCALATED")
	if len(evs) != 3 {
		t.Fatalf("got %d CONVERSATION_ESCALATED events; want 3 (one per false→true flip)", len(evs))
	}
	keys := map[string]bool{}
	for _, e := range evs {
		if !strings.HasPrefix(e.Key, "escalated:"+id+":") || keys[e.Key] {
			t.Fatalf("event key %q: want escalated:%s:<seq>, unique", e.Key, id)
		}
		keys[e.Key] = true
		if e.ChatbotID != botShipping || e.Data["threadId"] != id || e.Data["chatbotId"] != botShipping {
			t.Fatalf("event data: %+v", e)
		}
		if url, _ := e.Data["dashboardUrl"].(string); !strings.HasSuffix(url, "/"+botShipping+"/chat-history/"+id) {
			t.Fatalf("dashboardUrl %q", url)
		}
		// The visitor left contact details: it is identified, so `user` names it.
		if u, _ := e.Data["user"].(map[string]any); u["email"] != "ada@example.com" || u["name"] != "Ada" || u["verified"] != false || u["id"] == nil {
			t.Fatalf("user %v", e.Data["user"])
		}
		lead, _ := e.Data["leadInfo"].(map[string]any)
		if lead["email"] != "ada@example.com" || lead["phone"] != nil {
			t.Fatalf("leadInfo %v", e.Data["leadInfo"])
		}
	}
	// update-thread setting escalated fires nothing; it is not the toggle.
	other := createTestThread(t, tm, nil)
	tm.do("PATCH", updateThreadsPath(botShipping), keyScale, []map[string]any{{"threadId": other, "escalated": true}}).must(t, 200)
	if n := len(log.of("CONVERSATION_ESCALATED")); n != 3 {
		t.Fatalf("update-thread fired an escalation event: %d events", n)
	}
	// An anonymous thread escalates with leadInfo null.
	tm.do("PATCH", threadPath(botShipping, createTestThread(t, tm, nil))+"/escalate", keyAgent, nil).must(t, 200)
	if evs := log.of("CONVERSATION_ESCALATED"); len(evs) != 4 || evs[3].Data["leadInfo"] != nil {
		t.Fatalf("anonymous escalation: %+v", evs)
	}
}

func TestAgentMessageEvent(t *testing.T) {
	tm := newTestMock(t)
	var log threadEventLog
	tm.m.Store().SetOnEvent(log.add)
	id := createTestThread(t, tm, nil)
	r := tm.do("POST", threadPath(botShipping, id)+"/message", keyAgent, map[string]any{"content": "On my way"}).must(t, 201)
	evs := log.of("NEW_MESSAGE")
	if len(evs) != 1 {
		t.Fatalf("got %d NEW_MESSAGE events; want 1", len(evs))
	}
	d := evs[0].Data
	if d["messageId"] != r.str("data.message.id") || d["role"] != "AGENT" || d["question"] != nil || d["answer"] != "On my way" || d["threadId"] != id {
		t.Fatalf("event data: %v", d)
	}
	if src, ok := d["sources"].([]any); !ok || len(src) != 0 {
		t.Fatalf("sources: %#v; want []", d["sources"])
	}
	if _, err := time.Parse(time.RFC3339, fmt.Sprint(d["createdAt"])); err != nil {
		t.Fatalf("createdAt: %v", err)
	}
	// Escalation and reset messages are SYSTEM (and the "/reset" a logged command): no NEW_MESSAGE.
	tm.do("PATCH", threadPath(botShipping, id)+"/escalate", keyAgent, nil).must(t, 200)
	tm.do("POST", threadPath(botShipping, id)+"/reset", keyAgent, nil).must(t, 201)
	if n := len(log.of("NEW_MESSAGE")); n != 1 {
		t.Fatalf("got %d NEW_MESSAGE events after escalate and reset; want 1", n)
	}
}

func TestAgentMessageMode(t *testing.T) {
	tm := newTestMock(t)
	for _, tc := range []struct{ start, want string }{{"AI", "AGENT"}, {"AGENT", "AGENT"}, {"HUMAN", "HUMAN"}} {
		id := createTestThread(t, tm, nil)
		tm.do("PATCH", updateThreadsPath(botShipping), keyScale, []map[string]any{{"threadId": id, "mode": tc.start}}).must(t, 200)
		tm.do("POST", threadPath(botShipping, id)+"/message", keyScale, map[string]any{"content": "hi"}).must(t, 201)
		if got := tm.do("GET", threadPath(botShipping, id), keyScale, nil).must(t, 200).str("data.thread.mode"); got != tc.want {
			t.Errorf("mode %s after an agent message: got %s; want %s", tc.start, got, tc.want)
		}
	}
}
