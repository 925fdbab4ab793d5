package conformance

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/contextgpt/sandbox/conformance/expr"
	"github.com/contextgpt/sandbox/spec"
)

// Webhook deliveries. When the target is the mock, a step that reads the mock's webhook sink
// (the control plane's getWebhookSink) gets every delivery the sink recorded checked by the
// runner itself, not by the sink's own verdict (signatureValid):
//
//   - the raw body against the requestBody schema of the callback its `event` names
//     (webhook-payload), and the headers the callback declares (webhook-header);
//   - X-Signature, recomputed as `sha256=` + hex HMAC-SHA256 of the raw body keyed with the
//     secret this run configured for the sink's URL, and X-Webhook-Token equal to that secret
//     (webhook-signature).
//
// The secret is what a step of the same group sent in the `secret` field of an operation that
// declares callbacks (putWebhookConfig), for the URL its callbacks' `{$request.body#/url}`
// names; a later save without a secret keeps the earlier one, as the API does. Deliveries to a
// sink no step of the run configured a webhook for get their payloads checked, not their
// signatures (the secret is not known). Nothing in the workflow says so: Redocly respect and
// other runners read the same step as an ordinary call.
const (
	CheckWebhookPayload   Check = spec.CheckWebhookPayload
	CheckWebhookHeader    Check = spec.CheckWebhookHeader
	CheckWebhookSignature Check = "webhook-signature" // X-Signature is not the HMAC of the raw body with the configured secret, or X-Webhook-Token is not the secret
)

// sinkReadOperation is the control plane's operation that lists what a webhook sink received.
const sinkReadOperation = "getWebhookSink"

// webhookConfig is a webhook configuration a step of the group saved.
type webhookConfig struct {
	url    string
	secret string
	spec   *spec.Spec // whose callbacks describe the deliveries
	step   string     // the step that configured it, named in findings
}

// noteWebhookConfig records what a successful call of an operation with callbacks configured:
// the subscriber URL (each callback expression's body pointer) and the secret.
func (g *group) noteWebhookConfig(op *operation, stepID string, payload any) {
	obj, ok := payload.(map[string]any)
	if !ok {
		return
	}
	secret, _ := obj["secret"].(string)
	for _, ptr := range op.route.CallbackURLPointers() {
		v, err := expr.Resolve(payload, ptr)
		u, isString := v.(string)
		if err != nil || !isString || u == "" {
			continue
		}
		cfg := g.webhookFor(u)
		if cfg == nil {
			g.webhooks = append(g.webhooks, &webhookConfig{url: u})
			cfg = g.webhooks[len(g.webhooks)-1]
		}
		cfg.url, cfg.spec = u, op.src.spec
		if secret != "" {
			cfg.secret, cfg.step = secret, stepID
		}
	}
}

// webhookFor finds the configuration whose URL is u (or has u's path: the sink is named by
// its path, whatever host the configuration used to reach it).
func (g *group) webhookFor(u string) *webhookConfig {
	want := urlPath(u)
	for i := len(g.webhooks) - 1; i >= 0; i-- {
		if c := g.webhooks[i]; c.url == u || (want != "" && urlPath(c.url) == want) {
			return c
		}
	}
	return nil
}

func urlPath(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Path == "" {
		return ""
	}
	return path.Clean(p.Path)
}

// sinkDelivery is one delivery as the mock's sink reports it.
type sinkDelivery struct {
	ID      string            `json:"id"`
	Headers map[string]string `json:"headers"`
	RawBody *string           `json:"rawBody"`
}

