package browsertest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/internal/mocktest"

	"github.com/chromedp/chromedp"

	"github.com/contextgpt/sandbox/conformance"
	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/mock"
	"github.com/contextgpt/sandbox/mock/clock"
)

// TestScreenshots writes the README's pictures of the dashboard and the HTML report into
// $SCREENSHOTS (make screenshots); without it the test is skipped. Long on purpose: it sets
// up the state each picture shows, then takes the pictures in the README's order.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("SCREENSHOTS")
	if dir == "" {
		t.Skip("set SCREENSHOTS to a folder to write the README's screenshots (make screenshots)")
	}
	ctx := tab(t)
	cfg := mock.DefaultConfig()
	cfg.Clock = clock.NewManual(time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)) // a failed delivery waits for its retry
	srv := mocktest.Start(t, cfg)
	base := srv.URL
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if bytes.Contains(body, []byte("CONVERSATION_ESCALATED")) { // this receiver is down for escalations
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(recv.Close)

	// Traffic: a webhook, a visitor conversation (deliveries, one failing), errors, a fault.
	mocktest.Call(t, "PUT", base+"/api/v1/webhooks/"+botScale, keyScale, map[string]any{"url": recv.URL + "/hooks/contextgpt",
		"secret": "screenshot-secret-0123", "events": []string{"NEW_MESSAGE", "CONVERSATION_ESCALATED", "NEW_LEAD"}})
	mocktest.Call(t, "GET", base+"/api/v1/chatbots/my-chatbots", keyScale, nil)
	_, body := mocktest.Call(t, "POST", base+"/__mock/chatbots/"+botScale+"/visitors", "", map[string]any{"visitorName": "Vera"})
	thread := jsonField(t, body, "thread", "id")
	for _, msg := range []string{"How long does standard delivery take?", "Can I talk to a human?"} {
		mocktest.Call(t, "POST", base+"/__mock/chatbots/"+botScale+"/threads/"+thread+"/visitor-messages", "", map[string]any{"content": msg})
	}
	mocktest.Call(t, "GET", base+"/api/v1/chatting/"+botScale+"/thread/"+thread+"/messages", keyScale, nil)
	mocktest.Call(t, "POST", base+"/api/v1/chatbots/account/"+accScale+"/create-chatbot", keyScale, map[string]any{"name": "<script>alert(1)</script> Support", "description": "escaping"})
	mocktest.Call(t, "POST", base+"/api/v1/chatbots/account/"+accScale+"/create-chatbot", keyScale, map[string]any{"nme": "typo"})
	mocktest.Call(t, "GET", base+"/api/v1/chatbots/my-chatbots", "sk_live_not_a_real_key_0000", nil)
	mocktest.Call(t, "POST", base+"/__mock/faults", "", map[string]any{"match": map[string]any{"operationId": "getMyChatbots"}, "action": map[string]any{"status": 503}, "times": 1})
	mocktest.Call(t, "GET", base+"/api/v1/chatbots/my-chatbots", keyScale, nil)
	mocktest.Call(t, "GET", base+"/api/v1/chatbots/chatbot/"+botScale+"/conversation-starters", keyScale, nil)

	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	click := func(expr string) {
		t.Helper()
		if err := waitFor(ctx, expr+" !== undefined", 10*time.Second); err != nil {
			t.Fatalf("%s: %v; the page shows:\n%s", expr, err, eval[string](t, ctx, "document.querySelector('main').innerText"))
		}
		eval[bool](t, ctx, expr+".click(), true")
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/__mock/ui#requests")); err != nil {
		t.Fatal(err)
	}
	click(`[...document.querySelectorAll("#req-table tbody tr")].find(r => r.textContent.includes("REQUEST_VALIDATION_FAILED"))`)
	time.Sleep(300 * time.Millisecond)
	shot("dashboard-requests.png")
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/__mock/ui#webhooks")); err != nil {
		t.Fatal(err)
	}
	click(`[...document.querySelectorAll("#dlv-table tbody tr")].find(r => r.textContent.includes("RETRYING"))`)
	time.Sleep(300 * time.Millisecond)
	shot("dashboard-webhooks.png")

	// The report of a run with a known fault, failed steps only.
	mocktest.Call(t, "POST", base+"/__mock/reset", "", nil)
	mocktest.Call(t, "POST", base+"/__mock/faults", "", map[string]any{"match": map[string]any{"operationId": "reorderConversationStarters"}, "action": map[string]any{"status": 503}, "times": 1})
	docs := mocktest.Suite(t)
	rc := conformance.DefaultConfig()
	rc.BaseURL, rc.APIKey, rc.Redactor = base+"/api", keyScale, &report.Redactor{}
	rc.Workflows = []string{"unauthenticated", "conversationStarters", "followUpPrompts", "trialPlanRefused"}
	runner, err := conformance.New(rc, docs)
	if err != nil {
		t.Fatal(err)
	}
	rep := runner.Run(context.Background())
	path := filepath.Join(t.TempDir(), "report.html")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := report.WriteHTML(f, rep, rc.Redactor); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+path+"#failed"), chromedp.WaitVisible(chromedp.CSS(".verdict"))); err != nil {
		t.Fatal(err)
	}
	shot("report.png")
	eval[bool](t, ctx, `document.getElementById("h-coverage").scrollIntoView(), true`)
	shot("report-coverage.png")
}
