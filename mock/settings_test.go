package mock

import (
	"testing"

	"github.com/contextgpt/sandbox/mock/store"
)

const (
	botBakery    = "361628903185310003" // Starter account
	settingsPath = "/api/v1/chatbots/chatbot/" + botShipping + "/settings"
)

func TestChatbotSettingsUpsert(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	got := tm.do("GET", settingsPath, keyScale, nil).must(t, 200)
	if got.str("data.chatbotId") != botShipping || got.str("data.name") != "Shipping Helper" || got.at("data.settings") != nil {
		t.Fatalf("before any save: %s", got.Raw)
	}
	if d := tm.do("GET", settingsPath+"/general", keyScale, nil).must(t, 200); d.Body["data"] != nil {
		t.Fatalf("general before any save: got %s; want data null", d.Raw)
	}
	if mode := tm.do("GET", settingsPath+"/chat-mode", keyAgent, nil).must(t, 200).str("data.chatStart"); mode != "ai" {
		t.Fatalf("got chatStart %q; want ai", mode)
	}
	model := store.LLMModels()[2]
	saved := tm.do("PATCH", settingsPath, keyEditor, map[string]any{"chatStart": "agent", "llmModelId": model.ID, "fallbackMessage": "Ask a human"}).must(t, 200)
	d := saved.data()
	want := map[string]any{"chatStart": "agent", "llmId": model.ID, "fallbackMessage": "Ask a human",
		"numberOfSmartFollowupQuestionShown": float64(3), "historyMessageContext": float64(1), "maxMessagesPerConversation": float64(20),
		"limitMessagesPerConversation": false, "description": nil, "chatbotId": botShipping}
	for k, v := range want {
		if got, ok := d[k]; !ok || got != v {
			t.Errorf("%s: got %v (present %v); want %v", k, got, ok, v)
		}
	}
	if _, ok := d["llmModelId"]; ok {
		t.Error("llmModelId must be stored as llmId")
	}
	if mode := tm.do("GET", settingsPath+"/chat-mode", keyScale, nil).must(t, 200).str("data.chatStart"); mode != "agent" {
		t.Fatalf("chat mode after settings: got %q; want agent", mode)
	}
	// The model may also be named.
	if id := tm.do("PATCH", settingsPath+"/general", keyScale, map[string]any{"llmModelId": "gpt-4.1-mini"}).must(t, 200).str("data.llmId"); id != store.LLMModels()[0].ID {
		t.Fatalf("got llmId %q; want %q", id, store.LLMModels()[0].ID)
	}
	// limit and max together, then max alone once limit is on.
	tm.do("PATCH", settingsPath+"/general", keyScale, map[string]any{"limitMessagesPerConversation": true, "maxMessagesPerConversation": 50}).must(t, 200)
	r := tm.do("PATCH", settingsPath, keyScale, map[string]any{"maxMessagesPerConversation": 70}).must(t, 200)
	if r.at("data.maxMessagesPerConversation") != float64(70) || r.at("data.limitMessagesPerConversation") != true || r.str("data.fallbackMessage") != "Ask a human" {
		t.Fatalf("max alone: %s", r.Raw)
	}
	// The general route ignores chatStart.
	g := tm.do("PATCH", settingsPath+"/general", keyScale, map[string]any{"chatStart": "ai", "description": "Ships things"}).must(t, 200)
	if g.str("data.chatStart") != "agent" || g.str("data.description") != "Ships things" {
		t.Fatalf("general route: %s", g.Raw)
	}
	tm.do("PATCH", settingsPath+"/general", keyScale, map[string]any{"chatStart": "ai"}).must(t, 400)
	full := tm.do("GET", settingsPath, keyScale, nil).must(t, 200)
	if full.str("data.settings.description") != "Ships things" || full.str("data.settings.id") != saved.str("data.id") {
		t.Fatalf("settings after updates: %s", full.Raw)
	}
	if gen := tm.do("GET", settingsPath+"/general", keyAgent, nil).must(t, 200); gen.str("data.id") != saved.str("data.id") {
		t.Fatalf("general: %s", gen.Raw)
	}
}

