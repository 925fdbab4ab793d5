package spec

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
)

// Strict validation: an entry of a map declared with an additionalProperties schema (the
// sink's headers; a payload's free-form data) is declared, however it is named; a property
// of an object that is only `additionalProperties: true` is still undeclared.
func TestStrictTreatsSchemaValuedAdditionalPropertiesAsDeclared(t *testing.T) {
	v, err := NewStrictResponseValidator(MockAdminDocument())
	if err != nil {
		t.Fatal(err)
	}
	body := func(edit func(d map[string]any)) []byte {
		d := map[string]any{
			"id": "dlv-1", "receivedAt": "2026-08-01T12:00:00Z", "rawBody": "{}", "event": "NEW_LEAD",
			"signatureValid": true, "tokenValid": nil, "responseStatus": 200,
			"headers": map[string]any{"Content-Type": "application/json", "X-Signature": "abc", "X-Anything-At-All": "v"},
			"body":    map[string]any{"event": "NEW_LEAD", "data": map[string]any{"leadDetails": map[string]any{"id": "x", "deep": []any{map[string]any{"k": 1}}}}},
		}
		if edit != nil {
			edit(d)
		}
		raw, err := json.Marshal(map[string]any{"name": "s", "config": map[string]any{"name": "s", "status": 500, "failTimes": 0, "delayMs": 0, "secret": nil}, "deliveries": []any{d}})
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	req := httptest.NewRequest("GET", "/__mock/webhook-sink/s", nil)
	if p := v.ValidateResponse(req, 200, jsonHeader(), body(nil)); len(p) != 0 {
		t.Fatalf("a sink delivery with any headers and any payload data: got %v, want no findings", p)
	}
	p := v.ValidateResponse(req, 200, jsonHeader(), body(func(d map[string]any) {
		d["body"].(map[string]any)["zzUndeclared"] = 1
	}))
	if len(p) != 1 || p[0].Check != CheckBodyUndeclared || p[0].Pointer != "/deliveries/0/body/zzUndeclared" {
		t.Fatalf("an undeclared key of an additionalProperties: true object: got %v, want one body-undeclared at /deliveries/0/body/zzUndeclared", p)
	}
	p = v.ValidateResponse(req, 200, jsonHeader(), body(func(d map[string]any) {
		d["headers"].(map[string]any)["X-Number"] = 7
	}))
	if len(p) == 0 || p[0].Check == CheckBodyUndeclared {
		t.Fatalf("a header value that is not a string: got %v, want a schema finding", p)
	}
}
