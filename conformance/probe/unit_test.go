package probe

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/internal/mocktest"

	"github.com/contextgpt/sandbox/conformance/report"
)

func TestDocumentedCodes(t *testing.T) {
	d := "Makes one persona active.\n\nErrors: 400 `MISSING_REQUIRED_FIELD` (neither `personaId` nor `title`; or `x`), `INVALID_FIELD_VALUE`; 401; 404 `CHATBOT_NOT_FOUND`, `RESOURCE_NOT_FOUND`."
	got := documentedCodes(d)
	if !reflect.DeepEqual(got[400], []string{"MISSING_REQUIRED_FIELD", "INVALID_FIELD_VALUE"}) {
		t.Errorf("a ';' inside parentheses does not start a status: got %q, want %q", got[400], []string{"MISSING_REQUIRED_FIELD", "INVALID_FIELD_VALUE"})
	}
	if _, ok := got[401]; !ok {
		t.Errorf("no entry for 401 (a status without codes): %v", got)
	}
	if len(got[401]) != 0 {
		t.Errorf("got[401] = %q, want empty", got[401])
	}
	if !reflect.DeepEqual(got[404], []string{"CHATBOT_NOT_FOUND", "RESOURCE_NOT_FOUND"}) {
		t.Errorf("got[404] = %q, want %q", got[404], []string{"CHATBOT_NOT_FOUND", "RESOURCE_NOT_FOUND"})
	}
	if got := documentedCodes("no errors paragraph"); got != nil {
		t.Errorf(`documentedCodes("no errors paragraph") = %v, want nil`, got)
	}

	if got := allowedCodes(d, 401); got != nil {
		t.Errorf("a status listed without a code allows any: got %q, want nil", got)
	}
	if got, want := slices.Sorted(slices.Values(allowedCodes(d, 400))), slices.Sorted(slices.Values([]string{"REQUEST_VALIDATION_FAILED", "MISSING_REQUIRED_FIELD", "INVALID_FIELD_VALUE"})); !slices.Equal(got, want) {
		t.Errorf("got %q, want %q in any order", got, want)
	}
	if got, want := slices.Sorted(slices.Values(allowedCodes(d, 403))), slices.Sorted(slices.Values(globalCodes[403])); !slices.Equal(got, want) {
		t.Errorf("a status not listed: the codes of the whole API: got %q, want %q in any order", got, want)
	}
}

func TestPaginationProblems(t *testing.T) {
	page := func(items, page, limit, total, pages int) []byte {
		list := make([]int, items)
		return []byte(fmt.Sprintf(`{"success":true,"data":{"threads":%s,"pagination":{"page":%d,"limit":%d,"total":%d,"totalPages":%d}}}`,
			mustJSON(list), page, limit, total, pages))
	}
	c := &testCase{limit: 100}
	if got := paginationProblems(page(7, 1, 100, 7, 1), c); len(got) != 0 {
		t.Errorf("paginationProblems(page(7, 1, 100, 7, 1), c) = %q, want empty", got)
	}
	if got := paginationProblems(page(0, 1, 100, 0, 0), c); len(got) != 0 {
		t.Errorf("paginationProblems(page(0, 1, 100, 0, 0), c) = %q, want empty", got)
	}
	if got := paginationProblems(page(0, 1, 100, 0, 1), c); len(got) != 0 {
		t.Errorf("one empty page is fine too: got %q, want empty", got)
	}
	if got := paginationProblems(page(7, 1, 100, 8, 1), c); len(got) == 0 {
		t.Errorf("total off by one: paginationProblems(page(7, 1, 100, 8, 1), c) is empty")
	}
	if got := paginationProblems(page(7, 1, 100, 7, 2), c); len(got) == 0 {
		t.Errorf("pages off: paginationProblems(page(7, 1, 100, 7, 2), c) is empty")
	}
	if got := paginationProblems(page(7, 1, 20, 7, 1), c); len(got) == 0 {
		t.Errorf("the limit asked for is not the one answered: paginationProblems(page(7, 1, 20, 7, 1), c) is empty")
	}
	if got := paginationProblems(page(2, 1, 1, 5, 5), &testCase{limit: 1}); len(got) == 0 {
		t.Errorf("more items than the limit: paginationProblems(page(2, 1, 1, 5, 5), &testCase{limit: 1}) is empty")
	}
	if got := paginationProblems(page(1, 3, 1, 5, 5), &testCase{limit: 1, page: 3}); len(got) != 0 {
		t.Errorf("got %q, want empty", got)
	}
	cursor := []byte(`{"success":true,"data":{"messages":[1],"pagination":{"limit":1,"hasMore":false,"nextCursor":"m2"}}}`)
	if got := paginationProblems(cursor, &testCase{limit: 1}); len(got) == 0 {
		t.Errorf("paginationProblems(cursor, &testCase{limit: 1}) is empty")
	}
}

