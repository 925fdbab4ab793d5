package mock

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
)

// An HTTP/1.0 request with an Expect header Go does not support got net/http's own
// "HTTP/1.0 417" with no body (the wrapper knew only "HTTP/1.1 " status lines); it gets the
// same enveloped answer as over HTTP/1.1.
func TestAttackExpectOverHTTP10InEnvelope(t *testing.T) {
	tm, addr := protoServer(t, 4<<10)
	asOperation := httptest.NewRequest("POST", "/api/v1/chatbots", nil)
	for _, expect := range []string{"foo", "100-continue-not", "the-unexpected"} {
		res, body := rawExchange(t, addr, "POST /api/v1/chatbots HTTP/1.0\r\nHost: x\r\nExpect: "+expect+"\r\nContent-Length: 2\r\n\r\n{}")
		if res.StatusCode != 400 || res.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Fatalf("Expect %q over HTTP/1.0: %s %d %v %q", expect, res.Proto, res.StatusCode, res.Header, body)
		}
		var env struct {
			Error struct {
				Code    string         `json:"code"`
				Details map[string]any `json:"details"`
			} `json:"error"`
		}
		if err := json.Unmarshal(body, &env); err != nil || env.Error.Code != "REQUEST_VALIDATION_FAILED" || env.Error.Details["httpStatus"] != float64(417) {
			t.Fatalf("Expect %q over HTTP/1.0: envelope %q (%v)", expect, body, err)
		}
		if p := tm.m.validator.ValidateResponse(asOperation, res.StatusCode, res.Header, body); len(p) > 0 {
			t.Fatalf("not a documented answer: %v", p)
		}
		if !res.Close {
			t.Fatal("the connection stays open")
		}
	}
}

// Over HTTP/1.0 too, only net/http's own shapes match: a handler's answer passes untouched.
func TestGoFixedResponseHTTP10MatchesOnlyGosShapes(t *testing.T) {
	if _, ok := goFixedResponse([]byte("HTTP/1.0 417 Expectation Failed\r\nConnection: close\r\nDate: Sun, 29 Nov 2026 20:00:00 GMT\r\nContent-Length: 0\r\n\r\n"), 1024); !ok {
		t.Error("net/http's 417 to an HTTP/1.0 request is not recognised")
	}
	for _, s := range []string{
		"HTTP/1.0 417 Expectation Failed\r\nConnection: close\r\nDate: Sun, 29 Nov 2026 20:00:00 GMT\r\nContent-Length: 80\r\n\r\n{}",
		"HTTP/1.0 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nDate: Sun, 29 Nov 2026 20:00:00 GMT\r\nContent-Length: 2\r\n\r\n{}",
		"HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nDate: Sun, 29 Nov 2026 20:00:00 GMT\r\nContent-Length: 12\r\n\r\nBad Request\n",
	} {
		if e, ok := goFixedResponse([]byte(s), 1024); ok {
			t.Errorf("%q matched as %v", s, e)
		}
	}
	// A handler's answer to an HTTP/1.0 request is untouched.
	_, addr := protoServer(t, 4<<10)
	res, body := rawExchange(t, addr, "GET /__mock/health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
	if res.StatusCode != 200 || res.Header.Get("Date") == "" {
		t.Fatalf("health over HTTP/1.0: %d %v %s", res.StatusCode, res.Header, body)
	}
}
