package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/internal/mocktest"

	"github.com/chromedp/chromedp"

	"github.com/contextgpt/sandbox/conformance"
	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/mock"
)

const (
	keyScale = "sk_test_scale_super_admin"
	accScale = "361628903185300004"
	botScale = "361628903185310001"
)

// browser is the one headless Chromium of the package; nil when none was found.
var (
	browser     context.Context
	browserSkip string
)

// findChromium looks for a Chromium or Chrome binary: $CHROME first, then the usual names.
func findChromium() string {
	if p := os.Getenv("CHROME"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	path := findChromium()
	if path == "" {
		browserSkip = "no Chromium found: install it (Debian: apt-get install chromium) or set $CHROME to its path; browser tests skipped"
		return m.Run()
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.WindowSize(1280, 900))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to run as root with its sandbox
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil { // starts the browser (no deadline: it would stop the browser)
		browserSkip = fmt.Sprintf("Chromium at %s does not start: %v; browser tests skipped", path, err)
		return m.Run()
	}
	browser = ctx
	return m.Run()
}

// tab opens a new tab of the package's browser with a deadline, or skips the test.
func tab(t *testing.T) context.Context {
	t.Helper()
	if browser == nil {
		t.Skip(browserSkip)
	}
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancelT)
	return ctx
}

// eval evaluates a JavaScript expression in the tab.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript predicate every 50 ms until it holds or timeout passes.
func waitFor(ctx context.Context, expr string, timeout time.Duration) error {
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(timeout)))
	return err
}

// text is the visible text of the first element a CSS selector matches.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return v
}

// startMock serves a mock with the default fixtures on a loopback port.
func startMock(t *testing.T) string {
	t.Helper()
	return mocktest.Start(t, mock.DefaultConfig()).URL
}

// The report of a run with a known fault opens, and "Failed only" leaves the failed step
// and its finding.
func TestReportShowsFailedStep(t *testing.T) {
	if browser == nil {
		t.Skip(browserSkip)
	}
	base := startMock(t)
	if code, body := mocktest.Call(t, "POST", base+"/__mock/faults", "", map[string]any{
		"match": map[string]any{"operationId": "reorderConversationStarters"}, "action": map[string]any{"status": 503}, "times": 1,
	}); code != http.StatusCreated {
		t.Fatalf("fault rule: %d %s", code, body)
	}
	docs := mocktest.Suite(t)
	cfg := conformance.DefaultConfig()
	cfg.BaseURL, cfg.APIKey, cfg.Workflows = base+"/api", keyScale, []string{"conversationStarters", "unauthenticated"}
	cfg.Redactor = &report.Redactor{}
	runner, err := conformance.New(cfg, docs)
	if err != nil {
		t.Fatal(err)
	}
	rep := runner.Run(context.Background())
	if rep.ExitCode != report.ExitFailed {
		t.Fatalf("exit code %d; want %d (the fault fails the reorder step)", rep.ExitCode, report.ExitFailed)
	}
	path := filepath.Join(t.TempDir(), "report.html")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := report.WriteHTML(f, rep, cfg.Redactor); err != nil {
		t.Fatal(err)
	}
	f.Close()

	ctx := tab(t) // after the run: the tab's deadline is for the browser alone
	visible := `[...document.querySelectorAll(%q)].filter(e => e.offsetParent !== null).map(e => e.textContent.trim())`
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+path), chromedp.WaitVisible(chromedp.CSS(".verdict")),
		chromedp.Click(chromedp.CSS("#failed-only"))); err != nil {
		t.Fatal(err)
	}
	verdict, shown := text(t, ctx, ".verdict"), text(t, ctx, "#shown")
	steps := eval[[]string](t, ctx, fmt.Sprintf(visible, "tr.step > th"))
	checks := eval[[]string](t, ctx, fmt.Sprintf(visible, ".finding h4 code:first-child"))
	pageText := text(t, ctx, "tr.findings")
	if verdict != "FAILED" {
		t.Errorf("verdict %q", verdict)
	}
	if len(steps) != 1 || steps[0] != "reorder" {
		t.Errorf("visible steps with Failed only: %q; want [reorder]", steps)
	}
	if !strings.Contains(strings.Join(checks, " "), "status-declared") {
		t.Errorf("visible findings' checks: %q; want status-declared", checks)
	}
	if !strings.Contains(pageText, "503") {
		t.Errorf("the finding does not show the actual status: %q", pageText)
	}
	if !strings.Contains(pageText, "PATCH "+base+"/api/v1/chatbots/chatbot/") || strings.Contains(pageText, keyScale) {
		t.Errorf("the failed step's request is not shown, or shows the key: %q", pageText)
	}
	// The response body is folded; opening it shows the error envelope.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("tr.findings .exchange details.response-body summary"))); err != nil {
		t.Fatal(err)
	}
	if body := text(t, ctx, "tr.findings .exchange details.response-body pre"); !strings.Contains(body, `"success": false`) {
		t.Errorf("response body %q", body)
	}
	if shown != "showing 1 of 2 workflows" {
		t.Errorf("filter status %q", shown)
	}
}

