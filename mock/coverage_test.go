package mock

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/contextgpt/sandbox/mock/fake"
	"github.com/contextgpt/sandbox/spec"
)

// TestEveryOperationIsServed walks every operation of the spec at least once through real
// HTTP, in a fresh sandbox, with both validators checking every response (strict mode and
// kin in the harness). It fails if an operation is left out or answers an undeclared status.
func TestEveryOperationIsServed(t *testing.T) {
	tm := newTestMock(t)
	sb := tm.do("POST", "/__mock/sandboxes", "", map[string]any{"plan": "scale"}).must(t, http.StatusCreated)
	key, acc := sb.str("apiKey"), sb.str("accountId")
	do := func(method, path string, body any, want int) resp {
		t.Helper()
		return tm.do(method, "/api/v1"+path, key, body).must(t, want)
	}

	do("GET", "/chatbots/my-chatbots", nil, 200)
	do("GET", "/chatbots", nil, 200)
	bot := do("POST", "/chatbots", map[string]any{"chatbotName": "Coverage A"}, 201).str("data.chatbotId")
	other := do("POST", "/chatbots/account/"+acc+"/create-chatbot", map[string]any{"name": "Coverage B", "description": "second"}, 201).str("data.chatbotId")
	do("GET", "/chatbots/account/"+acc+"/all-chatbots", nil, 200)
	do("GET", "/chatbots/account/"+acc+"/chatbot/"+bot, nil, 200)
	do("PATCH", "/chatbots/account/"+acc+"/chatbot/"+bot, map[string]any{"isActive": true}, 200)

	cb := "/chatbots/chatbot/" + bot
	do("POST", cb+"/appearance", map[string]any{"welcomeMessage": "Hi"}, 201)
	do("GET", cb+"/appearance", nil, 200)
	do("PATCH", cb+"/appearance", map[string]any{"brandPrimaryColor": "#112233"}, 200)
	do("GET", cb+"/settings/icons", nil, 200)
	do("PATCH", cb+"/settings/icons", map[string]any{"botIconSrc": "https://example.com/bot.png"}, 200)

	s1 := do("POST", cb+"/conversation-starters", map[string]any{"buttonTitle": "A", "buttonMessage": "a"}, 201).str("data.id")
	s2 := do("POST", cb+"/conversation-starters", map[string]any{"linkText": "B", "linkSrc": "https://example.com"}, 201).str("data.id")
	do("GET", cb+"/conversation-starters", nil, 200)
	do("PATCH", cb+"/conversation-starters", map[string]any{"id": s1, "buttonTitle": "A2", "buttonMessage": "a2"}, 200)
	do("PATCH", cb+"/conversation-starters/reorder", map[string]any{"orderedIds": []string{s2, s1}}, 200)
	do("DELETE", cb+"/conversation-starters?convoStartId="+s1, nil, 200)

	f1 := do("POST", cb+"/follow-up-prompts", map[string]any{"buttonTitle": "Human", "buttonMessage": "a human please", "esclate": true}, 201).str("data.id")
	f2 := do("POST", cb+"/follow-up-prompts", map[string]any{"buttonTitle": "More", "buttonMessage": "tell me more"}, 201).str("data.id")
	do("GET", cb+"/follow-up-prompts", nil, 200)
	do("PATCH", cb+"/follow-up-prompts/"+f1, map[string]any{"buttonTitle": "Agent", "buttonMessage": "an agent please"}, 200)
	do("PATCH", cb+"/follow-up-prompts/reorder", map[string]any{"orderedIds": []string{f2, f1}}, 200)
	do("DELETE", cb+"/follow-up-prompts?followUpPromptId="+f2, nil, 200)

	i1 := do("POST", cb+"/instructions", map[string]any{"title": "Brief", "instruction": "Answer briefly."}, 201).str("data.id")
	i2 := do("POST", cb+"/instructions", map[string]any{"title": "Long", "instruction": "Answer at length."}, 201).str("data.id")
	do("GET", cb+"/instructions", nil, 200)
	do("POST", cb+"/instructions/select-instruction", map[string]any{"instructionId": i1}, 200)
	do("PATCH", cb+"/instructions/"+i2, map[string]any{"title": "Longer"}, 200)
	do("DELETE", cb+"/instructions?instructionId="+i2, nil, 200)

	p1 := do("POST", cb+"/personas", map[string]any{"title": "Guide", "instructions": "Be a guide."}, 201).str("data.id")
	p2 := do("POST", cb+"/personas", map[string]any{"title": "Clerk", "instructions": "Be a clerk."}, 201).str("data.id")
	do("GET", cb+"/personas", nil, 200)
	do("POST", cb+"/personas/select-persona", map[string]any{"personaId": p1}, 200)
	do("PATCH", cb+"/personas/"+p2, map[string]any{"description": "counter"}, 200)
	do("DELETE", cb+"/personas?personaId="+p2, nil, 200)

	do("PATCH", cb+"/localization", map[string]any{"localeCode": "fr", "homeTitle": "Bonjour"}, 200)
	do("GET", cb+"/localization", nil, 200)
	do("GET", cb+"/localization/by-locale?localeCode=fr", nil, 200)
	do("DELETE", cb+"/localization?localeCode=fr", nil, 200)

	do("POST", cb+"/lead-settings", map[string]any{"enableLeadCollection": true}, 201)
	do("GET", cb+"/lead-settings", nil, 200)
	do("PATCH", cb+"/lead-settings", map[string]any{"customerPhoneTake": true}, 200)
	do("DELETE", cb+"/lead-settings", nil, 200)
	do("POST", cb+"/human-support-settings", map[string]any{"enableHumanSupport": true}, 201)
	do("GET", cb+"/human-support-settings", nil, 200)
	do("PATCH", cb+"/human-support-settings", map[string]any{"positiveFeedbackPrompt": "Glad to help"}, 200)

	do("GET", cb+"/settings", nil, 200)
	do("PATCH", cb+"/settings", map[string]any{"fallbackMessage": "Sorry, I do not know."}, 200)
	do("GET", cb+"/settings/general", nil, 200)
	do("PATCH", cb+"/settings/general", map[string]any{"description": "general"}, 200)
	do("GET", cb+"/settings/advanced", nil, 200)
	do("PATCH", cb+"/settings/advanced", map[string]any{"temperature": 0.5}, http.StatusNotImplemented)
	do("GET", cb+"/settings/chat-mode", nil, 200)
	do("PATCH", cb+"/settings/chat-mode", map[string]any{"chatStart": "ai"}, 200)
	do("GET", cb+"/settings/user-data", nil, 200)
	do("PATCH", cb+"/settings/user-data", map[string]any{"customerNameTake": true}, 200)
	do("POST", cb+"/text-snippet", map[string]any{"description": "We open at nine."}, 200)
	do("GET", cb+"/text-snippet", nil, 200)

	ch := "/chatting/" + bot
	thread := do("POST", ch+"/threads", map[string]any{"title": "Coverage", "visitorName": "Vera"}, 201).str("data.thread.id")
	do("GET", ch+"/threads", nil, 200)
	do("GET", ch+"/thread/"+thread, nil, 200)
	msg := do("POST", ch+"/thread/"+thread+"/message", map[string]any{"content": "Hello from an agent"}, 201).str("data.message.id")
	do("GET", ch+"/thread/"+thread+"/messages", nil, 200)
	do("PATCH", ch+"/message/"+msg, map[string]any{"content": "Hello again"}, 200)
	do("PATCH", ch+"/thread/update-thread", []map[string]any{{"threadId": thread, "important": true}}, 200)
	do("PATCH", ch+"/thread/"+thread+"/escalate", nil, 200)
	do("POST", ch+"/thread/"+thread+"/reset", nil, 201)

	wh := "/webhooks/" + bot
	do("PUT", wh, map[string]any{"url": tm.srv.URL + "/__mock/webhook-sink/coverage", "secret": "0123456789abcdef-secret", "events": []string{"NEW_MESSAGE"}}, 201)
	do("GET", wh, nil, 200)
	do("PATCH", wh+"/toggle", map[string]any{"isEnabled": true}, 200)
	do("POST", wh+"/test", map[string]any{"eventType": "NEW_LEAD"}, 202)
	delivery := do("GET", wh+"/deliveries", nil, 200).str("data.deliveries.0.id")
	if delivery == "" {
		t.Fatal("no webhook delivery listed after a test event")
	}
	do("POST", wh+"/deliveries/"+delivery+"/retry", nil, 202)
	do("DELETE", wh, nil, 200)

	do("DELETE", "/chatbots/account/"+acc+"/chatbot/"+other, nil, 200)
	do("DELETE", "/chatbots/account/"+acc+"/chatbot/"+bot, nil, 200)
	tm.do("DELETE", "/__mock/sandboxes/"+acc, "", nil).must(t, http.StatusNoContent)

	var missing []string
	tm.mu.Lock()
	for _, r := range tm.m.Spec().Routes() {
		if len(tm.seen[r.OperationID]) == 0 {
			missing = append(missing, r.OperationID)
		}
	}
	tm.mu.Unlock()
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("operations never exercised: %s", strings.Join(missing, ", "))
	}
}

