package mock

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/mock/limits"
	"github.com/contextgpt/sandbox/mock/plans"
	"github.com/contextgpt/sandbox/mock/store"
)

const (
	// customsSentence is the sentence of botShipping's snippet that answers customsQuestion.
	customsSentence = "Customs duties for shipments outside the European Union are paid by the recipient."
	customsQuestion = "Who pays the customs duties?"
)

func visitorsPath(bot string) string { return "/__mock/chatbots/" + bot + "/visitors" }

func visitorMsgPath(bot, thread string) string {
	return "/__mock/chatbots/" + bot + "/threads/" + thread + "/visitor-messages"
}

func visitorContactPath(bot, thread string) string {
	return "/__mock/chatbots/" + bot + "/threads/" + thread + "/visitor-contact"
}

// openVisitor opens a visitor thread and returns its id.
func (tm *testMock) openVisitor(t *testing.T, bot string) string {
	t.Helper()
	r := tm.do("POST", visitorsPath(bot), "", map[string]any{}).must(t, http.StatusCreated)
	id := r.str("thread.id")
	if id == "" {
		t.Fatalf("no thread id: %s", r.Raw)
	}
	return id
}

func (tm *testMock) say(t *testing.T, bot, thread, content string) resp {
	t.Helper()
	return tm.do("POST", visitorMsgPath(bot, thread), "", map[string]any{"content": content})
}

func TestOpenVisitorThread(t *testing.T) {
	tm := newTestMock(t)
	r := tm.do("POST", visitorsPath(botShipping), "", map[string]any{"visitorName": "Ada Lovelace", "visitorEmail": "ada@example.com"}).must(t, http.StatusCreated)
	if r.str("thread.mode") != "AI" || r.str("thread.platformSource") != "website" || r.str("thread.visitorName") != "Ada Lovelace" {
		t.Fatalf("thread %s", r.Raw)
	}
	starters, _ := r.at("conversationStarters").([]any)
	if len(starters) != 3 || r.str("conversationStarters.0.buttonTitle") != "Track my order" || r.str("conversationStarters.2.linkText") != "Shipping policy" {
		t.Fatalf("starters %s", r.Raw)
	}
	// The thread is an API thread like any other.
	id := r.str("thread.id")
	tm.do("GET", "/api/v1/chatting/"+botShipping+"/thread/"+id, keyScale, nil).must(t, http.StatusOK)

	// Chat start "agent": the visitor's thread starts in AGENT mode.
	tm.do("PATCH", "/api/v1/chatbots/chatbot/"+botShipping+"/settings", keyScale, map[string]any{"chatStart": "agent"}).must(t, http.StatusOK)
	r = tm.do("POST", visitorsPath(botShipping), "", nil).must(t, http.StatusCreated)
	if r.str("thread.mode") != "AGENT" || r.at("thread.anonymous") != true {
		t.Fatalf("agent chat start: %s", r.Raw)
	}
	if got := tm.say(t, botShipping, r.str("thread.id"), customsQuestion).must(t, http.StatusCreated); got.at("reply") != nil {
		t.Fatalf("AGENT mode thread got an AI reply: %s", got.Raw)
	}

	for _, tc := range []struct {
		name, path string
		body       any
		status     int
		code       string
	}{
		{"unknown chatbot", visitorsPath("361628903185319999"), nil, 404, "CHATBOT_NOT_FOUND"},
		{"bad e-mail", visitorsPath(botShipping), map[string]any{"visitorEmail": "nope"}, 400, "INVALID_REQUEST"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tm.do("POST", tc.path, "", tc.body).must(t, tc.status)
			if got.code() != tc.code {
				t.Fatalf("code %q; want %q", got.code(), tc.code)
			}
		})
	}
}

