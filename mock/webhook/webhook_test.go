package webhook

import (
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
	"github.com/contextgpt/sandbox/mock/plans"
	"github.com/contextgpt/sandbox/mock/store"
	"github.com/contextgpt/sandbox/spec"
)

const secret = "whsec_test_0123456789abcdef"

// received is one request a test receiver saw, with the mock clock's time.
type received struct {
	at     time.Time
	header http.Header
	body   []byte
}

// receiver is an httptest server answering with answer(n) for the n-th request (from 1).
type receiver struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []received
}

func newReceiver(t *testing.T, clk clock.Clock, answer func(n int, w http.ResponseWriter, r *http.Request)) *receiver {
	rc := &receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, received{at: clk.Now(), header: r.Header.Clone(), body: b})
		n := len(rc.got)
		rc.mu.Unlock()
		answer(n, w, r)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received{}, rc.got...)
}

type fixture struct {
	st    *store.Store
	clk   *clock.ManualClock
	d     *Dispatcher
	bot   string
	start time.Time
}

func newFixture(t *testing.T, cfg Config) *fixture {
	t.Helper()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clk := clock.NewManual(start)
	st := store.New(store.Config{Seed: 7, Now: clk.Now})
	sb, err := st.CreateSandbox(plans.Scale, "webhooks")
	if err != nil {
		t.Fatal(err)
	}
	bot, err := st.CreateChatbot(sb.AccountID, sb.UserID, store.NewChatbot{Name: "Hooks"})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Store, cfg.Clock = st, clk
	d := New(cfg)
	st.SetOnEvent(d.Handle)
	t.Cleanup(func() { _ = d.Close(context.Background()) })
	return &fixture{st: st, clk: clk, d: d, bot: bot.ID, start: start}
}

