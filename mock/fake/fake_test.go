package fake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/contextgpt/sandbox/mock/fake"
	"github.com/contextgpt/sandbox/spec"
)

// roundTrip turns a generated value into what a client decodes (float64 numbers, []any).
func roundTrip(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	return out
}

func visit(s *openapi3.Schema, v any) error {
	return s.VisitJSON(v, openapi3.VisitAsResponse(), openapi3.EnableFormatValidation(), openapi3.MultiErrors())
}

// successSchema is the JSON schema of an operation's first 2xx response.
func successSchema(op *openapi3.Operation) (string, *openapi3.Schema) {
	for _, code := range []string{"200", "201", "202", "204"} {
		r := op.Responses.Value(code)
		if r == nil || r.Value == nil {
			continue
		}
		mt := r.Value.Content.Get("application/json")
		if mt == nil || mt.Schema == nil {
			return code, nil
		}
		return code, mt.Schema.Value
	}
	return "", nil
}

// TestGeneratedBodiesValidate generates the 2xx body of every operation of the ContextGPT
// spec, under many seeds so that every nullable and oneOf branch is taken, and validates
// it with kin-openapi (formats on).
func TestGeneratedBodiesValidate(t *testing.T) {
	s, err := spec.Load(spec.ContextGPTDocument())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range s.Routes() {
		code, schema := successSchema(r.Operation)
		if schema == nil {
			continue
		}
		n++
		t.Run(r.OperationID, func(t *testing.T) {
			for seed := int64(1); seed <= 25; seed++ {
				g := fake.New(seed)
				v := roundTrip(t, g.Value(schema, ""))
				if err := visit(schema, v); err != nil {
					b, _ := json.Marshal(v)
					t.Fatalf("seed %d, %s: generated body does not validate: %v\nbody: %s", seed, code, err, b)
				}
				status, ct, body := g.Response(r.Operation)
				if fmt.Sprint(status) != code || ct != "application/json" {
					t.Fatalf("Response: got %d %q; want %s application/json", status, ct, code)
				}
				if err := visit(schema, roundTrip(t, body)); err != nil {
					t.Fatalf("seed %d: Response body does not validate: %v", seed, err)
				}
			}
		})
	}
	if n < 60 {
		t.Fatalf("got %d operations with a JSON 2xx body; want the spec's (over 60)", n)
	}
}

func TestDeterminism(t *testing.T) {
	s, err := spec.Load(spec.ContextGPTDocument())
	if err != nil {
		t.Fatal(err)
	}
	gen := func(seed int64) []byte {
		g := fake.New(seed)
		var buf bytes.Buffer
		for _, r := range s.Routes() {
			if _, schema := successSchema(r.Operation); schema != nil {
				b, _ := json.Marshal(g.Value(schema, ""))
				buf.Write(b)
			}
			_, _, body := g.Response(r.Operation)
			b, _ := json.Marshal(body)
			buf.Write(b)
		}
		return buf.Bytes()
	}
	a, b := gen(7), gen(7)
	if !bytes.Equal(a, b) {
		t.Fatal("same seed gave different bytes")
	}
	if bytes.Equal(a, gen(8)) {
		t.Fatal("different seeds gave the same bytes")
	}
	// Response does not depend on what was generated before.
	op := s.Routes()[0].Operation
	g1, g2 := fake.New(3), fake.New(3)
	g2.Value(openapi3.NewStringSchema(), "x")
	g2.Response(s.Routes()[1].Operation)
	_, _, b1 := g1.Response(op)
	_, _, b2 := g2.Response(op)
	j1, _ := json.Marshal(b1)
	j2, _ := json.Marshal(b2)
	if !bytes.Equal(j1, j2) {
		t.Fatal("Response depends on earlier calls")
	}
}

