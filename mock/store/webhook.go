package store

import (
	"sort"
	"time"

	"github.com/contextgpt/sandbox/mock/apierr"
)

// Webhook event types, as the API spells them.
const (
	WebhookEventNewMessage = "NEW_MESSAGE"
	WebhookEventEscalated  = "CONVERSATION_ESCALATED"
	WebhookEventNewLead    = "NEW_LEAD"
)

// Webhook delivery statuses.
const (
	DeliveryPending  = "PENDING"
	DeliveryRetrying = "RETRYING"
	DeliverySuccess  = "SUCCESS"
	DeliveryFailed   = "FAILED"
)

// AllWebhookEvents lists the three events, the default subscription.
func AllWebhookEvents() []string {
	return []string{WebhookEventNewMessage, WebhookEventEscalated, WebhookEventNewLead}
}

func cloneWebhook(w *WebhookConfig) WebhookConfig {
	out := *w
	out.Events = append([]string{}, w.Events...)
	return out
}

func webhookNotFound() error {
	return apierr.New(apierr.WebhookNotFound, "Webhook configuration not found")
}

// Webhook returns a chatbot's webhook configuration (404 WEBHOOK_NOT_FOUND when none).
func (s *Store) Webhook(chatbotID string) (WebhookConfig, error) {
	var out WebhookConfig
	err := s.readChatbot(chatbotID, func(c *Chatbot) error {
		if c.Webhook == nil {
			return webhookNotFound()
		}
		out = cloneWebhook(c.Webhook)
		return nil
	})
	return out, err
}

// WebhookInput is the input of PutWebhook; a nil Secret keeps the old one, nil Events
// subscribes to all three.
type WebhookInput struct {
	URL    string
	Secret *string
	Events []string
}

// PutWebhook creates or replaces a chatbot's webhook configuration and tells whether it
// was created. The first save needs a secret (400 MISSING_REQUIRED_FIELD).
func (s *Store) PutWebhook(chatbotID string, in WebhookInput) (WebhookConfig, bool, error) {
	var out WebhookConfig
	created := false
	err := s.withChatbot(chatbotID, func(c *Chatbot) error {
		now := s.now()
		events := AllWebhookEvents()
		if in.Events != nil {
			events = append([]string{}, in.Events...)
		}
		if c.Webhook == nil {
			if in.Secret == nil {
				return apierr.New(apierr.MissingRequiredField, "secret is required when the webhook is first configured")
			}
			c.Webhook = &WebhookConfig{ID: s.ids.uuid(), ChatbotID: c.ID, IsEnabled: true, CreatedAt: now}
			created = true
		}
		w := c.Webhook
		w.URL = in.URL
		if in.Secret != nil {
			w.Secret = *in.Secret
		}
		w.Events = events
		w.UpdatedAt = now
		out = cloneWebhook(w)
		return nil
	})
	return out, created, err
}

// ToggleWebhook turns a configuration's deliveries on or off.
func (s *Store) ToggleWebhook(chatbotID string, enabled bool) (WebhookConfig, error) {
	var out WebhookConfig
	err := s.withChatbot(chatbotID, func(c *Chatbot) error {
		if c.Webhook == nil {
			return webhookNotFound()
		}
		c.Webhook.IsEnabled = enabled
		c.Webhook.UpdatedAt = s.now()
		out = cloneWebhook(c.Webhook)
		return nil
	})
	return out, err
}

// DeleteWebhook removes a chatbot's configuration; its delivery log stays.
func (s *Store) DeleteWebhook(chatbotID string) error {
	return s.withChatbot(chatbotID, func(c *Chatbot) error {
		if c.Webhook == nil {
			return webhookNotFound()
		}
		c.Webhook = nil
		return nil
	})
}

// WebhookFor returns the configuration that should receive an event: the chatbot's, when
// it is enabled and subscribed to the event type.
func (s *Store) WebhookFor(chatbotID, eventType string) (WebhookConfig, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.chatbots[chatbotID]
	if !ok || c.Webhook == nil || !c.Webhook.IsEnabled {
		return WebhookConfig{}, false
	}
	for _, e := range c.Webhook.Events {
		if e == eventType {
			return cloneWebhook(c.Webhook), true
		}
	}
	return WebhookConfig{}, false
}

func cloneDelivery(d *Delivery) Delivery {
	out := *d
	out.ix = deliveryIx{}
	out.ResponseStatusCode = clonePtr(d.ResponseStatusCode)
	out.ResponseTimeMs = clonePtr(d.ResponseTimeMs)
	out.ResponseBody = clonePtr(d.ResponseBody)
	out.Error = clonePtr(d.Error)
	out.NextRetryAt = clonePtr(d.NextRetryAt)
	return out
}

