package mock

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/plans"
	"github.com/contextgpt/sandbox/mock/store"
)

// secretHint is an ellipsis and the secret's last four characters.
func secretHint(secret string) string {
	if n := utf8.RuneCountInString(secret); n > 4 {
		r := []rune(secret)
		return "…" + string(r[n-4:])
	}
	return "…"
}

// webhooksAllowed refuses accounts without webhooks: 403 WEBHOOKS_NOT_IN_PLAN unless the
// plan includes them (Scale, Enterprise) or the account has the webhooks add-on (a paid
// plan below Scale).
func (m *Mock) webhooksAllowed(c *call) error {
	if m.store.AccountHasWebhooks(c.access.AccountID) {
		return nil
	}
	return apierr.New(apierr.WebhooksNotInPlan, "Webhooks are not available on the %s plan. Upgrade to Scale or Enterprise, or add the webhooks add-on to a paid plan.", c.access.Plan).
		WithDetails(map[string]any{"plan": string(c.access.Plan), "addon": plans.AddonWebhooks})
}

func (m *Mock) getWebhookConfig(c *call) (result, error) {
	if err := m.webhooksAllowed(c); err != nil {
		return result{}, err
	}
	w, err := m.store.Webhook(c.param("chatbotId"))
	if err != nil {
		return result{}, err
	}
	return result{Message: "Webhook configuration fetched successfully", Data: viewWebhookConfig(w)}, nil
}

func (m *Mock) putWebhookConfig(c *call) (result, error) {
	if err := m.webhooksAllowed(c); err != nil {
		return result{}, err
	}
	var in struct {
		URL    string   `json:"url"`
		Secret *string  `json:"secret"`
		Events []string `json:"events"`
	}
	if err := c.decode(&in); err != nil {
		return result{}, err
	}
	if err := checkWebhookURL(in.URL); err != nil {
		return result{}, err
	}
	if in.Secret != nil && utf8.RuneCountInString(*in.Secret) < 16 {
		return result{}, fieldError(apierr.InvalidFieldValue, "secret", "must be at least 16 characters")
	}
	w, created, err := m.store.PutWebhook(c.param("chatbotId"), store.WebhookInput{URL: in.URL, Secret: in.Secret, Events: in.Events})
	if err != nil {
		e := apierr.As(err)
		if e.Code == apierr.MissingRequiredField && len(e.Fields) == 0 {
			e.Fields = []apierr.FieldError{{Path: []any{"secret"}, Message: "is required when the webhook is first configured"}}
		}
		return result{}, e
	}
	v := viewWebhookConfig(w)
	if created {
		v.Secret = w.Secret
		return result{Status: http.StatusCreated, Message: "Webhook configuration created successfully", Data: v}, nil
	}
	return result{Message: "Webhook configuration updated successfully", Data: v}, nil
}

func fieldError(code, field, msg string) *apierr.Error {
	return &apierr.Error{Code: code, Message: field + " " + msg, Fields: []apierr.FieldError{{Path: []any{field}, Message: msg}}}
}

// checkWebhookURL accepts https URLs, and http only for loopback hosts (127.0.0.0/8,
// localhost, ::1), so tests can point a webhook at a local receiver. A URL on the mock's
// control plane (/__mock/...) is refused, however spelled, except the built-in webhook sink.
func checkWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fieldError(apierr.InvalidFieldValue, "url", "must be an absolute https URL")
	}
	if controlPlaneTarget(u) {
		return fieldError(apierr.InvalidFieldValue, "url", "must not point at the mock's control plane (/__mock/...); only the webhook sink /__mock/webhook-sink/{name} is allowed")
	}
	if u.Scheme == "https" {
		return nil
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fieldError(apierr.InvalidFieldValue, "url", "must use https (http is accepted only for loopback addresses)")
}

func (m *Mock) toggleWebhook(c *call) (result, error) {
	if err := m.webhooksAllowed(c); err != nil {
		return result{}, err
	}
	var in struct {
		IsEnabled bool `json:"isEnabled"`
	}
	if err := c.decode(&in); err != nil {
		return result{}, err
	}
	w, err := m.store.ToggleWebhook(c.param("chatbotId"), in.IsEnabled)
	if err != nil {
		return result{}, err
	}
	msg := "Webhook disabled successfully"
	if w.IsEnabled {
		msg = "Webhook enabled successfully"
	}
	return result{Message: msg, Data: viewWebhookConfig(w)}, nil
}

func (m *Mock) deleteWebhookConfig(c *call) (result, error) {
	if err := m.webhooksAllowed(c); err != nil {
		return result{}, err
	}
	if err := m.store.DeleteWebhook(c.param("chatbotId")); err != nil {
		return result{}, err
	}
	return result{Message: "Webhook configuration deleted successfully", Data: nil}, nil
}

func (m *Mock) listWebhookDeliveries(c *call) (result, error) {
	if err := m.webhooksAllowed(c); err != nil {
		return result{}, err
	}
	page, limit, err := pageParams(c)
	if err != nil {
		return result{}, err
	}
	id := c.param("chatbotId")
	if _, err := m.store.Webhook(id); err != nil && !m.store.HasDeliveries(id) {
		return result{}, err
	}
	items, total := m.store.DeliveryPage(id, c.query.Get("status"), c.query.Get("eventType"), page, limit)
	pg := newPageInfo(page, limit, total)
	out := make([]deliveryView, 0, len(items))
	for _, d := range items {
		out = append(out, viewDelivery(d))
	}
	return result{Message: "Webhook deliveries fetched successfully", Data: map[string]any{"deliveries": out, "pagination": pg}}, nil
}

func (m *Mock) retryWebhookDelivery(c *call) (result, error) {
	if err := m.webhooksAllowed(c); err != nil {
		return result{}, err
	}
	id := c.param("chatbotId")
	if _, err := m.store.Webhook(id); err != nil {
		return result{}, err
	}
	d, err := m.visitors.webhooks.Retry(id, c.param("deliveryId"))
	if err != nil {
		return result{}, err
	}
	return result{Status: http.StatusAccepted, Message: "Webhook delivery retry queued", Data: viewDelivery(d)}, nil
}

func (m *Mock) sendTestWebhook(c *call) (result, error) {
	if err := m.webhooksAllowed(c); err != nil {
		return result{}, err
	}
	var in struct {
		EventType string `json:"eventType"`
	}
	if err := c.decode(&in); err != nil {
		return result{}, err
	}
	d, err := m.visitors.webhooks.SendTest(c.param("chatbotId"), in.EventType)
	if err != nil {
		return result{}, err
	}
	return result{Status: http.StatusAccepted, Message: "Test webhook queued", Data: viewDelivery(d)}, nil
}
