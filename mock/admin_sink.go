package mock

import (
	"crypto/hmac"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/webhook"
	"github.com/contextgpt/sandbox/spec"
)

// Sink caps (README "Limits and safety"): what the sinks keep is bounded whatever is
// posted to them. Past maxSinkRecords or maxSinkBytes the oldest records are forgotten
// (this sink's first); a new sink past maxSinks is refused (403 STORE_LIMIT_REACHED).
const (
	maxSinks       = 1_000
	maxSinkRecords = 1_000
	maxSinkBytes   = 64 << 20
	maxSinkDelayMs = 60_000
)

// sinkSet holds the control plane's webhook sinks by name.
type sinkSet struct {
	mu    sync.Mutex
	sinks map[string]*sink
	bytes int // what every sink's records weigh, about
}

type sink struct {
	secret    *string
	failTimes int
	status    int
	delayMs   int
	seq       int
	received  []sinkDelivery
}

type sinkConfigView struct {
	Name      string  `json:"name"`
	Secret    *string `json:"secret"`
	FailTimes int     `json:"failTimes"`
	Status    int     `json:"status"`
	DelayMs   int     `json:"delayMs"`
}

type sinkDelivery struct {
	ID             string            `json:"id"`
	ReceivedAt     string            `json:"receivedAt"`
	Headers        map[string]string `json:"headers"`
	Body           map[string]any    `json:"body"`
	RawBody        string            `json:"rawBody"`
	Event          *string           `json:"event"`
	SignatureValid *bool             `json:"signatureValid"`
	TokenValid     *bool             `json:"tokenValid"`
	ResponseStatus int               `json:"responseStatus"`
	size           int               // what the record weighs, about (raw body twice, headers)
}

func newSinkSet() *sinkSet { return &sinkSet{sinks: map[string]*sink{}} }

// clear forgets every sink (POST /__mock/reset).
func (s *sinkSet) clear() {
	s.mu.Lock()
	s.sinks = map[string]*sink{}
	s.bytes = 0
	s.mu.Unlock()
}

// roomLocked tells whether a sink of that name may be kept (it exists, or there is room).
func (s *sinkSet) roomLocked(name string) bool {
	_, ok := s.sinks[name]
	return ok || len(s.sinks) < maxSinks
}

// addLocked appends a record and forgets the oldest ones past the caps.
func (s *sinkSet) addLocked(k *sink, d sinkDelivery) {
	k.received = append(k.received, d)
	s.bytes += d.size
	for len(k.received) > maxSinkRecords || (s.bytes > maxSinkBytes && len(k.received) > 1) {
		s.bytes -= k.received[0].size
		k.received[0] = sinkDelivery{}
		k.received = k.received[1:]
	}
	for _, o := range s.sinks { // still over: other sinks hold the bytes
		if s.bytes <= maxSinkBytes {
			break
		}
		if o == k {
			continue
		}
		for _, x := range o.received {
			s.bytes -= x.size
		}
		o.received = nil
	}
}

// dropLocked forgets a sink and its records.
func (s *sinkSet) dropLocked(name string) {
	if k, ok := s.sinks[name]; ok {
		for _, x := range k.received {
			s.bytes -= x.size
		}
		delete(s.sinks, name)
	}
}

func sinkLimit() *apierr.Error {
	return apierr.New(apierr.StoreLimitReached, "the mock keeps at most %d webhook sinks; DELETE one or reset the mock", maxSinks).
		WithDetails(map[string]any{"resource": "webhook sinks", "limit": maxSinks})
}

