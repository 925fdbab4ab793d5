package mock

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/mock/store"
)

// Visitor flows seen from the webhook receiver: deliveries read back from the mock's own sink.

// sinkDeliveries polls the sink until it holds n deliveries.
func (tm *testMock) sinkDeliveries(t *testing.T, name string, n int) []any {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r := tm.do("GET", "/__mock/webhook-sink/"+name, "", nil).must(t, http.StatusOK)
		ds, _ := r.at("deliveries").([]any)
		if len(ds) >= n {
			if len(ds) > n {
				t.Fatalf("sink has %d deliveries; want %d: %s", len(ds), n, r.Raw)
			}
			return ds
		}
		if time.Now().After(deadline) {
			t.Fatalf("sink has %d deliveries; want %d: %s", len(ds), n, r.Raw)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

const sinkSecret = "whsec_test_0123456789abcdef"

// hookToSink points botShipping's webhook at the mock's own sink.
func (tm *testMock) hookToSink(t *testing.T, name string, events ...string) {
	t.Helper()
	tm.do("PUT", "/__mock/webhook-sink/"+name, "", map[string]any{"secret": sinkSecret}).must(t, http.StatusOK)
	body := map[string]any{"url": tm.srv.URL + "/__mock/webhook-sink/" + name, "secret": sinkSecret}
	if len(events) > 0 {
		body["events"] = events
	}
	tm.do("PUT", "/api/v1/webhooks/"+botShipping, keyScale, body).must(t, http.StatusCreated)
}

// byEvent indexes sink deliveries by event, checking each verified.
func byEvent(t *testing.T, ds []any) map[string][]map[string]any {
	t.Helper()
	out := map[string][]map[string]any{}
	for _, x := range ds {
		d, _ := x.(map[string]any)
		if d["signatureValid"] != true || d["tokenValid"] != true {
			t.Errorf("delivery does not verify: %v", d)
		}
		ev, _ := d["event"].(string)
		body, _ := d["body"].(map[string]any)
		out[ev] = append(out[ev], body)
	}
	return out
}

func TestEscalationFlowEndToEndWebhooks(t *testing.T) {
	tm := newTestMock(t)
	tm.enableHumanSupport(t, botShipping)
	tm.hookToSink(t, "escalation")
	r := tm.do("POST", visitorsPath(botShipping), "", map[string]any{"visitorName": "Ada Lovelace"}).must(t, http.StatusCreated)
	thread := r.str("thread.id")
	tm.say(t, botShipping, thread, customsQuestion).must(t, http.StatusCreated)
	tm.say(t, botShipping, thread, "I need to talk to a human").must(t, http.StatusCreated)
	ds := tm.sinkDeliveries(t, "escalation", 4)
	// One chatbot's events reach the receiver in the order they happened.
	var order []string
	for _, x := range ds {
		d, _ := x.(map[string]any)
		ev, _ := d["event"].(string)
		if data, _ := d["body"].(map[string]any)["data"].(map[string]any); ev == "NEW_MESSAGE" {
			ev += "/" + data["role"].(string)
		}
		order = append(order, ev)
	}
	if want := "NEW_MESSAGE/user NEW_MESSAGE/assistant NEW_MESSAGE/user CONVERSATION_ESCALATED"; strings.Join(order, " ") != want {
		t.Fatalf("order %v; want %s", order, want)
	}
	got := byEvent(t, ds)
	if len(got["NEW_MESSAGE"]) != 3 || len(got["CONVERSATION_ESCALATED"]) != 1 {
		t.Fatalf("events %v", got)
	}
	roles := map[string]int{}
	for _, b := range got["NEW_MESSAGE"] {
		data, _ := b["data"].(map[string]any)
		roles[data["role"].(string)]++
		if data["role"] == "assistant" {
			if !strings.Contains(data["answer"].(string), customsSentence) || data["question"] != nil {
				t.Errorf("assistant payload %v", data)
			}
			if src, _ := data["sources"].([]any); len(src) != 1 {
				t.Errorf("assistant sources %v", data["sources"])
			}
		}
	}
	if roles["user"] != 2 || roles["assistant"] != 1 {
		t.Fatalf("roles %v", roles)
	}
	esc, _ := got["CONVERSATION_ESCALATED"][0]["data"].(map[string]any)
	lead, _ := esc["leadInfo"].(map[string]any)
	if esc["threadId"] != thread || !strings.HasSuffix(esc["dashboardUrl"].(string), "/chat-history/"+thread) || lead["name"] != "Ada Lovelace" {
		t.Fatalf("escalation payload %v", esc)
	}
	// The API's delivery log agrees.
	dl := tm.do("GET", "/api/v1/webhooks/"+botShipping+"/deliveries?status=SUCCESS", keyScale, nil).must(t, http.StatusOK)
	if total, _ := dl.at("data.pagination.total").(float64); total != 4 {
		t.Fatalf("deliveries %s", dl.Raw)
	}
	// The public escalate toggle fires the webhook too (switching on only).
	th2 := tm.openVisitor(t, botShipping)
	tm.do("PATCH", "/api/v1/chatting/"+botShipping+"/thread/"+th2+"/escalate", keyScale, nil).must(t, http.StatusOK)
	got = byEvent(t, tm.sinkDeliveries(t, "escalation", 5))
	if len(got["CONVERSATION_ESCALATED"]) != 2 {
		t.Fatalf("escalate toggle: %v", got)
	}
}

func TestLeadFlowEndToEndWebhooks(t *testing.T) {
	tm := newTestMock(t)
	tm.enableHumanSupport(t, botShipping)
	tm.hookToSink(t, "leads", "NEW_LEAD", "CONVERSATION_ESCALATED")
	tm.do("POST", "/api/v1/chatbots/chatbot/"+botShipping+"/lead-settings", keyScale,
		map[string]any{"enableLeadCollection": true, "autoEscalateOnLeadCapture": true}).must(t, http.StatusCreated)
	thread := tm.openVisitor(t, botShipping)
	r := tm.say(t, botShipping, thread, "Please write to grace@example.com").must(t, http.StatusCreated)
	if r.at("leadCaptured") != true || r.at("escalated") != true || r.at("reply") != nil {
		t.Fatalf("lead message %s", r.Raw)
	}
	tm.do("POST", visitorContactPath(botShipping, thread), "", map[string]any{"name": "Grace Hopper", "phone": "+1 555 0100 200"}).must(t, http.StatusCreated)
	got := byEvent(t, tm.sinkDeliveries(t, "leads", 3))
	if len(got["NEW_LEAD"]) != 2 || len(got["CONVERSATION_ESCALATED"]) != 1 || len(got["NEW_MESSAGE"]) != 0 {
		t.Fatalf("events %v", got)
	}
	var last map[string]any
	for _, b := range got["NEW_LEAD"] {
		data, _ := b["data"].(map[string]any)
		if data["chatbotName"] != "Shipping Helper" {
			t.Fatalf("lead payload %v", data)
		}
		last, _ = data["leadDetails"].(map[string]any)
	}
	th := tm.do("GET", "/api/v1/chatting/"+botShipping+"/thread/"+thread, keyScale, nil).must(t, http.StatusOK)
	if last["email"] != "grace@example.com" || last["name"] != "Grace Hopper" || last["phone"] != "+1 555 0100 200" || !strings.Contains(string(th.Raw), last["id"].(string)) {
		t.Fatalf("lead details %v (thread %s)", last, th.Raw)
	}
}

func TestVisitorMessageDoesNotWaitForWebhook(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	hits := 0
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer rcv.Close()
	defer close(release)
	tm := newTestMock(t)
	tm.do("PUT", "/api/v1/webhooks/"+botShipping, keyScale, map[string]any{"url": rcv.URL, "secret": sinkSecret}).must(t, http.StatusCreated)
	thread := tm.openVisitor(t, botShipping)
	tm.say(t, botShipping, thread, customsQuestion).must(t, http.StatusCreated)
	// The receiver holds the first delivery open; the request above has returned all the same.
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := hits
		mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the receiver never got a delivery")
		}
		time.Sleep(2 * time.Millisecond)
	}
	ds := tm.m.Store().Deliveries(botShipping, "", "")
	if len(ds) != 2 {
		t.Fatalf("%d deliveries; want 2 (visitor and AI message)", len(ds))
	}
	for _, d := range ds {
		if d.Status != store.DeliveryPending || d.Attempts != 0 {
			t.Fatalf("delivery %+v; want PENDING while the receiver holds it", d)
		}
	}
}