// checkDeliveries checks every delivery of a sink read's 200 body (see the package comment
// above). sinkPath is the path the step read (/__mock/webhook-sink/{name}).
func (r *Runner) checkDeliveries(g *group, sinkPath string, body []byte) []spec.Problem {
	var sink struct {
		Deliveries []sinkDelivery `json:"deliveries"`
	}
	if json.Unmarshal(body, &sink) != nil {
		return nil // the response's own schema check reports a body that is not the sink's
	}
	cfg := g.webhookFor(sinkPath)
	api := r.apiSpec()
	if cfg != nil && cfg.spec != nil {
		api = cfg.spec
	}
	if api == nil {
		return nil
	}
	callbacks := api.Callbacks()
	var out []spec.Problem
	for i, d := range sink.Deliveries {
		at := "/deliveries/" + strconv.Itoa(i)
		label := "delivery " + d.ID
		if d.RawBody == nil {
			out = append(out, spec.Problem{Check: CheckWebhookPayload, Pointer: at + "/rawBody", Expected: "the raw body as sent",
				Actual: "(absent)", Message: label + ": the sink recorded no raw body, so neither payload nor signature can be checked"})
			continue
		}
		r.deliveriesChecked.Add(1)
		raw := []byte(*d.RawBody)
		header := http.Header{}
		for k, v := range d.Headers {
			header.Set(k, v)
		}
		var env struct {
			Event string `json:"event"`
		}
		_ = json.Unmarshal(raw, &env)
		if env.Event != "" {
			label += " (" + env.Event + ")"
		}
		if cb := callbacks[env.Event]; cb != nil {
			for _, p := range cb.CheckDelivery(header, raw) {
				if p.Check == CheckWebhookHeader {
					p.Pointer = at + "/headers/" + p.Pointer
				} else {
					p.Pointer = at + "/body" + p.Pointer
				}
				p.Message = label + ": " + p.Message
				out = append(out, p)
			}
		} else {
			out = append(out, spec.Problem{Check: CheckWebhookPayload, Pointer: at + "/body/event",
				Expected: "an event the spec's callbacks declare (" + strings.Join(sortedKeys(callbacks), ", ") + ")",
				Actual:   strconv.Quote(env.Event), Message: label + ": the event is not a callback of the spec"})
		}
		if cfg != nil && cfg.secret != "" {
			r.signaturesChecked.Add(1)
			out = append(out, signatureProblems(at, label, cfg, header, raw)...)
		}
	}
	return out
}

// signatureProblems checks X-Signature and X-Webhook-Token against the configured secret.
func signatureProblems(at, label string, cfg *webhookConfig, header http.Header, raw []byte) []spec.Problem {
	var out []spec.Problem
	want := Signature(cfg.secret, raw)
	got := header.Get("X-Signature")
	if !hmac.Equal([]byte(got), []byte(want)) {
		actual := strconv.Quote(got)
		if got == "" {
			actual = "(absent)"
		}
		out = append(out, spec.Problem{Check: CheckWebhookSignature, Pointer: at + "/headers/X-Signature",
			Expected: "sha256=<hex HMAC-SHA256 of the raw body, keyed with the secret step " + cfg.step + " configured>",
			Actual:   actual, Message: label + ": X-Signature is not the HMAC of the raw body with the configured secret"})
	}
	if !hmac.Equal([]byte(header.Get("X-Webhook-Token")), []byte(cfg.secret)) {
		out = append(out, spec.Problem{Check: CheckWebhookSignature, Pointer: at + "/headers/X-Webhook-Token",
			Expected: "the secret step " + cfg.step + " configured", Actual: "another value",
			Message: label + ": X-Webhook-Token is not the configured secret"})
	}
	return out
}

// Signature is the X-Signature a delivery of raw must carry for secret: `sha256=` and the
// hex HMAC-SHA256 of the raw body keyed with the secret (the spec's callbacks say so).
func Signature(secret string, raw []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(raw)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// apiSpec is the first API (not control plane) source's document, or nil.
func (r *Runner) apiSpec() *spec.Spec {
	for _, s := range r.sources {
		if !s.control {
			return s.spec
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// isSinkRead tells whether a step's call read the mock's webhook sink.
func isSinkRead(op *operation) bool {
	return op.src.control && op.route.OperationID == sinkReadOperation
}
