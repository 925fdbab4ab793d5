package mock

import (
	"encoding/json"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

func TestDefaultsFor(t *testing.T) {
	m, err := New(Config{Seed: 1, Fixtures: []byte{}})
	if err != nil {
		t.Fatal(err)
	}
	schemas := m.spec.Doc().Components.Schemas
	for _, name := range []string{"AppearanceSettings", "LeadSettings", "HumanSupportSettings", "GeneralSettings", "LocalizationText", "TextSnippet"} {
		t.Run(name, func(t *testing.T) {
			s := schemas[name].Value
			d := m.defaultsFor(name)
			for _, req := range s.Required {
				if _, ok := d[req]; !ok {
					t.Errorf("required %s missing", req)
				}
			}
			for prop, ref := range s.Properties {
				got, ok := d[prop]
				switch {
				case !ok:
					t.Errorf("property %s missing", prop)
				case ref.Value.Default != nil:
					if b1, b2 := mustJSON(t, got), mustJSON(t, ref.Value.Default); b1 != b2 {
						t.Errorf("%s: got %s; want the default %s", prop, b1, b2)
					}
				case ref.Value.Nullable && got != nil:
					t.Errorf("%s: got %v; want null", prop, got)
				}
			}
			// With what a handler stamps, the document conforms.
			d["id"], d["chatbotId"] = "x", "1"
			for _, k := range []string{"createdAt", "updatedAt"} {
				if _, ok := d[k]; ok {
					d[k] = "2026-01-01T00:00:00.000Z"
				}
			}
			if _, ok := d["localeCode"]; ok {
				d["localeCode"] = "fr"
			}
			var v any
			if err := json.Unmarshal([]byte(mustJSON(t, d)), &v); err != nil {
				t.Fatal(err)
			}
			if err := s.VisitJSON(v, openapi3.VisitAsResponse(), openapi3.MultiErrors()); err != nil {
				t.Fatalf("defaults do not conform: %v", err)
			}
		})
	}
	a := m.defaultsFor("GeneralSettings")
	a["chatStart"] = "agent"
	if m.defaultsFor("GeneralSettings")["chatStart"] != "ai" {
		t.Fatal("defaultsFor returned the template itself, not a copy")
	}
	if got := m.defaultsFor("GeneralSettings")["numberOfSmartFollowupQuestionShown"]; got != 3 {
		t.Fatalf("got %#v; want int 3", got)
	}
	if len(m.defaultsFor("NoSuchSchema")) != 0 {
		t.Fatal("unknown schema must give an empty document")
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
