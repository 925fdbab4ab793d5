package spec

import (
	"errors"
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	s := mustLoad(t, ContextGPTDocument())
	cases := []struct {
		method, path string
		want         string
		params       map[string]string
		allow        string // for 405
		notFound     bool
	}{
		{method: "GET", path: "/api/v1/chatbots/my-chatbots", want: "getMyChatbots", params: map[string]string{}},
		{method: "GET", path: "/api/v1/chatbots", want: "listChatbots"},
		{method: "POST", path: "/api/v1/chatbots", want: "createChatbot"},
		{method: "PATCH", path: "/api/v1/chatbots/account/42/chatbot/7", want: "updateChatbotById", params: map[string]string{"accountId": "42", "chatbotId": "7"}},
		{method: "PATCH", path: "/api/v1/chatting/7/thread/update-thread", want: "updateThreadStatus", params: map[string]string{"chatbotId": "7"}},
		{method: "GET", path: "/api/v1/chatting/7/thread/update-thread", want: "getThreadDetails", params: map[string]string{"chatbotId": "7", "threadId": "update-thread"}},
		{method: "GET", path: "/api/v1/chatting/7/thread/t1/messages", want: "getThreadMessages", params: map[string]string{"chatbotId": "7", "threadId": "t1"}},
		{method: "PATCH", path: "/api/v1/chatting/7/message/m%2F1", want: "editMessage", params: map[string]string{"chatbotId": "7", "messageId": "m/1"}},
		{method: "PATCH", path: "/api/v1/chatbots/chatbot/7/follow-up-prompts/reorder", want: "reorderFollowUpPrompts"},
		{method: "PATCH", path: "/api/v1/chatbots/chatbot/7/follow-up-prompts/p9", want: "updateFollowUpPrompt", params: map[string]string{"chatbotId": "7", "followUpPromptId": "p9"}},
		{method: "GET", path: "/api/v1/chatbots/chatbot/7/localization/by-locale", want: "getLocalizationByLocale"},
		{method: "POST", path: "/api/v1/webhooks/7/deliveries/d1/retry", want: "retryWebhookDelivery"},
		{method: "PUT", path: "/api/v1/chatting/7/message/m1", allow: "PATCH"},
		{method: "PUT", path: "/api/v1/chatting/7/thread/t1/message", allow: "POST"},
		{method: "DELETE", path: "/api/v1/chatbots/my-chatbots", allow: "GET"},
		{method: "PUT", path: "/api/v1/chatbots/chatbot/7/appearance", allow: "GET, PATCH, POST"},
		{method: "GET", path: "/api/v1/nope", notFound: true},
		{method: "GET", path: "/v1/chatbots/my-chatbots", notFound: true},
		{method: "GET", path: "/api/v1/chatbots/chatbot//appearance", notFound: true},
		{method: "GET", path: "/api/v1/chatbots/my-chatbots/extra", notFound: true},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r, err := s.Match(tc.method, tc.path)
			switch {
			case tc.notFound:
				if !errors.Is(err, ErrPathNotFound) {
					t.Fatalf("got %v, %v; want ErrPathNotFound", r, err)
				}
			case tc.allow != "":
				var mna *MethodNotAllowedError
				if !errors.As(err, &mna) {
					t.Fatalf("got %v; want MethodNotAllowedError", err)
				}
				if got := strings.Join(mna.Allow, ", "); got != tc.allow {
					t.Fatalf("got Allow %q; want %q", got, tc.allow)
				}
			default:
				if err != nil {
					t.Fatalf("got error %v; want %s", err, tc.want)
				}
				if r.OperationID != tc.want {
					t.Fatalf("got %s; want %s", r.OperationID, tc.want)
				}
				for k, v := range tc.params {
					if r.PathParams[k] != v {
						t.Fatalf("got param %s=%q; want %q", k, r.PathParams[k], v)
					}
				}
			}
		})
	}
}

func FuzzMatch(f *testing.F) {
	s := mustLoad(f, ContextGPTDocument())
	for _, seed := range []string{"/api/v1/chatbots/my-chatbots", "/api/v1/chatting/1/thread/update-thread", "//", "/api/v1/chatting/%zz/thread/x", ""} {
		f.Add("GET", seed)
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		r, err := s.Match(method, path)
		if err == nil && r.OperationID == "" {
			t.Fatalf("matched an operation without id for %q", path)
		}
	})
}

func BenchmarkMatch(b *testing.B) {
	s := mustLoad(b, ContextGPTDocument())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Match("PATCH", "/api/v1/chatbots/chatbot/361628903185310001/follow-up-prompts/0b8e5a52"); err != nil {
			b.Fatal(err)
		}
	}
}
