package mock

import "testing"

func TestTextSnippet(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	// A fresh chatbot has no snippet.
	bot := tm.do("POST", "/api/v1/chatbots/account/"+accScale+"/create-chatbot", keyScale,
		map[string]any{"name": "Snippet bot", "description": "d"}).must(t, 201).str("data.chatbotId")
	path := "/api/v1/chatbots/chatbot/" + bot + "/text-snippet"
	// Membership is per chatbot: the editor and the agent reach it once added.
	tm.addMember(t, bot, userEditor, "")
	tm.addMember(t, bot, userAgent, "")
	if r := tm.do("GET", path, keyScale, nil).must(t, 404); r.code() != "TEXT_SNIPPET_NOT_FOUND" {
		t.Fatalf("got code %q; want TEXT_SNIPPET_NOT_FOUND", r.code())
	}
	first := tm.do("POST", path, keyEditor, map[string]any{"description": "We ship daily."}).must(t, 200)
	if first.str("data.description") != "We ship daily." || first.str("data.chatbotId") != bot {
		t.Fatalf("create: %s", first.Raw)
	}
	second := tm.do("POST", path, keyScale, map[string]any{"description": "We ship twice a day."}).must(t, 200)
	if second.str("data.id") != first.str("data.id") || second.str("data.createdAt") != first.str("data.createdAt") {
		t.Fatalf("upsert replaced the snippet instead of updating it: %s", second.Raw)
	}
	if got := tm.do("GET", path, keyAgent, nil).must(t, 200).str("data.description"); got != "We ship twice a day." {
		t.Fatalf("got %q after update", got)
	}
	cleared := tm.do("POST", path, keyScale, map[string]any{"description": nil}).must(t, 200)
	if v, ok := cleared.data()["description"]; !ok || v != nil {
		t.Fatalf("null must clear: %s", cleared.Raw)
	}
	tm.do("POST", path, keyScale, map[string]any{}).must(t, 200)
	// The fixture chatbot has one.
	if got := tm.do("GET", "/api/v1/chatbots/chatbot/"+botShipping+"/text-snippet", keyScale, nil).must(t, 200).str("data.description"); got == "" {
		t.Fatal("fixture snippet missing")
	}
	for _, tc := range []struct {
		name, method, key string
		body              any
		status            int
		code              string
	}{
		{"agent cannot write", "POST", keyAgent, map[string]any{"description": "x"}, 403, "INSUFFICIENT_PERMISSIONS"},
		{"wrong type", "POST", keyScale, map[string]any{"description": 5}, 400, "REQUEST_VALIDATION_FAILED"},
		{"no key", "GET", "", nil, 401, "MISSING_JWT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := tm.do(tc.method, path, tc.key, tc.body).must(t, tc.status); r.code() != tc.code {
				t.Fatalf("got code %q; want %q", r.code(), tc.code)
			}
		})
	}
}
