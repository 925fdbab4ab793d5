package mock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/contextgpt/sandbox/mock/store"
	"github.com/contextgpt/sandbox/spec"
)

// FuzzHTTPChain sends arbitrary requests (method, path and query, one header, body, with or
// without a key) through the whole chain and checks what issue 10 asks of every answer:
// never a 5xx unless one was injected, always the documented envelope (the control plane's
// error document under /__mock), no contract violation in strict mode, and afterwards a
// store whose export imports again. The seeds run as a normal test in `make test`; run
// `go test ./mock -run '^$' -fuzz FuzzHTTPChain -fuzztime 3m` to search further.
func FuzzHTTPChain(f *testing.F) {
	for _, s := range []struct {
		method, path, hk, hv, body string
		key                        bool
	}{
		{"GET", "/api/v1/chatbots/my-chatbots", "", "", "", true},
		{"POST", "/api/v1/chatbots/account/" + accScale + "/create-chatbot", "Content-Type", "application/json", `{"name":"fz","description":"d"}`, true},
		{"PATCH", "/api/v1/chatting/" + botShipping + "/thread/update-thread", "Content-Type", "application/json", `[{"threadId":"x","isResolved":true}]`, true},
		{"GET", "/api/v1/chatting/" + botShipping + "/threads?limit=10&limit=abc&page=%zz", "", "", "", true},
		{"HEAD", "/api/v1/chatbots/my-chatbots", "", "", "", true},
		{"GET", "//api/v1/chatbots", "", "", "", true},
		{"POST", "/api/v1/chatbots/chatbot/" + botShipping + "/appearance", "Content-Type", "application/json", `{"fontFamily":` + strings.Repeat(`[`, 100) + strings.Repeat(`]`, 100) + `}`, true},
		{"PUT", "/api/v1/webhooks/" + botShipping, "Content-Type", "application/json", `{"url":"http://127.0.0.1:1/%5F%5Fmock/reset","secret":"0123456789abcdef"}`, true},
		{"POST", "/__mock/reset", "Origin", "https://evil.example", `{}`, false},
		{"POST", "/__mock/sandboxes", "Sec-Fetch-Site", "cross-site", `{"plan":"scale"}`, false},
		{"GET", "/__mock/requests?limit=1000", "", "", "", false},
		{"POST", "/__mock/webhook-sink/x", "Content-Type", "text/plain", "\x00\xff", false},
		{"DELETE", "/api/v1/chatbots/account/" + accScale + "/chatbot/" + botShipping, "Authorization", "Bearer sk_x", "", false},
		{"GET", "/api/v1/chatting/" + botShipping + "/thread/\u0000", "X-Request-Id", "\u00e9", "", true},
		{"OPTIONS", "/api/v1/chatbots/my-chatbots", "Content-Length", "5", "", true},
		{"POST", "/api/v1/chatting/" + botShipping + "/threads", "Content-Type", "application/json; charset=utf-16", `{"title":"\ud800"}`, true},
	} {
		f.Add(s.method, s.path, s.hk, s.hv, []byte(s.body), s.key)
	}
	var (
		viol []string
		mu   sync.Mutex
	)
	cfg := DefaultConfig()
	cfg.Strict = true
	cfg.OnViolation = func(r *http.Request, status int, problems []spec.Problem) {
		mu.Lock()
		viol = append(viol, r.Method+" "+r.URL.Path+": "+fmt.Sprint(problems))
		mu.Unlock()
	}
	m, err := New(cfg)
	if err != nil {
		f.Fatalf("mock.New: %v", err)
	}
	f.Fuzz(func(t *testing.T, method, target, hk, hv string, body []byte, key bool) {
		req, err := http.NewRequest(method, "http://127.0.0.1"+target, bytes.NewReader(body))
		if err != nil || !strings.HasPrefix(target, "/") {
			return // not a request a client could send
		}
		req.RequestURI = req.URL.RequestURI()
		req.RemoteAddr = "127.0.0.1:40000"
		if key {
			req.Header.Set("Authorization", "Bearer "+keyScale)
		}
		if hk != "" && validHeader(hk, hv) && !strings.EqualFold(hk, "Prefer") && !strings.EqualFold(hk, "Host") {
			req.Header.Set(hk, hv)
		}
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, req)
		if rec.Code >= 500 && rec.Code != http.StatusNotImplemented {
			t.Fatalf("%s %q → %d: %s", method, target, rec.Code, rec.Body.Bytes())
		}
		if method != http.MethodHead && rec.Body.Len() > 0 {
			var doc map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
				t.Fatalf("%s %q → %d: not JSON: %.200s", method, target, rec.Code, rec.Body.Bytes())
			}
			if rec.Code >= 400 {
				_, envelope := doc["statusCode"]
				_, plain := doc["error"]
				if !plain || (!envelope && !strings.HasPrefix(req.URL.EscapedPath(), "/__mock")) {
					t.Fatalf("%s %q → %d: not the error envelope: %.200s", method, target, rec.Code, rec.Body.Bytes())
				}
			}
		}
		mu.Lock()
		v := viol
		viol = nil
		mu.Unlock()
		if len(v) > 0 {
			t.Fatalf("contract violations: %v", v)
		}
		data, err := m.Store().Export()
		if err != nil {
			t.Fatalf("export: %v", err)
		}
		if _, err := store.New(store.Config{}).Import(data); err != nil {
			t.Fatalf("after %s %q the state no longer imports: %v", method, target, err)
		}
	})
}

// validHeader tells whether net/http would send the header at all.
func validHeader(k, v string) bool {
	for _, c := range k {
		if c <= ' ' || c >= 0x7f || strings.ContainsRune("()<>@,;:\\\"/[]?={}", c) {
			return false
		}
	}
	for _, c := range []byte(v) {
		if (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
