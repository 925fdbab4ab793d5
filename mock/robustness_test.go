package mock

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// robustCase is one hostile request: it must be answered (no hang), never with a 500, always
// in the error envelope, with one of the client-error statuses of a bad request.
type robustCase struct {
	name    string
	method  string
	path    string // sent verbatim as the request target (may hold raw bytes)
	auth    string // the whole Authorization header; "" sends none
	ctype   string // Content-Type; "" sends none
	body    string
	hdr     map[string]string
	allowOK bool // a 2xx is a correct answer too (e.g. a huge page: an empty page)
}

const (
	rbBearer     = "Bearer " + keyScale
	rbThreads    = "/api/v1/chatting/" + botShipping + "/threads"
	rbBots       = "/api/v1/chatbots"
	rbPatchBot   = "/api/v1/chatbots/account/" + accScale + "/chatbot/" + botShipping
	rbAppearance = "/api/v1/chatbots/chatbot/" + botShipping + "/appearance"
	rbStarters   = "/api/v1/chatbots/chatbot/" + botShipping + "/conversation-starters"
)

func robustCases() []robustCase {
	return []robustCase{
		{name: "invalid UTF-8 in query", method: "GET", path: rbThreads + "?mode=\xff\xfe", auth: rbBearer, allowOK: true},
		{name: "escaped invalid UTF-8 in query", method: "GET", path: rbThreads + "?mode=%ff%fe", auth: rbBearer, allowOK: true},
		{name: "invalid UTF-8 in path", method: "GET", path: "/api/v1/chatting/\xff\xfe/threads", auth: rbBearer},
		{name: "escaped invalid UTF-8 in path id", method: "GET", path: "/api/v1/chatting/%ff%fe/threads", auth: rbBearer},
		{name: "huge page", method: "GET", path: rbThreads + "?page=9223372036854775807", auth: rbBearer, allowOK: true},
		{name: "page beyond int64", method: "GET", path: rbThreads + "?page=99999999999999999999999", auth: rbBearer},
		{name: "huge page, chatbots", method: "GET", path: rbBots + "?page=9223372036854775807&limit=100", auth: rbBearer, allowOK: true},
		{name: "page zero", method: "GET", path: rbThreads + "?page=0", auth: rbBearer},
		{name: "negative page", method: "GET", path: rbThreads + "?page=-1", auth: rbBearer},
		{name: "limit=abc", method: "GET", path: rbThreads + "?limit=abc", auth: rbBearer},
		{name: "limit=abc, messages", method: "GET", path: "/api/v1/chatting/" + botShipping + "/thread/nope/messages?limit=abc", auth: rbBearer},
		{name: "limit float", method: "GET", path: rbBots + "?limit=1.5", auth: rbBearer},
		{name: "limit 0", method: "GET", path: rbBots + "?limit=0", auth: rbBearer},
		{name: "limit 101", method: "GET", path: rbBots + "?limit=101", auth: rbBearer},
		{name: "bool filter not a bool", method: "GET", path: rbThreads + "?resolved=maybe", auth: rbBearer},
		{name: "empty JSON string body", method: "POST", path: rbBots, auth: rbBearer, ctype: "application/json", body: `""`},
		{name: "JSON null body", method: "POST", path: rbBots, auth: rbBearer, ctype: "application/json", body: `null`},
		{name: "JSON array body", method: "POST", path: rbBots, auth: rbBearer, ctype: "application/json", body: `[{"chatbotName":"x"}]`},
		{name: "JSON number body", method: "POST", path: rbBots, auth: rbBearer, ctype: "application/json", body: `42`},
		{name: "truncated JSON body", method: "POST", path: rbBots, auth: rbBearer, ctype: "application/json", body: `{"chatbotName":`},
		{name: "trailing garbage JSON", method: "POST", path: rbBots, auth: rbBearer, ctype: "application/json", body: `{"chatbotName":"a"} x`},
		{name: "invalid UTF-8 in JSON", method: "POST", path: rbBots, auth: rbBearer, ctype: "application/json", body: "{\"chatbotName\":\"\xff\"}"},
		{name: "empty body with JSON type", method: "POST", path: rbBots, auth: rbBearer, ctype: "application/json"},
		{name: "JSON null on PATCH", method: "PATCH", path: rbPatchBot, auth: rbBearer, ctype: "application/json", body: `null`},
		{name: "JSON array on PATCH", method: "PATCH", path: rbPatchBot, auth: rbBearer, ctype: "application/json", body: `[]`},
		{name: "empty string on PATCH", method: "PATCH", path: rbPatchBot, auth: rbBearer, ctype: "application/json", body: `""`},
		{name: "null on starters", method: "POST", path: rbStarters, auth: rbBearer, ctype: "application/json", body: `null`},
		{name: "array on starters", method: "POST", path: rbStarters, auth: rbBearer, ctype: "application/json", body: `[1,2]`},
		{name: "null on thread status", method: "PATCH", path: "/api/v1/chatting/" + botShipping + "/thread/update-thread", auth: rbBearer, ctype: "application/json", body: `null`},
		{name: "null on create thread", method: "POST", path: rbThreads, auth: rbBearer, ctype: "application/json", body: `null`, allowOK: true},
		{name: "array on create thread", method: "POST", path: rbThreads, auth: rbBearer, ctype: "application/json", body: `[]`},
		{name: "Content-Type missing", method: "POST", path: rbBots, auth: rbBearer, body: `{"chatbotName":"robust"}`, allowOK: true},
		{name: "Content-Type text/plain", method: "POST", path: rbBots, auth: rbBearer, ctype: "text/plain", body: `{"chatbotName":"robust2"}`, allowOK: true},
		{name: "Content-Type unparsable", method: "POST", path: rbBots, auth: rbBearer, ctype: ";;;==", body: `{"chatbotName":"robust3"}`, allowOK: true},
		{name: "multipart without boundary", method: "POST", path: rbAppearance, auth: rbBearer, ctype: "multipart/form-data", body: "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--\r\n"},
		{name: "multipart with wrong boundary", method: "PATCH", path: rbAppearance, auth: rbBearer, ctype: "multipart/form-data; boundary=zzz", body: "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--\r\n"},
		// An empty form, as an empty JSON object: every field takes its default.
		{name: "multipart empty", method: "POST", path: rbAppearance, auth: rbBearer, ctype: "multipart/form-data; boundary=x", body: "", allowOK: true},
		{name: "JSON null on appearance", method: "POST", path: rbAppearance, auth: rbBearer, ctype: "application/json", body: "null"},
		{name: "JSON array on appearance", method: "PATCH", path: rbAppearance, auth: rbBearer, ctype: "application/json", body: "[]"},
		{name: "very long header", method: "GET", path: rbBots, auth: rbBearer, hdr: map[string]string{"X-Long": strings.Repeat("a", 64<<10)}, allowOK: true},
		{name: "very long bearer token", method: "GET", path: rbBots, auth: "Bearer " + strings.Repeat("k", 32<<10)},
		{name: "Bearer with no token", method: "GET", path: rbBots, auth: "Bearer"},
		{name: "Bearer and a space", method: "GET", path: rbBots, auth: "Bearer "},
		{name: "Basic scheme", method: "GET", path: rbBots, auth: "Basic dXNlcjpwYXNz"},
		{name: "no Authorization", method: "GET", path: rbBots},
		{name: "token with NUL escape", method: "GET", path: rbBots, auth: "Bearer sk_%00"},
		{name: "path with %00", method: "GET", path: "/api/v1/chatting/" + botShipping + "%00/threads", auth: rbBearer},
		{name: "path id %00", method: "GET", path: "/api/v1/chatting/%00/threads", auth: rbBearer},
		{name: "double slashes", method: "GET", path: "/api//v1//chatbots", auth: rbBearer},
		// The matcher ignores leading and trailing slashes (as Express does by default).
		{name: "double slash at end", method: "GET", path: rbBots + "//", auth: rbBearer, allowOK: true},
		{name: "trailing slash", method: "GET", path: rbBots + "/", auth: rbBearer, allowOK: true},
		{name: "dot segments", method: "GET", path: "/api/v1/chatbots/../chatbots", auth: rbBearer, allowOK: true},
		{name: "encoded slash in id", method: "GET", path: "/api/v1/chatting/" + botShipping + "%2Fx/threads", auth: rbBearer},
		{name: "unknown path", method: "GET", path: "/api/v1/nothing", auth: rbBearer},
		{name: "unknown path, no key", method: "GET", path: "/api/v1/nothing"},
		{name: "wrong method", method: "PUT", path: rbBots, auth: rbBearer},
		{name: "wrong method, no key", method: "DELETE", path: rbBots},
		{name: "odd method", method: "BREW", path: rbBots, auth: rbBearer},
		{name: "body too large", method: "POST", path: rbBots, auth: rbBearer, ctype: "application/json", body: `{"chatbotName":"` + strings.Repeat("a", 1<<20) + `"}`},
		{name: "unknown chatbot", method: "GET", path: "/api/v1/chatting/000000000000000000/threads", auth: rbBearer},
		{name: "very long id", method: "GET", path: "/api/v1/chatting/" + strings.Repeat("9", 4000) + "/threads", auth: rbBearer},
		{name: "bad Prefer latency", method: "GET", path: rbBots, auth: rbBearer, hdr: map[string]string{"Prefer": "latency=forever"}},
		{name: "Prefer code undeclared", method: "GET", path: rbBots, auth: rbBearer, hdr: map[string]string{"Prefer": "code=999"}},
		// net/url drops a pair it cannot unescape: the filter is absent.
		{name: "query with bare percent", method: "GET", path: rbThreads + "?mode=%", auth: rbBearer, allowOK: true},
		{name: "chatting, no key", method: "GET", path: rbThreads},
		{name: "chatting, Bearer with no token", method: "GET", path: rbThreads, auth: "Bearer"},
		{name: "chatting, unknown path", method: "GET", path: "/api/v1/chatting/" + botShipping + "/nothing", auth: rbBearer},
		{name: "chatting, wrong method", method: "PUT", path: rbThreads, auth: rbBearer},
		{name: "chatting, unknown chatbot", method: "GET", path: "/api/v1/chatting/1/threads", auth: rbBearer},
		{name: "query with semicolon", method: "GET", path: rbThreads + "?mode=ai;x=1", auth: rbBearer, allowOK: true},
	}
}

