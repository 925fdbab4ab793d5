package mock

import (
	"net/http"
	"strings"
	"testing"

	"github.com/contextgpt/sandbox/mock/store"
)

func webhookPath(bot string) string { return "/api/v1/webhooks/" + bot }

func TestWebhookConfigLifecycle(t *testing.T) {
	tm := newTestMock(t)
	p := webhookPath(botShipping)
	if r := tm.do("GET", p, keyScale, nil).must(t, http.StatusNotFound); r.code() != "WEBHOOK_NOT_FOUND" {
		t.Fatalf("code %q", r.code())
	}
	r := tm.do("PUT", p, keyScale, map[string]any{"url": "https://hooks.example.com/cgpt", "secret": "whsec_0123456789abcdef"}).must(t, http.StatusCreated)
	if r.str("data.secret") != "whsec_0123456789abcdef" || r.str("data.secretHint") != "…cdef" || r.at("data.isEnabled") != true {
		t.Fatalf("created %s", r.Raw)
	}
	if ev, _ := r.at("data.events").([]any); len(ev) != 3 {
		t.Fatalf("default events %s", r.Raw)
	}
	// Later saves answer 200, keep the secret and never show it.
	r = tm.do("PUT", p, keyScale, map[string]any{"url": "https://hooks.example.com/v2", "events": []string{"NEW_LEAD"}}).must(t, http.StatusOK)
	if r.at("data.secret") != nil || r.str("data.secretHint") != "…cdef" || r.str("data.url") != "https://hooks.example.com/v2" || r.str("data.events.0") != "NEW_LEAD" {
		t.Fatalf("updated %s", r.Raw)
	}
	if cfg, _ := tm.m.Store().Webhook(botShipping); cfg.Secret != "whsec_0123456789abcdef" {
		t.Fatalf("secret changed: %q", cfg.Secret)
	}
	g := tm.do("GET", p, keyAgent, nil).must(t, http.StatusOK)
	if g.at("data.secret") != nil || g.str("data.url") != "https://hooks.example.com/v2" {
		t.Fatalf("get %s", g.Raw)
	}
	r = tm.do("PATCH", p+"/toggle", keyEditor, map[string]any{"isEnabled": false}).must(t, http.StatusOK)
	if r.at("data.isEnabled") != false {
		t.Fatalf("toggle %s", r.Raw)
	}
	if _, ok := tm.m.Store().WebhookFor(botShipping, "NEW_LEAD"); ok {
		t.Fatal("a disabled webhook still receives events")
	}
	tm.do("DELETE", p, keyScale, nil).must(t, http.StatusOK)
	tm.do("GET", p, keyScale, nil).must(t, http.StatusNotFound)
	tm.do("DELETE", p, keyScale, nil).must(t, http.StatusNotFound)
	// Growth has the add-on.
	tm.do("PUT", webhookPath(botOutfitters), keyGrowth, map[string]any{"url": "https://hooks.example.com/g", "secret": "whsec_0123456789abcdef"}).must(t, http.StatusCreated)
}