// RecordDelivery records a PENDING delivery of an event to a configuration. An event key
// already delivered to that configuration is not recorded again (dup is true, and the
// existing delivery is returned).
func (s *Store) RecordDelivery(cfg WebhookConfig, eventType, key string, payload map[string]any) (d Delivery, dup bool, err error) {
	err = s.update(func() error {
		c, ok := s.chatbots[cfg.ChatbotID]
		if !ok {
			return apierr.New(apierr.ChatbotNotFound, "Chatbot not found")
		}
		if x := s.idx.deliveryKeys[deliveryKey{c.ID, cfg.ID, key}]; x != nil {
			d, dup = cloneDelivery(x), true
			return nil
		}
		if err := s.roomForDeliveryLocked(c.ID); err != nil {
			return err
		}
		now := s.now()
		nd := &Delivery{ID: s.freshUUIDLocked(), ChatbotID: c.ID, EventType: eventType, EventKey: key, ConfigID: cfg.ID,
			Status: DeliveryPending, RequestPayload: payload, CreatedAt: now, UpdatedAt: now, Seq: s.ids.next()}
		s.insertDeliveryLocked(nd)
		d = cloneDelivery(nd)
		return nil
	})
	return d, dup, err
}

func (s *Store) insertDeliveryLocked(d *Delivery) {
	s.deliveries[d.ID] = d
	k := deliveryKey{d.ChatbotID, d.ConfigID, d.EventKey}
	if _, ok := s.idx.deliveryKeys[k]; !ok {
		s.idx.deliveryKeys[k] = d
	}
	s.indexDeliveryLocked(d)
}

// Delivery returns one delivery of a chatbot (404 DELIVERY_NOT_FOUND).
func (s *Store) Delivery(chatbotID, id string) (Delivery, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, ok := s.deliveries[id]
	if !ok || d.ChatbotID != chatbotID {
		return Delivery{}, apierr.New(apierr.DeliveryNotFound, "Webhook delivery not found")
	}
	return cloneDelivery(d), nil
}

// UpdateDelivery changes a delivery under the lock; fn gets the stored record and the
// store's time. It stamps UpdatedAt.
func (s *Store) UpdateDelivery(id string, fn func(d *Delivery, now time.Time)) (Delivery, error) {
	var out Delivery
	err := s.update(func() error {
		d, ok := s.deliveries[id]
		if !ok {
			return apierr.New(apierr.DeliveryNotFound, "Webhook delivery not found")
		}
		now := s.now()
		fn(d, now)
		d.UpdatedAt = now
		s.syncDeliveryLocked(d)
		out = cloneDelivery(d)
		return nil
	})
	return out, err
}

// Deliveries lists a chatbot's deliveries newest first, optionally filtered by status and
// event type (empty means any).
func (s *Store) Deliveries(chatbotID, status, eventType string) []Delivery {
	out, _ := s.DeliveryPage(chatbotID, status, eventType, 1, int(^uint(0)>>1))
	return out
}