func TestRobustnessHostileRequests(t *testing.T) {
	tm := newTestMock(t)
	for _, tc := range robustCases() {
		t.Run(tc.name, func(t *testing.T) {
			// A fresh window for every case: the limits are not what is tested here.
			tm.advance(t, time.Minute)
			var body *strings.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			} else {
				body = strings.NewReader("")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, tc.method, tm.srv.URL, body)
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(tm.srv.URL)
			req.URL = &url.URL{Scheme: u.Scheme, Host: u.Host, Opaque: "//" + u.Host + tc.path}
			if tc.body == "" {
				req.Body, req.ContentLength = http.NoBody, 0
			}
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			for k, v := range tc.hdr {
				req.Header.Set(k, v)
			}
			r := tm.send(req)
			if r.Status >= 500 {
				t.Fatalf("got %d; want no server error\nbody: %s", r.Status, r.Raw)
			}
			if tc.allowOK && r.Status < 300 {
				return
			}
			switch r.Status {
			case 400, 401, 404, 405, 413, 414, 431:
			default:
				t.Fatalf("got %d; want 400, 401, 404, 405, 413, 414 or 431\nbody: %s", r.Status, r.Raw)
			}
			if r.Body["success"] != false || int(r.num("statusCode")) != r.Status || r.code() == "" || r.at("data") != nil {
				t.Fatalf("not the error envelope: %s", r.Raw)
			}
			if _, ok := r.Body["data"]; !ok {
				t.Fatalf("envelope without data: %s", r.Raw)
			}
			for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-Request-Id"} {
				if r.Header.Get(h) == "" {
					t.Errorf("missing %s on %d", h, r.Status)
				}
			}
		})
	}
}

