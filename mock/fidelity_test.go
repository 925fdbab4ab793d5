package mock

import (
	"net/http"
	"testing"
)

// Every 401 of the reference shows MISSING_JWT ("Authorization header is missing") for a
// request without a token; the getting-started page shows API_KEY_NOT_VALID for a bad key.
func TestMissingAuthorizationIsMissingJWTAndABadKeyIsAPIKeyNotValid(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	for _, tc := range []struct {
		header string
		send   bool
		code   string
	}{
		{"", false, "MISSING_JWT"},
		{"", true, "MISSING_JWT"},
		{"Bearer", true, "MISSING_JWT"},
		{"Bearer    ", true, "MISSING_JWT"},
		{"Bearer sk_unknown_key", true, "API_KEY_NOT_VALID"},
		{"Basic dXNlcjpwYXNz", true, "API_KEY_NOT_VALID"},
		{"sk_test_scale_super_admin", true, "API_KEY_NOT_VALID"},
	} {
		hdr := map[string]string{}
		if tc.send {
			hdr["Authorization"] = tc.header
		}
		r := tm.doH("GET", "/api/v1/chatbots/my-chatbots", "", nil, hdr).must(t, http.StatusUnauthorized)
		if r.code() != tc.code {
			t.Errorf("Authorization %q (sent %v): got %s; want %s", tc.header, tc.send, r.code(), tc.code)
		}
		if tc.code == "MISSING_JWT" && r.str("error.message") != "Authorization header is missing" {
			t.Errorf("message %q", r.str("error.message"))
		}
	}
}

// The reference documents RESOURCE_NOT_FOUND for PATCH/DELETE lead settings, PATCH
// human-support settings and DELETE localization on a missing resource.
func TestUpdatesAndDeletesOfMissingSettingsAnswerResourceNotFound(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	base := "/api/v1/chatbots/chatbot/" + botShipping
	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{"PATCH", base + "/lead-settings", map[string]any{"enableLeadCollection": true}},
		{"DELETE", base + "/lead-settings", nil},
		{"PATCH", base + "/human-support-settings", map[string]any{"enableHumanSupport": true}},
		{"DELETE", base + "/localization?localeCode=fr", nil},
	} {
		if r := tm.do(tc.method, tc.path, keyScale, tc.body).must(t, 404); r.code() != "RESOURCE_NOT_FOUND" {
			t.Errorf("%s %s: got %s; want RESOURCE_NOT_FOUND", tc.method, tc.path, r.code())
		}
	}
	// DELETE localization answers data: null, as documented.
	tm.do("PATCH", base+"/localization", keyScale, map[string]any{"localeCode": "fr", "homeTitle": "Bonjour"}).must(t, 200)
	r := tm.do("DELETE", base+"/localization?localeCode=fr", keyScale, nil).must(t, 200)
	if v, ok := r.Body["data"]; !ok || v != nil {
		t.Fatalf("delete localization: %s", r.Raw)
	}
}

// The settings guide: conversation limits ("Rate limiting") only on Growth, Scale and
// Enterprise; history 0-4, 0-50 on advanced plans. The reference answers 403.
func TestPlanGatedSettingsAnswer403(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	bakery := "/api/v1/chatbots/chatbot/" + botBakery + "/settings"
	outfitters := "/api/v1/chatbots/chatbot/" + botOutfitters + "/settings"
	shipping := "/api/v1/chatbots/chatbot/" + botShipping + "/settings"
	for _, tc := range []struct {
		name, path, key string
		body            map[string]any
		status          int
		action          string
	}{
		{"starter conversation limit", bakery, keyStarter, map[string]any{"limitMessagesPerConversation": true}, 403, "CONVERSATION_LIMITS"},
		{"growth conversation limit", outfitters, keyGrowth, map[string]any{"limitMessagesPerConversation": true}, 200, ""},
		{"starter history 5", bakery + "/general", keyStarter, map[string]any{"historyMessageContext": 5}, 403, "ADVANCED_HISTORY_CONTEXT"},
		{"growth history 50", outfitters, keyGrowth, map[string]any{"historyMessageContext": 50}, 403, "ADVANCED_HISTORY_CONTEXT"},
		{"starter history 4", bakery, keyStarter, map[string]any{"historyMessageContext": 4}, 200, ""},
		{"scale history 50", shipping, keyScale, map[string]any{"historyMessageContext": 50}, 200, ""},
	} {
		r := tm.do("PATCH", tc.path, tc.key, tc.body).must(t, tc.status)
		if tc.status == 403 && (r.code() != "INSUFFICIENT_PERMISSIONS" || r.str("error.details.action") != tc.action || r.str("error.details.plan") == "") {
			t.Errorf("%s: %s", tc.name, r.Raw)
		}
	}
	// Nothing was saved by a refused request.
	if r := tm.do("GET", bakery, keyStarter, nil).must(t, 200); r.num("data.settings.historyMessageContext") != 4 {
		t.Fatalf("settings after refusals: %s", r.Raw)
	}
}

