package mock

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// protoServer serves a mock behind ProtocolErrors, as the command does.
func protoServer(t testing.TB, maxHeaderBytes int) (*testMock, string) {
	t.Helper()
	tm := newTestMock(t)
	srv := httptest.NewUnstartedServer(tm.m)
	srv.Config.MaxHeaderBytes = maxHeaderBytes
	srv.Listener = ProtocolErrors(srv.Listener, maxHeaderBytes)
	srv.Start()
	t.Cleanup(srv.Close)
	return tm, srv.Listener.Addr().String()
}

// rawExchange writes raw bytes on a new connection and reads the one response.
func rawExchange(t *testing.T, addr, raw string) (*http.Response, []byte) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("reading the answer to %.60q: %v", raw, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

// Attack 8 (issue 10): Go's own answers to requests it cannot parse were plain text
// ("400 Bad Request", "431 Request Header Fields Too Large", ...), outside the envelope a
// client branches on. Each now comes in the envelope, with a status the spec declares.
func TestAttackGoPlainTextErrorsInEnvelope(t *testing.T) {
	tm, addr := protoServer(t, 4<<10)
	// Each answer is checked as the answer to an operation that declares 400 and 431.
	asOperation := httptest.NewRequest("GET", "/api/v1/chatbots", nil)
	big := strings.Repeat("a", 8<<10)
	for _, tc := range []struct {
		name, raw  string
		status     int
		code       string
		httpStatus int // error.details.httpStatus: what Go would have answered
	}{
		{"malformed request line", "GARBAGE\r\n\r\n", 400, "REQUEST_VALIDATION_FAILED", 400},
		{"missing Host", "GET /api/v1/chatbots/my-chatbots HTTP/1.1\r\n\r\n", 400, "REQUEST_VALIDATION_FAILED", 400},
		{"invalid header name", "GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n", 400, "REQUEST_VALIDATION_FAILED", 400},
		{"invalid header value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n", 400, "REQUEST_VALIDATION_FAILED", 400},
		{"unsupported Expect", "POST /api/v1/chatbots HTTP/1.1\r\nHost: x\r\nExpect: the-unexpected\r\nContent-Length: 2\r\n\r\n{}", 400, "REQUEST_VALIDATION_FAILED", 417},
		{"unsupported Expect, HTTP/1.0", "GET / HTTP/1.0\r\nExpect: nope\r\n\r\n", 400, "REQUEST_VALIDATION_FAILED", 417},
		{"unsupported Transfer-Encoding", "POST /api/v1/chatbots HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400, "REQUEST_VALIDATION_FAILED", 501},
		{"unsupported HTTP version", "GET / HTTP/3.0\r\nHost: x\r\n\r\n", 400, "REQUEST_VALIDATION_FAILED", 505},
		{"headers over MaxHeaderBytes", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n", 431, "HEADER_FIELDS_TOO_LARGE", 0},
		{"request line over MaxHeaderBytes", "GET /" + big + " HTTP/1.1\r\nHost: x\r\n\r\n", 431, "HEADER_FIELDS_TOO_LARGE", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := rawExchange(t, addr, tc.raw)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tc.status, body)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Fatalf("Content-Type %q: %s", ct, body)
			}
			var env struct {
				StatusCode int     `json:"statusCode"`
				Success    *bool   `json:"success"`
				Message    string  `json:"message"`
				Data       *string `json:"data"`
				Error      struct {
					Code    string         `json:"code"`
					Message string         `json:"message"`
					Details map[string]any `json:"details"`
				} `json:"error"`
			}
			if err := json.Unmarshal(body, &env); err != nil {
				t.Fatalf("not JSON (%v): %q", err, body)
			}
			if env.StatusCode != tc.status || env.Success == nil || *env.Success || env.Message == "" ||
				env.Error.Code != tc.code || env.Error.Message == "" {
				t.Fatalf("envelope: %s", body)
			}
			if tc.httpStatus != 0 && env.Error.Details["httpStatus"] != float64(tc.httpStatus) {
				t.Fatalf("details.httpStatus: want %d: %s", tc.httpStatus, body)
			}
			if tc.status == 431 && env.Error.Details["limitBytes"] != float64(4<<10) {
				t.Fatalf("431 details: %s", body)
			}
			if p := tm.m.validator.ValidateResponse(asOperation, res.StatusCode, res.Header, body); len(p) > 0 {
				t.Fatalf("not a documented answer of listChatbots: %v", p)
			}
			if !res.Close {
				t.Fatal("the connection stays open after a request Go could not read")
			}
		})
	}
	// Handlers' answers pass untouched: a request on the same kind of connection, including
	// the mock's own 400 and a 100-continue upload.
	res, body := rawExchange(t, addr, "GET /api/v1/chatbots/my-chatbots?limit=10&limit=abc HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "+keyScale+"\r\n\r\n")
	if res.StatusCode != 400 || !strings.Contains(string(body), `"REQUEST_VALIDATION_FAILED"`) || res.Header.Get("Date") == "" {
		t.Fatalf("handler's 400: %d %v %s", res.StatusCode, res.Header, body)
	}
	res, body = rawExchange(t, addr, "GET /__mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n\r\n")
	if res.StatusCode != 200 || !strings.Contains(string(body), `"service":"contextgpt-mock"`) {
		t.Fatalf("health with Expect: 100-continue: %d %s", res.StatusCode, body)
	}
}