// TestRateLimitHeadersMissingOnChattingErrors: under /api/v1/chatting/ (no per-IP limit) a
// 404, 405, 401 or 403 is answered before the per-user limit, and used to carry no
// X-RateLimit-* headers, though DESIGN puts them on every /api response.
func TestRateLimitHeadersMissingOnChattingErrors(t *testing.T) {
	tm := newTestMock(t)
	chat := "/api/v1/chatting/" + botShipping
	for _, tc := range []struct {
		name, method, path, key string
		status                  int
	}{
		{"no key", "GET", chat + "/threads", "", 401},
		{"unknown key", "GET", chat + "/threads", "sk_nope", 401},
		{"plan without API access", "GET", chat + "/threads", keyTrial, 403},
		{"unknown path", "GET", chat + "/nothing", keyScale, 404},
		{"wrong method", "PUT", chat + "/threads", keyScale, 405},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tm.do(tc.method, tc.path, tc.key, nil).must(t, tc.status)
			if got := r.intHeader("X-RateLimit-Limit"); got != 100 {
				t.Fatalf("got X-RateLimit-Limit %d; want the per-IP 100", got)
			}
			// Nothing was counted: the per-IP bucket is untouched by chatting requests.
			if got := r.intHeader("X-RateLimit-Remaining"); got != 100 {
				t.Fatalf("got X-RateLimit-Remaining %d; want 100", got)
			}
			if r.intHeader("X-RateLimit-Reset") < 0 {
				t.Fatalf("missing X-RateLimit-Reset: %v", r.Header)
			}
		})
	}
}