func caseList(rep *report.Report) []string {
	var out []string
	for _, w := range rep.Workflows {
		if w.WorkflowID == "probe-setup" {
			continue
		}
		for _, st := range w.Steps {
			out = append(out, fmt.Sprintf("%s/%s %s %d %s", w.WorkflowID, st.StepID, st.Method, st.HTTPStatus, st.Status))
		}
	}
	return out
}

// TestProbeIsDeterministicAndBounded: the same seed against the same target gives the same
// cases with the same answers; --max-cases bounds them.
func TestProbeIsDeterministicAndBounded(t *testing.T) {
	run := func(seed int64, max int) []string {
		tt := mockTarget(t)
		p, err := New(Config{BaseURL: tt.url + "/api", Seed: seed, MaxCases: max, Sleep: tt.sleep,
			Operations: []string{"*Persona*", "listThreads"}})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		return caseList(p.Run(context.Background()))
	}
	a, b := run(5, 40), run(5, 40)
	if !reflect.DeepEqual(b, a) {
		t.Errorf("b = %q, want %q", b, a)
	}
	if got := len(a); got != 40 {
		t.Errorf("len(a) = %d, want %d: %q", got, 40, a)
	}
	if got := run(6, 40); reflect.DeepEqual(got, a) {
		t.Errorf("another seed samples other cases: run(6, 40) = %q, want anything else", got)
	}
}

