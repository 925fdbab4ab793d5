// Package webhook delivers the mock's webhook events: it subscribes to the store's events,
// records a delivery for each chatbot whose enabled configuration subscribes to the event,
// and POSTs `{event, data}` signed with the configuration's secret, retrying failures after
// 1, 5 and 25 seconds of the mock's clock. Delivery never blocks the request that caused
// the event: attempts run on worker goroutines fed by a queue.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/clock"
	"github.com/contextgpt/sandbox/mock/store"
)

// UserAgent is the documented User-Agent of deliveries.
const UserAgent = "ContextGPT-Webhooks/1.0"

// DefaultTimeout is how long a receiver has to answer, in real time.
const DefaultTimeout = 10 * time.Second

// maxResponseBody is how much of a receiver's answer is kept in the delivery log.
const maxResponseBody = 4096

// DefaultRetries are the documented waits before each retry, on the mock's clock.
func DefaultRetries() []time.Duration {
	return []time.Duration{time.Second, 5 * time.Second, 25 * time.Second}
}

// Config sets up a Dispatcher.
type Config struct {
	Store *store.Store
	// Clock times the retries; nil means the real clock.
	Clock clock.Clock
	// Timeout is the receiver's time to answer, in real time; 0 means DefaultTimeout.
	Timeout time.Duration
	// Retries are the waits before each retry; nil means DefaultRetries. A delivery fails
	// for good after len(Retries)+1 failed attempts.
	Retries []time.Duration
	// Client sends the requests; nil means a client of its own.
	Client *http.Client
	// Workers is how many attempts run at once; 0 means 4.
	Workers int
	Logger  *slog.Logger
}

// Dispatcher delivers webhook events. Safe for concurrent use.
type Dispatcher struct {
	cfg Config

	mu     sync.Mutex
	cond   *sync.Cond
	queue  []job
	gen    map[string]uint64 // delivery id → generation: a manual retry supersedes waits
	busy   map[string]bool   // chatbots with an attempt in flight
	closed bool
	anon   uint64

	ctx       context.Context // cancelled when Close gives up waiting: attempts abort
	cancel    context.CancelFunc
	sleepCtx  context.Context // cancelled by Close: retries waiting on the clock stop
	stopSleep context.CancelFunc
	workers   sync.WaitGroup
	sleepers  sync.WaitGroup
}

type job struct {
	id      string
	chatbot string // attempts for one chatbot run one at a time, in queue order
	gen     uint64
}

// New starts a dispatcher's workers. Subscribe it with store.SetOnEvent(d.Handle).
func New(cfg Config) *Dispatcher {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Retries == nil {
		cfg.Retries = DefaultRetries()
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	d := &Dispatcher{cfg: cfg, gen: map[string]uint64{}, busy: map[string]bool{}}
	d.cond = sync.NewCond(&d.mu)
	d.ctx, d.cancel = context.WithCancel(context.Background())
	d.sleepCtx, d.stopSleep = context.WithCancel(d.ctx)
	for i := 0; i < cfg.Workers; i++ {
		d.workers.Add(1)
		go d.work()
	}
	return d
}

// Handle is the store's event hook: for a chatbot whose enabled configuration subscribes
// to the event, it records a PENDING delivery (once per event key and configuration) and
// queues its first attempt. It does not wait for the receiver.
func (d *Dispatcher) Handle(e store.Event) {
	cfg, ok := d.cfg.Store.WebhookFor(e.ChatbotID, e.Type)
	if !ok {
		return
	}
	key := e.Key
	if key == "" {
		d.mu.Lock()
		d.anon++
		key = "event:" + strconv.FormatUint(d.anon, 10)
		d.mu.Unlock()
	}
	payload, err := envelope(e.Type, d.cfg.Store.CompleteEventData(e))
	if err != nil {
		d.cfg.Logger.Error("webhook payload", "event", e.Type, "err", err)
		return
	}
	del, dup, err := d.cfg.Store.RecordDelivery(cfg, e.Type, key, payload)
	if err != nil || dup {
		return
	}
	d.enqueue(job{id: del.ID, chatbot: del.ChatbotID})
}

// envelope is `{event, data}` as plain JSON values (what is stored is what is sent).
func envelope(eventType string, data map[string]any) (map[string]any, error) {
	b, err := json.Marshal(map[string]any{"event": eventType, "data": data})
	if err != nil {
		return nil, err
	}
	var out map[string]any
	err = json.Unmarshal(b, &out)
	return out, err
}

func (d *Dispatcher) enqueue(j job) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return // recorded, not sent: it stays PENDING or RETRYING in the log
	}
	d.queue = append(d.queue, j)
	d.cond.Broadcast()
}