func TestWebhookErrors(t *testing.T) {
	tm := newTestMock(t)
	p := webhookPath(botShipping)
	good := map[string]any{"url": "https://hooks.example.com/cgpt", "secret": "whsec_0123456789abcdef"}
	for _, tc := range []struct {
		name, method, path, key string
		body                    any
		status                  int
		code                    string
	}{
		{"starter plan get", "GET", webhookPath(botBakery), keyStarter, nil, 403, "WEBHOOKS_NOT_IN_PLAN"},
		{"starter plan put", "PUT", webhookPath(botBakery), keyStarter, good, 403, "WEBHOOKS_NOT_IN_PLAN"},
		{"starter plan deliveries", "GET", webhookPath(botBakery) + "/deliveries", keyStarter, nil, 403, "WEBHOOKS_NOT_IN_PLAN"},
		{"starter plan test", "POST", webhookPath(botBakery) + "/test", keyStarter, map[string]any{"eventType": "NEW_LEAD"}, 403, "WEBHOOKS_NOT_IN_PLAN"},
		{"trial has no API", "GET", webhookPath(botBakery), keyTrial, nil, 403, "API_ACCESS_NOT_IN_PLAN"},
		{"no secret on first save", "PUT", p, keyScale, map[string]any{"url": "https://hooks.example.com/x"}, 400, "MISSING_REQUIRED_FIELD"},
		{"no url", "PUT", p, keyScale, map[string]any{"secret": "whsec_0123456789abcdef"}, 400, "MISSING_REQUIRED_FIELD"},
		{"short secret", "PUT", p, keyScale, map[string]any{"url": "https://hooks.example.com/x", "secret": "short"}, 400, "REQUEST_VALIDATION_FAILED"},
		{"http url", "PUT", p, keyScale, map[string]any{"url": "http://hooks.example.com/x", "secret": "whsec_0123456789abcdef"}, 400, "INVALID_FIELD_VALUE"},
		{"http private address", "PUT", p, keyScale, map[string]any{"url": "http://10.0.0.1/x", "secret": "whsec_0123456789abcdef"}, 400, "INVALID_FIELD_VALUE"},
		{"ftp url", "PUT", p, keyScale, map[string]any{"url": "ftp://hooks.example.com/x", "secret": "whsec_0123456789abcdef"}, 400, "INVALID_FIELD_VALUE"},
		{"unknown event", "PUT", p, keyScale, map[string]any{"url": "https://hooks.example.com/x", "secret": "whsec_0123456789abcdef", "events": []string{"NOPE"}}, 400, "REQUEST_VALIDATION_FAILED"},
		{"agent cannot save", "PUT", p, keyAgent, good, 403, "INSUFFICIENT_PERMISSIONS"},
		{"agent cannot test", "POST", p + "/test", keyAgent, map[string]any{"eventType": "NEW_LEAD"}, 403, "INSUFFICIENT_PERMISSIONS"},
		{"unknown chatbot", "GET", webhookPath("361628903185319999"), keyScale, nil, 404, "CHATBOT_NOT_FOUND"},
		{"other account's chatbot", "GET", webhookPath(botOutfitters), keyScale, nil, 404, "CHATBOT_NOT_FOUND"},
		{"toggle unconfigured", "PATCH", p + "/toggle", keyScale, map[string]any{"isEnabled": true}, 404, "WEBHOOK_NOT_FOUND"},
		{"toggle without flag", "PATCH", p + "/toggle", keyScale, map[string]any{}, 400, "MISSING_REQUIRED_FIELD"},
		{"test unconfigured", "POST", p + "/test", keyScale, map[string]any{"eventType": "NEW_LEAD"}, 404, "WEBHOOK_NOT_FOUND"},
		{"deliveries unconfigured", "GET", p + "/deliveries", keyScale, nil, 404, "WEBHOOK_NOT_FOUND"},
		{"retry unconfigured", "POST", p + "/deliveries/x/retry", keyScale, nil, 404, "WEBHOOK_NOT_FOUND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tm.do(tc.method, tc.path, tc.key, tc.body).must(t, tc.status)
			if r.code() != tc.code {
				t.Fatalf("code %q; want %q: %s", r.code(), tc.code, r.Raw)
			}
		})
	}
	// Loopback receivers may use http.
	for _, u := range []string{"http://127.0.0.1:9/x", "http://localhost:9/x", "http://[::1]:9/x", "http://127.8.9.10/x"} {
		tm.do("PUT", p, keyScale, map[string]any{"url": u, "secret": "whsec_0123456789abcdef"}).must(t, http.StatusCreated)
		tm.do("DELETE", p, keyScale, nil).must(t, http.StatusOK)
	}
	tm.do("PUT", p, keyScale, good).must(t, http.StatusCreated)
	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"test without type", "POST", p + "/test", map[string]any{}, 400, "MISSING_REQUIRED_FIELD"},
		{"test unknown type", "POST", p + "/test", map[string]any{"eventType": "NOPE"}, 400, "REQUEST_VALIDATION_FAILED"},
		{"retry unknown delivery", "POST", p + "/deliveries/nope/retry", nil, 404, "DELIVERY_NOT_FOUND"},
		{"deliveries bad status", "GET", p + "/deliveries?status=DONE", nil, 400, "REQUEST_VALIDATION_FAILED"},
		{"deliveries limit 0", "GET", p + "/deliveries?limit=0", nil, 400, "REQUEST_VALIDATION_FAILED"},
		{"deliveries limit 101", "GET", p + "/deliveries?limit=101", nil, 400, "REQUEST_VALIDATION_FAILED"},
		{"deliveries page 0", "GET", p + "/deliveries?page=0", nil, 400, "REQUEST_VALIDATION_FAILED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tm.do(tc.method, tc.path, keyScale, tc.body).must(t, tc.status)
			if r.code() != tc.code {
				t.Fatalf("code %q; want %q: %s", r.code(), tc.code, r.Raw)
			}
		})
	}
}

