package spec

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Codes of the checks on a webhook delivery (what the API sent to a subscriber), read
// against the operation's `callbacks`.
const (
	CheckWebhookPayload = "webhook-payload" // the delivery's body breaks the callback's requestBody schema
	CheckWebhookHeader  = "webhook-header"  // a header the callback declares is absent or breaks its schema
)

// Callback is one webhook event the document declares: an entry of an operation's
// `callbacks`, the request the API sends to the subscriber's URL.
type Callback struct {
	// Event is the callbacks key, e.g. "CONVERSATION_ESCALATED".
	Event string
	// OperationID is the operation that declares it (the one that configures the webhook).
	OperationID string
	// Location is where the callback's request lives in the document, e.g.
	// "paths./v1/webhooks/{chatbotId}.put.callbacks.CONVERSATION_ESCALATED.{$request.body#/url}.post".
	Location string
	// URLPointer is the JSON Pointer into the configuring request's body that names the
	// subscriber's URL (from the callback's `{$request.body#/url}` expression); "" when the
	// expression is not of that form.
	URLPointer string
	op         *openapi3.Operation
}

// Callbacks are the webhook events the document declares, by event name (the first
// declaration wins when two operations declare the same event), built once.
func (s *Spec) Callbacks() map[string]*Callback {
	s.callbacksOnce.Do(func() {
		s.callbacks = map[string]*Callback{}
		for _, r := range s.routes { // sorted, so "first" is stable
			for _, cb := range r.callbacks() {
				if _, dup := s.callbacks[cb.Event]; !dup {
					s.callbacks[cb.Event] = cb
				}
			}
		}
	})
	return s.callbacks
}

// HasCallbacks tells whether the operation declares callbacks (it configures a webhook).
func (r *Route) HasCallbacks() bool {
	return r.Operation != nil && len(r.Operation.Callbacks) > 0
}

// CallbackURLPointers lists the JSON Pointers into the operation's request body that name
// a subscriber URL (from its callbacks' `{$request.body#/...}` expressions), deduplicated.
func (r *Route) CallbackURLPointers() []string {
	seen := map[string]bool{}
	var out []string
	for _, cb := range r.callbacks() {
		if cb.URLPointer != "" && !seen[cb.URLPointer] {
			seen[cb.URLPointer] = true
			out = append(out, cb.URLPointer)
		}
	}
	return out
}

func (r *Route) callbacks() []*Callback {
	if !r.HasCallbacks() {
		return nil
	}
	events := make([]string, 0, len(r.Operation.Callbacks))
	for ev := range r.Operation.Callbacks {
		events = append(events, ev)
	}
	sort.Strings(events)
	var out []*Callback
	for _, ev := range events {
		ref := r.Operation.Callbacks[ev]
		if ref == nil || ref.Value == nil {
			continue
		}
		for expr, item := range ref.Value.Map() {
			if item == nil || item.Post == nil {
				continue
			}
			ptr := ""
			if p, ok := strings.CutPrefix(expr, "{$request.body#"); ok && strings.HasSuffix(p, "}") {
				ptr = strings.TrimSuffix(p, "}")
			}
			out = append(out, &Callback{Event: ev, OperationID: r.OperationID, URLPointer: ptr, op: item.Post,
				Location: "paths." + r.SpecPath + "." + strings.ToLower(r.Method) + ".callbacks." + ev + "." + expr + ".post"})
		}
	}
	return out
}

// CheckDelivery validates one delivery of the callback as the subscriber received it: every
// header parameter the callback declares (present when required, valid against its schema)
// and the raw body against the JSON schema of its requestBody. Pointers into the body are
// JSON Pointers; a header finding's pointer is the header's name. nil when it conforms.
func (c *Callback) CheckDelivery(header http.Header, raw []byte) []Problem {
	var out []Problem
	for _, ref := range c.op.Parameters {
		p := ref.Value
		if p == nil || p.In != openapi3.ParameterInHeader {
			continue
		}
		loc := c.Location + ".parameters." + p.Name
		values, present := header[http.CanonicalHeaderKey(p.Name)]
		if !present || len(values) == 0 {
			if p.Required {
				out = append(out, Problem{Check: CheckWebhookHeader, Pointer: http.CanonicalHeaderKey(p.Name), SpecLocation: loc,
					Expected: "header " + p.Name, Actual: "(absent)", Message: "a required header of the callback is absent"})
			}
			continue
		}
		if p.Schema == nil || p.Schema.Value == nil {
			continue
		}
		if err := p.Schema.Value.VisitJSON(headerValue(p.Schema.Value, values[0])); err != nil {
			out = append(out, Problem{Check: CheckWebhookHeader, Pointer: http.CanonicalHeaderKey(p.Name), SpecLocation: loc,
				Expected: "a value of the header's schema", Actual: strconv.Quote(values[0]), Message: schemaReason(err)})
		}
	}
	body := c.bodySchema()
	if body == nil {
		return out
	}
	loc := c.Location + ".requestBody.content.application/json.schema"
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return append(out, Problem{Check: CheckWebhookPayload, SpecLocation: loc, Expected: "a JSON body",
			Actual: fmt.Sprintf("%d bytes that do not parse", len(raw)), Message: err.Error()})
	}
	err := body.VisitJSON(v, openapi3.MultiErrors())
	if err == nil {
		return out
	}
	var errs []error
	if multi, ok := err.(openapi3.MultiError); ok {
		errs = multi
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		p := Problem{Check: CheckWebhookPayload, SpecLocation: loc, Message: schemaReason(e)}
		var se *openapi3.SchemaError
		if errors.As(e, &se) {
			p.Pointer = instancePointer(se.JSONPointer())
			p.Expected = se.SchemaField
			if se.SchemaField == "required" {
				p.Actual = "(absent)"
			} else if b, err := json.Marshal(se.Value); err == nil {
				p.Actual = cut(string(b), 80)
			}
		}
		out = append(out, p)
	}
	return out
}

func (c *Callback) bodySchema() *openapi3.Schema {
	if c.op.RequestBody == nil || c.op.RequestBody.Value == nil {
		return nil
	}
	mt := c.op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

// headerValue reads a header's text as its schema's type (numbers and booleans are sent as
// text); a value that does not parse stays a string, so the schema reports it.
func headerValue(s *openapi3.Schema, v string) any {
	switch {
	case s.Type.Is(openapi3.TypeInteger) || s.Type.Is(openapi3.TypeNumber):
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f
		}
	case s.Type.Is(openapi3.TypeBoolean):
		if b, err := strconv.ParseBool(v); err == nil {
			return b
		}
	}
	return v
}

func schemaReason(err error) string {
	var se *openapi3.SchemaError
	if errors.As(err, &se) && se.Reason != "" {
		return se.Reason
	}
	return err.Error()
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