func TestChatModeCreatesSettings(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	r := tm.do("PATCH", settingsPath+"/chat-mode", keyScale, map[string]any{"chatStart": "agent"}).must(t, 200)
	if r.str("data.chatStart") != "agent" {
		t.Fatalf("got %s", r.Raw)
	}
	s := tm.do("GET", settingsPath, keyScale, nil).must(t, 200)
	if s.str("data.settings.chatStart") != "agent" || s.at("data.settings.numberOfSmartFollowupQuestionShown") != float64(3) {
		t.Fatalf("chat mode must upsert the settings row with defaults: %s", s.Raw)
	}
	tm.do("PATCH", settingsPath+"/chat-mode", keyScale, map[string]any{"chatStart": "ai"}).must(t, 200)
	if mode := tm.do("GET", settingsPath+"/chat-mode", keyScale, nil).must(t, 200).str("data.chatStart"); mode != "ai" {
		t.Fatalf("got %q; want ai", mode)
	}
}

func TestAdvancedSettingsStub(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	r := tm.do("GET", settingsPath+"/advanced", keyScale, nil).must(t, 200)
	if d, ok := r.Body["data"].(map[string]any); !ok || len(d) != 0 {
		t.Fatalf("got %s; want data {}", r.Raw)
	}
	// The reference's 501 example carries error.code INTERNAL_SERVER_ERROR.
	if r := tm.do("PATCH", settingsPath+"/advanced", keyScale, map[string]any{"temperature": 0.7}).must(t, 501); r.code() != "INTERNAL_SERVER_ERROR" {
		t.Fatalf("got code %q; want INTERNAL_SERVER_ERROR", r.code())
	}
	// Validation and permission come first.
	tm.do("PATCH", settingsPath+"/advanced", keyScale, map[string]any{"temperature": 5}).must(t, 400)
	tm.do("PATCH", settingsPath+"/advanced", keyAgent, map[string]any{"temperature": 0.7}).must(t, 403)
}

func TestUserData(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	path := settingsPath + "/user-data"
	r := tm.do("GET", path, keyAgent, nil).must(t, 200)
	want := map[string]any{"enableLeadCollection": false, "customerNameTake": false, "customerPhoneTake": false, "customerEmailTake": true, "whenUserShareDetails": "optional"}
	for k, v := range want {
		if r.data()[k] != v {
			t.Errorf("default %s: got %v; want %v", k, r.data()[k], v)
		}
	}
	// whenUserShareDetails alone does not create lead settings.
	tm.do("PATCH", path, keyScale, map[string]any{"whenUserShareDetails": "mandatory"}).must(t, 200)
	tm.do("GET", leadPath, keyScale, nil).must(t, 404)
	// A lead flag creates them with their defaults.
	u := tm.do("PATCH", path, keyEditor, map[string]any{"enableLeadCollection": true, "customerPhoneTake": true}).must(t, 200)
	if u.at("data.enableLeadCollection") != true || u.at("data.customerPhoneTake") != true || u.str("data.whenUserShareDetails") != "mandatory" {
		t.Fatalf("update: %s", u.Raw)
	}
	lead := tm.do("GET", leadPath, keyScale, nil).must(t, 200)
	if lead.at("data.enableLeadCollection") != true || lead.at("data.customerPhoneTake") != true || lead.at("data.customerEmailTake") != true {
		t.Fatalf("lead settings after user-data: %s", lead.Raw)
	}
	tm.do("POST", leadPath, keyScale, nil).must(t, 409)
	// And lead settings changes show through user-data.
	tm.do("PATCH", leadPath, keyScale, map[string]any{"customerNameTake": true}).must(t, 200)
	if got := tm.do("GET", path, keyScale, nil).must(t, 200).at("data.customerNameTake"); got != true {
		t.Fatalf("got customerNameTake %v; want true", got)
	}
}

