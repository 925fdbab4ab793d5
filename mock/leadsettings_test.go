package mock

import (
	"net/http"
	"testing"
)

const (
	leadPath  = "/api/v1/chatbots/chatbot/" + botShipping + "/lead-settings"
	humanPath = "/api/v1/chatbots/chatbot/" + botShipping + "/human-support-settings"
)

func TestLeadSettingsLifecycle(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	if r := tm.do("GET", leadPath, keyScale, nil).must(t, 404); r.code() != "LEAD_SETTINGS_NOT_FOUND" {
		t.Fatalf("got code %q; want LEAD_SETTINGS_NOT_FOUND", r.code())
	}
	tm.do("PATCH", leadPath, keyScale, map[string]any{"enableLeadCollection": true}).must(t, 404)
	tm.do("DELETE", leadPath, keyScale, nil).must(t, 404)

	// Created without a body: every field has the schema's default.
	created := tm.do("POST", leadPath, keyEditor, nil).must(t, http.StatusCreated)
	d := created.data()
	want := map[string]any{"enableLeadCollection": false, "customerEmailTake": true, "customerNameTake": false,
		"customerFormField": nil, "leadNotificationEmail": nil, "industryTemplate": nil, "chatbotId": botShipping}
	for k, v := range want {
		if got, ok := d[k]; !ok || got != v {
			t.Errorf("%s: got %v (present %v); want %v", k, got, ok, v)
		}
	}
	if d["id"] == "" || d["createdAt"] == "" || d["updatedAt"] == "" {
		t.Fatalf("id and timestamps missing: %s", created.Raw)
	}
	if r := tm.do("POST", leadPath, keyScale, map[string]any{}).must(t, 409); r.code() != "LEAD_SETTINGS_ALREADY_EXIST" {
		t.Fatalf("got code %q; want LEAD_SETTINGS_ALREADY_EXIST", r.code())
	}
	field := map[string]any{"display_label": "Company", "field_name": "company", "field_type": "text", "required": false}
	upd := tm.do("PATCH", leadPath, keyScale, map[string]any{"enableLeadCollection": true,
		"leadNotificationEmail": []string{"sales@example.com"}, "customerFormField": []any{field}}).must(t, 200)
	if upd.at("data.enableLeadCollection") != true || upd.str("data.leadNotificationEmail.0") != "sales@example.com" ||
		upd.str("data.customerFormField.0.field_name") != "company" || upd.at("data.customerEmailTake") != true {
		t.Fatalf("update: %s", upd.Raw)
	}
	got := tm.do("GET", leadPath, keyAgent, nil).must(t, 200)
	if got.at("data.enableLeadCollection") != true || got.str("data.id") != d["id"] {
		t.Fatalf("get after update: %s", got.Raw)
	}
	del := tm.do("DELETE", leadPath, keyScale, nil).must(t, 200)
	if del.at("data.enableLeadCollection") != true || del.str("data.id") != d["id"] {
		t.Fatalf("delete must answer the deleted row: %s", del.Raw)
	}
	tm.do("GET", leadPath, keyScale, nil).must(t, 404)
	tm.do("POST", leadPath, keyScale, map[string]any{"customerPhoneTake": true}).must(t, http.StatusCreated)
}

func TestHumanSupportLifecycle(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	if r := tm.do("GET", humanPath, keyScale, nil).must(t, 404); r.code() != "HUMAN_SUPPORT_SETTINGS_NOT_FOUND" {
		t.Fatalf("got code %q", r.code())
	}
	if r := tm.do("PATCH", humanPath, keyScale, map[string]any{"enableHumanSupport": true}).must(t, 404); r.code() != "RESOURCE_NOT_FOUND" {
		t.Fatalf("got code %q", r.code())
	}
	c := tm.do("POST", humanPath, keyScale, map[string]any{"requestHumanSupportPrompt": "Talk to a person?", "id": "ignored"}).must(t, 201)
	if c.str("data.requestHumanSupportPrompt") != "Talk to a person?" || c.at("data.showEscalationButtonsAfterResponses") != true ||
		c.at("data.positiveFeedbackPrompt") != nil || c.str("data.id") == "ignored" {
		t.Fatalf("create: %s", c.Raw)
	}
	if r := tm.do("POST", humanPath, keyScale, nil).must(t, 409); r.code() != "HUMAN_SUPPORT_SETTINGS_ALREADY_EXIST" {
		t.Fatalf("got code %q", r.code())
	}
	u := tm.do("PATCH", humanPath, keyEditor, map[string]any{"enableHumanSupport": true, "chatbotId": "x"}).must(t, 200)
	if u.at("data.enableHumanSupport") != true || u.str("data.requestHumanSupportPrompt") != "Talk to a person?" || u.str("data.chatbotId") != botShipping {
		t.Fatalf("update: %s", u.Raw)
	}
	tm.do("GET", humanPath, keyAgent, nil).must(t, 200)
}

func TestLeadAndHumanSupportErrors(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	tm.do("POST", leadPath, keyScale, nil).must(t, 201)
	tm.do("POST", humanPath, keyScale, nil).must(t, 201)
	cases := []errorCase{
		{"lead update empty", "PATCH", leadPath, keyScale, map[string]any{}, 400, "NO_VALID_FIELDS_TO_UPDATE", ""},
		{"lead update unknown only", "PATCH", leadPath, keyScale, map[string]any{"nope": 1}, 400, "NO_VALID_FIELDS_TO_UPDATE", ""},
		{"lead update wrong type", "PATCH", leadPath, keyScale, map[string]any{"enableLeadCollection": "yes"}, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"lead bad form field", "PATCH", leadPath, keyScale, map[string]any{"customerFormField": []any{map[string]any{"field_name": "x"}}}, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"lead create by agent", "POST", leadPath, keyAgent, nil, 403, "INSUFFICIENT_PERMISSIONS", ""},
		{"lead delete by agent", "DELETE", leadPath, keyAgent, nil, 403, "INSUFFICIENT_PERMISSIONS", ""},
		{"lead unknown chatbot", "GET", "/api/v1/chatbots/chatbot/999999999999999999/lead-settings", keyScale, nil, 404, "CHATBOT_NOT_FOUND", ""},
		{"lead other account", "GET", "/api/v1/chatbots/chatbot/" + botOutfitters + "/lead-settings", keyScale, nil, 404, "CHATBOT_NOT_FOUND", ""},
		{"human update empty", "PATCH", humanPath, keyScale, map[string]any{}, 400, "NO_VALID_FIELDS_TO_UPDATE", ""},
		{"human update wrong type", "PATCH", humanPath, keyScale, map[string]any{"enableHumanSupport": 1}, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"human create by agent", "POST", humanPath, keyAgent, nil, 403, "INSUFFICIENT_PERMISSIONS", ""},
		{"human update by agent", "PATCH", humanPath, keyAgent, map[string]any{"enableHumanSupport": true}, 403, "INSUFFICIENT_PERMISSIONS", ""},
		{"human no key", "GET", humanPath, "", nil, 401, "MISSING_JWT", ""},
	}
	tm.checkErrors(t, cases)
}