// The human-support page: escalation is a feature of the chatbot's human-support settings;
// a visitor asking for a human on a chatbot without them (or with them off) gets an AI
// answer, not an escalation.
func TestEscalationNeedsHumanSupportEnabled(t *testing.T) {
	tm := newTestMock(t)
	log := &threadEventLog{}
	tm.m.Store().SetOnEvent(log.add)
	ask := func() resp {
		th := tm.openVisitor(t, botShipping)
		return tm.say(t, botShipping, th, "I want to talk to a human").must(t, http.StatusCreated)
	}
	if r := ask(); r.at("escalated") != false || r.at("reply") == nil {
		t.Fatalf("without human-support settings: %s", r.Raw)
	}
	tm.do("POST", "/api/v1/chatbots/chatbot/"+botShipping+"/human-support-settings", keyScale,
		map[string]any{"enableHumanSupport": false}).must(t, http.StatusCreated)
	if r := ask(); r.at("escalated") != false {
		t.Fatalf("with human support off: %s", r.Raw)
	}
	// Lead capture with autoEscalateOnLeadCapture does not escalate either.
	tm.do("POST", "/api/v1/chatbots/chatbot/"+botShipping+"/lead-settings", keyScale,
		map[string]any{"enableLeadCollection": true, "autoEscalateOnLeadCapture": true}).must(t, http.StatusCreated)
	th := tm.openVisitor(t, botShipping)
	if r := tm.say(t, botShipping, th, "mail me at grace@example.com").must(t, http.StatusCreated); r.at("escalated") != false || r.at("leadCaptured") != true {
		t.Fatalf("lead with human support off: %s", r.Raw)
	}
	if n := len(log.of("CONVERSATION_ESCALATED")); n != 0 {
		t.Fatalf("%d escalations with human support off", n)
	}
	tm.do("PATCH", "/api/v1/chatbots/chatbot/"+botShipping+"/human-support-settings", keyScale,
		map[string]any{"enableHumanSupport": true}).must(t, http.StatusOK)
	if r := ask(); r.at("escalated") != true {
		t.Fatalf("with human support on: %s", r.Raw)
	}
}