func (f *fixture) configure(t *testing.T, url string, events ...string) store.WebhookConfig {
	t.Helper()
	s := secret
	in := store.WebhookInput{URL: url, Secret: &s}
	if len(events) > 0 {
		in.Events = events
	}
	cfg, _, err := f.st.PutWebhook(f.bot, in)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// visitorMessage fires one NEW_MESSAGE (the visitor's; no reply is asked for).
func (f *fixture) visitorMessage(t *testing.T, text string) store.Message {
	t.Helper()
	th, _, err := f.st.OpenVisitorThread(f.bot, store.NewThread{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.st.VisitorMessage(f.bot, th.ID, store.VisitorTurn{Content: text})
	if err != nil {
		t.Fatal(err)
	}
	return out.Message
}

// waitFor polls cond in real time (the dispatcher works on goroutines).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (f *fixture) only(t *testing.T) store.Delivery {
	t.Helper()
	ds := f.st.Deliveries(f.bot, "", "")
	if len(ds) != 1 {
		t.Fatalf("got %d deliveries; want 1", len(ds))
	}
	return ds[0]
}

// waitAttempts waits until the delivery has n attempts and, unless it is final, its retry
// is waiting on the clock.
func (f *fixture) waitAttempts(t *testing.T, n int) store.Delivery {
	t.Helper()
	var d store.Delivery
	waitFor(t, "attempt", func() bool {
		d = f.only(t)
		return d.Attempts == n && (d.Status != store.DeliveryRetrying || f.clk.Sleepers() == 1)
	})
	return d
}

func TestDeliverySignedAndValid(t *testing.T) {
	f := newFixture(t, Config{})
	rc := newReceiver(t, f.clk, func(int, http.ResponseWriter, *http.Request) {})
	f.configure(t, rc.srv.URL)
	msg := f.visitorMessage(t, "Hello there")
	d := f.waitAttempts(t, 1)
	if d.Status != store.DeliverySuccess || d.ResponseStatusCode == nil || *d.ResponseStatusCode != 200 || d.Error != nil {
		t.Fatalf("delivery %+v", d)
	}
	got := rc.requests()
	if len(got) != 1 {
		t.Fatalf("receiver saw %d requests; want 1", len(got))
	}
	r := got[0]
	if sig := r.header.Get("X-Signature"); sig != Sign(secret, r.body) || !strings.HasPrefix(sig, "sha256=") || len(sig) != 71 {
		t.Fatalf("X-SIGNATURE %q does not verify against the body", sig)
	}
	for h, want := range map[string]string{"X-Webhook-Token": secret, "User-Agent": UserAgent, "Content-Type": "application/json"} {
		if v := r.header.Get(h); v != want {
			t.Errorf("%s = %q; want %q", h, v, want)
		}
	}
	var body map[string]any
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatal(err)
	}
	data, _ := body["data"].(map[string]any)
	if body["event"] != "NEW_MESSAGE" || data["messageId"] != msg.ID || data["role"] != "user" || data["question"] != "Hello there" || data["answer"] != nil {
		t.Fatalf("payload %s", r.body)
	}
	validate(t, "WebhookNewMessageEvent", body)
	validate(t, "WebhookNewMessageEvent", d.RequestPayload)
}

// validate checks a payload against a component schema of the API spec (the callbacks').
func validate(t *testing.T, schema string, v any) {
	t.Helper()
	s, err := spec.Load(spec.ContextGPTDocument())
	if err != nil {
		t.Fatal(err)
	}
	ref := s.Doc().Components.Schemas[schema]
	if ref == nil {
		t.Fatalf("no schema %s", schema)
	}
	b, _ := json.Marshal(v)
	var generic any
	_ = json.Unmarshal(b, &generic)
	if err := ref.Value.VisitJSON(generic); err != nil {
		t.Fatalf("%s does not validate: %v\n%s", schema, err, b)
	}
}

func TestFailsTwiceThenSucceedsOnClockSchedule(t *testing.T) {
	f := newFixture(t, Config{})
	rc := newReceiver(t, f.clk, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n <= 2 {
			http.Error(w, "try later", http.StatusServiceUnavailable)
		}
	})
	f.configure(t, rc.srv.URL)
	f.visitorMessage(t, "hi")
	d := f.waitAttempts(t, 1)
	if d.Status != store.DeliveryRetrying || d.NextRetryAt == nil || !d.NextRetryAt.Equal(f.start.Add(time.Second)) || *d.Error != "receiver answered 503" {
		t.Fatalf("after attempt 1: %+v", d)
	}
	f.clk.Advance(999 * time.Millisecond)
	time.Sleep(30 * time.Millisecond)
	if n := len(rc.requests()); n != 1 {
		t.Fatalf("retried before 1 s: %d requests", n)
	}
	f.clk.Advance(time.Millisecond)
	d = f.waitAttempts(t, 2)
	if d.Status != store.DeliveryRetrying || !d.NextRetryAt.Equal(f.start.Add(6*time.Second)) {
		t.Fatalf("after attempt 2: %+v", d)
	}
	f.clk.Advance(5 * time.Second)
	d = f.waitAttempts(t, 3)
	if d.Status != store.DeliverySuccess || d.Error != nil || d.NextRetryAt != nil || *d.ResponseStatusCode != 200 {
		t.Fatalf("after attempt 3: %+v", d)
	}
	got := rc.requests()
	if len(got) != 3 {
		t.Fatalf("receiver saw %d attempts; want 3", len(got))
	}
	if g1, g2 := got[1].at.Sub(got[0].at), got[2].at.Sub(got[1].at); g1 != time.Second || g2 != 5*time.Second {
		t.Fatalf("attempts spaced %v and %v; want 1s and 5s", g1, g2)
	}
	if string(got[0].body) != string(got[2].body) || got[0].header.Get("X-Signature") != got[2].header.Get("X-Signature") {
		t.Fatal("a retry sent another body or signature")
	}
}