func TestVisitorMessageGroundedReply(t *testing.T) {
	tm := newTestMock(t)
	thread := tm.openVisitor(t, botShipping)
	r := tm.say(t, botShipping, thread, customsQuestion).must(t, http.StatusCreated)
	content := r.str("reply.content")
	if !strings.Contains(content, customsSentence) {
		t.Fatalf("reply %q does not carry the answering sentence", content)
	}
	if r.str("message.role") != "user" || r.str("message.content") != customsQuestion || r.str("reply.role") != "assistant" ||
		r.str("reply.parentMessageId") != r.str("message.id") || r.str("reply.llmModelId") != store.SimulatedModelID {
		t.Fatalf("messages %s", r.Raw)
	}
	if r.str("reply.source.0.snippet") != customsSentence || !strings.HasPrefix(r.str("reply.source.0.url"), "https://") {
		t.Fatalf("source %s", r.Raw)
	}
	if fu, _ := r.at("followUpPrompts").([]any); len(fu) != 2 || r.at("escalated") != false || r.at("leadCaptured") != false {
		t.Fatalf("follow-ups/flags %s", r.Raw)
	}
	// The visitor's message counts as unread; the exchange shows in the API's messages.
	if th, err := tm.m.Store().Thread(botShipping, thread); err != nil || th.UnreadMessagesCount != 1 {
		t.Fatalf("thread counters %+v %v", th, err)
	}
	msgs := tm.do("GET", "/api/v1/chatting/"+botShipping+"/thread/"+thread+"/messages", keyScale, nil).must(t, http.StatusOK)
	if !strings.Contains(string(msgs.Raw), r.str("reply.id")) || !strings.Contains(string(msgs.Raw), r.str("message.id")) {
		t.Fatalf("thread messages lack the exchange: %s", msgs.Raw)
	}

	// Same state and message: the byte-identical reply, in another thread.
	other := tm.openVisitor(t, botShipping)
	r2 := tm.say(t, botShipping, other, customsQuestion).must(t, http.StatusCreated)
	if r2.str("reply.content") != content || string(mustJSON(t, r2.at("reply.source"))) != string(mustJSON(t, r.at("reply.source"))) {
		t.Fatalf("not deterministic: %q vs %q", r2.str("reply.content"), content)
	}

	// Nothing relevant: the fallback, without sources.
	r = tm.say(t, botShipping, thread, "What is the capital of France?").must(t, http.StatusCreated)
	if r.str("reply.content") != "I'm sorry, I don't have enough information to answer that." {
		t.Fatalf("fallback %q", r.str("reply.content"))
	}
	if src, _ := r.at("reply.source").([]any); len(src) != 0 {
		t.Fatalf("fallback has sources: %s", r.Raw)
	}
	// The general settings' fallback message is used.
	tm.do("PATCH", "/api/v1/chatbots/chatbot/"+botShipping+"/settings", keyScale, map[string]any{"fallbackMessage": "Please ask about shipping."}).must(t, http.StatusOK)
	if got := tm.say(t, botShipping, thread, "What is the capital of France?").must(t, http.StatusCreated).str("reply.content"); got != "Please ask about shipping." {
		t.Fatalf("custom fallback %q", got)
	}
}

func TestVisitorMessageErrors(t *testing.T) {
	tm := newTestMock(t)
	thread := tm.openVisitor(t, botShipping)
	otherBotThread := tm.openVisitor(t, botOutfitters)
	for _, tc := range []struct {
		name, path string
		body       any
		status     int
		code       string
	}{
		{"unknown chatbot", visitorMsgPath("361628903185319999", thread), map[string]any{"content": "hi"}, 404, "CHATBOT_NOT_FOUND"},
		{"unknown thread", visitorMsgPath(botShipping, "nope"), map[string]any{"content": "hi"}, 404, "THREAD_NOT_FOUND"},
		{"thread of another chatbot", visitorMsgPath(botShipping, otherBotThread), map[string]any{"content": "hi"}, 404, "THREAD_NOT_FOUND"},
		{"no content", visitorMsgPath(botShipping, thread), map[string]any{}, 400, "INVALID_REQUEST"},
		{"empty content", visitorMsgPath(botShipping, thread), map[string]any{"content": ""}, 400, "INVALID_REQUEST"},
		{"blank content", visitorMsgPath(botShipping, thread), map[string]any{"content": "   "}, 400, "INVALID_REQUEST"},
		{"too long", visitorMsgPath(botShipping, thread), map[string]any{"content": strings.Repeat("a", 10001)}, 400, "INVALID_REQUEST"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tm.do("POST", tc.path, "", tc.body).must(t, tc.status)
			if r.code() != tc.code {
				t.Fatalf("code %q; want %q", r.code(), tc.code)
			}
		})
	}
}