// The webhooks page: "each source event is dispatched at most once"; a visitor sending the
// same contact details twice is one lead event.
func TestSameVisitorContactFiresOneNewLead(t *testing.T) {
	tm := newTestMock(t)
	log := &threadEventLog{}
	tm.m.Store().SetOnEvent(log.add)
	tm.do("POST", "/api/v1/chatbots/chatbot/"+botShipping+"/lead-settings", keyScale,
		map[string]any{"enableLeadCollection": true}).must(t, http.StatusCreated)
	th := tm.openVisitor(t, botShipping)
	contact := map[string]any{"name": "Grace Hopper", "email": "grace@example.com"}
	first := tm.do("POST", visitorContactPath(botShipping, th), "", contact).must(t, http.StatusCreated)
	second := tm.do("POST", visitorContactPath(botShipping, th), "", contact).must(t, http.StatusCreated)
	if first.str("lead.id") != second.str("lead.id") || first.str("lead.capturedAt") != second.str("lead.capturedAt") {
		t.Fatalf("the same details made a new capture: %s / %s", first.Raw, second.Raw)
	}
	if n := len(log.of("NEW_LEAD")); n != 1 {
		t.Fatalf("got %d NEW_LEAD events for the same contact twice; want 1", n)
	}
	// The same e-mail again in a message is no new event either; a new phone is.
	tm.say(t, botShipping, th, "it is grace@example.com").must(t, http.StatusCreated)
	if n := len(log.of("NEW_LEAD")); n != 1 {
		t.Fatalf("got %d NEW_LEAD after the same e-mail in a message; want 1", n)
	}
	tm.do("POST", visitorContactPath(botShipping, th), "", map[string]any{"phone": "+1 555 0100 200"}).must(t, http.StatusCreated)
	if n := len(log.of("NEW_LEAD")); n != 2 {
		t.Fatalf("got %d NEW_LEAD after new details; want 2", n)
	}
}

// The webhooks page: the escalation payload's `user` (id, email, name, phone, verified,
// createdAt) names the visitor whenever it is identified; null only when anonymous.
func TestEscalationWebhookCarriesIdentifiedVisitor(t *testing.T) {
	tm := newTestMock(t)
	tm.enableHumanSupport(t, botShipping)
	tm.hookToSink(t, "who", "CONVERSATION_ESCALATED")
	named := tm.do("POST", visitorsPath(botShipping), "", map[string]any{"visitorName": "Ada Lovelace", "visitorEmail": "ada@example.com"}).must(t, http.StatusCreated)
	tm.say(t, botShipping, named.str("thread.id"), "I want to talk to a human").must(t, http.StatusCreated)
	anon := tm.openVisitor(t, botShipping)
	tm.say(t, botShipping, anon, "I want to talk to a human").must(t, http.StatusCreated)
	ds := tm.sinkDeliveries(t, "who", 2)
	users := map[string]any{}
	for _, x := range ds {
		d := x.(map[string]any)
		body, _ := d["body"].(map[string]any)
		data, _ := body["data"].(map[string]any)
		users[data["threadId"].(string)] = data["user"]
	}
	u, _ := users[named.str("thread.id")].(map[string]any)
	if u == nil || u["name"] != "Ada Lovelace" || u["email"] != "ada@example.com" || u["phone"] != nil || u["verified"] != false ||
		u["id"] != named.str("thread.visitorId") || u["createdAt"] == nil {
		t.Fatalf("identified visitor: user %v", users[named.str("thread.id")])
	}
	if v, ok := users[anon]; !ok || v != nil {
		t.Fatalf("anonymous visitor: user %v (present %v); want null", v, ok)
	}
}
