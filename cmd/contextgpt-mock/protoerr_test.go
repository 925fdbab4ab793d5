package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Attack 8 (issue 10), through the command's own server: net/http's plain-text answers
// (here a malformed request line, a header block over MaxHeaderBytes and an unsupported
// Expect) come out in the documented envelope.
func TestAttackGoPlainTextErrorsThroughTheCommand(t *testing.T) {
	base, _, _ := startMain(t, "--quiet")
	addr := strings.TrimPrefix(base, "http://")
	for _, tc := range []struct {
		raw    string
		status int
		code   string
	}{
		{"GET /api/v1/chatbots HTTP/1.1 extra\r\nHost: x\r\n\r\n", 400, "REQUEST_VALIDATION_FAILED"},
		{"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("b", maxHeaderBytes+8<<10) + "\r\n\r\n", 431, "HEADER_FIELDS_TOO_LARGE"},
		{"GET /api/v1/chatbots HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n", 400, "REQUEST_VALIDATION_FAILED"},
	} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		go func() { _, _ = io.WriteString(c, tc.raw) }() // the 431 is answered before the headers end
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("%.40q: %v", tc.raw, err)
		}
		var env struct {
			StatusCode int `json:"statusCode"`
			Error      struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		err = json.NewDecoder(res.Body).Decode(&env)
		c.Close()
		if err != nil || res.StatusCode != tc.status || env.StatusCode != tc.status || env.Error.Code != tc.code {
			t.Fatalf("%.40q: %d %+v %v", tc.raw, res.StatusCode, env, err)
		}
	}
}