func TestVisitorMessageRefusedWholeAtPlanLimit(t *testing.T) {
	lim := limits.Documented()
	p := lim.Plans[plans.Scale]
	p.MessagesPerMin, p.AIRepliesPerMin = 10, 2
	lim.Plans[plans.Scale] = p
	tm := newTestMock(t, func(c *Config) { c.Limits = lim })
	thread := tm.openVisitor(t, botShipping)
	tm.say(t, botShipping, thread, customsQuestion).must(t, http.StatusCreated)
	tm.say(t, botShipping, thread, customsQuestion).must(t, http.StatusCreated)
	before := len(tm.m.Store().Deliveries(botShipping, "", ""))
	r := tm.say(t, botShipping, thread, customsQuestion).must(t, http.StatusTooManyRequests)
	if r.code() != "MESSAGES_LIMIT_REACHED" || r.Header.Get("Retry-After") == "" || r.at("success") != false || r.at("limit") == nil {
		t.Fatalf("429 %s", r.Raw)
	}
	msgs := tm.do("GET", "/api/v1/chatting/"+botShipping+"/thread/"+thread+"/messages", keyScale, nil).must(t, http.StatusOK)
	if n := strings.Count(string(msgs.Raw), `"role":"user"`); n != 2 {
		t.Fatalf("%d visitor messages stored; want 2 (the refused one stored nothing)", n)
	}
	if after := len(tm.m.Store().Deliveries(botShipping, "", "")); after != before {
		t.Fatal("a refused message fired events")
	}
	// After the window, the visitor can write again.
	tm.clock.Advance(61 * time.Second)
	tm.say(t, botShipping, thread, customsQuestion).must(t, http.StatusCreated)
}

func TestVisitorEscalation(t *testing.T) {
	tm := newTestMock(t)
	tm.enableHumanSupport(t, botShipping)
	thread := tm.openVisitor(t, botShipping)
	for _, text := range []string{"ok", "Can I speak to a REAL person, please?"} {
		r := tm.say(t, botShipping, thread, text).must(t, http.StatusCreated)
		if text == "ok" {
			if r.at("escalated") != false || r.at("reply") == nil {
				t.Fatalf("plain message: %s", r.Raw)
			}
			continue
		}
		if r.at("escalated") != true || r.at("reply") != nil {
			t.Fatalf("escalating message: %s", r.Raw)
		}
		if fu, _ := r.at("followUpPrompts").([]any); len(fu) != 0 {
			t.Fatalf("follow-ups without a reply: %s", r.Raw)
		}
	}
	th := tm.do("GET", "/api/v1/chatting/"+botShipping+"/thread/"+thread, keyScale, nil).must(t, http.StatusOK)
	if !strings.Contains(string(th.Raw), `"escalated":true`) {
		t.Fatalf("thread not escalated: %s", th.Raw)
	}
	msgs := tm.do("GET", "/api/v1/chatting/"+botShipping+"/thread/"+thread+"/messages", keyScale, nil).must(t, http.StatusOK)
	if !strings.Contains(string(msgs.Raw), `"systemMessageType":"ESCALATED"`) {
		t.Fatalf("no system message: %s", msgs.Raw)
	}
	// Escalated: no more AI replies, and no second escalation.
	r := tm.say(t, botShipping, thread, customsQuestion).must(t, http.StatusCreated)
	if r.at("reply") != nil || r.at("escalated") != false {
		t.Fatalf("after escalation: %s", r.Raw)
	}

	// The human-support settings' phrase, and an escalating follow-up prompt's message, escalate too.
	tm.do("PATCH", "/api/v1/chatbots/chatbot/"+botShipping+"/human-support-settings", keyScale, map[string]any{"requestHumanSupportPrompt": "Get me the boss"}).must(t, http.StatusOK)
	for _, text := range []string{"get me the boss!", "I want to talk to a human", "Talk to a person now"} {
		th := tm.openVisitor(t, botShipping)
		if r := tm.say(t, botShipping, th, text).must(t, http.StatusCreated); r.at("escalated") != true {
			t.Errorf("%q did not escalate: %s", text, r.Raw)
		}
	}
	th2 := tm.openVisitor(t, botShipping)
	if r := tm.say(t, botShipping, th2, "Is the human resources team hiring?").must(t, http.StatusCreated); r.at("escalated") != false {
		t.Errorf("a mere mention of humans escalated: %s", r.Raw)
	}
}

