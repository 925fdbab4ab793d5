package mock

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/mock/store"
)

// waitDelivery polls a chatbot's delivery log until its newest delivery is no longer
// pending or retrying.
func (tm *testMock) waitDelivery(t *testing.T, bot string) store.Delivery {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ds := tm.m.Store().Deliveries(bot, "", "")
		if len(ds) > 0 && ds[0].Status != store.DeliveryPending && ds[0].Status != store.DeliveryRetrying {
			return ds[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery never finished: %+v", ds)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Attack 1 (issue 10): with a fixture key, a webhook whose URL is the mock's own
// /__mock/reset, fired by its test event, reset every tenant. Every spelling of the mock's
// address and of the path is refused when the webhook is configured.
func TestAttackWebhookToControlPlaneRefusedAtConfig(t *testing.T) {
	tm := newTestMock(t)
	port := tm.srv.URL[strings.LastIndex(tm.srv.URL, ":")+1:]
	for _, u := range []string{
		tm.srv.URL + "/__mock/reset",
		"http://localhost:" + port + "/__mock/reset",
		"http://localhost.:" + port + "/__mock/reset",
		"http://[::1]:" + port + "/__mock/reset",
		"http://0.0.0.0:" + port + "/__mock/reset",
		"http://2130706433:" + port + "/__mock/reset",
		"http://0x7f000001:" + port + "/__mock/reset",
		"http://127.1:" + port + "/__mock/state",
		"https://mock.example.com/__mock/reset",
		tm.srv.URL + "/__MOCK/reset",
		tm.srv.URL + "/%5F%5Fmock/reset",
		tm.srv.URL + "/%255F%255Fmock/reset",
		tm.srv.URL + "//__mock/reset",
		tm.srv.URL + "/api/../__mock/reset",
		tm.srv.URL + "/__mock/webhook-sink/../reset",
		tm.srv.URL + "/__mock/webhook-sink/%2e%2e/reset",
		tm.srv.URL + "/__mock/webhook-sink/x%2f..%2f..%2freset",
		tm.srv.URL + "/__mock/chatbots/" + botShipping + "/visitors",
		tm.srv.URL + "/__mock",
		tm.srv.URL + "/__mock/webhook-sink/",
	} {
		r := tm.do("PUT", webhookPath(botShipping), keyScale, map[string]any{"url": u, "secret": sinkSecret}).must(t, http.StatusBadRequest)
		if r.code() != "INVALID_FIELD_VALUE" || r.str("errors.0.path.0") != "url" || !strings.Contains(string(r.Raw), "control plane") {
			t.Fatalf("%s: %s", u, r.Raw)
		}
	}
	// The sink, and other receivers on loopback, stay allowed.
	tm.do("PUT", webhookPath(botShipping), keyScale, map[string]any{"url": tm.srv.URL + "/__mock/webhook-sink/ok", "secret": sinkSecret}).must(t, http.StatusCreated)
	tm.do("PUT", webhookPath(botShipping), keyScale, map[string]any{"url": "http://127.0.0.1:9/hooks/__mock/reset"}).must(t, http.StatusOK)
	tm.do("PUT", webhookPath(botShipping), keyScale, map[string]any{"url": "http://localhost:9/hooks"}).must(t, http.StatusOK)
}

// Attack 1, at send time: a configuration that got past the check (an imported state, a
// state file) is refused again when the delivery is sent, and the mock is not reset.
func TestAttackWebhookToControlPlaneRefusedAtSend(t *testing.T) {
	tm := newTestMock(t)
	sb := tm.do("POST", "/__mock/sandboxes", "", map[string]any{"plan": "scale"}).must(t, http.StatusCreated)
	acc := sb.str("accountId")
	secret := sinkSecret
	for _, u := range []string{tm.srv.URL + "/__mock/reset", strings.Replace(tm.srv.URL, "127.0.0.1", "localhost", 1) + "/%5f%5fmock/reset"} {
		if _, _, err := tm.m.Store().PutWebhook(botShipping, store.WebhookInput{URL: u, Secret: &secret}); err != nil {
			t.Fatal(err)
		}
		tm.do("POST", webhookPath(botShipping)+"/test", keyScale, map[string]any{"eventType": "NEW_LEAD"}).must(t, http.StatusAccepted)
		d := tm.waitDelivery(t, botShipping)
		if d.Status != store.DeliveryFailed || d.Attempts != 1 || !strings.Contains(deref(d.Error), "control plane") {
			t.Fatalf("%s: delivery %+v (%s)", u, d, deref(d.Error))
		}
		if _, ok := tm.m.Store().Account(acc); !ok {
			t.Fatalf("%s: the mock was reset by a webhook", u)
		}
	}
}

// Attack 1, by redirect: a receiver on loopback answers 307 to the mock's /__mock/reset.
// The delivery client does not follow redirects, and the control plane refuses a request
// signed by the dispatcher anywhere but the sink.
func TestAttackWebhookRedirectToControlPlane(t *testing.T) {
	tm := newTestMock(t)
	sb := tm.do("POST", "/__mock/sandboxes", "", map[string]any{"plan": "scale"}).must(t, http.StatusCreated)
	var hits atomic.Int32
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, tm.srv.URL+"/__mock/reset", http.StatusTemporaryRedirect)
	}))
	defer rcv.Close()
	tm.do("PUT", webhookPath(botShipping), keyScale, map[string]any{"url": rcv.URL + "/hook", "secret": sinkSecret}).must(t, http.StatusCreated)
	tm.do("POST", webhookPath(botShipping)+"/test", keyScale, map[string]any{"eventType": "NEW_LEAD"}).must(t, http.StatusAccepted)
	deadline := time.Now().Add(10 * time.Second)
	for {
		ds := tm.m.Store().Deliveries(botShipping, "", "")
		if len(ds) > 0 && ds[0].Attempts >= 1 {
			if ds[0].ResponseStatusCode == nil || *ds[0].ResponseStatusCode != http.StatusTemporaryRedirect {
				t.Fatalf("delivery %+v", ds[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no attempt")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, ok := tm.m.Store().Account(sb.str("accountId")); !ok || hits.Load() != 1 {
		t.Fatalf("the redirect was followed (receiver hit %d times)", hits.Load())
	}
	// Second line: a request signed like a delivery is refused off the sink.
	req, _ := http.NewRequest("POST", tm.srv.URL+"/__mock/reset", nil)
	req.Header.Set("User-Agent", "ContextGPT-Webhooks/1.0")
	req.Header.Set("X-SIGNATURE", "sha256=00")
	if r := tm.send(req); r.Status != http.StatusForbidden || r.code() != "ADMIN_FORBIDDEN" {
		t.Fatalf("signed delivery to the control plane: %d %s", r.Status, r.Raw)
	}
}

// Attack 1, from a browser: a page on another site POSTs form-encoded JSON to
// 127.0.0.1:8080/__mock/reset, or reaches it by a DNS name rebound to 127.0.0.1.
func TestAttackBrowserCrossSiteControlPlane(t *testing.T) {
	tm := newTestMock(t)
	host := strings.TrimPrefix(tm.srv.URL, "http://")
	send := func(hdr map[string]string, hostHeader string) resp {
		req, _ := http.NewRequest("POST", tm.srv.URL+"/__mock/reset", strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		if hostHeader != "" {
			req.Host = hostHeader
		}
		return tm.send(req)
	}
	for _, tc := range []struct {
		hdr  map[string]string
		host string
		code string
	}{
		{hdr: map[string]string{"Origin": "https://evil.example"}, code: "ADMIN_CROSS_SITE"},
		{hdr: map[string]string{"Origin": "null"}, code: "ADMIN_CROSS_SITE"},
		{hdr: map[string]string{"Origin": "http://localhost:1"}, code: "ADMIN_CROSS_SITE"},
		{hdr: map[string]string{"Sec-Fetch-Site": "cross-site"}, code: "ADMIN_CROSS_SITE"},
		{hdr: map[string]string{"Sec-Fetch-Site": "same-site"}, code: "ADMIN_CROSS_SITE"},
		{host: "rebind.evil.example:" + host[strings.LastIndex(host, ":")+1:], code: "ADMIN_HOST_NOT_ALLOWED"},
		{host: "mock.internal", code: "ADMIN_HOST_NOT_ALLOWED"},
	} {
		r := send(tc.hdr, tc.host)
		if r.Status != http.StatusForbidden || r.code() != tc.code {
			t.Fatalf("%v %q: %d %s", tc.hdr, tc.host, r.Status, r.Raw)
		}
	}
	// The mock's own pages (same origin), curl (no Origin) and loopback names still work.
	send(map[string]string{"Origin": "http://" + host, "Sec-Fetch-Site": "same-origin"}, "").must(t, http.StatusOK)
	send(nil, "localhost:"+host[strings.LastIndex(host, ":")+1:]).must(t, http.StatusOK)
	send(nil, "[::1]:8080").must(t, http.StatusOK)
	send(map[string]string{"Sec-Fetch-Site": "none"}, "").must(t, http.StatusOK)
}

// With the admin token, a remote client may use a DNS name for the mock.
func TestAdminTokenAllowsAnyHost(t *testing.T) {
	tm := newTestMock(t, func(c *Config) { c.AdminToken = "tok" })
	req, _ := http.NewRequest("GET", tm.srv.URL+"/__mock/health", nil)
	req.Host = "mock.ci.internal:8080"
	req.Header.Set("Authorization", "Bearer tok")
	tm.send(req).must(t, http.StatusOK)
}
