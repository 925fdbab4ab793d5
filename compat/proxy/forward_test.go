package proxy

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/internal/mocktest"

	"github.com/contextgpt/sandbox/conformance"
	"github.com/contextgpt/sandbox/conformance/report"
)

// TestProxyForwardsUnchanged: the upstream sees the request as sent (method, escaped path,
// query order, headers, body; no body or chunking added to a GET) and the client the answer
// as given, an undescribed one included. Long on purpose: every part of one exchange, each
// checked on its own line.
func TestProxyForwardsUnchanged(t *testing.T) {
	type seen struct {
		method, uri, host string
		header            http.Header
		body              []byte
		te                []string
	}
	got := make(chan seen, 1)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.RequestURI, r.Host, r.Header.Clone(), b, r.TransferEncoding}
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
		w.Header().Set("X-Custom", "kept")
		w.Header().Set("Content-Type", "application/vnd.odd")
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte("not json \x00\xff"))
	}))
	defer up.Close()
	h := newProxy(t, up.URL)

	req, _ := http.NewRequest("PATCH", h.srv.URL+"/api/v1/chatbots/x%2Fy/odd?b=2&a=1&a=0", strings.NewReader(`{"raw":true}`))
	req.Header.Set("X-Forwarded-For", "10.0.0.1")
	req.Header.Set("X-Trace", "t1")
	req.Header.Add("X-Multi", "1")
	req.Header.Add("X-Multi", "2")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("http.DefaultClient.Do: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	s := <-got
	if s.method != "PATCH" {
		t.Errorf("s.method = %q, want %q", s.method, "PATCH")
	}
	if s.uri != "/api/v1/chatbots/x%2Fy/odd?b=2&a=1&a=0" {
		t.Errorf("s.uri = %q, want %q", s.uri, "/api/v1/chatbots/x%2Fy/odd?b=2&a=1&a=0")
	}
	if want := strings.TrimPrefix(up.URL, "http://"); s.host != want {
		t.Errorf("s.host = %q, want %q", s.host, want)
	}
	if want := []byte(`{"raw":true}`); !bytes.Equal(s.body, want) {
		t.Errorf("s.body = %q, want %q", s.body, want)
	}
	if got := s.header.Get("X-Forwarded-For"); got != "10.0.0.1" {
		t.Errorf(`s.header.Get("X-Forwarded-For") = %q, want %q`, got, "10.0.0.1")
	}
	if got := s.header.Get("X-Trace"); got != "t1" {
		t.Errorf(`s.header.Get("X-Trace") = %q, want %q`, got, "t1")
	}
	if got := s.header.Values("X-Multi"); !reflect.DeepEqual(got, []string{"1", "2"}) {
		t.Errorf(`s.header.Values("X-Multi") = %q, want %q`, got, []string{"1", "2"})
	}

	if resp.StatusCode != http.StatusTeapot {
		t.Errorf("resp.StatusCode = %v, want %v", resp.StatusCode, http.StatusTeapot)
	}
	if got := resp.Header.Values("Set-Cookie"); !reflect.DeepEqual(got, []string{"a=1", "b=2"}) {
		t.Errorf(`resp.Header.Values("Set-Cookie") = %q, want %q`, got, []string{"a=1", "b=2"})
	}
	if got := resp.Header.Get("X-Custom"); got != "kept" {
		t.Errorf(`resp.Header.Get("X-Custom") = %q, want %q`, got, "kept")
	}
	if got := resp.Header.Get("Content-Type"); got != "application/vnd.odd" {
		t.Errorf(`resp.Header.Get("Content-Type") = %q, want %q`, got, "application/vnd.odd")
	}
	if want := []byte("not json \x00\xff"); !bytes.Equal(body, want) {
		t.Errorf("body = %q, want %q", body, want)
	}

	// A GET without a body goes without one (no chunked encoding added).
	req, _ = http.NewRequest("GET", h.srv.URL+"/api/v1/chatbots/my-chatbots", nil)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("http.DefaultClient.Do: %v", err)
	}
	resp.Body.Close()
	s = <-got
	if len(s.te) != 0 {
		t.Errorf("s.te = %q, want empty", s.te)
	}
	if len(s.body) != 0 {
		t.Errorf("s.body = %q, want empty", s.body)
	}
	if got := s.header.Get("Content-Length"); got != "" {
		t.Errorf(`s.header.Get("Content-Length") = %q, want empty`, got)
	}

	// The undescribed answer is a finding, never a crash.
	rep := snapshot(t, h)
	if len(rep.Findings) == 0 {
		t.Errorf("rep.Findings is empty")
	}
}

func TestProxyStreamsLargeBodiesAndSkipsTheirChecks(t *testing.T) {
	const size = 64 << 20
	chunk := bytes.Repeat([]byte("x"), 1<<20)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Bytes", fmt.Sprint(n))
		for range size / len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer up.Close()
	logs := &syncBuffer{}
	p, err := New(Config{Upstream: up.URL, MaxBody: 1 << 20, Log: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(p)
	defer func() { srv.Close(); _ = p.Close() }()

	big := io.LimitReader(zeroReader{}, 8<<20)
	resp, err := http.Post(srv.URL+"/api/v1/chatbots/account/"+accScale+"/create-chatbot", "application/json", big)
	if err != nil {
		t.Fatalf("http.Post: %v", err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if n != size {
		t.Errorf("the whole answer streams through: got %v, want %v", n, size)
	}
	if got, want := resp.Header.Get("X-Request-Bytes"), fmt.Sprint(8<<20); got != want {
		t.Errorf("the whole request streams through: got %q, want %q", got, want)
	}
	if !p.Settle(10 * time.Second) {
		t.Fatalf("want p.Settle(10*time.Second) to be true")
	}
	rep := p.Snapshot()
	if rep.Unvalidated != 1 {
		t.Errorf("rep.Unvalidated = %v, want %v", rep.Unvalidated, 1)
	}
	for _, f := range rep.Findings {
		if f.Check == "body-json" {
			t.Errorf("a capped body is not checked: %+v: f.Check = %q, want anything else", f, f.Check)
		}
	}
}

type zeroReader struct{}

func (zeroReader) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}

func TestProxyUpstreamDown(t *testing.T) {
	up := httptest.NewServer(http.NotFoundHandler())
	url := up.URL
	up.Close()
	h := newProxy(t, url)
	status, body := mocktest.Call(t, "GET", h.srv.URL+"/api/v1/chatbots/my-chatbots", keyScale, nil)
	if status != 502 {
		t.Errorf("status = %v, want %v", status, 502)
	}
	if got := string(body); !strings.Contains(got, "proxyError") {
		t.Errorf("string(body) = %q, want it to contain %q", got, "proxyError")
	}
	rep := snapshot(t, h)
	if got := len(rep.Findings); got != 1 {
		t.Fatalf("len(rep.Findings) = %d, want %d: %+v", got, 1, rep.Findings)
	}
	if rep.Findings[0].Check != conformance.CheckTransport {
		t.Errorf("rep.Findings[0].Check = %q, want %q", rep.Findings[0].Check, conformance.CheckTransport)
	}
	if rep.Findings[0].Category != report.CategoryRun {
		t.Errorf("rep.Findings[0].Category = %q, want %q", rep.Findings[0].Category, report.CategoryRun)
	}
}

func TestNewRefusesBadUpstreams(t *testing.T) {
	for _, u := range []string{"", "ftp://x", "http://", "http://h/?q=1", "::"} {
		_, err := New(Config{Upstream: u})
		if err == nil {
			t.Errorf("%v: got no error, want one", u)
		}
	}
}
