package spec

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi-validator/config"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/orderedmap"
)

// TestExamplesValidateInLibopenapi walks every example of both documents and validates it
// with libopenapi-validator (kin-openapi validates them already when the document loads).
func TestExamplesValidateInLibopenapi(t *testing.T) {
	for name, doc := range map[string][]byte{"contextgpt.yaml": ContextGPTDocument(), "mock-admin.yaml": MockAdminDocument()} {
		t.Run(name, func(t *testing.T) {
			d, err := libopenapi.NewDocument(doc)
			if err != nil {
				t.Fatal(err)
			}
			m, err := d.BuildV3Model()
			if err != nil {
				t.Fatal(err)
			}
			sv := schema_validation.NewSchemaValidator(config.WithFormatAssertions())
			checked := 0
			check := func(where string, schema *base.SchemaProxy, example any) {
				if schema == nil || example == nil {
					return
				}
				b, err := json.Marshal(example)
				if err != nil {
					t.Errorf("%s: example does not encode: %v", where, err)
					return
				}
				checked++
				if ok, errs := sv.ValidateSchemaBytesWithVersion(schema.Schema(), b, 3.0); !ok {
					for _, e := range errs {
						for _, f := range e.SchemaValidationErrors {
							t.Errorf("%s: example: %s: %s", where, f.FieldPath, f.Reason)
						}
						if len(e.SchemaValidationErrors) == 0 {
							t.Errorf("%s: example: %s", where, e.Message)
						}
					}
				}
			}
			for name, sp := range m.Model.Components.Schemas.FromOldest() {
				walkSchemaExamples("#/components/schemas/"+name, sp, check, map[*base.Schema]bool{})
			}
			for path, item := range m.Model.Paths.PathItems.FromOldest() {
				for method, op := range item.GetOperations().FromOldest() {
					where := method + " " + path
					if op.RequestBody != nil {
						mediaExamples(where+" request", op.RequestBody.Content, check)
					}
					for code, r := range op.Responses.Codes.FromOldest() {
						mediaExamples(where+" "+code, r.Content, check)
					}
				}
			}
			if checked < 20 {
				t.Fatalf("checked only %d examples; the walk is broken", checked)
			}
			t.Logf("%d examples valid", checked)
		})
	}
}

func mediaExamples(where string, content *orderedmap.Map[string, *v3.MediaType], check func(string, *base.SchemaProxy, any)) {
	if content == nil {
		return
	}
	for ct, mt := range content.FromOldest() {
		if mt.Example != nil && strings.Contains(ct, "json") {
			var v any
			if err := mt.Example.Decode(&v); err == nil {
				check(where+" "+ct, mt.Schema, v)
			}
		}
	}
}

func walkSchemaExamples(where string, sp *base.SchemaProxy, check func(string, *base.SchemaProxy, any), seen map[*base.Schema]bool) {
	if sp == nil {
		return
	}
	s := sp.Schema()
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	if s.Example != nil {
		var v any
		if err := s.Example.Decode(&v); err == nil {
			check(where, sp, v)
		}
	}
	if s.Properties != nil {
		for name, p := range s.Properties.FromOldest() {
			walkSchemaExamples(where+"/properties/"+name, p, check, seen)
		}
	}
	if s.Items != nil && s.Items.IsA() {
		walkSchemaExamples(where+"/items", s.Items.A, check, seen)
	}
	for i, p := range s.AllOf {
		walkSchemaExamples(fmt.Sprintf("%s/allOf/%d", where, i), p, check, seen)
	}
}