func TestWebhookDeliveriesTestAndRetry(t *testing.T) {
	tm := newTestMock(t)
	tm.do("PUT", "/__mock/webhook-sink/log", "", map[string]any{"secret": sinkSecret, "failTimes": 1, "status": 503}).must(t, http.StatusOK)
	p := webhookPath(botShipping)
	tm.do("PUT", p, keyScale, map[string]any{"url": tm.srv.URL + "/__mock/webhook-sink/log", "secret": sinkSecret}).must(t, http.StatusCreated)
	var ids []string
	for _, ev := range []string{"NEW_LEAD", "NEW_MESSAGE", "CONVERSATION_ESCALATED", "NEW_LEAD"} {
		r := tm.do("POST", p+"/test", keyScale, map[string]any{"eventType": ev}).must(t, http.StatusAccepted)
		if r.str("data.status") != "PENDING" || r.at("data.attempts") != float64(0) || r.str("data.eventType") != ev {
			t.Fatalf("test %s", r.Raw)
		}
		ids = append(ids, r.str("data.id"))
		tm.clock.Advance(1) // distinct creation times
	}
	ds := tm.sinkDeliveries(t, "log", 4)
	first, _ := ds[0].(map[string]any)
	if first["responseStatus"] != float64(503) {
		t.Fatalf("sink did not fail the first delivery: %v", first)
	}
	// Newest first; filters; pages.
	waitStatus := func(want string, n int) resp {
		t.Helper()
		for i := 0; i < 1000; i++ {
			r := tm.do("GET", p+"/deliveries?status="+want, keyScale, nil).must(t, http.StatusOK)
			if total, _ := r.at("data.pagination.total").(float64); int(total) == n {
				return r
			}
		}
		t.Fatalf("never %d %s deliveries", n, want)
		return resp{}
	}
	waitStatus("SUCCESS", 3)
	retrying := waitStatus("RETRYING", 1)
	failedID := retrying.str("data.deliveries.0.id")
	if retrying.str("data.deliveries.0.error") != "receiver answered 503" || retrying.at("data.deliveries.0.responseStatusCode") != float64(503) || retrying.at("data.deliveries.0.nextRetryAt") == nil {
		t.Fatalf("retrying %s", retrying.Raw)
	}
	all := tm.do("GET", p+"/deliveries?limit=2", keyScale, nil).must(t, http.StatusOK)
	if all.str("data.deliveries.0.id") != ids[3] || all.str("data.deliveries.1.id") != ids[2] || all.at("data.pagination.pages") != float64(2) {
		t.Fatalf("page 1 %s", all.Raw)
	}
	page2 := tm.do("GET", p+"/deliveries?limit=2&page=2", keyScale, nil).must(t, http.StatusOK)
	if page2.str("data.deliveries.0.id") != ids[1] || page2.str("data.deliveries.1.id") != ids[0] {
		t.Fatalf("page 2 %s", page2.Raw)
	}
	leads := tm.do("GET", p+"/deliveries?eventType=NEW_LEAD", keyScale, nil).must(t, http.StatusOK)
	if leads.at("data.pagination.total") != float64(2) || !strings.Contains(string(leads.Raw), `"leadDetails"`) {
		t.Fatalf("filter %s", leads.Raw)
	}
	// A manual retry runs at once (no clock move), the attempts continue.
	r := tm.do("POST", p+"/deliveries/"+failedID+"/retry", keyScale, nil).must(t, http.StatusAccepted)
	if r.str("data.status") != "RETRYING" || r.at("data.attempts") != float64(1) {
		t.Fatalf("retry %s", r.Raw)
	}
	tm.sinkDeliveries(t, "log", 5)
	waitStatus("SUCCESS", 4)
	if d, _ := tm.m.Store().Delivery(botShipping, failedID); d.Attempts != 2 || d.Status != store.DeliverySuccess {
		t.Fatalf("after retry %+v", d)
	}
	// Test events are unique: two NEW_LEAD tests have distinct ids.
	if a, b := tm.m.Store().Deliveries(botShipping, "", "NEW_LEAD"), 2; len(a) != b || a[0].EventKey == a[1].EventKey {
		t.Fatalf("test events share a key: %+v", a)
	}
}

