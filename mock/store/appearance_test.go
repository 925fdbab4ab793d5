package store

import (
	"testing"

	"github.com/contextgpt/sandbox/mock/apierr"
)

func TestAppearanceStore(t *testing.T) {
	s, bot := starterTestStore(t)
	if _, err := s.Appearance(bot); starterErrCode(err) != apierr.AppearanceNotFound {
		t.Fatalf("got %v; want APPEARANCE_SETTINGS_NOT_FOUND", err)
	}
	if _, err := s.UpdateAppearance(bot, Doc{"tooltip": "x"}); starterErrCode(err) != apierr.AppearanceNotFound {
		t.Fatalf("got %v; want APPEARANCE_SETTINGS_NOT_FOUND", err)
	}
	in := Doc{"tooltip": nil, "fontFamily": map[string]any{"name": "Inter"}, "id": "caller's", "chatbotId": "other"}
	d, err := s.CreateAppearance(bot, in)
	if err != nil {
		t.Fatal(err)
	}
	if d["chatbotId"] != bot || d["id"] == "caller's" || d["createdAt"] != "2026-03-02T09:00:00.000Z" {
		t.Fatalf("store-owned fields: %v", d)
	}
	in["fontFamily"].(map[string]any)["name"] = "mutated input"
	d["fontFamily"].(map[string]any)["name"] = "mutated output"
	got, _ := s.Appearance(bot)
	if got["fontFamily"].(map[string]any)["name"] != "Inter" {
		t.Fatal("the stored document aliases the caller's maps")
	}
	if _, err := s.CreateAppearance(bot, Doc{}); starterErrCode(err) != apierr.AppearanceAlreadyExist {
		t.Fatalf("got %v; want APPEARANCE_SETTINGS_ALREADY_EXIST", err)
	}
	if _, err := s.UpdateAppearance(bot, Doc{"id": "x", "createdAt": "y"}); starterErrCode(err) != apierr.NoValidFieldsToUpdate {
		t.Fatalf("got %v; want NO_VALID_FIELDS_TO_UPDATE", err)
	}
	u, err := s.UpdateAppearance(bot, Doc{"tooltip": "Hi", "id": "x"})
	if err != nil || u["tooltip"] != "Hi" || u["id"] != d["id"] {
		t.Fatalf("got %v, %v", u, err)
	}
}