func TestSettingsErrors(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	bakery := "/api/v1/chatbots/chatbot/" + botBakery + "/settings"
	cases := []errorCase{
		{"settings empty", "PATCH", settingsPath, keyScale, map[string]any{}, 400, "NO_VALID_FIELDS_TO_UPDATE", ""},
		{"settings unknown fields only", "PATCH", settingsPath, keyScale, map[string]any{"chatMode": "agent"}, 400, "NO_VALID_FIELDS_TO_UPDATE", ""},
		{"general empty", "PATCH", settingsPath + "/general", keyScale, map[string]any{}, 400, "NO_VALID_FIELDS_TO_UPDATE", ""},
		{"max without limit", "PATCH", settingsPath, keyScale, map[string]any{"maxMessagesPerConversation": 10}, 400, "INVALID_FIELD_VALUE", "maxMessagesPerConversation"},
		{"max with limit false", "PATCH", settingsPath + "/general", keyScale, map[string]any{"limitMessagesPerConversation": false, "maxMessagesPerConversation": 10}, 400, "INVALID_FIELD_VALUE", "maxMessagesPerConversation"},
		{"max out of range", "PATCH", settingsPath, keyScale, map[string]any{"limitMessagesPerConversation": true, "maxMessagesPerConversation": 1001}, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"followups out of range", "PATCH", settingsPath, keyScale, map[string]any{"numberOfSmartFollowupQuestionShown": 6}, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"bad chatStart", "PATCH", settingsPath, keyScale, map[string]any{"chatStart": "human"}, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"starter plan limit", "PATCH", bakery, keyStarter, map[string]any{"limitMessagesPerConversation": true}, 403, "INSUFFICIENT_PERMISSIONS", ""},
		{"starter plan limit general", "PATCH", bakery + "/general", keyStarter, map[string]any{"limitMessagesPerConversation": true, "maxMessagesPerConversation": 5}, 403, "INSUFFICIENT_PERMISSIONS", ""},
		{"unknown model", "PATCH", settingsPath, keyScale, map[string]any{"llmModelId": "gpt-2"}, 404, "RESOURCE_NOT_FOUND", ""},
		{"agent cannot update", "PATCH", settingsPath, keyAgent, map[string]any{"chatStart": "ai"}, 403, "INSUFFICIENT_PERMISSIONS", ""},
		{"agent cannot set chat mode", "PATCH", settingsPath + "/chat-mode", keyAgent, map[string]any{"chatStart": "ai"}, 403, "INSUFFICIENT_PERMISSIONS", ""},
		{"chat mode missing", "PATCH", settingsPath + "/chat-mode", keyScale, map[string]any{}, 400, "MISSING_REQUIRED_FIELD", ""},
		{"chat mode bad value", "PATCH", settingsPath + "/chat-mode", keyScale, map[string]any{"chatStart": "bot"}, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"user data empty", "PATCH", settingsPath + "/user-data", keyScale, map[string]any{}, 400, "INVALID_FIELD_VALUE", ""},
		{"user data bad enum", "PATCH", settingsPath + "/user-data", keyScale, map[string]any{"whenUserShareDetails": "always"}, 400, "INVALID_FIELD_VALUE", ""},
		{"user data by agent", "PATCH", settingsPath + "/user-data", keyAgent, map[string]any{"customerNameTake": true}, 403, "INSUFFICIENT_PERMISSIONS", ""},
		{"unknown chatbot", "GET", "/api/v1/chatbots/chatbot/999999999999999999/settings", keyScale, nil, 404, "CHATBOT_NOT_FOUND", ""},
		{"other account", "GET", "/api/v1/chatbots/chatbot/" + botOutfitters + "/settings/chat-mode", keyScale, nil, 404, "CHATBOT_NOT_FOUND", ""},
		{"no key", "GET", settingsPath + "/general", "", nil, 401, "MISSING_JWT", ""},
	}
	tm.checkErrors(t, cases)
	// Nothing was saved by the refused requests.
	if s := tm.do("GET", settingsPath, keyScale, nil).must(t, 200); s.at("data.settings") != nil {
		t.Fatalf("a refused update saved settings: %s", s.Raw)
	}
	// Growth may limit.
	tm.do("PATCH", "/api/v1/chatbots/chatbot/"+botOutfitters+"/settings", keyGrowth, map[string]any{"limitMessagesPerConversation": true, "maxMessagesPerConversation": 5}).must(t, 200)
}
