package limits

import (
	"strings"
	"testing"
)

// The per-chatbot list caps are raised (or lifted) by the limits file like the others.
func TestParseListCaps(t *testing.T) {
	cfg, err := Parse("f", []byte("caps: {startersPerChatbot: 500, followUpsPerChatbot: -1, instructionsPerChatbot: 7, personasPerChatbot: 8, localizationsPerChatbot: 9}"))
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Caps
	if c.StartersPerChatbot != 500 || c.FollowUpsPerChatbot != Unlimited || c.InstructionsPerChatbot != 7 ||
		c.PersonasPerChatbot != 8 || c.LocalizationsPerChatbot != 9 || c.Threads != 0 {
		t.Fatalf("caps: %+v", c)
	}
	if _, err := Parse("f", []byte("caps: {personasPerChatbot: 0}")); err == nil || !strings.Contains(err.Error(), "caps.personasPerChatbot") {
		t.Fatalf("a zero cap: %v", err)
	}
}
