package mock

import (
	"net/http"
	"strings"
	"testing"
)

func TestChatbotLifecycle(t *testing.T) {
	tm := newTestMock(t)
	mine := tm.do("GET", "/api/v1/chatbots/my-chatbots", keyScale, nil).must(t, 200)
	if got := mine.str("data.accounts.0.accountId"); got != accScale {
		t.Fatalf("got account %q; want %q", got, accScale)
	}
	created := tm.do("POST", "/api/v1/chatbots/account/"+accScale+"/create-chatbot", keyScale,
		map[string]any{"name": "Lifecycle bot", "description": "short"}).must(t, http.StatusCreated)
	id := created.str("data.chatbotId")
	if len(id) != 18 {
		t.Fatalf("got chatbot id %q; want 18 digits", id)
	}
	tm.do("POST", "/api/v1/chatbots/account/"+accScale+"/create-chatbot", keyScale,
		map[string]any{"name": "lifecycle BOT", "description": "dup"}).must(t, http.StatusConflict)
	upd := tm.do("PATCH", "/api/v1/chatbots/account/"+accScale+"/chatbot/"+id, keyScale,
		map[string]any{"description": "a longer description, still under one hundred characters"}).must(t, 200)
	if upd.str("data.description") == "short" {
		t.Fatal("description was not updated")
	}
	tm.do("GET", "/api/v1/chatbots/account/"+accScale+"/chatbot/"+id, keyScale, nil).must(t, 200)
	tm.do("DELETE", "/api/v1/chatbots/account/"+accScale+"/chatbot/"+id, keyScale, nil).must(t, 200)
	tm.do("GET", "/api/v1/chatbots/account/"+accScale+"/chatbot/"+id, keyScale, nil).must(t, 404)
}

func TestChatbotErrors(t *testing.T) {
	tm := newTestMock(t)
	cases := []errorCase{
		{"missing key", "GET", "/api/v1/chatbots/my-chatbots", "", nil, 401, "API_KEY_NOT_VALID", ""},
		{"unknown key", "GET", "/api/v1/chatbots/my-chatbots", "sk_nope", nil, 401, "API_KEY_NOT_VALID", ""},
		{"trial plan", "GET", "/api/v1/chatbots/my-chatbots", keyTrial, nil, 403, "API_ACCESS_NOT_IN_PLAN", ""},
		{"overview create without chatbotName", "POST", "/api/v1/chatbots", keyScale, map[string]any{}, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"create missing name", "POST", "/api/v1/chatbots/account/" + accScale + "/create-chatbot", keyScale, map[string]any{"description": "x"}, 400, "", ""},
		{"description too long", "POST", "/api/v1/chatbots/account/" + accScale + "/create-chatbot", keyScale, map[string]any{"name": "n", "description": "012345678901234567890123456789012345678901234567890"}, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"agent cannot create", "POST", "/api/v1/chatbots/account/" + accScale + "/create-chatbot", keyAgent, map[string]any{"name": "n", "description": "d"}, 403, "INSUFFICIENT_PERMISSIONS", ""},
		{"agent cannot delete", "DELETE", "/api/v1/chatbots/account/" + accScale + "/chatbot/" + botShipping, keyAgent, nil, 403, "INSUFFICIENT_PERMISSIONS", ""},
		{"other account", "GET", "/api/v1/chatbots/account/" + accGrowth + "/all-chatbots", keyScale, nil, 403, "CHATBOT_FETCH_FORBIDDEN", ""},
		{"chatbot of other account", "GET", "/api/v1/chatbots/account/" + accScale + "/chatbot/" + botOutfitters, keyScale, nil, 404, "CHATBOT_NOT_FOUND", ""},
		{"quota", "POST", "/api/v1/chatbots/account/361628903185300002/create-chatbot", keyStarter, map[string]any{"name": "second", "description": "d"}, 403, "CHATBOT_LIMIT_REACHED", ""},
		{"malformed json", "POST", "/api/v1/chatbots/account/" + accScale + "/create-chatbot", keyScale, `{"name":`, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"wrong type", "PATCH", "/api/v1/chatbots/account/" + accScale + "/chatbot/" + botShipping, keyScale, map[string]any{"isActive": "yes"}, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"no fields", "PATCH", "/api/v1/chatbots/account/" + accScale + "/chatbot/" + botShipping, keyScale, map[string]any{}, 400, "NO_VALID_FIELDS_TO_UPDATE", ""},
	}
	tm.checkErrors(t, cases)
}

// Regression: `curl -d '{"plan":"growth"}'` (form encoding by default) was refused by the
// control plane with INVALID_REQUEST.
func TestAdminTakesJSONSentAsFormEncoding(t *testing.T) {
	tm := newTestMock(t)
	req, _ := http.NewRequest("POST", tm.srv.URL+"/__mock/sandboxes", strings.NewReader(`{"plan":"Growth"}`))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res := tm.send(req).must(t, http.StatusCreated)
	if got := res.str("plan"); got != "growth" {
		t.Fatalf("got plan %q; want growth", got)
	}
}
