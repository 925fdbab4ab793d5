package mock

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/mock/journal"
	"github.com/contextgpt/sandbox/mock/ui"
)

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([0-9a-f]{64})">`)

// uiDo serves one request to the mock in-process; remote is the client address
// (httptest's default, 192.0.2.1, is not loopback).
func uiDo(t *testing.T, m *Mock, method, target, remote string, body string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	if remote != "" {
		r.RemoteAddr = remote
	}
	r.Host = "127.0.0.1:8080" // the mock's own address (a DNS name is refused: issue 10)
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	m.ServeHTTP(w, r)
	return w
}

const loopbackClient = "127.0.0.1:5555"

func pageCSRF(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("dashboard page: %d %s", w.Code, w.Body.String())
	}
	m := csrfMeta.FindStringSubmatch(w.Body.String())
	if m == nil {
		t.Fatalf("no CSRF token in the page:\n%s", w.Body.String())
	}
	return m[1]
}

func TestUIPageAndHeaders(t *testing.T) {
	tm := newControlMock(t, nil, nil)
	w := uiDo(t, tm.m, "GET", "/__mock/ui", loopbackClient, "", nil)
	pageCSRF(t, w)
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP = %q; want script-src 'self' without unsafe-inline", csp)
	}
	for _, asset := range []string{"/__mock/ui/static/app.js", "/__mock/ui/static/app.css"} {
		if w := uiDo(t, tm.m, "GET", asset, loopbackClient, "", nil); w.Code != http.StatusOK || w.Body.Len() < 1000 {
			t.Errorf("%s: %d, %d bytes", asset, w.Code, w.Body.Len())
		}
	}
	// The script never writes markup from data: no innerHTML, outerHTML or insertAdjacentHTML.
	js := uiDo(t, tm.m, "GET", "/__mock/ui/static/app.js", loopbackClient, "", nil).Body.String()
	for _, sink := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("} {
		if strings.Contains(js, sink) {
			t.Errorf("app.js uses %s", sink)
		}
	}
	if w := uiDo(t, tm.m, "GET", "/__mock/ui/nope", loopbackClient, "", nil); w.Code != http.StatusNotFound {
		t.Errorf("unknown dashboard route: %d", w.Code)
	}
}

