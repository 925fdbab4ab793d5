package proxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/internal/mocktest"

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
	return mocktest.Start(t, cfg).Server
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
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(p)
	t.Cleanup(func() { srv.Close(); _ = p.Close() })
	return &harness{p: p, srv: srv, logs: logs}
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
		status, body := mocktest.Call(t, c.method, api+c.path, c.key, c.body)
		if status != c.want {
			t.Fatalf("%s %s: %s: got %v, want %v", c.method, c.path, body, status, c.want)
		}
	}
	status, body := mocktest.Call(t, "POST", api+"/chatbots/account/"+accScale+"/create-chatbot", keyScale,
		map[string]any{"name": fmt.Sprintf("proxy-%d", time.Now().UnixNano()), "description": "via the proxy"})
	if status != 201 {
		t.Fatalf("%v: got %v, want %v", string(body), status, 201)
	}
	var created struct {
		Data struct {
			ChatbotID string `json:"chatbotId"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &created); err != nil {
		t.Fatalf("json.Unmarshal: %v", err)
	}
	status, body = mocktest.Call(t, "DELETE", api+"/chatbots/account/"+accScale+"/chatbot/"+created.Data.ChatbotID, keyScale, nil)
	if status != 200 {
		t.Fatalf("%v: got %v, want %v", string(body), status, 200)
	}
}

func addFault(t *testing.T, mockURL string, rule map[string]any) {
	t.Helper()
	status, body := mocktest.Call(t, "POST", mockURL+"/__mock/faults", "", rule)
	if status != 201 {
		t.Fatalf("%v: got %v, want %v", string(body), status, 201)
	}
}

func snapshot(t *testing.T, h *harness) Report {
	t.Helper()
	if !h.p.Settle(10 * time.Second) {
		t.Fatalf("want h.p.Settle(10*time.Second) to be true")
	}
	return h.p.Snapshot()
}

func TestProxyReportsEachInjectedViolationOnceAndNothingOnCleanTraffic(t *testing.T) {
	m := newMock(t)
	h := newProxy(t, m.URL)

	cleanTraffic(t, h.srv.URL)
	rep := snapshot(t, h)
	if len(rep.Findings) != 0 {
		t.Errorf("clean traffic: %+v: got %+v, want empty", rep.Findings, rep.Findings)
	}
	if rep.Exchanges != 7 {
		t.Errorf("rep.Exchanges = %v, want %v", rep.Exchanges, 7)
	}
	if rep.Validated != 7 {
		t.Errorf("rep.Validated = %v, want %v", rep.Validated, 7)
	}
	if got := h.logs.String(); got != "" {
		t.Errorf("h.logs.String() = %q, want empty", got)
	}

	// Three faults, each once: an undeclared status, a truncated body, a dropped connection.
	addFault(t, m.URL, map[string]any{"match": map[string]any{"operationId": "getMyChatbots"}, "action": map[string]any{"status": 502}, "times": 1})
	addFault(t, m.URL, map[string]any{"match": map[string]any{"operationId": "listThreads"}, "action": map[string]any{"malformedBody": true}, "times": 1})
	addFault(t, m.URL, map[string]any{"match": map[string]any{"operationId": "getChatbotSettings"}, "action": map[string]any{"drop": true}, "times": 1})
	api := h.srv.URL + "/api/v1"
	status, _ := mocktest.Call(t, "GET", api+"/chatbots/my-chatbots", keyScale, nil)
	if status != 502 {
		t.Errorf("the upstream's status comes through: got %v, want %v", status, 502)
	}
	status, body := mocktest.Call(t, "GET", api+"/chatting/"+bot+"/threads?page=1&limit=5", keyScale, nil)
	if status != 200 {
		t.Errorf("status = %v, want %v", status, 200)
	}
	if json.Valid(body) {
		t.Errorf("the upstream's broken body comes through unchanged")
	}
	status, _ = mocktest.Call(t, "GET", api+"/chatbots/chatbot/"+bot+"/settings", keyScale, nil)
	if status != 502 {
		t.Errorf("no answer from the upstream is the proxy's 502: got %v, want %v", status, 502)
	}
	cleanTraffic(t, h.srv.URL) // the rules are spent: clean again

	rep = snapshot(t, h)
	got := map[string]int{}
	for _, f := range rep.Findings {
		got[f.OperationID+" "+f.Check]++
	}
	if want := map[string]int{
		"getMyChatbots status-declared": 1,
		"listThreads body-json":         1,
		"getChatbotSettings transport":  1,
	}; !reflect.DeepEqual(got, want) {
		t.Errorf("%+v: got %v, want %v", rep.Findings, got, want)
	}
	logLines := strings.Split(strings.TrimSpace(h.logs.String()), "\n")
	if got := len(logLines); got != 3 {
		t.Errorf("%v: got %d items, want %d: %q", h.logs.String(), got, 3, logLines)
	}
	for _, l := range logLines {
		if !strings.Contains(l, "violation") {
			t.Errorf("l = %q, want it to contain %q", l, "violation")
		}
		if !strings.Contains(l, "check=") {
			t.Errorf("l = %q, want it to contain %q", l, "check=")
		}
		if !strings.Contains(l, "operation=") {
			t.Errorf("l = %q, want it to contain %q", l, "operation=")
		}
	}
	if rep.Exchanges != 17 {
		t.Errorf("rep.Exchanges = %v, want %v", rep.Exchanges, 17)
	}
}

func TestProxyChecksRequestsToo(t *testing.T) {
	m := newMock(t)
	h := newProxy(t, m.URL)
	api := h.srv.URL + "/api/v1"
	// description must be a string; the mock answers 400 (declared), so only the request is wrong.
	status, _ := mocktest.Call(t, "POST", api+"/chatbots/account/"+accScale+"/create-chatbot", keyScale, map[string]any{"name": "x", "description": 7})
	if status != 400 {
		t.Errorf("status = %v, want %v", status, 400)
	}
	// Undeclared method and undeclared path.
	status, _ = mocktest.Call(t, "PUT", api+"/chatbots/my-chatbots", keyScale, nil)
	if status != 405 {
		t.Errorf("status = %v, want %v", status, 405)
	}
	mocktest.Call(t, "GET", api+"/no-such-route", keyScale, nil)
	rep := snapshot(t, h)
	var checks []string
	for _, f := range rep.Findings {
		checks = append(checks, f.Direction+" "+f.Check+" "+f.Pointer)
	}
	if got, want := slices.Sorted(slices.Values(checks)), slices.Sorted(slices.Values([]string{
		"request request-schema /description",
		"request request-method ",
		"request operation-declared ",
	})); !slices.Equal(got, want) {
		t.Errorf("got %q, want %q in any order", got, want)
	}
}

func TestProxyRedactsKeysAndSecrets(t *testing.T) {
	m := newMock(t)
	h := newProxy(t, m.URL)
	api := h.srv.URL + "/api/v1"
	const key = "not-shaped-like-a-key-42"
	const secret = "whsec-0123456789abcdef"
	// A secret in a body, then both in paths the spec does not declare (so a finding quotes them).
	mocktest.Call(t, "POST", api+"/undeclared", key, map[string]any{"webhookSecret": secret})
	mocktest.Call(t, "GET", api+"/undeclared/"+key+"/"+secret+"/"+keyScale, key, nil)
	rep := snapshot(t, h)
	if got := len(rep.Findings); got != 2 {
		t.Fatalf("len(rep.Findings) = %d, want %d: %+v", got, 2, rep.Findings)
	}
	var js, ju bytes.Buffer
	if err := WriteJSON(&js, rep); err != nil {
		t.Fatalf("WriteJSON: %v", err)
	}
	if err := WriteJUnit(&ju, rep); err != nil {
		t.Fatalf("WriteJUnit: %v", err)
	}
	for name, out := range map[string]string{"json": js.String(), "junit": ju.String(), "log": h.logs.String()} {
		for _, s := range []string{key, secret, keyScale} {
			if strings.Contains(out, s) {
				t.Errorf("%v: got %q, want no %q", name, out, s)
			}
		}
		if !strings.Contains(out, report.Redacted) {
			t.Errorf("%v: got %q, want it to contain %q", name, out, report.Redacted)
		}
	}
}

func TestProxyConcurrentClientsAllCountedNothingFound(t *testing.T) {
	m := newMock(t)
	h := newProxy(t, m.URL)
	const clients, each = 20, 10
	var wg sync.WaitGroup
	errs := make(chan error, clients*each)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				path := "/api/v1/chatbots/my-chatbots"
				if (c+i)%2 == 1 {
					path = "/api/v1/chatting/" + bot + "/threads?page=1&limit=5"
				}
				req, _ := http.NewRequest("GET", h.srv.URL+path, nil)
				req.Header.Set("Authorization", "Bearer "+keyScale)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					errs <- fmt.Errorf("%s: status %d", path, resp.StatusCode)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	rep := snapshot(t, h)
	if rep.Exchanges != clients*each {
		t.Errorf("rep.Exchanges = %v, want %v", rep.Exchanges, clients*each)
	}
	if rep.Validated != clients*each {
		t.Errorf("rep.Validated = %v, want %v", rep.Validated, clients*each)
	}
	if len(rep.Findings) != 0 {
		t.Errorf("rep.Findings = %+v, want empty", rep.Findings)
	}
	var total int64
	for _, op := range rep.Operations {
		total += op.Exchanges
	}
	if total != clients*each {
		t.Errorf("total = %v, want %v", total, clients*each)
	}
}

func TestProxyCapsFindingsAndCountsTheRest(t *testing.T) {
	up := httptest.NewServer(http.NotFoundHandler())
	defer up.Close()
	p, err := New(Config{Upstream: up.URL, MaxFindings: 2})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(p)
	defer func() { srv.Close(); _ = p.Close() }()
	for i := range 5 {
		resp, err := http.Get(fmt.Sprintf("%s/api/v1/nowhere/%d", srv.URL, i))
		if err != nil {
			t.Fatalf("http.Get: %v", err)
		}
		resp.Body.Close()
	}
	if !p.Settle(10 * time.Second) {
		t.Fatalf("want p.Settle(10*time.Second) to be true")
	}
	rep := p.Snapshot()
	if got := len(rep.Findings); got != 2 {
		t.Errorf("len(rep.Findings) = %d, want %d: %+v", got, 2, rep.Findings)
	}
	if rep.FindingsDropped != 3 {
		t.Errorf("rep.FindingsDropped = %v, want %v", rep.FindingsDropped, 3)
	}
	if rep.Exchanges != 5 {
		t.Errorf("rep.Exchanges = %v, want %v", rep.Exchanges, 5)
	}
}
