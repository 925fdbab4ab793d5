package mock

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/mock/clock"
	"github.com/contextgpt/sandbox/spec"
)

// Test keys of fixtures/default.yaml.
const (
	keyTrial      = "sk_test_trial_super_admin"
	keyStarter    = "sk_test_starter_super_admin"
	keyGrowth     = "sk_test_growth_super_admin"
	keyScale      = "sk_test_scale_super_admin"
	keyScaleAdmin = "sk_test_scale_admin"
	keyEditor     = "sk_test_scale_editor"
	keyAgent      = "sk_test_scale_agent"
	keyEnterprise = "sk_test_enterprise_super_admin"

	userEditor = "361628903185320006"
	userAgent  = "361628903185320007"
	userAdmin  = "361628903185320005"

	accScale      = "361628903185300004"
	accGrowth     = "361628903185300003"
	botShipping   = "361628903185310001" // Scale account
	botOutfitters = "361628903185310002" // Growth account
)

// testMock is a mock behind a real HTTP server, in strict mode: every response is
// validated by libopenapi-validator (strict mode) and by kin-openapi (here), and any
// violation fails the test.
type testMock struct {
	t      testing.TB
	m      *Mock
	srv    *httptest.Server
	clock  *clock.ManualClock
	mu     sync.Mutex
	checks int
	seen   map[string]map[int]bool // operationId → statuses answered
}

type testOption func(*Config)

func newTestMock(t testing.TB, opts ...testOption) *testMock {
	t.Helper()
	tm := &testMock{t: t, clock: clock.NewManual(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))}
	cfg := DefaultConfig()
	cfg.Strict = true
	cfg.Clock = tm.clock
	cfg.OnViolation = func(r *http.Request, status int, problems []spec.Problem) {
		t.Errorf("contract violation (libopenapi-validator): %s %s → %d: %v", r.Method, r.URL.Path, status, problems)
	}
	for _, o := range opts {
		o(&cfg)
	}
	if mc, ok := cfg.Clock.(*clock.ManualClock); ok {
		tm.clock = mc
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatalf("mock.New: %v", err)
	}
	tm.m = m
	tm.srv = httptest.NewServer(m)
	t.Cleanup(func() {
		tm.srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = m.Close(ctx)
	})
	return tm
}

// addMember adds a member of the chatbot's account to the chatbot through the control
// plane (role "" keeps its account role).
func (tm *testMock) addMember(t testing.TB, chatbotID, userID, role string) {
	t.Helper()
	var body any
	if role != "" {
		body = map[string]any{"role": role}
	}
	tm.do("PUT", "/__mock/chatbots/"+chatbotID+"/members/"+userID, "", body).must(t, http.StatusOK)
}

// enableHumanSupport creates the chatbot's human-support settings with enableHumanSupport
// on: a simulated visitor escalates only then.
func (tm *testMock) enableHumanSupport(t testing.TB, chatbotID string) {
	t.Helper()
	tm.do("POST", "/api/v1/chatbots/chatbot/"+chatbotID+"/human-support-settings", keyScale,
		map[string]any{"enableHumanSupport": true}).must(t, http.StatusCreated)
}

// resp is a decoded response.
type resp struct {
	Status int
	Header http.Header
	Raw    []byte
	Body   map[string]any
}

// do sends a request with an API key ("" sends none) and a JSON body (nil sends none),
// and validates the response against the spec with kin-openapi.
func (tm *testMock) do(method, path, key string, body any) resp {
	tm.t.Helper()
	var rdr io.Reader
	var raw []byte
	if body != nil {
		switch b := body.(type) {
		case string:
			raw = []byte(b)
		case []byte:
			raw = b
		default:
			var err error
			if raw, err = json.Marshal(b); err != nil {
				tm.t.Fatalf("marshal: %v", err)
			}
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
	return tm.send(req)
}

func (tm *testMock) send(req *http.Request) resp {
	tm.t.Helper()
	res, err := tm.srv.Client().Do(req)
	if err != nil {
		tm.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		tm.t.Fatalf("read body: %v", err)
	}
	out := resp{Status: res.StatusCode, Header: res.Header, Raw: raw}
	if len(raw) > 0 && strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &out.Body); err != nil {
			tm.t.Errorf("%s %s: body is not a JSON object: %v: %s", req.Method, req.URL.Path, err, raw)
		}
	}
	doc := tm.m.Spec()
	if strings.HasPrefix(req.URL.Path, "/__mock/") {
		doc = tm.m.admin
	}
	// kin reads the request body again for nothing; it only needs method, path and headers.
	vreq := req.Clone(context.Background())
	vreq.Body = http.NoBody
	if err := doc.ValidateResponseKin(context.Background(), vreq, res.StatusCode, res.Header, raw); err != nil {
		tm.t.Errorf("contract violation (kin-openapi): %s %s → %d: %v\nbody: %s", req.Method, req.URL.Path, res.StatusCode, err, raw)
	}
	tm.mu.Lock()
	tm.checks++
	if route, err := doc.Match(req.Method, req.URL.EscapedPath()); err == nil {
		if tm.seen == nil {
			tm.seen = map[string]map[int]bool{}
		}
		if tm.seen[route.OperationID] == nil {
			tm.seen[route.OperationID] = map[int]bool{}
		}
		tm.seen[route.OperationID][res.StatusCode] = true
	}
	tm.mu.Unlock()
	return out
}

// data returns the envelope's data object.
func (r resp) data() map[string]any {
	d, _ := r.Body["data"].(map[string]any)
	return d
}

// code returns error.code.
func (r resp) code() string {
	e, _ := r.Body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

// must fails the test unless the status is want.
func (r resp) must(t testing.TB, want int) resp {
	t.Helper()
	if r.Status != want {
		t.Fatalf("got status %d; want %d\nbody: %s", r.Status, want, r.Raw)
	}
	return r
}

// str reads a string at a dotted path of the body, e.g. "data.chatbotId".
func (r resp) str(path string) string {
	v := r.at(path)
	s, _ := v.(string)
	return s
}

func (r resp) at(path string) any {
	var cur any = r.Body
	for _, part := range strings.Split(path, ".") {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[part]
		case []any:
			i := 0
			for _, ch := range part {
				i = i*10 + int(ch-'0')
			}
			if i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

// errorCase is one refused request and the answer it must get: its status, its code (any
// code when ""), and, when errPath is set, the field the first entry of errors[] names.
type errorCase struct {
	name              string
	method, path, key string
	body              any
	status            int
	code              string
	errPath           string
}

// checkErrors runs each case as a subtest and checks the whole failure envelope: status,
// code, success false, data null, statusCode equal to the status, an Allow header on a 405,
// and the field path when the case names one.
func (tm *testMock) checkErrors(t *testing.T, cases []errorCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tm.do(tc.method, tc.path, tc.key, tc.body).must(t, tc.status)
			if tc.code != "" && r.code() != tc.code {
				t.Fatalf("got code %q; want %q\nbody: %s", r.code(), tc.code, r.Raw)
			}
			if r.Body["success"] != false || r.Body["data"] != nil || r.at("statusCode") != float64(tc.status) {
				t.Fatalf("got %s; want the error envelope with statusCode %d", r.Raw, tc.status)
			}
			if tc.status == 405 && r.Header.Get("Allow") == "" {
				t.Fatal("405 without an Allow header")
			}
			if tc.errPath != "" && r.str("errors.0.path.0") != tc.errPath {
				t.Fatalf("got errors %v; want path [%q]", r.Body["errors"], tc.errPath)
			}
		})
	}
}
