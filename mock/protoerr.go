package mock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/contextgpt/sandbox/mock/apierr"
)

// ProtocolErrors wraps the mock's listener so that the answers net/http writes on its own,
// before any handler runs, come out in the documented JSON envelope instead of plain text
// (README "Limits and safety"):
//
//   - a malformed request line or header, a missing or bad Host: 400 REQUEST_VALIDATION_FAILED
//   - request line and headers over net/http's MaxHeaderBytes: 431 HEADER_FIELDS_TOO_LARGE
//   - an Expect other than 100-continue (Go: 417), a Transfer-Encoding Go cannot read (Go:
//     501) and an HTTP version it does not speak (Go: 505): 400 REQUEST_VALIDATION_FAILED,
//     the status every operation declares, with Go's status in error.details.httpStatus.
//
// net/http writes these fixed responses in one Write of a known shape on the connection
// (server.go: "Content-Type: text/plain; charset=utf-8\r\nConnection: close" and no Date,
// or the 417's bare "Connection: close ... Content-Length: 0"); the wrapper recognises
// exactly those writes and replaces them. Every response a handler writes carries a Date
// and a JSON body, so none of them matches. maxHeaderBytes is the server's MaxHeaderBytes
// (0: net/http's default), quoted in the 431's details.
func ProtocolErrors(l net.Listener, maxHeaderBytes int) net.Listener {
	if maxHeaderBytes <= 0 {
		maxHeaderBytes = http.DefaultMaxHeaderBytes
	}
	return &protoListener{Listener: l, maxHeader: maxHeaderBytes}
}

type protoListener struct {
	net.Listener
	maxHeader int
}

func (l *protoListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &protoConn{Conn: c, maxHeader: l.maxHeader}, nil
}

type protoConn struct {
	net.Conn
	maxHeader int
}

// The fixed parts of net/http's own answers (Go 1.22 onwards; server.go, conn.serve).
const (
	goErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
	go417Prefix    = " 417 Expectation Failed\r\nConnection: close\r\nDate: " // after HTTP/1.0 or HTTP/1.1
	go417Suffix    = "\r\nContent-Length: 0\r\n\r\n"
)

func (c *protoConn) Write(b []byte) (int, error) {
	// net/http's own answers are all 4xx or 5xx: every other write (each 2xx a handler
	// sends, body chunks) passes without a copy.
	if len(b) < 12 || b[0] != 'H' || (b[9] != '4' && b[9] != '5') || !bytes.HasPrefix(b, []byte("HTTP/1.")) {
		return c.Conn.Write(b)
	}
	e, ok := goFixedResponse(b, c.maxHeader)
	if !ok {
		return c.Conn.Write(b)
	}
	if _, err := c.Conn.Write(protocolErrorResponse(e)); err != nil {
		return 0, err
	}
	return len(b), nil // what net/http asked to write is written, in another form
}

// goFixedResponse recognises one of net/http's own answers and returns the error the
// envelope carries instead.
func goFixedResponse(b []byte, maxHeader int) (*apierr.Error, bool) {
	s := string(b)
	if len(s) < len("HTTP/1.1 200 \r\n") {
		return nil, false
	}
	// The 417 goes out with the request's version (HTTP/1.0 for a 1.0 request: found by
	// FuzzProtocolErrors); the other fixed answers are always HTTP/1.1.
	if v := s[:len("HTTP/1.x")]; (v == "HTTP/1.0" || v == "HTTP/1.1") && strings.HasPrefix(s[len(v):], go417Prefix) &&
		strings.HasSuffix(s, go417Suffix) && len(s) > len(v)+len(go417Prefix)+len(go417Suffix) &&
		!strings.Contains(s[len(v)+len(go417Prefix):len(s)-len(go417Suffix)], "\r\n") {
		return protocolError(http.StatusExpectationFailed,
			"The Expect header asks for an expectation the mock does not support (only 100-continue)"), true
	}
	if !strings.HasPrefix(s, "HTTP/1.1 ") {
		return nil, false
	}
	line, rest, ok := strings.Cut(s[len("HTTP/1.1 "):], "\r\n")
	if !ok || !strings.HasPrefix("\r\n"+rest, goErrorHeaders) || len(line) < 4 || line[3] != ' ' {
		return nil, false
	}
	body := ("\r\n" + rest)[len(goErrorHeaders):]
	if strings.Contains(body, "\r\n") {
		return nil, false
	}
	code, err := strconv.Atoi(line[:3])
	if err != nil {
		return nil, false
	}
	_, reason, _ := strings.Cut(line, ": ") // statusError: "400 Bad Request: invalid header name"
	switch code {
	case http.StatusRequestHeaderFieldsTooLarge:
		return apierr.New(apierr.HeaderFieldsTooLarge, "The request line and headers are larger than %d bytes", maxHeader).
			WithDetails(map[string]any{"limitBytes": maxHeader}), true
	case http.StatusNotImplemented:
		return protocolError(code, "The request's Transfer-Encoding is not supported (only chunked)"), true
	case http.StatusHTTPVersionNotSupported:
		return protocolError(code, "The request's HTTP version is not supported (HTTP/1.0, HTTP/1.1 and HTTP/2 are)"), true
	case http.StatusBadRequest:
		if reason == "" {
			return protocolError(code, "The request is not valid HTTP (malformed request line or header)"), true
		}
		return protocolError(code, "The request is not valid HTTP: "+reason), true
	}
	if code >= 400 && code < 600 && body == line {
		return protocolError(code, "The request is not valid HTTP: "+http.StatusText(code)), true
	}
	return nil, false
}

// protocolError is the 400 the mock answers for a request net/http refused with status.
func protocolError(status int, msg string) *apierr.Error {
	return apierr.New(apierr.RequestValidationFailed, "%s", msg).
		WithDetails(map[string]any{"httpStatus": status})
}

// protocolErrorResponse is the whole HTTP/1.1 response for e, in the documented envelope;
// the connection closes after it, as net/http's own answer did.
func protocolErrorResponse(e *apierr.Error) []byte {
	status := e.Status()
	body, err := json.Marshal(errorEnvelope{
		StatusCode: status,
		Success:    false,
		Message:    e.Message,
		Error:      errorBody{Code: e.Code, Message: e.Message, Details: e.Details},
	})
	if err != nil { // only strings and ints: cannot happen
		body = []byte(`{"statusCode":400,"success":false,"message":"Bad request","data":null,"error":{"code":"REQUEST_VALIDATION_FAILED","message":"Bad request","details":null}}`)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n",
		status, http.StatusText(status), len(body))
	b.Write(body)
	return b.Bytes()
}