// UnfinishedDeliveries lists every delivery still PENDING or RETRYING, oldest first (the
// dispatcher resumes them).
func (s *Store) UnfinishedDeliveries() []Delivery {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Delivery
	for _, d := range s.deliveries {
		if d.Status == DeliveryPending || d.Status == DeliveryRetrying {
			out = append(out, cloneDelivery(d))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// ChatbotName returns a chatbot's name (for sample payloads).
func (s *Store) ChatbotName(chatbotID string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if c, ok := s.chatbots[chatbotID]; ok {
		return c.Name
	}
	return ""
}

// isoTime formats a time as the API and its webhooks do: RFC 3339 UTC with milliseconds.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// webhookRole is the NEW_MESSAGE payload's role of a message: the API's own spelling
// (`user`, `assistant`, `AGENT`: one spelling in the API and its webhooks, README "Where the
// documentation disagrees"); false for a role that fires no event (SYSTEM).
func webhookRole(role string) (string, bool) {
	switch role {
	case RoleUser, RoleAssistant, RoleAgentMsg:
		return role, true
	}
	return "", false
}

// messageEventLocked is the NEW_MESSAGE event of a stored message; false for a message
// that fires none (system messages).
func messageEventLocked(m *Message) (Event, bool) {
	role, ok := webhookRole(m.Role)
	if !ok {
		return Event{}, false
	}
	var question, answer any
	if m.Role == RoleUser {
		question = m.Content
	} else {
		answer = m.Content
	}
	sources := []any{}
	for _, src := range m.Source {
		if src.URL != "" {
			sources = append(sources, src.URL)
		}
	}
	return Event{Type: WebhookEventNewMessage, ChatbotID: m.ChatbotID, Key: "message:" + m.ID, Data: map[string]any{
		"chatbotId": m.ChatbotID, "threadId": m.ThreadID, "messageId": m.ID, "role": role,
		"question": question, "answer": answer, "sources": sources, "createdAt": isoTime(m.CreatedAt),
	}}, true
}

// emitMessageLocked fires NEW_MESSAGE for a stored message (visitor, AI or agent).
func (s *Store) emitMessageLocked(m *Message) {
	if e, ok := messageEventLocked(m); ok {
		s.emit(e)
	}
}

// leadEventLocked is the NEW_LEAD event of a lead as just captured.
func leadEventLocked(c *Chatbot, l *Lead, seq uint64) Event {
	return Event{Type: WebhookEventNewLead, ChatbotID: c.ID, Key: "lead:" + l.ID + ":" + itoa(seq), Data: map[string]any{
		"chatbotId": c.ID, "chatbotName": c.Name,
		"leadDetails": map[string]any{"id": l.VisitorID, "name": leadField(l.Name), "email": leadField(l.Email),
			"phone": leadField(l.Phone), "capturedAt": isoTime(l.CapturedAt)},
	}}
}

func itoa(n uint64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// CompleteEventData fills the fields a webhook payload needs that an event left out,
// from the stored records it names (a NEW_MESSAGE that carries only messageId, a
// CONVERSATION_ESCALATED that carries only threadId), so every emitter's events validate.
func (s *Store) CompleteEventData(e Event) map[string]any {
	s.mu.RLock()
	defer s.mu.RUnlock()
	data := map[string]any{}
	for k, v := range e.Data {
		data[k] = v
	}
	var full map[string]any
	switch e.Type {
	case WebhookEventNewMessage:
		id, _ := data["messageId"].(string)
		if m, ok := s.messages.get(id); ok {
			if ev, ok := messageEventLocked(m); ok {
				full = ev.Data
			}
		}
	case WebhookEventEscalated:
		id, _ := data["threadId"].(string)
		if t, ok := s.threads.get(id); ok {
			full = s.escalationDataLocked(t)
		}
	}
	for k, v := range full {
		if _, has := data[k]; !has {
			data[k] = v
		}
	}
	if _, has := data["chatbotId"]; !has && e.ChatbotID != "" {
		data["chatbotId"] = e.ChatbotID
	}
	return data
}

// leadField is a lead detail as event data: the string, or null.
func leadField(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// DeliveryByID returns a delivery whatever its chatbot (the dispatcher's lookup).
func (s *Store) DeliveryByID(id string) (Delivery, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, ok := s.deliveries[id]
	if !ok {
		return Delivery{}, false
	}
	return cloneDelivery(d), true
}

// NewUUID returns a fresh id from the store's seeded generator (sample payloads use it).
func (s *Store) NewUUID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen.Add(1) // the id sequence is part of the state
	return s.ids.uuid()
}

// DashboardURL is a chatbot page of the dashboard (e.g. "text-snippet"), used as the URL of
// simulated reply sources.
func DashboardURL(chatbotID, page string) string {
	return "https://app.contextgpt.co/" + chatbotID + "/" + page
}

// DeliveryPage is one page (page ≥ 1, limit ≥ 1) of a chatbot's deliveries newest first,
// optionally filtered by status and event type (empty means any), with the number that
// match. Unfiltered or with one filter it reads that filter's kept-sorted tree: O(log n +
// limit); with both, it walks the smaller of the two: O(its matches).
func (s *Store) DeliveryPage(chatbotID, status, eventType string, page, limit int) ([]Delivery, int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b := s.idx.deliveriesByBot[chatbotID]
	if b == nil || page < 1 || limit < 1 {
		return []Delivery{}, 0
	}
	var trees []*ostree[*Delivery]
	if status != "" {
		trees = append(trees, b.status[status])
	}
	if eventType != "" {
		trees = append(trees, b.event[eventType])
	}
	for _, tr := range trees {
		if tr.Len() == 0 {
			return []Delivery{}, 0
		}
	}
	if len(trees) <= 1 {
		tr := b.all
		if len(trees) == 1 {
			tr = trees[0]
		}
		start, end, ok := pageBounds(tr.Len(), page, limit)
		if !ok {
			return []Delivery{}, tr.Len()
		}
		out := make([]Delivery, 0, end-start)
		tr.Page(start, end-start, func(d *Delivery) { out = append(out, cloneDelivery(d)) })
		return out, tr.Len()
	}
	walk := trees[0]
	if trees[1].Len() < walk.Len() {
		walk = trees[1]
	}
	skip := walk.Len() + 1 // past any possible match
	if page-1 <= walk.Len()/limit {
		skip = (page - 1) * limit
	}
	out, total := []Delivery{}, 0
	walk.Ascend(0, func(d *Delivery) bool {
		if d.Status == status && d.EventType == eventType {
			if total >= skip && len(out) < limit {
				out = append(out, cloneDelivery(d))
			}
			total++
		}
		return true
	})
	return out, total
}

// HasDeliveries tells whether a chatbot has any delivery logged.
func (s *Store) HasDeliveries(chatbotID string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b := s.idx.deliveriesByBot[chatbotID]
	return b != nil && b.all.Len() > 0
}
