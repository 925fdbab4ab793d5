package mock

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/contextgpt/sandbox/mock/store"
)

// Attack 2 (issue 10, the rest): conversation starters, follow-up prompts, instruction sets,
// personas and localized locales had no cap per chatbot. Past each cap a create (and a
// select that would create) is 403 STORE_LIMIT_REACHED naming the list, and stores nothing;
// after a delete there is room again.
func TestAttackUnboundedChatbotLists(t *testing.T) {
	caps := store.DefaultCaps()
	caps.StartersPerChatbot, caps.FollowUpsPerChatbot, caps.InstructionsPerChatbot = 4, 3, 5
	caps.PersonasPerChatbot, caps.LocalizationsPerChatbot = 4, 2
	tm := newTestMock(t, withCaps(caps))
	bot := tm.do("POST", "/api/v1/chatbots", keyEnterprise, map[string]any{"chatbotName": "Lists"}).must(t, http.StatusCreated).str("data.chatbotId")
	base := "/api/v1/chatbots/chatbot/" + bot
	for _, l := range []struct {
		name, path, list string
		limit            int
		body             func(i int) map[string]any
		create           string // the method that creates
		selectPath       string // a select that would create one more ("" for none)
	}{
		{"starters", base + "/conversation-starters", "conversation starters per chatbot", 4,
			func(i int) map[string]any {
				return map[string]any{"buttonTitle": fmt.Sprint("b", i), "buttonMessage": "m"}
			}, "POST", ""},
		{"follow-ups", base + "/follow-up-prompts", "follow-up prompts per chatbot", 3,
			func(i int) map[string]any {
				return map[string]any{"linkText": fmt.Sprint("l", i), "linkSrc": "https://example.com"}
			}, "POST", ""},
		{"instructions", base + "/instructions", "instruction sets per chatbot", 5,
			func(i int) map[string]any {
				return map[string]any{"title": fmt.Sprint("t", i), "instruction": "be brief"}
			}, "POST", base + "/instructions/select-instruction"},
		{"personas", base + "/personas", "personas per chatbot", 4,
			func(i int) map[string]any {
				return map[string]any{"title": fmt.Sprint("p", i), "instructions": "be kind"}
			}, "POST", base + "/personas/select-persona"},
		{"localizations", base + "/localization", "localized locales per chatbot", 2,
			func(i int) map[string]any { return map[string]any{"localeCode": fmt.Sprint("x", i)} }, "PATCH", ""},
	} {
		t.Run(l.name, func(t *testing.T) {
			count := func() int {
				r := tm.do("GET", l.path, keyEnterprise, nil)
				if r.Status == http.StatusNotFound { // instructions and personas: none yet
					return 0
				}
				r.must(t, http.StatusOK)
				items, _ := r.at("data").([]any)
				if items == nil { // some lists are wrapped
					if m, ok := r.at("data").(map[string]any); ok {
						for _, v := range m {
							if a, ok := v.([]any); ok {
								items = a
							}
						}
					}
				}
				return len(items)
			}
			have := count()
			for i := have; i < l.limit; i++ {
				r := tm.do(l.create, l.path, keyEnterprise, l.body(i))
				if r.Status != http.StatusCreated && r.Status != http.StatusOK {
					t.Fatalf("create %d under the cap: %d %s", i, r.Status, r.Raw)
				}
			}
			refused := []resp{tm.do(l.create, l.path, keyEnterprise, l.body(l.limit))}
			if l.selectPath != "" {
				body := l.body(l.limit + 1)
				refused = append(refused, tm.do("POST", l.selectPath, keyEnterprise, body))
			}
			for _, r := range refused {
				r.must(t, http.StatusForbidden)
				if r.code() != "STORE_LIMIT_REACHED" || r.at("error.details.resource") != l.list || r.at("error.details.limit") != float64(l.limit) {
					t.Fatalf("past the cap: %s", r.Raw)
				}
			}
			if n := count(); n != l.limit {
				t.Fatalf("%d stored after the refusals; want %d", n, l.limit)
			}
			// An existing one can still be changed: the cap is on the number, not on writes.
			if l.name == "localizations" {
				tm.do("PATCH", l.path, keyEnterprise, map[string]any{"localeCode": "x0", "welcomeMessage": "hi"}).must(t, http.StatusOK)
			}
		})
	}
}