// names lists the sinks, sorted (the dashboard shows them).
func (s *sinkSet) names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.sinks))
	for name := range s.sinks {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// getLocked returns the named sink, unconfigured (200 at once, no secret) when new.
func (s *sinkSet) getLocked(name string) *sink {
	k, ok := s.sinks[name]
	if !ok {
		k = &sink{status: http.StatusInternalServerError}
		s.sinks[name] = k
	}
	return k
}

func (k *sink) config(name string) sinkConfigView {
	return sinkConfigView{Name: name, Secret: k.secret, FailTimes: k.failTimes, Status: k.status, DelayMs: k.delayMs}
}

func (m *Mock) adminConfigureSink(w http.ResponseWriter, r *http.Request, route *spec.Route) {
	var in struct {
		Secret    *string `json:"secret"`
		FailTimes int     `json:"failTimes"`
		Status    *int    `json:"status"`
		DelayMs   int     `json:"delayMs"`
	}
	if err := decodeAdmin(r, &in); err != nil {
		writeAdminError(w, apierr.InvalidRequest, err.Error())
		return
	}
	if in.DelayMs < 0 || in.DelayMs > maxSinkDelayMs || in.FailTimes < 0 {
		writeAdminError(w, apierr.InvalidRequest, fmt.Sprintf("delayMs must be between 0 and %d, failTimes not negative", maxSinkDelayMs))
		return
	}
	name := route.PathParams["name"]
	set := m.visitors.sinks
	set.mu.Lock()
	if !set.roomLocked(name) {
		set.mu.Unlock()
		writeAdminErr(w, sinkLimit())
		return
	}
	k := set.getLocked(name)
	k.secret, k.failTimes, k.delayMs, k.status = in.Secret, in.FailTimes, in.DelayMs, http.StatusInternalServerError
	if in.Status != nil {
		k.status = *in.Status
	}
	cfg := k.config(name)
	set.mu.Unlock()
	writeJSON(w, http.StatusOK, cfg)
}

// adminReceiveWebhook records a delivery and checks its signature and token against the
// sink's secret; it answers 200, or the configured failure while failTimes lasts.
func (m *Mock) adminReceiveWebhook(w http.ResponseWriter, r *http.Request, route *spec.Route) {
	raw, _ := io.ReadAll(r.Body)
	name := route.PathParams["name"]
	set := m.visitors.sinks
	set.mu.Lock()
	if !set.roomLocked(name) {
		set.mu.Unlock()
		writeAdminErr(w, sinkLimit())
		return
	}
	k := set.getLocked(name)
	k.seq++
	d := sinkDelivery{ID: fmt.Sprintf("dlv-%d", k.seq), ReceivedAt: timestamp(m.clock.Now()), Headers: map[string]string{},
		RawBody: string(raw), ResponseStatus: http.StatusOK}
	d.size = 2*len(raw) + 256
	for h, vs := range r.Header {
		v := strings.Join(vs, ", ")
		d.Headers[http.CanonicalHeaderKey(h)] = v
		d.size += len(h) + len(v) + 64
	}
	var body map[string]any
	if json.Unmarshal(raw, &body) == nil && body != nil {
		d.Body = body
		if ev, ok := body["event"].(string); ok {
			d.Event = &ev
		}
	}
	if k.secret != nil {
		sig := hmac.Equal([]byte(r.Header.Get("X-Signature")), []byte(webhook.Sign(*k.secret, raw)))
		tok := hmac.Equal([]byte(r.Header.Get("X-Webhook-Token")), []byte(*k.secret))
		d.SignatureValid, d.TokenValid = &sig, &tok
	}
	fail := k.failTimes > 0
	if fail {
		k.failTimes--
		d.ResponseStatus = k.status
	}
	left, delay := k.failTimes, time.Duration(k.delayMs)*time.Millisecond
	set.addLocked(k, d)
	set.mu.Unlock()
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if fail {
		writeAdminErr(w, &apierr.Error{Code: apierr.SinkConfiguredFailure, StatusOverride: d.ResponseStatus, Message: fmt.Sprintf("sink %s fails this delivery (%d more to fail)", name, left)})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"received": true})
}

func (m *Mock) adminGetSink(w http.ResponseWriter, _ *http.Request, route *spec.Route) {
	name := route.PathParams["name"]
	set := m.visitors.sinks
	set.mu.Lock()
	cfg := sinkConfigView{Name: name, Status: http.StatusInternalServerError}
	deliveries := []sinkDelivery{}
	if k, ok := set.sinks[name]; ok {
		cfg = k.config(name)
		deliveries = append(deliveries, k.received...)
	}
	set.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"name": name, "config": cfg, "deliveries": deliveries})
}

func (m *Mock) adminClearSink(w http.ResponseWriter, _ *http.Request, route *spec.Route) {
	set := m.visitors.sinks
	set.mu.Lock()
	set.dropLocked(route.PathParams["name"])
	set.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}