// work runs attempts: the first queued job whose chatbot has none in flight, so one
// chatbot's events reach its receiver in the order they happened, while a slow receiver
// does not hold up other chatbots.
func (d *Dispatcher) work() {
	defer d.workers.Done()
	for {
		d.mu.Lock()
		i := -1
		for {
			if d.ctx.Err() != nil {
				d.mu.Unlock()
				return
			}
			i = d.nextLocked()
			if i >= 0 || (d.closed && len(d.queue) == 0) {
				break
			}
			d.cond.Wait()
		}
		if i < 0 {
			d.mu.Unlock()
			return
		}
		j := d.queue[i]
		d.queue = append(d.queue[:i], d.queue[i+1:]...)
		current := d.gen[j.id] == j.gen
		d.busy[j.chatbot] = true
		d.mu.Unlock()
		if current {
			d.attempt(j)
		}
		d.mu.Lock()
		delete(d.busy, j.chatbot)
		d.cond.Broadcast()
		d.mu.Unlock()
	}
}

// nextLocked is the index of the first job whose chatbot is idle, or -1.
func (d *Dispatcher) nextLocked() int {
	for i, j := range d.queue {
		if !d.busy[j.chatbot] {
			return i
		}
	}
	return -1
}

// attempt posts a delivery once and records the outcome; a failure with retries left is
// RETRYING and waits its turn on the clock, the last one is FAILED.
func (d *Dispatcher) attempt(j job) {
	st := d.cfg.Store
	del, ok := st.DeliveryByID(j.id)
	if !ok {
		return
	}
	cfg, err := st.Webhook(del.ChatbotID)
	if err != nil || cfg.ID != del.ConfigID {
		msg := "the webhook configuration was deleted"
		_, _ = st.UpdateDelivery(del.ID, func(x *store.Delivery, _ time.Time) {
			x.Status, x.Error, x.NextRetryAt = store.DeliveryFailed, &msg, nil
		})
		return
	}
	body, err := json.Marshal(del.RequestPayload)
	if err != nil {
		return
	}
	res := d.post(cfg, body)
	if d.ctx.Err() != nil {
		return // shutting down: the attempt does not count, the log keeps its status
	}
	var delay time.Duration
	retry := false
	updated, err := st.UpdateDelivery(del.ID, func(x *store.Delivery, now time.Time) {
		x.Attempts++
		x.ResponseStatusCode, x.ResponseTimeMs, x.ResponseBody = res.status, &res.ms, res.body
		if res.err == "" {
			x.Status, x.Error, x.NextRetryAt = store.DeliverySuccess, nil, nil
			return
		}
		e := res.err
		x.Error = &e
		if x.Attempts <= len(d.cfg.Retries) {
			delay = d.cfg.Retries[x.Attempts-1]
			at := now.Add(delay)
			x.Status, x.NextRetryAt = store.DeliveryRetrying, &at
			retry = true
			return
		}
		x.Status, x.NextRetryAt = store.DeliveryFailed, nil
	})
	if err != nil {
		return
	}
	d.cfg.Logger.Debug("webhook attempt", "delivery", updated.ID, "event", updated.EventType, "status", updated.Status, "attempts", updated.Attempts)
	if retry {
		d.schedule(j, delay)
	}
}

// schedule queues the job again after delay on the mock's clock, unless a manual retry
// superseded it meanwhile or the dispatcher closed.
func (d *Dispatcher) schedule(j job, delay time.Duration) {
	d.mu.Lock()
	if d.closed || d.gen[j.id] != j.gen {
		d.mu.Unlock()
		return
	}
	d.sleepers.Add(1)
	d.mu.Unlock()
	go func() {
		defer d.sleepers.Done()
		if err := d.cfg.Clock.Sleep(d.sleepCtx, delay); err != nil {
			return
		}
		d.mu.Lock()
		current := d.gen[j.id] == j.gen
		d.mu.Unlock()
		if current {
			d.enqueue(j)
		}
	}()
}

type outcome struct {
	status *int
	ms     int
	body   *string
	err    string // empty on success
}

// Sign is the X-SIGNATURE value of a body: sha256= and the hex HMAC-SHA256 keyed by secret.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func (d *Dispatcher) post(cfg store.WebhookConfig, body []byte) outcome {
	ctx, cancel := context.WithTimeout(d.ctx, d.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.URL, bytes.NewReader(body))
	if err != nil {
		return outcome{err: "invalid webhook URL: " + err.Error()}
	}
	req.Header["Content-Type"] = []string{"application/json"}
	req.Header["X-WEBHOOK-TOKEN"] = []string{cfg.Secret}
	req.Header["X-SIGNATURE"] = []string{Sign(cfg.Secret, body)}
	req.Header["User-Agent"] = []string{UserAgent}
	start := time.Now()
	resp, err := d.cfg.Client.Do(req)
	if err != nil {
		ms := int(time.Since(start).Milliseconds())
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return outcome{ms: ms, err: fmt.Sprintf("timeout: the receiver did not answer within %s", d.cfg.Timeout)}
		}
		return outcome{ms: ms, err: "connection error: " + err.Error()}
	}
	defer resp.Body.Close()
	raw, rerr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	ms := int(time.Since(start).Milliseconds())
	code := resp.StatusCode
	out := outcome{status: &code, ms: ms}
	if len(raw) > 0 || rerr == nil {
		s := string(raw)
		if !utf8.ValidString(s) {
			s = string(bytes.ToValidUTF8(raw, []byte("\uFFFD")))
		}
		out.body = &s
	}
	switch {
	case code < 200 || code > 299:
		out.err = fmt.Sprintf("receiver answered %d", code)
	case rerr != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		out.err = fmt.Sprintf("timeout: the receiver did not finish its answer within %s", d.cfg.Timeout)
	}
	return out
}