// The dashboard shows a request made through the API within a second, without a reload.
func TestDashboardShowsNewRequest(t *testing.T) {
	ctx := tab(t)
	base := startMock(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/__mock/ui")); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(ctx, `document.querySelector("#req-range").textContent !== ""`, 10*time.Second); err != nil {
		t.Fatalf("the dashboard did not load its journal: %v", err)
	}
	marker := fmt.Sprintf("browser-%d", time.Now().UnixNano())
	code, _ := mocktest.Call(t, "GET", base+"/api/v1/chatbots/chatbot/"+marker+"/conversation-starters", keyScale, nil)
	start := time.Now()
	if err := waitFor(ctx, fmt.Sprintf(`document.querySelector("#req-table tbody").textContent.includes(%q)`, marker), time.Second); err != nil {
		t.Fatalf("the request (status %d) is not on the dashboard within a second: %v", code, err)
	}
	t.Logf("shown %s after the response", time.Since(start).Round(time.Millisecond))
	row := text(t, ctx, "#req-table tbody tr:first-child")
	if !strings.Contains(row, "getConversationStarters") || strings.Contains(row, keyScale) || !strings.Contains(row, "sk_…") {
		t.Errorf("row %q: want the operation and the key redacted", row)
	}
}

// The dashboard shows a webhook delivery with its signature, as the receiver got it.
func TestDashboardShowsWebhookDelivery(t *testing.T) {
	ctx := tab(t)
	base := startMock(t)
	var mu sync.Mutex
	var sigs []string
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		sigs = append(sigs, r.Header.Get("X-Signature"))
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(recv.Close)
	if code, body := mocktest.Call(t, "PUT", base+"/api/v1/webhooks/"+botScale, keyScale, map[string]any{
		"url": recv.URL + "/hook", "secret": "browser-test-secret-0123", "events": []string{"NEW_MESSAGE"},
	}); code >= 300 {
		t.Fatalf("webhook configuration: %d %s", code, body)
	}
	code, body := mocktest.Call(t, "POST", base+"/__mock/chatbots/"+botScale+"/visitors", "", map[string]any{})
	var open struct {
		Thread struct {
			ID string `json:"id"`
		} `json:"thread"`
	}
	if code != http.StatusCreated && code != http.StatusOK || json.Unmarshal(body, &open) != nil {
		t.Fatalf("visitor: %d %s", code, body)
	}
	if code, body := mocktest.Call(t, "POST", base+"/__mock/chatbots/"+botScale+"/threads/"+open.Thread.ID+"/visitor-messages", "",
		map[string]any{"content": "hello"}); code >= 300 {
		t.Fatalf("visitor message: %d %s", code, body)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/__mock/ui#webhooks")); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(ctx, `[...document.querySelectorAll("#dlv-table tbody tr")].some(r => r.textContent.includes("NEW_MESSAGE") && r.textContent.includes("SUCCESS"))`, 10*time.Second); err != nil {
		t.Fatalf("no successful NEW_MESSAGE delivery on the dashboard: %v", err)
	}
	row := text(t, ctx, "#dlv-table tbody tr:first-child")
	sig := eval[string](t, ctx, `document.querySelector("#dlv-table tbody tr:first-child td.sig").title`)
	mu.Lock()
	got := append([]string{}, sigs...)
	mu.Unlock()
	if !strings.HasPrefix(sig, "sha256=") || !contains(got, sig) {
		t.Errorf("dashboard signature %q; the receiver got %q", sig, got)
	}
	if !strings.Contains(row, "1 / ") {
		t.Errorf("row %q: want the attempts", row)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// A chatbot named with markup is shown as text on the dashboard; its script never runs.
func TestDashboardShowsMarkupAsText(t *testing.T) {
	ctx := tab(t)
	base := startMock(t)
	name := `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">`
	if code, body := mocktest.Call(t, "POST", base+"/api/v1/chatbots/account/"+accScale+"/create-chatbot", keyScale,
		map[string]any{"name": name, "description": "markup"}); code != http.StatusCreated {
		t.Fatalf("create chatbot: %d %s", code, body)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/__mock/ui#state")); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(ctx, fmt.Sprintf(`[...document.querySelectorAll("#acc-list button")].some(b => b.textContent.includes(%q))`, accScale), 10*time.Second); err != nil {
		t.Fatalf("accounts not listed: %v", err)
	}
	eval[bool](t, ctx, fmt.Sprintf(`[...document.querySelectorAll("#acc-list button")].find(b => b.textContent.includes(%q)).click(), true`, accScale))
	if err := waitFor(ctx, fmt.Sprintf(`[...document.querySelectorAll("#bot-list .name")].some(e => e.textContent === %q)`, name), 10*time.Second); err != nil {
		t.Fatalf("the chatbot's name is not shown as text: %v", err)
	}
	time.Sleep(200 * time.Millisecond) // an onerror handler would have run by now
	pwned := eval[bool](t, ctx, `window.__pwned !== undefined`)
	injected := eval[int](t, ctx, `document.querySelectorAll("#bot-list script, #bot-list img").length`)
	if pwned || injected != 0 {
		t.Errorf("the chatbot name ran as markup (pwned %v, %d elements)", pwned, injected)
	}
}

// jsonField reads a string at a path of object keys in a JSON document.
func jsonField(t *testing.T, body []byte, path ...string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("no %v in %s", path, body)
		}
		v = m[k]
	}
	s, ok := v.(string)
	if !ok {
		t.Fatalf("no string at %v in %s", path, body)
	}
	return s
}