// The settings guide: "When limit is reached, users are prompted to start a new
// conversation". With the cap on and a maximum of 2, the third visitor message is refused;
// nothing past the cap is stored or charged.
func TestConversationMessageCapIsEnforced(t *testing.T) {
	t.Parallel()
	// A monthly quota of 4 messages shows whether the refused message was charged.
	tm := newTestMock(t, withLimitsFile(t, "plans: {scale: {messagesPerMonth: 4}}\n"))
	tm.do("PATCH", "/api/v1/chatbots/chatbot/"+botShipping+"/settings", keyScale,
		map[string]any{"limitMessagesPerConversation": true, "maxMessagesPerConversation": 2}).must(t, 200)
	th := tm.openVisitor(t, botShipping)
	for i := 0; i < 2; i++ {
		if r := tm.say(t, botShipping, th, "How long does delivery take?").must(t, http.StatusCreated); r.at("reply") == nil {
			t.Fatalf("message %d: %s", i+1, r.Raw)
		}
	}
	r := tm.say(t, botShipping, th, "And returns?").must(t, http.StatusConflict)
	if r.at("error.code") != "CONVERSATION_LIMIT_REACHED" || r.at("error.details.maxMessagesPerConversation") != float64(2) {
		t.Fatalf("third message: %s", r.Raw)
	}
	msgs := tm.do("GET", "/api/v1/chatting/"+botShipping+"/thread/"+th+"/messages", keyScale, nil).must(t, 200)
	if n := len(msgs.at("data.messages").([]any)); n != 4 {
		t.Fatalf("got %d stored messages; want 4 (2 visitor messages, 2 replies)", n)
	}
	// A new conversation may go on: two more messages fit the monthly quota of 4, so the
	// refused one was not charged; the fifth is over the quota.
	th2 := tm.openVisitor(t, botShipping)
	tm.say(t, botShipping, th2, "Hello").must(t, http.StatusCreated)
	tm.say(t, botShipping, th2, "Hello again").must(t, http.StatusCreated)
	tm.say(t, botShipping, tm.openVisitor(t, botShipping), "Over quota").must(t, http.StatusTooManyRequests)
}

// The developers' overview shows X-RateLimit-Reset as a Unix time (1640000000).
func TestRateLimitResetIsAUnixTime(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	r := tm.do("GET", "/api/v1/chatbots/my-chatbots", keyScale, nil).must(t, 200)
	now := tm.clock.Now().Unix()
	got := int64(r.intHeader("X-RateLimit-Reset"))
	// The least-remaining window is the per-IP second or the per-user minute.
	if got < now || got > now+60 {
		t.Fatalf("X-RateLimit-Reset %d; want a Unix time within a minute of the clock (%d)", got, now)
	}
}

// select-persona: "by personaId or name"; creates and activates a persona when creation data
// is given; an unknown one without creation data is 404.
func TestSelectPersonaByIDOrNameAndCreatesWithCreationData(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	sel := "/api/v1/chatbots/chatbot/" + botShipping + "/personas/select-persona"
	r := tm.do("POST", sel, keyScale, map[string]any{"name": "Logistics expert"}).must(t, 200)
	if r.str("data.title") != "Logistics expert" || r.at("data.isActive") != true {
		t.Fatalf("by name: %s", r.Raw)
	}
	tm.do("POST", sel, keyScale, map[string]any{"personaId": r.str("data.id")}).must(t, 200)
	c := tm.do("POST", sel, keyScale, map[string]any{"name": "Night shift", "description": "Short answers after hours"}).must(t, 201)
	if c.str("data.title") != "Night shift" || c.at("data.isActive") != true || c.str("data.instructions") == "" {
		t.Fatalf("create by name and description: %s", c.Raw)
	}
	tm.do("POST", sel, keyScale, map[string]any{"name": "Nobody"}).must(t, 404)
	tm.do("POST", sel, keyScale, map[string]any{"personaId": "33333333-3333-4333-8333-333333333333"}).must(t, 404)
}

// select-instruction documents only 200, 201 and 400: with a title and instruction text it
// creates (201); an unknown id without them is 400 MISSING_REQUIRED_FIELD, not 404.
func TestSelectInstructionAnswersOnlyDocumentedStatuses(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	sel := "/api/v1/chatbots/chatbot/" + botShipping + "/instructions/select-instruction"
	r := tm.do("POST", sel, keyScale, map[string]any{"instructionId": "33333333-3333-4333-8333-333333333333"}).must(t, 400)
	if r.code() != "MISSING_REQUIRED_FIELD" {
		t.Fatalf("unknown id: %s", r.Raw)
	}
	tm.do("POST", sel, keyScale, map[string]any{"instructionId": "33333333-3333-4333-8333-333333333333",
		"title": "Formal", "instruction": "Answer formally."}).must(t, 201)
	tm.do("POST", sel, keyScale, map[string]any{"title": "Formal"}).must(t, 200)
}

// The reference: an icon given as a URL is stored as given; only base64 data is re-hosted.
func TestIconURLIsStoredAsGiven(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	base := "/api/v1/chatbots/chatbot/" + botShipping
	tm.do("POST", base+"/appearance", keyScale, map[string]any{"botIconSrc": "https://example.com/bot.svg"}).must(t, 201)
	r := tm.do("PATCH", base+"/settings/icons", keyScale, map[string]any{"userIconSrc": "http://cdn.example.org/u.png?x=1",
		"agentIconSrc": "data:image/png;base64,iVBORw0KGgo="}).must(t, 200)
	if r.str("data.botIconSrc") != "https://example.com/bot.svg" || r.str("data.userIconSrc") != "http://cdn.example.org/u.png?x=1" {
		t.Fatalf("URLs not kept as given: %s", r.Raw)
	}
	if got := r.str("data.agentIconSrc"); len(got) < 30 || got[:30] != "https://ik.imagekit.io/context" {
		t.Fatalf("base64 icon not re-hosted: %q", got)
	}
}
