package mock

import (
	"testing"
)

// The reference (openapi.json's error examples and the getting-started page) documents these
// error codes; each is reached on the mock by a request (the upload failures by
// `Prefer: code=500`, which answers the operation's documented 500).
func TestEveryErrorCodeTheReferenceDocumentsIsReachable(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t, withLimitsFile(t, "perIP: {requests: -1}\nplans: {scale: {messagesPerMonth: 1}}\n"))
	base := "/api/v1/chatbots/chatbot/" + botShipping
	fresh := tm.do("POST", "/api/v1/chatbots/account/"+accScale+"/create-chatbot", keyScale,
		map[string]any{"name": "Codes", "description": "d"}).must(t, 201).str("data.chatbotId")
	tm.do("POST", "/api/v1/chatbots/chatbot/"+fresh+"/appearance", keyScale, map[string]any{}).must(t, 201)
	persona := tm.do("GET", base+"/personas", keyScale, nil).must(t, 200).str("data.0.id")
	thread := tm.do("GET", "/api/v1/chatting/"+botShipping+"/threads", keyScale, nil).must(t, 200).str("data.threads.0.id")
	agentMsg := "/api/v1/chatting/" + botShipping + "/thread/" + thread + "/message"
	tm.do("POST", agentMsg, keyScale, map[string]any{"content": "first"}).must(t, 201) // spends the monthly quota of 1

	cases := []struct {
		code              string
		method, path, key string
		body              any
		hdr               map[string]string
		status            int
	}{
		{"API_KEY_NOT_VALID", "GET", base + "/settings", "sk_unknown", nil, nil, 401},
		{"MISSING_JWT", "GET", base + "/settings", "", nil, nil, 401},
		{"REQUEST_VALIDATION_FAILED", "POST", "/api/v1/chatbots/account/" + accScale + "/create-chatbot", keyScale, map[string]any{"name": 5, "description": "d"}, nil, 400},
		{"CHATBOT_NOT_FOUND", "GET", "/api/v1/chatbots/account/" + accScale + "/chatbot/361628903185319999", keyScale, nil, nil, 404},
		{"CHATBOT_FETCH_FORBIDDEN", "GET", "/api/v1/chatbots/account/" + accGrowth + "/all-chatbots", keyScale, nil, nil, 403},
		{"CHATBOT_LIMIT_REACHED", "POST", "/api/v1/chatbots/account/361628903185300002/create-chatbot", keyStarter, map[string]any{"name": "Second", "description": "d"}, nil, 403},
		{"INSUFFICIENT_PERMISSIONS", "POST", base + "/text-snippet", keyAgent, map[string]any{"description": "x"}, nil, 403},
		{"MISSING_REQUIRED_FIELD", "POST", base + "/conversation-starters", keyScale, map[string]any{"buttonTitle": "a", "buttonMessage": "b", "linkText": "c", "linkSrc": "https://x.example"}, nil, 400},
		{"NO_VALID_FIELDS_TO_UPDATE", "PATCH", base + "/personas/" + persona, keyScale, map[string]any{}, nil, 400},
		{"INVALID_FIELD_VALUE", "PATCH", base + "/settings/user-data", keyScale, map[string]any{"whenUserShareDetails": "sometimes"}, nil, 400},
		{"RESOURCE_NOT_FOUND", "DELETE", base + "/lead-settings", keyScale, nil, nil, 404},
		{"APPEARANCE_SETTINGS_NOT_FOUND", "GET", base + "/appearance", keyScale, nil, nil, 404},
		{"APPEARANCE_SETTINGS_ALREADY_EXIST", "POST", "/api/v1/chatbots/chatbot/" + fresh + "/appearance", keyScale, map[string]any{}, nil, 409},
		{"APPEARANCE_SETTINGS_CREATE_FAILED", "POST", base + "/appearance", keyScale, map[string]any{}, map[string]string{"Prefer": "code=500"}, 500},
		{"APPEARANCE_SETTINGS_UPDATE_FAILED", "PATCH", "/api/v1/chatbots/chatbot/" + fresh + "/appearance", keyScale, map[string]any{"tooltip": "x"}, map[string]string{"Prefer": "code=500"}, 500},
		{"INTERNAL_SERVER_ERROR", "PATCH", base + "/settings/advanced", keyScale, map[string]any{"topK": 3}, nil, 501},
		{"MESSAGES_LIMIT_REACHED", "POST", agentMsg, keyScale, map[string]any{"content": "second"}, nil, 429},
	}
	reached := map[string]bool{}
	for _, tc := range cases {
		r := tm.doH(tc.method, tc.path, tc.key, tc.body, tc.hdr)
		if r.Status != tc.status || r.code() != tc.code {
			t.Errorf("%s: %s %s answered %d %s; want %d %s\nbody: %s", tc.code, tc.method, tc.path, r.Status, r.code(), tc.status, tc.code, r.Raw)
			continue
		}
		reached[tc.code] = true
	}
	// RATE_LIMIT_EXCEEDED: the per-user limit, on a mock of its own.
	limited := newTestMock(t, withLimitsFile(t, "perIP: {requests: -1}\nperUser: {requests: 1}\n"))
	limited.do("GET", "/api/v1/chatbots/my-chatbots", keyScale, nil).must(t, 200)
	if r := limited.do("GET", "/api/v1/chatbots/my-chatbots", keyScale, nil).must(t, 429); r.code() == "RATE_LIMIT_EXCEEDED" {
		reached["RATE_LIMIT_EXCEEDED"] = true
	}
	for _, code := range documentedErrorCodes {
		if !reached[code] {
			t.Errorf("the reference documents %s; the mock did not answer it", code)
		}
	}
}

// documentedErrorCodes are the error codes of the reference: its openapi.json examples and
// the getting-started page's list.
var documentedErrorCodes = []string{
	"API_KEY_NOT_VALID", "MISSING_JWT", "REQUEST_VALIDATION_FAILED", "CHATBOT_NOT_FOUND", "CHATBOT_FETCH_FORBIDDEN",
	"CHATBOT_LIMIT_REACHED", "MESSAGES_LIMIT_REACHED", "INSUFFICIENT_PERMISSIONS", "MISSING_REQUIRED_FIELD",
	"NO_VALID_FIELDS_TO_UPDATE", "INVALID_FIELD_VALUE", "RESOURCE_NOT_FOUND", "APPEARANCE_SETTINGS_NOT_FOUND",
	"APPEARANCE_SETTINGS_ALREADY_EXIST", "RATE_LIMIT_EXCEEDED", "INTERNAL_SERVER_ERROR",
	"APPEARANCE_SETTINGS_CREATE_FAILED", "APPEARANCE_SETTINGS_UPDATE_FAILED",
}