func TestWebhookSink(t *testing.T) {
	tm := newTestMock(t)
	r := tm.do("GET", "/__mock/webhook-sink/fresh", "", nil).must(t, http.StatusOK)
	if r.at("config.secret") != nil || r.at("config.failTimes") != float64(0) {
		t.Fatalf("fresh sink %s", r.Raw)
	}
	// Unconfigured: records, answers 200, cannot verify.
	tm.do("POST", "/__mock/webhook-sink/fresh", "", "not json").must(t, http.StatusOK)
	r = tm.do("GET", "/__mock/webhook-sink/fresh", "", nil).must(t, http.StatusOK)
	if r.at("deliveries.0.signatureValid") != nil || r.at("deliveries.0.body") != nil || r.str("deliveries.0.rawBody") != "not json" {
		t.Fatalf("unverified %s", r.Raw)
	}
	tm.do("PUT", "/__mock/webhook-sink/fresh", "", map[string]any{"secret": sinkSecret, "failTimes": 1, "status": 418}).must(t, http.StatusOK)
	bad := tm.do("POST", "/__mock/webhook-sink/fresh", "", map[string]any{"event": "NEW_LEAD"})
	if bad.Status != 418 || bad.code() != "SINK_CONFIGURED_FAILURE" {
		t.Fatalf("configured failure %d %s", bad.Status, bad.Raw)
	}
	tm.do("POST", "/__mock/webhook-sink/fresh", "", map[string]any{"event": "NEW_LEAD"}).must(t, http.StatusOK)
	r = tm.do("GET", "/__mock/webhook-sink/fresh", "", nil).must(t, http.StatusOK)
	if r.at("deliveries.1.signatureValid") != false || r.at("deliveries.1.tokenValid") != false || r.at("deliveries.1.responseStatus") != float64(418) ||
		r.str("deliveries.2.event") != "NEW_LEAD" || r.at("config.failTimes") != float64(0) {
		t.Fatalf("sink %s", r.Raw)
	}
	tm.do("DELETE", "/__mock/webhook-sink/fresh", "", nil).must(t, http.StatusNoContent)
	r = tm.do("GET", "/__mock/webhook-sink/fresh", "", nil).must(t, http.StatusOK)
	if ds, _ := r.at("deliveries").([]any); len(ds) != 0 {
		t.Fatalf("cleared sink %s", r.Raw)
	}
}
