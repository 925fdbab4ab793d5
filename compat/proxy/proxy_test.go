package proxy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/mock"
)

const (
	keyScale = "sk_test_scale_super_admin"
	accScale = "361628903185300004"
	bot      = "361628903185310001"
)

// syncBuffer is a log sink safe for the proxy's workers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newMock(t *testing.T) *httptest.Server {
	t.Helper()
	cfg := mock.DefaultConfig()
	cfg.Limits = nil
	m, err := mock.New(cfg)
	require.NoError(t, err)
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	return srv
}

type harness struct {
	p    *Proxy
	srv  *httptest.Server
	logs *syncBuffer
}

func newProxy(t *testing.T, upstream string) *harness {
	t.Helper()
	logs := &syncBuffer{}
	p, err := New(Config{Upstream: upstream, Redactor: &report.Redactor{},
		Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	require.NoError(t, err)
	srv := httptest.NewServer(p)
	t.Cleanup(func() { srv.Close(); _ = p.Close() })
	return &harness{p: p, srv: srv, logs: logs}
}

func call(t *testing.T, method, url, key string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

// cleanTraffic is what an integrator's app does: reads, a create and a delete, an error.
func cleanTraffic(t *testing.T, base string) {
	t.Helper()
	api := base + "/api/v1"
	for _, c := range []struct {
		method, path, key string
		body              any
		want              int
	}{
		{"GET", "/chatbots/my-chatbots", keyScale, nil, 200},
		{"GET", "/chatting/" + bot + "/threads?page=1&limit=5", keyScale, nil, 200},
		{"GET", "/chatbots/chatbot/" + bot + "/settings", keyScale, nil, 200},
		{"GET", "/chatbots/my-chatbots", "", nil, 401},
		{"GET", "/chatbots/account/" + accScale + "/chatbot/999999999999999999", keyScale, nil, 404},
	} {
		status, body := call(t, c.method, api+c.path, c.key, c.body)
		require.Equal(t, c.want, status, "%s %s: %s", c.method, c.path, body)
	}
	status, body := call(t, "POST", api+"/chatbots/account/"+accScale+"/create-chatbot", keyScale,
		map[string]any{"name": fmt.Sprintf("proxy-%d", time.Now().UnixNano()), "description": "via the proxy"})
	require.Equal(t, 201, status, string(body))
	var created struct {
		Data struct {
			ChatbotID string `json:"chatbotId"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(body, &created))
	status, body = call(t, "DELETE", api+"/chatbots/account/"+accScale+"/chatbot/"+created.Data.ChatbotID, keyScale, nil)
	require.Equal(t, 200, status, string(body))
}

func addFault(t *testing.T, mockURL string, rule map[string]any) {
	t.Helper()
	status, body := call(t, "POST", mockURL+"/__mock/faults", "", rule)
	require.Equal(t, 201, status, string(body))
}

func snapshot(t *testing.T, h *harness) Report {
	t.Helper()
	require.True(t, h.p.Settle(10*time.Second))
	return h.p.Snapshot()
}

func TestProxyReportsEachInjectedViolationOnceAndNothingOnCleanTraffic(t *testing.T) {
	m := newMock(t)
	h := newProxy(t, m.URL)

	cleanTraffic(t, h.srv.URL)
	rep := snapshot(t, h)
	assert.Empty(t, rep.Findings, "clean traffic: %+v", rep.Findings)
	assert.EqualValues(t, 7, rep.Exchanges)
	assert.EqualValues(t, 7, rep.Validated)
	assert.Empty(t, h.logs.String())

	// Three faults, each once: an undeclared status, a truncated body, a dropped connection.
	addFault(t, m.URL, map[string]any{"match": map[string]any{"operationId": "getMyChatbots"}, "action": map[string]any{"status": 502}, "times": 1})
	addFault(t, m.URL, map[string]any{"match": map[string]any{"operationId": "listThreads"}, "action": map[string]any{"malformedBody": true}, "times": 1})
	addFault(t, m.URL, map[string]any{"match": map[string]any{"operationId": "getChatbotSettings"}, "action": map[string]any{"drop": true}, "times": 1})
	api := h.srv.URL + "/api/v1"
	status, _ := call(t, "GET", api+"/chatbots/my-chatbots", keyScale, nil)
	assert.Equal(t, 502, status, "the upstream's status comes through")
	status, body := call(t, "GET", api+"/chatting/"+bot+"/threads?page=1&limit=5", keyScale, nil)
	assert.Equal(t, 200, status)
	assert.False(t, json.Valid(body), "the upstream's broken body comes through unchanged")
	status, _ = call(t, "GET", api+"/chatbots/chatbot/"+bot+"/settings", keyScale, nil)
	assert.Equal(t, 502, status, "no answer from the upstream is the proxy's 502")
	cleanTraffic(t, h.srv.URL) // the rules are spent: clean again

	rep = snapshot(t, h)
	got := map[string]int{}
	for _, f := range rep.Findings {
		got[f.OperationID+" "+f.Check]++
	}
	assert.Equal(t, map[string]int{
		"getMyChatbots status-declared": 1,
		"listThreads body-json":         1,
		"getChatbotSettings transport":  1,
	}, got, "%+v", rep.Findings)
	logLines := strings.Split(strings.TrimSpace(h.logs.String()), "\n")
	assert.Len(t, logLines, 3, h.logs.String())
	for _, l := range logLines {
		assert.Contains(t, l, "violation")
		assert.Contains(t, l, "check=")
		assert.Contains(t, l, "operation=")
	}
	assert.EqualValues(t, 17, rep.Exchanges)
}

func TestProxyChecksRequestsToo(t *testing.T) {
	m := newMock(t)
	h := newProxy(t, m.URL)
	api := h.srv.URL + "/api/v1"
	// description must be a string; the mock answers 400 (declared), so only the request is wrong.
	status, _ := call(t, "POST", api+"/chatbots/account/"+accScale+"/create-chatbot", keyScale, map[string]any{"name": "x", "description": 7})
	assert.Equal(t, 400, status)
	// Undeclared method and undeclared path.
	status, _ = call(t, "PUT", api+"/chatbots/my-chatbots", keyScale, nil)
	assert.Equal(t, 405, status)
	call(t, "GET", api+"/no-such-route", keyScale, nil)
	rep := snapshot(t, h)
	var checks []string
	for _, f := range rep.Findings {
		checks = append(checks, f.Direction+" "+f.Check+" "+f.Pointer)
	}
	assert.ElementsMatch(t, []string{
		"request request-schema /description",
		"request request-method ",
		"request operation-declared ",
	}, checks)
}

func TestProxyRedactsKeysAndSecrets(t *testing.T) {
	m := newMock(t)
	h := newProxy(t, m.URL)
	api := h.srv.URL + "/api/v1"
	const key = "not-shaped-like-a-key-42"
	const secret = "whsec-0123456789abcdef"
	// A secret in a body, then both in paths the spec does not declare (so a finding quotes them).
	call(t, "POST", api+"/undeclared", key, map[string]any{"webhookSecret": secret})
	call(t, "GET", api+"/undeclared/"+key+"/"+secret+"/"+keyScale, key, nil)
	rep := snapshot(t, h)
	require.Len(t, rep.Findings, 2)
	var js, ju bytes.Buffer
	require.NoError(t, WriteJSON(&js, rep))
	require.NoError(t, WriteJUnit(&ju, rep))
	for name, out := range map[string]string{"json": js.String(), "junit": ju.String(), "log": h.logs.String()} {
		for _, s := range []string{key, secret, keyScale} {
			assert.NotContains(t, out, s, name)
		}
		assert.Contains(t, out, report.Redacted, name)
	}
}

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
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	s := <-got
	assert.Equal(t, "PATCH", s.method)
	assert.Equal(t, "/api/v1/chatbots/x%2Fy/odd?b=2&a=1&a=0", s.uri)
	assert.Equal(t, strings.TrimPrefix(up.URL, "http://"), s.host)
	assert.Equal(t, []byte(`{"raw":true}`), s.body)
	assert.Equal(t, "10.0.0.1", s.header.Get("X-Forwarded-For"))
	assert.Equal(t, "t1", s.header.Get("X-Trace"))
	assert.Equal(t, []string{"1", "2"}, s.header.Values("X-Multi"))

	assert.Equal(t, http.StatusTeapot, resp.StatusCode)
	assert.Equal(t, []string{"a=1", "b=2"}, resp.Header.Values("Set-Cookie"))
	assert.Equal(t, "kept", resp.Header.Get("X-Custom"))
	assert.Equal(t, "application/vnd.odd", resp.Header.Get("Content-Type"))
	assert.Equal(t, []byte("not json \x00\xff"), body)

	// A GET without a body goes without one (no chunked encoding added).
	req, _ = http.NewRequest("GET", h.srv.URL+"/api/v1/chatbots/my-chatbots", nil)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	s = <-got
	assert.Empty(t, s.te)
	assert.Empty(t, s.body)
	assert.Empty(t, s.header.Get("Content-Length"))

	// The undescribed answer is a finding, never a crash.
	rep := snapshot(t, h)
	assert.NotEmpty(t, rep.Findings)
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
	require.NoError(t, err)
	srv := httptest.NewServer(p)
	defer func() { srv.Close(); _ = p.Close() }()

	big := io.LimitReader(zeroReader{}, 8<<20)
	resp, err := http.Post(srv.URL+"/api/v1/chatbots/account/"+accScale+"/create-chatbot", "application/json", big)
	require.NoError(t, err)
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.EqualValues(t, size, n, "the whole answer streams through")
	assert.Equal(t, fmt.Sprint(8<<20), resp.Header.Get("X-Request-Bytes"), "the whole request streams through")
	require.True(t, p.Settle(10*time.Second))
	rep := p.Snapshot()
	assert.EqualValues(t, 1, rep.Unvalidated)
	for _, f := range rep.Findings {
		assert.NotEqual(t, "body-json", f.Check, "a capped body is not checked: %+v", f)
	}
}

type zeroReader struct{}

func (zeroReader) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}

func TestProxyReportEndpoint(t *testing.T) {
	m := newMock(t)
	h := newProxy(t, m.URL)
	addFault(t, m.URL, map[string]any{"match": map[string]any{"operationId": "getMyChatbots"}, "action": map[string]any{"status": 502}, "times": 1})
	call(t, "GET", h.srv.URL+"/api/v1/chatbots/my-chatbots", keyScale, nil)

	status, body := call(t, "GET", h.srv.URL+ReportPath, "", nil)
	require.Equal(t, 200, status)
	var rep Report
	require.NoError(t, json.Unmarshal(body, &rep))
	require.Len(t, rep.Findings, 1)
	assert.Equal(t, "status-declared", rep.Findings[0].Check)
	assert.Equal(t, 502, rep.Findings[0].Status)

	status, body = call(t, "GET", h.srv.URL+ReportPath+"?format=junit", "", nil)
	require.Equal(t, 200, status)
	assert.Contains(t, string(body), `<testcase name="getMyChatbots" classname="proxy">`)
	assert.Contains(t, string(body), `type="status-declared"`)
}

func TestProxyUpstreamDown(t *testing.T) {
	up := httptest.NewServer(http.NotFoundHandler())
	url := up.URL
	up.Close()
	h := newProxy(t, url)
	status, body := call(t, "GET", h.srv.URL+"/api/v1/chatbots/my-chatbots", keyScale, nil)
	assert.Equal(t, 502, status)
	assert.Contains(t, string(body), "proxyError")
	rep := snapshot(t, h)
	require.Len(t, rep.Findings, 1)
	assert.Equal(t, CheckTransport, rep.Findings[0].Check)
}

func TestNewRefusesBadUpstreams(t *testing.T) {
	for _, u := range []string{"", "ftp://x", "http://", "http://h/?q=1", "::"} {
		_, err := New(Config{Upstream: u})
		assert.Error(t, err, u)
	}
}

func TestCommandServesUntilStoppedThenWritesReports(t *testing.T) {
	m := newMock(t)
	addFault(t, m.URL, map[string]any{"match": map[string]any{"operationId": "getMyChatbots"}, "action": map[string]any{"status": 502}, "times": 1})
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan string, 1)
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Command(ctx, []string{"--upstream", m.URL, "--addr", "127.0.0.1:0",
			"--json", filepath.Join(dir, "proxy.json"), "--junit", filepath.Join(dir, "proxy.xml")},
			func(string) string { return "" }, &out, &errOut, func(a string) { addrc <- a })
	}()
	addr := <-addrc
	status, _ := call(t, "GET", "http://"+addr+"/api/v1/chatbots/my-chatbots", keyScale, nil)
	assert.Equal(t, 502, status)
	cancel()
	assert.Equal(t, report.ExitFailed, <-done, errOut.String())
	data, err := os.ReadFile(filepath.Join(dir, "proxy.json"))
	require.NoError(t, err)
	var rep Report
	require.NoError(t, json.Unmarshal(data, &rep))
	require.Len(t, rep.Findings, 1)
	data, err = os.ReadFile(filepath.Join(dir, "proxy.xml"))
	require.NoError(t, err)
	assert.Contains(t, string(data), "status-declared")
	assert.Contains(t, out.String(), "1 violations")
	assert.Contains(t, errOut.String(), "check=status-declared")
	assert.NotContains(t, out.String()+errOut.String(), keyScale)

	for _, args := range [][]string{
		{}, {"--upstream", "ftp://x"}, {"--upstream", m.URL, "extra"}, {"--upstream", m.URL, "--max-body", "0"},
		{"--upstream", m.URL, "--json", filepath.Join(dir, "no", "such", "x.json")},
		{"--upstream", m.URL, "--spec", filepath.Join(dir, "missing.yaml")},
		{"--upstream", m.URL, "--addr", "256.0.0.1:1"},
	} {
		code := Command(context.Background(), args, func(string) string { return "" }, io.Discard, io.Discard, nil)
		assert.Equal(t, report.ExitBadInput, code, "%v", args)
	}
}