// goFixedResponse matches only net/http's own shapes, never a handler's response that
// looks like one (a text/plain 400 from http.Error carries more headers).
func TestGoFixedResponseMatchesOnlyGosShapes(t *testing.T) {
	for _, s := range []string{
		"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nDate: Sun, 29 Nov 2026 20:00:00 GMT\r\nContent-Length: 12\r\n\r\nBad Request\n",
		"HTTP/1.1 417 Expectation Failed\r\nConnection: close\r\nDate: Sun, 29 Nov 2026 20:00:00 GMT\r\nContent-Length: 80\r\n\r\n{}",
		"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\nok",
		"HTTP/1.1 100 Continue\r\n\r\n",
	} {
		if e, ok := goFixedResponse([]byte(s), 1024); ok {
			t.Errorf("%q matched as %v", s, e)
		}
	}
}

// FuzzProtocolErrors sends arbitrary bytes on a raw connection to a mock behind
// ProtocolErrors: every error answer, whoever wrote it (net/http or a handler), is the JSON
// envelope, and nothing is a 5xx. Its seeds run in make test; `go test ./mock -run '^$'
// -fuzz FuzzProtocolErrors` searches further.
func FuzzProtocolErrors(f *testing.F) {
	for _, s := range []string{
		"GARBAGE\r\n\r\n",
		"GET /api/v1/chatbots HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n",
		"POST /api/v1/chatbots HTTP/1.1\r\nHost: x\r\nExpect: nope\r\nContent-Length: 2\r\n\r\n{}",
		"POST /api/v1/chatbots HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
		"GET / HTTP/3.0\r\nHost: x\r\n\r\n",
		"GET /api/v1/chatbots HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
		"GET /api/v1/chatbots HTTP/1.1\r\nHost: x\r\n\r\nGET /__mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
		"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
		"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	_, addr := protoServer(f, 4<<10)
	f.Fuzz(func(t *testing.T, raw []byte) {
		if bytes.Contains(bytes.ToUpper(raw), []byte("HEAD")) {
			return // a HEAD answer has no body: not readable without knowing the request
		}
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		_, _ = c.Write(raw)
		_ = c.(*net.TCPConn).CloseWrite()
		br := bufio.NewReader(c)
		for {
			res, err := http.ReadResponse(br, nil)
			if err != nil {
				return // no (further) answer
			}
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil {
				return
			}
			if res.StatusCode >= 500 {
				t.Fatalf("%q: a %d: %s", raw, res.StatusCode, body)
			}
			if res.StatusCode >= 400 {
				var env struct {
					Success *bool `json:"success"`
					Error   struct {
						Code string `json:"code"`
					} `json:"error"`
				}
				if json.Unmarshal(body, &env) != nil || env.Error.Code == "" {
					t.Fatalf("%q: a %d outside the envelope: %q", raw, res.StatusCode, body)
				}
			}
		}
	})
}