// TestCrossAccountIsolation tries every chatbot- and account-scoped operation with a key of
// another account, with a schema-valid request. Another account's id answers exactly what an
// id nobody holds answers (status, code, messages: nothing tells the caller it exists), and
// that is what the operation documents (issue 13, item 7): an account the caller is not in,
// 403 CHATBOT_FETCH_FORBIDDEN "User does not have access to this account"; a chatbot, 404
// CHATBOT_NOT_FOUND where the reference lists a 404 for the operation, else its 403
// INSUFFICIENT_PERMISSIONS ("missing permission or chatbot not found").
func TestCrossAccountIsolation(t *testing.T) {
	tm := newTestMock(t, withLimitsFile(t, "perIP: {requests: -1}\nperUser: {requests: -1}\n"))
	gen := fake.New(7)
	tried := 0
	for _, r := range tm.m.Spec().Routes() {
		_, hasBot := r.PathParams, strings.Contains(r.SpecPath, "{chatbotId}")
		hasAcc := strings.Contains(r.SpecPath, "{accountId}")
		if !hasBot && !hasAcc {
			continue
		}
		t.Run(r.OperationID, func(t *testing.T) {
			other := tm.do(r.Method, crossAccountPath(r, botOutfitters, accGrowth), keyScale, crossAccountBody(r, gen))
			missing := tm.do(r.Method, crossAccountPath(r, "999999999999999999", "999999999999999999"), keyScale, crossAccountBody(r, gen))
			if other.Status != missing.Status || other.code() != missing.code() || other.str("message") != missing.str("message") ||
				other.str("error.message") != missing.str("error.message") {
				t.Fatalf("another account's ids answer %d %s; ids nobody holds %d %s\nother: %s\nmissing: %s",
					other.Status, other.code(), missing.Status, missing.code(), other.Raw, missing.Raw)
			}
			wantStatus, wantCode := http.StatusForbidden, "CHATBOT_FETCH_FORBIDDEN"
			if hasBot && !hasAcc {
				wantStatus, wantCode = operationErrors[r.OperationID].unknownChatbot, "CHATBOT_NOT_FOUND"
				if wantStatus == http.StatusForbidden {
					wantCode = "INSUFFICIENT_PERMISSIONS"
				}
			} else if hasBot && r.Method != http.MethodGet && r.Method != http.MethodDelete && r.Method != http.MethodPatch {
				t.Fatalf("unexpected account+chatbot operation %s", r.OperationID)
			}
			if other.Status != wantStatus || other.code() != wantCode {
				t.Fatalf("got %d %s; want %d %s\nbody: %s", other.Status, other.code(), wantStatus, wantCode, other.Raw)
			}
		})
		tried++
	}
	if tried < 60 {
		t.Fatalf("tried only %d scoped operations", tried)
	}
}

