package spec

import (
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// Load skips kin-openapi's document validation for the embedded documents (a quarter of the
// harness's start-up); this test is where they are validated instead.
func TestEmbeddedDocumentsAreValid(t *testing.T) {
	for name, doc := range map[string][]byte{"contextgpt.yaml": ContextGPTDocument(), "mock-admin.yaml": MockAdminDocument()} {
		if !isEmbedded(doc) {
			t.Fatalf("%s is not recognised as embedded", name)
		}
		d, err := openapi3.NewLoader().LoadFromData(doc)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := validateDocument(d); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Any other document is still validated by Load: a copy of the embedded one with a broken
// reference is refused.
func TestLoadValidatesOtherDocuments(t *testing.T) {
	doc := append([]byte{}, MockAdminDocument()...)
	doc = append(doc, []byte("\nx-extra: 1\n")...)
	if isEmbedded(doc) {
		t.Fatal("a changed document counts as embedded")
	}
	if _, err := Load(doc); err != nil {
		t.Fatalf("a valid document with an extension is refused: %v", err)
	}
	bad := []byte(`openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /x:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: objekt}
`)
	_, err := Load(bad)
	if err == nil || !strings.Contains(err.Error(), "invalid document") {
		t.Fatalf("an invalid document (type objekt) gave %v; want the validation's error", err)
	}
}