func TestVisitorLeadCapture(t *testing.T) {
	tm := newTestMock(t)
	thread := tm.openVisitor(t, botShipping)
	// Lead collection off: the address is just text.
	r := tm.say(t, botShipping, thread, "My e-mail is ada@example.com").must(t, http.StatusCreated)
	if r.at("leadCaptured") != false || len(tm.m.Store().Leads(botShipping)) != 0 {
		t.Fatalf("lead captured with collection off: %s", r.Raw)
	}
	c := tm.do("POST", visitorContactPath(botShipping, thread), "", map[string]any{"name": "Ada"}).must(t, http.StatusConflict)
	if c.code() != "LEAD_COLLECTION_DISABLED" || len(tm.m.Store().Leads(botShipping)) != 0 {
		t.Fatalf("contact with collection off: %s", c.Raw)
	}

	tm.do("POST", "/api/v1/chatbots/chatbot/"+botShipping+"/lead-settings", keyScale, map[string]any{"enableLeadCollection": true}).must(t, http.StatusCreated)
	r = tm.say(t, botShipping, thread, "Reach me at ada@example.com or +44 20 7946 0958").must(t, http.StatusCreated)
	if r.at("leadCaptured") != true || r.at("reply") == nil {
		t.Fatalf("lead message: %s", r.Raw)
	}
	leads := tm.m.Store().Leads(botShipping)
	if len(leads) != 1 || *leads[0].Email != "ada@example.com" || *leads[0].Phone != "+44 20 7946 0958" || leads[0].ThreadID != thread {
		t.Fatalf("leads %+v", leads)
	}
	th := tm.do("GET", "/api/v1/chatting/"+botShipping+"/thread/"+thread, keyScale, nil).must(t, http.StatusOK)
	if !strings.Contains(string(th.Raw), "ada@example.com") {
		t.Fatalf("thread lacks the visitor's e-mail: %s", th.Raw)
	}
	// The contact form updates the same lead.
	c = tm.do("POST", visitorContactPath(botShipping, thread), "", map[string]any{"name": "Ada Lovelace"}).must(t, http.StatusCreated)
	if c.str("lead.id") != leads[0].ID || c.str("lead.name") != "Ada Lovelace" || c.str("lead.email") != "ada@example.com" {
		t.Fatalf("contact %s", c.Raw)
	}
	for _, tc := range []struct {
		name, path string
		body       any
		status     int
		code       string
	}{
		{"nothing given", visitorContactPath(botShipping, thread), map[string]any{}, 400, "INVALID_REQUEST"},
		{"bad e-mail", visitorContactPath(botShipping, thread), map[string]any{"email": "nope"}, 400, "INVALID_REQUEST"},
		{"unknown thread", visitorContactPath(botShipping, "nope"), map[string]any{"name": "x"}, 404, "THREAD_NOT_FOUND"},
		{"unknown chatbot", visitorContactPath("361628903185319999", thread), map[string]any{"name": "x"}, 404, "CHATBOT_NOT_FOUND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := tm.do("POST", tc.path, "", tc.body).must(t, tc.status); r.code() != tc.code {
				t.Fatalf("code %q; want %q", r.code(), tc.code)
			}
		})
	}
}

func TestFindContact(t *testing.T) {
	for _, tc := range []struct{ text, email, phone string }{
		{"mail me: a.b+c@mail.example.org.", "a.b+c@mail.example.org", ""},
		{"call +1 (555) 123-4567 tomorrow", "", "+1 (555) 123-4567"},
		{"orders ship within 3 to 5 days, 30 days returns", "", ""},
		{"no contact here", "", ""},
	} {
		got := store.FindContact(tc.text)
		if deref(got.Email) != tc.email || deref(got.Phone) != tc.phone {
			t.Errorf("FindContact(%q) = %q, %q; want %q, %q", tc.text, deref(got.Email), deref(got.Phone), tc.email, tc.phone)
		}
	}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
