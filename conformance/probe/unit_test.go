package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextgpt/sandbox/conformance/report"
)

func TestDocumentedCodes(t *testing.T) {
	d := "Makes one persona active.\n\nErrors: 400 `MISSING_REQUIRED_FIELD` (neither `personaId` nor `title`; or `x`), `INVALID_FIELD_VALUE`; 401; 404 `CHATBOT_NOT_FOUND`, `RESOURCE_NOT_FOUND`."
	got := documentedCodes(d)
	assert.Equal(t, []string{"MISSING_REQUIRED_FIELD", "INVALID_FIELD_VALUE"}, got[400], "a ';' inside parentheses does not start a status")
	assert.Contains(t, got, 401)
	assert.Empty(t, got[401])
	assert.Equal(t, []string{"CHATBOT_NOT_FOUND", "RESOURCE_NOT_FOUND"}, got[404])
	assert.Nil(t, documentedCodes("no errors paragraph"))

	assert.Nil(t, allowedCodes(d, 401), "a status listed without a code allows any")
	assert.ElementsMatch(t, []string{"REQUEST_VALIDATION_FAILED", "MISSING_REQUIRED_FIELD", "INVALID_FIELD_VALUE"}, allowedCodes(d, 400))
	assert.ElementsMatch(t, globalCodes[403], allowedCodes(d, 403), "a status not listed: the codes of the whole API")
}

func TestPaginationProblems(t *testing.T) {
	page := func(items, page, limit, total, pages int) []byte {
		list := make([]int, items)
		return []byte(fmt.Sprintf(`{"success":true,"data":{"threads":%s,"pagination":{"page":%d,"limit":%d,"total":%d,"totalPages":%d}}}`,
			mustJSON(list), page, limit, total, pages))
	}
	c := &testCase{limit: 100}
	assert.Empty(t, paginationProblems(page(7, 1, 100, 7, 1), c))
	assert.Empty(t, paginationProblems(page(0, 1, 100, 0, 0), c))
	assert.Empty(t, paginationProblems(page(0, 1, 100, 0, 1), c), "one empty page is fine too")
	assert.NotEmpty(t, paginationProblems(page(7, 1, 100, 8, 1), c), "total off by one")
	assert.NotEmpty(t, paginationProblems(page(7, 1, 100, 7, 2), c), "pages off")
	assert.NotEmpty(t, paginationProblems(page(7, 1, 20, 7, 1), c), "the limit asked for is not the one answered")
	assert.NotEmpty(t, paginationProblems(page(2, 1, 1, 5, 5), &testCase{limit: 1}), "more items than the limit")
	assert.Empty(t, paginationProblems(page(1, 3, 1, 5, 5), &testCase{limit: 1, page: 3}))
	cursor := []byte(`{"success":true,"data":{"messages":[1],"pagination":{"limit":1,"hasMore":false,"nextCursor":"m2"}}}`)
	assert.NotEmpty(t, paginationProblems(cursor, &testCase{limit: 1}))
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
		require.NoError(t, err)
		return caseList(p.Run(context.Background()))
	}
	a, b := run(5, 40), run(5, 40)
	assert.Equal(t, a, b)
	assert.Len(t, a, 40)
	assert.NotEqual(t, a, run(6, 40), "another seed samples other cases")
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
	require.NoError(t, err)
	rep := p.Run(context.Background())
	require.NotEmpty(t, waits)
	assert.Equal(t, 7*time.Second, waits[0])
	for _, w := range rep.Workflows {
		for _, st := range w.Steps {
			if w.WorkflowID == "getGeneralSettingsApi" && st.Status != report.Skipped && st.Method == http.MethodGet {
				assert.Equal(t, 2, st.Attempts, st.StepID)
				assert.NotEqual(t, http.StatusTooManyRequests, st.HTTPStatus, st.StepID)
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
	bots := func() []string {
		req, _ := http.NewRequest(http.MethodGet, staging.URL+"/api/v1/chatbots/my-chatbots", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		var body struct {
			Data struct {
				Accounts []struct {
					Chatbots []struct {
						ChatbotID string `json:"chatbotId"`
					} `json:"chatbots"`
				} `json:"accounts"`
			} `json:"data"`
		}
		require.NoError(t, json.NewDecoder(res.Body).Decode(&body))
		var ids []string
		for _, a := range body.Data.Accounts {
			for _, c := range a.Chatbots {
				ids = append(ids, c.ChatbotID)
			}
		}
		return ids
	}
	before := bots()
	require.NotEmpty(t, before)
	p, err := New(Config{BaseURL: staging.URL + "/api", APIKey: key, ChatbotID: before[0], Seed: 1, Sleep: tt.sleep,
		Operations: []string{"getChatbotSettings", "updateChatbotSettings", "putWebhookConfig", "getThreadMessages"}})
	require.NoError(t, err)
	rep := p.Run(context.Background())
	assert.False(t, rep.Mock)
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
	assert.Contains(t, reasons["putWebhookConfig/valid/example"], "webhooks")
	assert.Contains(t, reasons["getChatbotSettings/auth/plan-without-api-access"], "--plan-key")
	assert.Contains(t, reasons["getChatbotSettings/cross-account"], "--other-key")
	assert.Contains(t, reasons["getChatbotSettings/rate-limit/429"], "--rate-limit on")
	assert.NotContains(t, reasons, "updateChatbotSettings/valid/example", "a write on the probe's own chatbot")
	assert.ElementsMatch(t, before, bots(), "the probe's own chatbot is deleted again; nothing else is touched")
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
	require.NoError(t, err)
	rep := p.Run(context.Background())
	assert.Equal(t, report.ExitFailed, rep.ExitCode)
	checks := map[string]bool{}
	for _, w := range rep.Workflows {
		for _, st := range w.Steps {
			for _, f := range st.Findings {
				checks[f.Check] = true
			}
		}
	}
	assert.True(t, checks[CheckStatus])
	assert.True(t, checks["content-type"], "%v", checks)
}