func TestAlwaysFailingEndsFailedAfterThreeRetries(t *testing.T) {
	f := newFixture(t, Config{})
	rc := newReceiver(t, f.clk, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	f.configure(t, rc.srv.URL)
	f.visitorMessage(t, "hi")
	f.waitAttempts(t, 1)
	for i, wait := range []time.Duration{time.Second, 5 * time.Second, 25 * time.Second} {
		f.clk.Advance(wait)
		f.waitAttempts(t, i+2)
	}
	d := f.only(t)
	if d.Status != store.DeliveryFailed || d.Attempts != 4 || d.NextRetryAt == nil && d.Error == nil || *d.Error != "receiver answered 500" {
		t.Fatalf("final: %+v", d)
	}
	if f.clk.Sleepers() != 0 {
		t.Fatal("a retry is still scheduled after FAILED")
	}
	f.clk.Advance(time.Hour)
	time.Sleep(20 * time.Millisecond)
	if n := len(rc.requests()); n != 4 {
		t.Fatalf("receiver saw %d attempts; want 4", n)
	}
	// A manual retry makes a fifth attempt; the receiver now accepts it.
	rc.srv.Config.Handler = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	rd, err := f.d.Retry(f.bot, d.ID)
	if err != nil || rd.Status != store.DeliveryRetrying {
		t.Fatalf("retry: %+v %v", rd, err)
	}
	d = f.waitAttempts(t, 5)
	if d.Status != store.DeliverySuccess {
		t.Fatalf("after manual retry: %+v", d)
	}
}

func TestSlowReceiverTimesOut(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	f := newFixture(t, Config{Timeout: 50 * time.Millisecond})
	rc := newReceiver(t, f.clk, func(_ int, _ http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	f.configure(t, rc.srv.URL)
	begin := time.Now()
	f.visitorMessage(t, "hi")
	if el := time.Since(begin); el > 40*time.Millisecond {
		t.Fatalf("the event's source waited %v for the receiver", el)
	}
	if d := f.only(t); d.Status != store.DeliveryPending || d.Attempts != 0 {
		t.Fatalf("right after the event: %+v", d)
	}
	d := f.waitAttempts(t, 1)
	if d.Status != store.DeliveryRetrying || d.ResponseStatusCode != nil || d.Error == nil || !strings.HasPrefix(*d.Error, "timeout") {
		t.Fatalf("slow receiver: %+v", d)
	}
}

func TestEachEventOnceAndOnlySubscribed(t *testing.T) {
	f := newFixture(t, Config{})
	rc := newReceiver(t, f.clk, func(int, http.ResponseWriter, *http.Request) {})
	f.configure(t, rc.srv.URL, store.WebhookEventNewMessage)
	e := store.Event{Type: store.WebhookEventNewMessage, ChatbotID: f.bot, Key: "message:x", Data: map[string]any{
		"chatbotId": f.bot, "threadId": "t", "messageId": "x", "role": "user", "question": "q", "answer": nil, "sources": []string{}, "createdAt": "2026-03-02T09:00:00.000Z"}}
	f.d.Handle(e)
	f.d.Handle(e)
	f.d.Handle(store.Event{Type: store.WebhookEventNewLead, ChatbotID: f.bot, Key: "lead:1", Data: map[string]any{}})
	f.waitAttempts(t, 1)
	if n := len(f.st.Deliveries(f.bot, "", "")); n != 1 {
		t.Fatalf("%d deliveries; want 1", n)
	}
	// Disabled: nothing more is recorded.
	if _, err := f.st.ToggleWebhook(f.bot, false); err != nil {
		t.Fatal(err)
	}
	f.d.Handle(store.Event{Type: store.WebhookEventNewMessage, ChatbotID: f.bot, Key: "message:y", Data: e.Data})
	if n := len(f.st.Deliveries(f.bot, "", "")); n != 1 {
		t.Fatalf("%d deliveries after disabling; want 1", n)
	}
	// A new configuration (deleted, saved again) gets the same event once more.
	if err := f.st.DeleteWebhook(f.bot); err != nil {
		t.Fatal(err)
	}
	f.configure(t, rc.srv.URL)
	f.d.Handle(e)
	if n := len(f.st.Deliveries(f.bot, "", "")); n != 2 {
		t.Fatalf("%d deliveries after a new configuration; want 2", n)
	}
}

func TestSendTestPayloadsValidate(t *testing.T) {
	f := newFixture(t, Config{})
	rc := newReceiver(t, f.clk, func(int, http.ResponseWriter, *http.Request) {})
	f.configure(t, rc.srv.URL, store.WebhookEventNewMessage)
	schemas := map[string]string{store.WebhookEventNewMessage: "WebhookNewMessageEvent", store.WebhookEventEscalated: "WebhookConversationEscalatedEvent", store.WebhookEventNewLead: "WebhookNewLeadEvent"}
	for ev, schema := range schemas {
		for i := 0; i < 2; i++ {
			d, err := f.d.SendTest(f.bot, ev)
			if err != nil || d.Status != store.DeliveryPending || d.Attempts != 0 {
				t.Fatalf("SendTest(%s): %+v %v", ev, d, err)
			}
			validate(t, schema, d.RequestPayload)
		}
	}
	waitFor(t, "6 test deliveries", func() bool { return len(f.st.Deliveries(f.bot, store.DeliverySuccess, "")) == 6 })
	if _, err := f.d.SendTest(f.bot, "NOPE"); err == nil {
		t.Fatal("unknown event type accepted")
	}
}

func TestCloseRecordsWhatIsPending(t *testing.T) {
	release := make(chan struct{})
	f := newFixture(t, Config{Workers: 1})
	rc := newReceiver(t, f.clk, func(_ int, _ http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	f.configure(t, rc.srv.URL)
	f.visitorMessage(t, "one")
	f.visitorMessage(t, "two")
	waitFor(t, "the first attempt to start", func() bool { return len(rc.requests()) == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	begin := time.Now()
	if err := f.d.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(begin); el > 2*time.Second {
		t.Fatalf("Close took %v", el)
	}
	for _, d := range f.st.Deliveries(f.bot, "", "") {
		if d.Status != store.DeliveryPending || d.Attempts != 0 {
			t.Fatalf("after Close: %+v; want PENDING, no attempt counted", d)
		}
	}
	// Events after Close are recorded, not sent.
	f.visitorMessage(t, "three")
	if n := len(f.st.Deliveries(f.bot, store.DeliveryPending, "")); n != 3 {
		t.Fatalf("%d pending; want 3", n)
	}
}

// Regression: deliveries a state import left PENDING were never sent.
func TestResumeSendsWhatAnImportLeftPending(t *testing.T) {
	f := newFixture(t, Config{Workers: 1})
	rc := newReceiver(t, f.clk, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	f.configure(t, rc.srv.URL)
	if err := f.d.Close(context.Background()); err != nil { // from now on events are recorded, not sent
		t.Fatal(err)
	}
	f.visitorMessage(t, "one")
	f.visitorMessage(t, "two")
	state, err := f.st.Export()
	if err != nil {
		t.Fatal(err)
	}

	st := store.New(store.Config{Seed: 7, Now: f.clk.Now})
	if _, err := st.Import(state); err != nil {
		t.Fatal(err)
	}
	d := New(Config{Store: st, Clock: f.clk, Workers: 1})
	t.Cleanup(func() { _ = d.Close(context.Background()) })
	if n := d.Resume(); n != 2 {
		t.Fatalf("resumed %d deliveries; want 2", n)
	}
	waitFor(t, "both deliveries to succeed", func() bool {
		return len(st.Deliveries(f.bot, store.DeliverySuccess, "")) == 2
	})
	if got := len(rc.requests()); got != 2 {
		t.Fatalf("receiver got %d requests; want 2", got)
	}
}