func TestUICSRF(t *testing.T) {
	tm := newControlMock(t, nil, nil)
	csrf := pageCSRF(t, uiDo(t, tm.m, "GET", "/__mock/ui/", loopbackClient, "", nil))
	fault := `{"match":{"operationId":"getMyChatbots"},"action":{"status":503},"times":1}`
	json := map[string]string{"Content-Type": "application/json"}
	with := func(extra map[string]string) map[string]string {
		h := map[string]string{"Content-Type": "application/json"}
		for k, v := range extra {
			h[k] = v
		}
		return h
	}
	for name, hdr := range map[string]map[string]string{
		"no token":            json,
		"wrong token":         with(map[string]string{"X-CSRF-Token": strings.Repeat("0", 64)}),
		"cross-site fetch":    with(map[string]string{"X-CSRF-Token": csrf, "Sec-Fetch-Site": "cross-site"}),
		"foreign origin":      with(map[string]string{"X-CSRF-Token": csrf, "Origin": "http://evil.example"}),
		"same-site subdomain": with(map[string]string{"X-CSRF-Token": csrf, "Sec-Fetch-Site": "same-site"}),
	} {
		w := uiDo(t, tm.m, "POST", "/__mock/ui/api/control/faults", loopbackClient, fault, hdr)
		if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "CSRF_REJECTED") {
			t.Errorf("%s: %d %s; want 403 CSRF_REJECTED", name, w.Code, w.Body.String())
		}
	}
	if n := len(tm.m.faults.List()); n != 0 {
		t.Fatalf("%d fault rules after refused changes", n)
	}
	w := uiDo(t, tm.m, "POST", "/__mock/ui/api/control/faults", loopbackClient, fault,
		with(map[string]string{"X-CSRF-Token": csrf, "Sec-Fetch-Site": "same-origin", "Origin": "http://127.0.0.1:8080"}))
	if w.Code != http.StatusCreated {
		t.Fatalf("same-origin change with the token: %d %s", w.Code, w.Body.String())
	}
	if n := len(tm.m.faults.List()); n != 1 {
		t.Fatalf("%d fault rules; want 1", n)
	}
	// Reads need no token; the control plane's answer comes through unchanged.
	w = uiDo(t, tm.m, "GET", "/__mock/ui/api/control/faults", loopbackClient, "", nil)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"getMyChatbots"`) {
		t.Errorf("list faults through the dashboard: %d %s", w.Code, w.Body.String())
	}
	// A reset through the dashboard needs the token too.
	if w := uiDo(t, tm.m, "POST", "/__mock/ui/api/control/reset", loopbackClient, "", nil); w.Code != http.StatusForbidden {
		t.Errorf("reset without the token: %d", w.Code)
	}
	if w := uiDo(t, tm.m, "POST", "/__mock/ui/api/control/reset", loopbackClient, "", map[string]string{"X-CSRF-Token": csrf}); w.Code != http.StatusOK {
		t.Errorf("reset with the token: %d %s", w.Code, w.Body.String())
	}
	if w := uiDo(t, tm.m, "POST", "/__mock/ui/api/requests", loopbackClient, "", map[string]string{"X-CSRF-Token": csrf}); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST to a read-only view: %d", w.Code)
	}
}

func TestUIAccessWithoutToken(t *testing.T) {
	tm := newControlMock(t, nil, nil)
	const remote = "192.0.2.7:4000"
	if w := uiDo(t, tm.m, "GET", "/__mock/ui", remote, "", nil); w.Code != http.StatusForbidden || strings.Contains(w.Body.String(), "csrf-token") {
		t.Errorf("page from a non-loopback client: %d", w.Code)
	}
	if w := uiDo(t, tm.m, "GET", "/__mock/ui/api/requests", remote, "", nil); w.Code != http.StatusForbidden {
		t.Errorf("data from a non-loopback client: %d", w.Code)
	}
	if w := uiDo(t, tm.m, "GET", "/__mock/ui/api/control/state", remote, "", nil); w.Code != http.StatusForbidden {
		t.Errorf("state through the dashboard from a non-loopback client: %d", w.Code)
	}
	if w := uiDo(t, tm.m, "POST", "/__mock/ui/login", remote, "token=x", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}); w.Code != http.StatusForbidden {
		t.Errorf("login without --admin-token: %d", w.Code)
	}
}

func TestUILoginWithToken(t *testing.T) {
	const token = "s3cret-admin-token"
	tm := newControlMock(t, func(c *Config) { c.AdminToken = token }, nil)
	const remote = "192.0.2.7:4000"
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}

	w := uiDo(t, tm.m, "GET", "/__mock/ui", remote, "", nil)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/__mock/ui/login" {
		t.Fatalf("page without a session: %d → %q; want 303 to the login", w.Code, w.Header().Get("Location"))
	}
	if w := uiDo(t, tm.m, "GET", "/__mock/ui/api/requests", remote, "", nil); w.Code != http.StatusUnauthorized {
		t.Errorf("data without a session: %d", w.Code)
	}
	if w := uiDo(t, tm.m, "GET", "/__mock/ui/login", remote, "", nil); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `name="token"`) {
		t.Errorf("login page: %d", w.Code)
	}
	if w := uiDo(t, tm.m, "POST", "/__mock/ui/login", remote, "token=wrong", form); w.Code != http.StatusUnauthorized || w.Header().Get("Set-Cookie") != "" {
		t.Errorf("wrong token: %d, cookie %q", w.Code, w.Header().Get("Set-Cookie"))
	}
	cross := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": "http://evil.example"}
	if w := uiDo(t, tm.m, "POST", "/__mock/ui/login", remote, "token="+token, cross); w.Code != http.StatusForbidden {
		t.Errorf("login posted from another site: %d", w.Code)
	}
	w = uiDo(t, tm.m, "POST", "/__mock/ui/login", remote, "token="+url.QueryEscape(token), form)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("login: %d %s", w.Code, w.Body.String())
	}
	res := http.Response{Header: w.Header()}
	cookies := res.Cookies()
	if len(cookies) != 1 || cookies[0].Name != ui.CookieName || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteStrictMode || cookies[0].Path != "/__mock/ui" {
		t.Fatalf("session cookie = %+v; want HttpOnly, SameSite=Strict, Path=/__mock/ui", cookies)
	}
	sess := map[string]string{"Cookie": ui.CookieName + "=" + cookies[0].Value}
	csrf := pageCSRF(t, uiDo(t, tm.m, "GET", "/__mock/ui", remote, "", sess))
	loopCSRF := pageCSRF(t, uiDo(t, tm.m, "GET", "/__mock/ui", loopbackClient, "", nil))
	if csrf == loopCSRF {
		t.Error("a session's CSRF token equals the loopback one")
	}
	// The session alone does not reach the control plane itself: it is the dashboard's.
	if w := uiDo(t, tm.m, "GET", "/__mock/faults", remote, "", sess); w.Code != http.StatusForbidden {
		t.Errorf("control plane with the dashboard cookie: %d", w.Code)
	}
	withCSRF := func(tok string) map[string]string {
		return map[string]string{"Cookie": sess["Cookie"], "X-CSRF-Token": tok, "Content-Type": "application/json"}
	}
	body := `{"action":{"latency":"1s"}}`
	if w := uiDo(t, tm.m, "POST", "/__mock/ui/api/control/faults", remote, body, withCSRF(loopCSRF)); w.Code != http.StatusForbidden {
		t.Errorf("change with another session's CSRF token: %d", w.Code)
	}
	if w := uiDo(t, tm.m, "POST", "/__mock/ui/api/control/faults", remote, body, withCSRF(csrf)); w.Code != http.StatusCreated {
		t.Errorf("change with the session and its token: %d %s", w.Code, w.Body.String())
	}
	// A script can use the admin token as a bearer token instead (no CSRF: not a browser credential).
	bearer := map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"}
	if w := uiDo(t, tm.m, "POST", "/__mock/ui/api/control/faults", remote, body, bearer); w.Code != http.StatusCreated {
		t.Errorf("change with the bearer token: %d %s", w.Code, w.Body.String())
	}
	if w := uiDo(t, tm.m, "GET", "/__mock/ui/api/requests", remote, "", map[string]string{"Authorization": "Bearer nope"}); w.Code != http.StatusUnauthorized {
		t.Errorf("wrong bearer token: %d", w.Code)
	}
	// Logging out ends the session.
	if w := uiDo(t, tm.m, "POST", "/__mock/ui/logout", remote, "", withCSRF(csrf)); w.Code != http.StatusNoContent {
		t.Errorf("logout: %d", w.Code)
	}
	if w := uiDo(t, tm.m, "GET", "/__mock/ui/api/requests", remote, "", sess); w.Code != http.StatusUnauthorized {
		t.Errorf("data after logout: %d", w.Code)
	}
}

func TestUIJournalView(t *testing.T) {
	tm := newControlMock(t, nil, nil)
	tm.do("GET", "/api/v1/chatbots/my-chatbots", keyScale, nil)
	tm.do("POST", "/api/v1/chatbots/account/"+accScale+"/create-chatbot", keyScale, map[string]any{"nome": 1})
	var doc struct {
		Requests []journal.Entry `json:"requests"`
		Total    int             `json:"total"`
	}
	get := func(q string) {
		t.Helper()
		w := uiDo(t, tm.m, "GET", "/__mock/ui/api/requests?"+q, loopbackClient, "", nil)
		if w.Code != http.StatusOK {
			t.Fatalf("requests?%s: %d %s", q, w.Code, w.Body.String())
		}
		doc.Requests = nil
		if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
	}
	get("errors=1")
	if doc.Total != 1 || doc.Requests[0].Error == nil || doc.Requests[0].Error.Code != "REQUEST_VALIDATION_FAILED" || len(doc.Requests[0].Error.Fields) == 0 {
		t.Fatalf("error view = %+v", doc)
	}
	if k := doc.Requests[0].APIKey; k == "" || strings.Contains(keyScale, k) || !strings.HasSuffix(k, keyScale[len(keyScale)-4:]) {
		t.Errorf("apiKey = %q; want the key redacted to its last four characters", k)
	}
	get("status=2xx&op=getmychat")
	if doc.Total != 1 || doc.Requests[0].Status != 200 {
		t.Errorf("2xx getMyChatbots: %+v", doc)
	}
	// 10,000 entries: a page is 100 rows wherever it starts, with the right total.
	for i := range journal.DefaultCapacity {
		op := "getMyChatbots"
		tm.m.journal.Add(journal.Entry{Time: time.Now(), Method: "GET", Path: fmt.Sprintf("/api/v1/x/%d", i), OperationID: &op, Status: 200 + i%2*204})
	}
	get("offset=9950&limit=100")
	if doc.Total != journal.DefaultCapacity || len(doc.Requests) != 50 {
		t.Errorf("last page: total %d, %d rows", doc.Total, len(doc.Requests))
	}
	get("status=404&limit=100")
	if doc.Total != journal.DefaultCapacity/2 || len(doc.Requests) != 100 {
		t.Errorf("404s: total %d, %d rows", doc.Total, len(doc.Requests))
	}
	get("limit=100000")
	if len(doc.Requests) > 500 {
		t.Errorf("a page of %d rows; the dashboard caps pages at 500", len(doc.Requests))
	}
}

func TestUIStateViewsAndDownload(t *testing.T) {
	tm := newControlMock(t, nil, nil)
	getJSON := func(path string, v any) {
		t.Helper()
		w := uiDo(t, tm.m, "GET", path, loopbackClient, "", nil)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", path, w.Code, w.Body.String())
		}
		if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
			t.Fatal(err)
		}
	}
	var accs struct {
		Accounts []struct {
			ID       string `json:"accountId"`
			Chatbots int    `json:"chatbots"`
		} `json:"accounts"`
		Total int `json:"total"`
	}
	getJSON("/__mock/ui/api/accounts?q="+accScale, &accs)
	if accs.Total != 1 || accs.Accounts[0].ID != accScale || accs.Accounts[0].Chatbots == 0 {
		t.Fatalf("accounts = %+v", accs)
	}
	var bots struct {
		Chatbots []struct {
			ID string `json:"chatbotId"`
		} `json:"chatbots"`
	}
	getJSON("/__mock/ui/api/chatbots?account="+accScale, &bots)
	if len(bots.Chatbots) == 0 {
		t.Fatal("no chatbots")
	}
	// A visitor conversation, then the dashboard reads it without marking it read.
	bot := bots.Chatbots[0].ID
	open := tm.do("POST", "/__mock/chatbots/"+bot+"/visitors", "", map[string]any{})
	thread := open.Body["thread"].(map[string]any)["id"].(string)
	tm.do("POST", "/__mock/chatbots/"+bot+"/threads/"+thread+"/visitor-messages", "", map[string]any{"content": "hello"})
	before, _ := tm.m.store.Thread(bot, thread)
	var msgs struct {
		Messages []map[string]any `json:"messages"`
		Total    int              `json:"total"`
	}
	getJSON("/__mock/ui/api/messages?chatbot="+bot+"&thread="+thread, &msgs)
	if msgs.Total < 2 || len(msgs.Messages) != msgs.Total {
		t.Errorf("messages = %d of %d", len(msgs.Messages), msgs.Total)
	}
	after, _ := tm.m.store.Thread(bot, thread)
	if after.UnreadMessagesCount != before.UnreadMessagesCount || before.UnreadMessagesCount == 0 {
		t.Errorf("unread %d → %d: the dashboard must not mark a thread read", before.UnreadMessagesCount, after.UnreadMessagesCount)
	}
	var thr struct {
		Total int `json:"total"`
	}
	getJSON("/__mock/ui/api/threads?chatbot="+bot, &thr)
	if thr.Total == 0 {
		t.Error("no threads")
	}
	if w := uiDo(t, tm.m, "GET", "/__mock/ui/api/messages?chatbot="+bot+"&thread=nope", loopbackClient, "", nil); w.Code != http.StatusNotFound {
		t.Errorf("unknown thread: %d", w.Code)
	}
	w := uiDo(t, tm.m, "GET", "/__mock/ui/api/control/state?download=1", loopbackClient, "", nil)
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Disposition"), "attachment;") || !json.Valid(w.Body.Bytes()) {
		t.Errorf("snapshot download: %d %q", w.Code, w.Header().Get("Content-Disposition"))
	}
}

// BenchmarkUIRequestsPage is one poll of the dashboard's journal view with a full journal
// (10,000 entries): filter, page of 100, encoding.
func BenchmarkUIRequestsPage(b *testing.B) {
	m, err := New(DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	op, acc := "getMyChatbots", accScale
	for i := range journal.DefaultCapacity {
		m.journal.Add(journal.Entry{Time: time.Now(), Method: "GET", Path: fmt.Sprintf("/api/v1/chatbots/%d", i), OperationID: &op,
			AccountID: &acc, Status: 200 + i%2*204, APIKey: "sk_…dmin", LatencyMs: 0.3})
	}
	for _, q := range []string{"", "status=4xx&path=/api/v1/chatbots/9"} {
		b.Run("q="+q, func(b *testing.B) {
			for b.Loop() {
				r := httptest.NewRequest("GET", "/__mock/ui/api/requests?limit=100&"+q, nil)
				r.RemoteAddr = loopbackClient
				r.Host = "127.0.0.1:8080"
				w := httptest.NewRecorder()
				m.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatal(w.Code)
				}
			}
		})
	}
}
