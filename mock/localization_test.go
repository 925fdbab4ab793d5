package mock

import (
	"net/http"
	"testing"
)

const locPath = "/api/v1/chatbots/chatbot/" + botShipping + "/localization"

func TestLocalizationLifecycle(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	list := tm.do("GET", locPath, keyScale, nil).must(t, 200)
	if got := list.at("data.count"); got != float64(0) {
		t.Fatalf("got count %v; want 0", got)
	}
	created := tm.do("PATCH", locPath, keyEditor, map[string]any{"localeCode": "fr", "homeTitle": "Bonjour", "unknownField": "x"}).must(t, 200)
	d := created.data()
	if d["homeTitle"] != "Bonjour" || d["localeCode"] != "fr" || d["chatbotId"] != botShipping {
		t.Fatalf("got %v; want fr record with homeTitle", d)
	}
	if v, ok := d["cancel"]; !ok || v != nil {
		t.Fatalf("got cancel %v (present %v); want null and present", v, ok)
	}
	if _, ok := d["unknownField"]; ok {
		t.Fatal("unknown field was saved")
	}
	id := d["id"]
	upd := tm.do("PATCH", locPath, keyScale, map[string]any{"localeCode": "fr", "cancel": "Annuler"}).must(t, 200)
	if upd.data()["homeTitle"] != "Bonjour" || upd.data()["cancel"] != "Annuler" || upd.data()["id"] != id {
		t.Fatalf("update lost fields or changed id: %s", upd.Raw)
	}
	tm.do("PATCH", locPath, keyScale, map[string]any{"localeCode": "de"}).must(t, 200)
	tm.do("PATCH", locPath, keyScale, map[string]any{"localeCode": "ar"}).must(t, 200)
	list = tm.do("GET", locPath, keyAgent, nil).must(t, 200)
	if got := list.at("data.count"); got != float64(3) {
		t.Fatalf("got count %v; want 3", got)
	}
	for i, want := range []string{"ar", "de", "fr"} {
		if got := list.str("data.data." + string(rune('0'+i)) + ".localeCode"); got != want {
			t.Fatalf("item %d: got %q; want %q (ordered by localeCode)", i, got, want)
		}
	}
	// by-locale: query, body, query wins.
	if got := tm.do("GET", locPath+"/by-locale?localeCode=fr", keyScale, nil).must(t, 200).str("data.cancel"); got != "Annuler" {
		t.Fatalf("by query: got cancel %q", got)
	}
	if got := tm.do("GET", locPath+"/by-locale", keyScale, map[string]any{"localeCode": "de"}).must(t, 200).str("data.localeCode"); got != "de" {
		t.Fatalf("by body: got %q; want de", got)
	}
	if got := tm.do("GET", locPath+"/by-locale?localeCode=ar", keyScale, map[string]any{"localeCode": "de"}).must(t, 200).str("data.localeCode"); got != "ar" {
		t.Fatalf("query and body: got %q; want ar (query wins)", got)
	}
	del := tm.do("DELETE", locPath+"?localeCode=fr", keyScale, nil).must(t, 200)
	// The reference documents data: null on this delete.
	if v, ok := del.Body["data"]; !ok || v != nil {
		t.Fatalf("delete must answer data: null: %s", del.Raw)
	}
	tm.do("GET", locPath+"/by-locale?localeCode=fr", keyScale, nil).must(t, 404)
	tm.do("DELETE", locPath+"?localeCode=fr", keyScale, nil).must(t, 404)
}

func TestLocalizationErrors(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	cases := []errorCase{
		{"upsert without localeCode", "PATCH", locPath, keyScale, map[string]any{"homeTitle": "x"}, 400, "MISSING_REQUIRED_FIELD", "localeCode"},
		{"upsert wrong type", "PATCH", locPath, keyScale, map[string]any{"localeCode": "fr", "homeTitle": 3}, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"upsert by agent", "PATCH", locPath, keyAgent, map[string]any{"localeCode": "fr"}, 403, "INSUFFICIENT_PERMISSIONS", ""},
		{"upsert unknown chatbot", "PATCH", "/api/v1/chatbots/chatbot/999999999999999999/localization", keyScale, map[string]any{"localeCode": "fr"}, 403, "INSUFFICIENT_PERMISSIONS", ""},
		{"list other account", "GET", "/api/v1/chatbots/chatbot/" + botOutfitters + "/localization", keyScale, nil, 403, "INSUFFICIENT_PERMISSIONS", ""},
		{"delete without localeCode", "DELETE", locPath, keyScale, nil, 400, "MISSING_REQUIRED_FIELD", ""},
		{"delete unknown locale", "DELETE", locPath + "?localeCode=xx", keyScale, nil, 404, "RESOURCE_NOT_FOUND", ""},
		{"delete by agent", "DELETE", locPath + "?localeCode=xx", keyAgent, nil, 403, "INSUFFICIENT_PERMISSIONS", ""},
		{"by-locale neither", "GET", locPath + "/by-locale", keyScale, nil, 400, "MISSING_REQUIRED_FIELD", "localeCode"},
		{"by-locale empty body", "GET", locPath + "/by-locale", keyScale, map[string]any{}, 400, "MISSING_REQUIRED_FIELD", "localeCode"},
		{"by-locale too short", "GET", locPath + "/by-locale?localeCode=f", keyScale, nil, 400, "REQUEST_VALIDATION_FAILED", ""},
		{"by-locale unknown", "GET", locPath + "/by-locale?localeCode=ja", keyScale, nil, 404, "LOCALIZATION_NOT_FOUND", ""},
		{"no key", "GET", locPath, "", nil, 401, "MISSING_JWT", ""},
	}
	tm.checkErrors(t, cases)
	_ = http.StatusOK
}
