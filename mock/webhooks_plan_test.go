package mock

import (
	"net/http"
	"testing"
)

// The billing and webhooks pages: Scale and Enterprise include webhooks; other paid plans
// get them as an add-on.
func TestWebhooksComeWithScaleEnterpriseOrTheAddon(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	cfg := map[string]any{"url": "https://hooks.example.com/x", "secret": "whsec_0123456789abcdef"}
	try := func(plan string, addons []string) int {
		body := map[string]any{"plan": plan}
		if addons != nil {
			body["addons"] = addons
		}
		sb := tm.do("POST", "/__mock/sandboxes", "", body).must(t, 201)
		if got, _ := sb.at("addons").([]any); len(got) != len(addons) {
			t.Fatalf("sandbox addons: %s", sb.Raw)
		}
		key := sb.str("apiKey")
		bot := tm.do("POST", "/api/v1/chatbots/account/"+sb.str("accountId")+"/create-chatbot", key,
			map[string]any{"name": "Hooked", "description": "d"}).must(t, 201).str("data.chatbotId")
		r := tm.do("PUT", webhookPath(bot), key, cfg)
		if r.Status == http.StatusForbidden && r.code() != "WEBHOOKS_NOT_IN_PLAN" {
			t.Fatalf("%s: %s", plan, r.Raw)
		}
		return r.Status
	}
	for _, tc := range []struct {
		plan   string
		addons []string
		want   int
	}{
		{"starter", nil, 403},
		{"growth", nil, 403},
		{"starter", []string{"webhooks"}, 201},
		{"growth", []string{"WEBHOOKS"}, 201},
		{"scale", nil, 201},
		{"enterprise", nil, 201},
	} {
		if got := try(tc.plan, tc.addons); got != tc.want {
			t.Errorf("%s with add-ons %v: got %d; want %d", tc.plan, tc.addons, got, tc.want)
		}
	}
	r := tm.do("POST", "/__mock/sandboxes", "", map[string]any{"plan": "trial", "addons": []string{"webhooks"}}).must(t, 400)
	if r.at("error.code") != "INVALID_ADDON" {
		t.Fatalf("trial add-on: %s", r.Raw)
	}
	// The fixture Growth account has bought the add-on; the fixture Starter account has not.
	tm.do("GET", webhookPath(botOutfitters), keyGrowth, nil).must(t, http.StatusNotFound)
	tm.do("GET", webhookPath(botBakery), keyStarter, nil).must(t, http.StatusForbidden)
}