// Resume queues every delivery left PENDING or RETRYING, as a state import or a state file
// leaves them: each is attempted at once, its attempts counting on. It returns how many.
func (d *Dispatcher) Resume() int {
	n := 0
	for _, del := range d.cfg.Store.UnfinishedDeliveries() {
		d.mu.Lock()
		d.gen[del.ID]++
		g := d.gen[del.ID]
		d.mu.Unlock()
		d.enqueue(job{id: del.ID, chatbot: del.ChatbotID, gen: g})
		n++
	}
	return n
}

// Retry queues a new attempt of a delivery at once (202 in the API): it is RETRYING until
// the attempt ends; a wait for an automatic retry is superseded.
func (d *Dispatcher) Retry(chatbotID, deliveryID string) (store.Delivery, error) {
	if _, err := d.cfg.Store.Delivery(chatbotID, deliveryID); err != nil {
		return store.Delivery{}, err
	}
	del, err := d.cfg.Store.UpdateDelivery(deliveryID, func(x *store.Delivery, now time.Time) {
		x.Status, x.NextRetryAt = store.DeliveryRetrying, &now
	})
	if err != nil {
		return store.Delivery{}, err
	}
	d.mu.Lock()
	d.gen[deliveryID]++
	g := d.gen[deliveryID]
	d.mu.Unlock()
	d.enqueue(job{id: deliveryID, chatbot: chatbotID, gen: g})
	return del, nil
}

// SendTest queues a sample event of a type to the chatbot's configuration (whatever its
// subscriptions and switch), signed like a real one; each call is a new event.
func (d *Dispatcher) SendTest(chatbotID, eventType string) (store.Delivery, error) {
	st := d.cfg.Store
	cfg, err := st.Webhook(chatbotID)
	if err != nil {
		return store.Delivery{}, err
	}
	id := st.NewUUID()
	data, err := sampleData(eventType, chatbotID, st.ChatbotName(chatbotID), id, d.cfg.Clock.Now())
	if err != nil {
		return store.Delivery{}, err
	}
	payload, err := envelope(eventType, data)
	if err != nil {
		return store.Delivery{}, err
	}
	del, _, err := st.RecordDelivery(cfg, eventType, "test:"+id, payload)
	if err != nil {
		return store.Delivery{}, err
	}
	d.enqueue(job{id: del.ID, chatbot: chatbotID})
	return del, nil
}

// sampleData is the data of a test event; id makes it unique (messageId, leadDetails.id).
func sampleData(eventType, chatbotID, chatbotName, id string, now time.Time) (map[string]any, error) {
	ts := now.UTC().Format("2006-01-02T15:04:05.000Z07:00")
	const thread = "00000000-0000-4000-8000-000000000001"
	switch eventType {
	case store.WebhookEventNewMessage:
		return map[string]any{"chatbotId": chatbotID, "threadId": thread, "messageId": id, "role": "assistant",
			"question": nil, "answer": "This is a test event sent from ContextGPT.", "sources": []string{}, "createdAt": ts}, nil
	case store.WebhookEventEscalated:
		return map[string]any{"chatbotId": chatbotID, "threadId": id,
			"dashboardUrl": "https://app.contextgpt.co/" + chatbotID + "/chat-history/" + id,
			"user":         map[string]any{"id": id, "email": "ada@example.com", "name": "Ada Lovelace", "phone": nil, "verified": false, "createdAt": ts},
			"leadInfo":     map[string]any{"name": "Ada Lovelace", "email": "ada@example.com", "phone": nil}}, nil
	case store.WebhookEventNewLead:
		return map[string]any{"chatbotId": chatbotID, "chatbotName": chatbotName, "leadDetails": map[string]any{
			"id": id, "name": "Ada Lovelace", "email": "ada@example.com", "phone": "+44 20 7946 0958", "capturedAt": ts}}, nil
	}
	return nil, apierr.New(apierr.InvalidFieldValue, "unknown event type %q", eventType)
}

// Close stops taking work: retries waiting on the clock stop (their deliveries stay
// RETRYING, with nextRetryAt), queued attempts are drained until ctx is done, then
// in-flight attempts are aborted and what is left stays PENDING in the log.
func (d *Dispatcher) Close(ctx context.Context) error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	d.cond.Broadcast()
	d.mu.Unlock()
	d.stopSleep()
	done := make(chan struct{})
	go func() {
		d.workers.Wait()
		d.sleepers.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		d.cancel()
		d.mu.Lock()
		d.cond.Broadcast()
		d.mu.Unlock()
		<-done
	}
	d.cancel()
	return nil
}

// Idle reports whether nothing is queued (tests poll it with the store's log).
func (d *Dispatcher) Idle() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.queue) == 0
}