// crossAccountPath fills a route's path with the chatbot and account ids given, any other
// id and every required query parameter with "x1".
func crossAccountPath(r *spec.Route, chatbotID, accountID string) string {
	path := r.PathTemplate
	path = strings.ReplaceAll(path, "{chatbotId}", chatbotID)
	path = strings.ReplaceAll(path, "{accountId}", accountID)
	for _, name := range []string{"threadId", "messageId", "followUpPromptId", "instructionId", "personaId", "deliveryId"} {
		path = strings.ReplaceAll(path, "{"+name+"}", "x1")
	}
	q := url.Values{}
	for _, p := range r.Operation.Parameters {
		if p.Value.In == "query" && p.Value.Required {
			q.Add(p.Value.Name, "x1")
		}
	}
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	return path
}

// crossAccountBody is a schema-valid body for the route (its example, else generated).
func crossAccountBody(r *spec.Route, gen *fake.Generator) any {
	var body any
	if rb := r.Operation.RequestBody; rb != nil {
		if mt := rb.Value.Content.Get("application/json"); mt != nil {
			if mt.Example != nil {
				body = mt.Example
			} else {
				body = gen.ValueFor(fake.Request, mt.Schema.Value, "")
			}
			if b, _ := json.Marshal(body); string(b) == "null" {
				body = map[string]any{}
			}
		}
	}
	return body
}