func loadSchema(t *testing.T, src string) *openapi3.Schema {
	t.Helper()
	doc := `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{},"components":{"schemas":{"S":` + src + `}}}`
	d, err := openapi3.NewLoader().LoadFromData([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d.Components.Schemas["S"].Value
}

func TestValueRules(t *testing.T) {
	cases := []struct {
		name, schema, prop string
		check              func(v any) error
	}{
		{"enum", `{"type":"string","enum":["a","b"]}`, "", nil},
		{"email format", `{"type":"string","format":"email"}`, "", func(v any) error { _, err := mail.ParseAddress(v.(string)); return err }},
		{"uuid format", `{"type":"string","format":"uuid"}`, "", matches(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)},
		{"date-time", `{"type":"string","format":"date-time"}`, "", func(v any) error { _, err := time.Parse(time.RFC3339, v.(string)); return err }},
		{"date", `{"type":"string","format":"date"}`, "", func(v any) error { _, err := time.Parse(time.DateOnly, v.(string)); return err }},
		{"uri", `{"type":"string","format":"uri"}`, "", matches(`^https?://`)},
		{"pattern", `{"type":"string","pattern":"^[A-Z]{3}-[0-9]{4}$"}`, "", matches(`^[A-Z]{3}-[0-9]{4}$`)},
		{"lengths", `{"type":"string","minLength":40,"maxLength":45}`, "", nil},
		{"short max", `{"type":"string","maxLength":3}`, "description", nil},
		{"int range", `{"type":"integer","minimum":5,"maximum":7}`, "", nil},
		{"exclusive", `{"type":"integer","minimum":5,"maximum":7,"exclusiveMinimum":true,"exclusiveMaximum":true}`, "", func(v any) error {
			if v.(float64) != 6 {
				return fmt.Errorf("got %v; want 6", v)
			}
			return nil
		}},
		{"number range", `{"type":"number","minimum":0.5,"maximum":0.75}`, "", nil},
		{"array bounds", `{"type":"array","minItems":4,"maxItems":6,"items":{"type":"integer"}}`, "", nil},
		{"unique items", `{"type":"array","minItems":3,"uniqueItems":true,"items":{"type":"string","enum":["x","y","z"]}}`, "", nil},
		{"nullable", `{"type":"string","nullable":true}`, "", nil},
		{"allOf", `{"allOf":[{"type":"object","required":["a"],"properties":{"a":{"type":"string"}}},{"type":"object","required":["b"],"properties":{"b":{"type":"integer"}}}]}`, "", func(v any) error {
			m := v.(map[string]any)
			if _, ok := m["a"]; !ok {
				return fmt.Errorf("a missing")
			}
			if _, ok := m["b"]; !ok {
				return fmt.Errorf("b missing")
			}
			return nil
		}},
		{"oneOf", `{"oneOf":[{"type":"string","maxLength":2},{"type":"string","minLength":1}]}`, "", nil},
		{"anyOf", `{"anyOf":[{"type":"integer"},{"type":"boolean"}]}`, "", nil},
		{"email by name", `{"type":"string"}`, "contactEmail", func(v any) error { _, err := mail.ParseAddress(v.(string)); return err }},
		{"time by name", `{"type":"string"}`, "createdAt", func(v any) error { _, err := time.Parse(time.RFC3339, v.(string)); return err }},
		{"color by name", `{"type":"string","maxLength":7}`, "brandPrimaryColor", matches(`^#[0-9a-fA-F]{6}$`)},
		{"chatbot id by name", `{"type":"string"}`, "chatbotId", matches(`^[0-9]{18}$`)},
		{"url by name", `{"type":"string"}`, "linkSrc", matches(`^https?://`)},
		{"phone by name", `{"type":"string"}`, "visitorPhone", matches(`^[0-9]+$`)},
		{"additionalProperties", `{"type":"object","additionalProperties":{"type":"integer"}}`, "", func(v any) error {
			if len(v.(map[string]any)) == 0 {
				return fmt.Errorf("no entries")
			}
			return nil
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := loadSchema(t, tc.schema)
			for seed := int64(1); seed <= 30; seed++ {
				v := roundTrip(t, fake.New(seed).Value(s, tc.prop))
				if err := visit(s, v); err != nil {
					t.Fatalf("seed %d: %v does not validate: %v", seed, v, err)
				}
				if tc.check != nil && v != nil {
					if err := tc.check(v); err != nil {
						t.Fatalf("seed %d: %v: %v", seed, v, err)
					}
				}
			}
		})
	}
}

func matches(re string) func(any) error {
	rx := regexp.MustCompile(re)
	return func(v any) error {
		if !rx.MatchString(v.(string)) {
			return fmt.Errorf("%q does not match %s", v, re)
		}
		return nil
	}
}

func TestReadOnlyWriteOnly(t *testing.T) {
	s := loadSchema(t, `{"type":"object","properties":{"id":{"type":"string","readOnly":true},"password":{"type":"string","writeOnly":true},"name":{"type":"string"}}}`)
	g := fake.New(1)
	resp := g.Value(s, "").(map[string]any)
	if _, ok := resp["password"]; ok {
		t.Fatal("writeOnly property in a response")
	}
	if _, ok := resp["id"]; !ok {
		t.Fatal("readOnly property missing from a response")
	}
	req := g.ValueFor(fake.Request, s, "").(map[string]any)
	if _, ok := req["id"]; ok {
		t.Fatal("readOnly property in a request")
	}
	if _, ok := req["password"]; !ok {
		t.Fatal("writeOnly property missing from a request")
	}
}

func TestResponseUsesExample(t *testing.T) {
	doc := `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"operationId":"a","responses":{
		"404":{"description":"no"},
		"201":{"description":"made","content":{"text/plain":{"schema":{"type":"string"}},"application/json":{"schema":{"type":"object","properties":{"n":{"type":"integer"}}},"example":{"n":42}}}},
		"200":{"description":"ok","content":{"application/json":{"schema":{"type":"object","properties":{"statusCode":{"type":"integer"},"n":{"type":"integer"}}}}}}}}}}}`
	d, err := openapi3.NewLoader().LoadFromData([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	op := d.Paths.Value("/a").Get
	status, ct, body := fake.New(1).Response(op)
	if status != 200 || ct != "application/json" {
		t.Fatalf("got %d %q; want the first 2xx, 200 application/json", status, ct)
	}
	if body.(map[string]any)["statusCode"] != 200 {
		t.Fatalf("got statusCode %v; want 200", body.(map[string]any)["statusCode"])
	}
	op.Responses.Delete("200")
	status, _, body = fake.New(1).Response(op)
	if status != 201 || !strings.Contains(fmt.Sprint(body), "42") {
		t.Fatalf("got %d %v; want 201 with the example", status, body)
	}
}