// TestProbeHonoursRetryAfter: a 429 the case does not expect is waited out per Retry-After
// and the request sent again.
func TestProbeHonoursRetryAfter(t *testing.T) {
	tt := mockTarget(t)
	upstream, _ := url.Parse(tt.url)
	var mu sync.Mutex
	seen := map[string]bool{}
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Method + " " + r.URL.RequestURI() + " " + r.Header.Get("Authorization")
		mu.Lock()
		first := !seen[key] && strings.HasSuffix(r.URL.Path, "/settings/general") && r.Method == http.MethodGet
		seen[key] = true
		mu.Unlock()
		if first {
			w.Header().Set("Retry-After", "7")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"statusCode":429,"success":false,"message":"Too many requests","data":null,"error":{"code":"RATE_LIMIT_EXCEEDED","message":"Too many requests","details":{"retryAfter":7}},"retryAfter":7,"limit":500,"remaining":0,"windowSeconds":60}`)
			return
		}
		proxy(w, r, upstream)
	}))
	defer front.Close()
	var waits []time.Duration
	p, err := New(Config{BaseURL: front.URL + "/api", Seed: 1, RateLimit: "off", Operations: []string{"getGeneralSettingsApi"},
		Sleep: func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return tt.sleep(ctx, d) }})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	rep := p.Run(context.Background())
	if len(waits) == 0 {
		t.Fatalf("waits is empty")
	}
	if waits[0] != 7*time.Second {
		t.Errorf("waits[0] = %v, want %v", waits[0], 7*time.Second)
	}
	for _, w := range rep.Workflows {
		for _, st := range w.Steps {
			if w.WorkflowID == "getGeneralSettingsApi" && st.Status != report.Skipped && st.Method == http.MethodGet {
				if st.Attempts != 2 {
					t.Errorf("%v: got %v, want %v", st.StepID, st.Attempts, 2)
				}
				if st.HTTPStatus == http.StatusTooManyRequests {
					t.Errorf("%v: st.HTTPStatus = %v, want anything else", st.StepID, st.HTTPStatus)
				}
			}
		}
	}
}

func proxy(w http.ResponseWriter, r *http.Request, upstream *url.URL) {
	u := *upstream
	u.Path, u.RawQuery = r.URL.Path, r.URL.RawQuery
	req, err := http.NewRequestWithContext(r.Context(), r.Method, u.String(), r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	req.Header = r.Header.Clone()
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	for k, v := range res.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(res.StatusCode)
	_, _ = io.Copy(w, res.Body)
}

// TestProbeAgainstANonMockTarget runs the probe the way it runs against staging: the target
// does not answer /__mock/health, so no sandbox is made; a key and a chatbot are given, writes
// that must succeed run on a chatbot the probe creates and deletes, webhook writes are
// skipped, and cases needing what was not given are skipped with the reason.
func TestProbeAgainstANonMockTarget(t *testing.T) {
	tt := mockTarget(t)
	upstream, _ := url.Parse(tt.url)
	staging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/__mock") {
			http.NotFound(w, r)
			return
		}
		proxy(w, r, upstream)
	}))
	defer staging.Close()
	const key = "sk_test_scale_super_admin"
	bots := func() []string { return mocktest.ChatbotIDs(t, staging.URL, key) }
	before := bots()
	if len(before) == 0 {
		t.Fatalf("before is empty")
	}
	p, err := New(Config{BaseURL: staging.URL + "/api", APIKey: key, ChatbotID: before[0], Seed: 1, Sleep: tt.sleep,
		Operations: []string{"getChatbotSettings", "updateChatbotSettings", "putWebhookConfig", "getThreadMessages"}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	rep := p.Run(context.Background())
	if rep.Mock {
		t.Errorf("want rep.Mock to be false")
	}
	reasons := map[string]string{}
	for _, w := range rep.Workflows {
		for _, st := range w.Steps {
			for _, f := range st.Findings {
				if !knownDefect(f) {
					t.Errorf("finding: %s", report.FindingLine(f))
				}
			}
			if st.Status == report.Skipped {
				reasons[w.WorkflowID+"/"+st.StepID] = st.Reason
			}
		}
	}
	if !strings.Contains(reasons["putWebhookConfig/valid/example"], "webhooks") {
		t.Errorf(`reasons["putWebhookConfig/valid/example"] = %q, want it to contain %q`, reasons["putWebhookConfig/valid/example"], "webhooks")
	}
	if !strings.Contains(reasons["getChatbotSettings/auth/plan-without-api-access"], "--plan-key") {
		t.Errorf(`reasons["getChatbotSettings/auth/plan-without-api-access"] = %q, want it to contain %q`, reasons["getChatbotSettings/auth/plan-without-api-access"], "--plan-key")
	}
	if !strings.Contains(reasons["getChatbotSettings/cross-account"], "--other-key") {
		t.Errorf(`reasons["getChatbotSettings/cross-account"] = %q, want it to contain %q`, reasons["getChatbotSettings/cross-account"], "--other-key")
	}
	if !strings.Contains(reasons["getChatbotSettings/rate-limit/429"], "--rate-limit on") {
		t.Errorf(`reasons["getChatbotSettings/rate-limit/429"] = %q, want it to contain %q`, reasons["getChatbotSettings/rate-limit/429"], "--rate-limit on")
	}
	if _, ok := reasons["updateChatbotSettings/valid/example"]; ok {
		t.Errorf("a write on the probe's own chatbot: got has key %q, want none", "updateChatbotSettings/valid/example")
	}
	if got, want := slices.Sorted(slices.Values(bots())), slices.Sorted(slices.Values(before)); !slices.Equal(got, want) {
		t.Errorf("the probe's own chatbot is deleted again; nothing else is touched: got %q, want %q in any order", got, want)
	}
}

// TestProbeAgainstGarbage: a target that answers every request with an HTML 200 gets
// findings, not a panic or a hang.
func TestProbeAgainstGarbage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, "<html>welcome</html>")
	}))
	defer srv.Close()
	p, err := New(Config{BaseURL: srv.URL + "/api", APIKey: "sk_garbage_key_0001", ChatbotID: "1", ThreadID: "2", Seed: 1,
		Operations: []string{"getChatbotSettings", "updateChatbotSettings", "listThreads"}, RateLimit: "on",
		Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	rep := p.Run(context.Background())
	if rep.ExitCode != report.ExitFailed {
		t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitFailed)
	}
	checks := map[string]bool{}
	for _, w := range rep.Workflows {
		for _, st := range w.Steps {
			for _, f := range st.Findings {
				checks[f.Check] = true
			}
		}
	}
	if !checks[CheckStatus] {
		t.Errorf("want checks[CheckStatus] to be true")
	}
	if !checks["content-type"] {
		t.Errorf("%v", checks)
	}
}
