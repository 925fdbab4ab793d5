package mock

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/mock/clock"
	"github.com/contextgpt/sandbox/mock/limits"
	"github.com/contextgpt/sandbox/spec"
)

// newControlMock is newTestMock with a say in the Config and a hook on the Mock before it
// serves (tests use it to stand a plan-charging handler in for an operation).
func newControlMock(t testing.TB, mutate func(*Config), prepare func(*Mock)) *testMock {
	t.Helper()
	tm := &testMock{t: t, clock: clock.NewManual(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))}
	cfg := DefaultConfig()
	cfg.Strict = true
	cfg.Clock = tm.clock
	cfg.OnViolation = func(r *http.Request, status int, problems []spec.Problem) {
		t.Errorf("contract violation (libopenapi-validator): %s %s → %d: %v", r.Method, r.URL.Path, status, problems)
	}
	if mutate != nil {
		mutate(&cfg)
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatalf("mock.New: %v", err)
	}
	if prepare != nil {
		prepare(m)
	}
	tm.m = m
	tm.srv = httptest.NewServer(m)
	t.Cleanup(tm.srv.Close)
	return tm
}

// withLimitsFile sets the limits from a limits file's YAML.
func withLimitsFile(t testing.TB, yaml string) func(*Config) {
	t.Helper()
	lc, err := limits.Parse("test-limits.yaml", []byte(yaml))
	if err != nil {
		t.Fatalf("limits file: %v", err)
	}
	return func(cfg *Config) { cfg.Limits = lc }
}

// doH is tm.do with request headers.
func (tm *testMock) doH(method, path, key string, body any, hdr map[string]string) resp {
	tm.t.Helper()
	var rdr io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			tm.t.Fatalf("marshal: %v", err)
		}
		rdr = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, tm.srv.URL+path, rdr)
	if err != nil {
		tm.t.Fatalf("new request: %v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return tm.send(req)
}

// raw sends a request without checking the answer against the spec (for faults that break
// the contract on purpose: dropped connections, malformed bodies, undeclared statuses).
func (tm *testMock) raw(method, path, key string) (*http.Response, []byte, error) {
	req, err := http.NewRequest(method, tm.srv.URL+path, nil)
	if err != nil {
		return nil, nil, err
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	// A fresh connection: the client would retry a GET dropped on a reused one.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res, b, err
}

// advance moves the manual clock through the control plane.
func (tm *testMock) advance(t testing.TB, d time.Duration) {
	t.Helper()
	tm.do("POST", "/__mock/clock", "", map[string]any{"advance": d.String()}).must(t, 200)
}

// waitSleepers waits (in real time, for goroutines, not for any limit) until n requests are
// held on the manual clock.
func (tm *testMock) waitSleepers(t testing.TB, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for tm.clock.Sleepers() < n {
		if time.Now().After(deadline) {
			t.Fatalf("got %d requests held on the clock; want %d", tm.clock.Sleepers(), n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// num reads a number at a dotted path of the body.
func (r resp) num(path string) float64 {
	f, _ := r.at(path).(float64)
	return f
}

// header reads an integer header; -1 when absent.
func (r resp) intHeader(name string) int {
	v := r.Header.Get(name)
	if v == "" {
		return -1
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}

// want429 checks a 429: its code, Retry-After and the documented body fields.
func want429(t testing.TB, r resp, code string, retryAfter, limit, window int) {
	t.Helper()
	r.must(t, http.StatusTooManyRequests)
	if r.code() != code {
		t.Fatalf("got code %q; want %q\nbody: %s", r.code(), code, r.Raw)
	}
	if got := r.intHeader("Retry-After"); got != retryAfter {
		t.Fatalf("got Retry-After %d; want %d", got, retryAfter)
	}
	checks := map[string]int{"retryAfter": retryAfter, "limit": limit, "remaining": 0, "windowSeconds": window, "error.details.retryAfter": retryAfter}
	for path, want := range checks {
		if got := r.num(path); int(got) != want || r.at(path) == nil {
			t.Fatalf("got %s = %v; want %d\nbody: %s", path, r.at(path), want, r.Raw)
		}
	}
	if r.Body["success"] != false || r.num("statusCode") != 429 {
		t.Fatalf("envelope: got success %v, statusCode %v", r.Body["success"], r.Body["statusCode"])
	}
}
