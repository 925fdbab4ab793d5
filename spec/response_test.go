package spec

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// responseTestSpec is a small 3.0.3 document with the shapes the checks meet in contextgpt.yaml:
// an envelope, a server prefix, a required header on 429, formats and additionalProperties.
const responseTestSpec = `openapi: 3.0.3
info: {title: t, version: "1"}
servers: [{url: /api}]
paths:
  /v1/items/{itemId}:
    get:
      operationId: getItem
      parameters:
        - {name: itemId, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/ItemEnvelope'}
        "429":
          description: limited
          headers:
            Retry-After:
              required: true
              schema: {type: integer}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Error'}
  /v1/items:
    delete:
      operationId: deleteItems
      responses:
        "204": {description: gone}
components:
  schemas:
    ItemEnvelope:
      type: object
      required: [success, data]
      properties:
        success: {type: boolean}
        data:
          type: object
          additionalProperties: false
          required: [id, role, items]
          properties:
            id: {type: string}
            email: {type: string, format: email}
            role: {type: string, enum: [admin, member]}
            items:
              type: array
              items:
                type: object
                required: [name]
                properties:
                  name: {type: string}
    Error:
      type: object
      required: [success]
      properties:
        success: {type: boolean}
`

const goodItem = `{"success":true,"data":{"id":"1","role":"admin","items":[{"name":"a"}]}}`

func newTestValidator(t *testing.T) *ResponseValidator {
	t.Helper()
	v, err := NewResponseValidator([]byte(responseTestSpec))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func jsonHeader() http.Header { return http.Header{"Content-Type": {"application/json"}} }

// TestValidateResponse: one response per row and the problems it must raise (a table, long
// because each check has its rows).
func TestValidateResponse(t *testing.T) {
	v := newTestValidator(t)
	loc200 := "paths./v1/items/{itemId}.get.responses.200"
	tests := []struct {
		name   string
		method string
		path   string
		status int
		header http.Header
		body   string
		want   []Problem // compared on Check, Pointer, Expected, Actual
		locs   []string  // SpecLocation prefixes, one per problem
	}{
		{name: "valid", path: "/api/v1/items/1", status: 200, header: jsonHeader(), body: goodItem},
		{name: "valid 204 without body", method: http.MethodDelete, path: "/api/v1/items", status: 204},
		{name: "valid 429 with Retry-After", path: "/api/v1/items/1", status: 429,
			header: http.Header{"Content-Type": {"application/json"}, "Retry-After": {"3"}}, body: `{"success":false}`},
		{name: "wrong type", path: "/api/v1/items/1", status: 200, header: jsonHeader(),
			body: `{"success":true,"data":{"id":1,"role":"admin","items":[]}}`,
			want: []Problem{{Check: CheckBodySchema, Pointer: "/data/id", Expected: "type"}},
			locs: []string{loc200 + ".content.application/json.schema"}},
		{name: "enum in an array item", path: "/api/v1/items/1", status: 200, header: jsonHeader(),
			body: `{"success":true,"data":{"id":"1","role":"root","items":[{"name":"a"}]}}`,
			want: []Problem{{Check: CheckBodySchema, Pointer: "/data/role", Expected: "enum"}}},
		{name: "missing required field names the field", path: "/api/v1/items/1", status: 200, header: jsonHeader(),
			body: `{"success":true,"data":{"id":"1","role":"admin","items":[{}]}}`,
			want: []Problem{{Check: CheckBodySchema, Pointer: "/data/items/0/name", Expected: "property name", Actual: "(absent)"}}},
		{name: "additional property names the field", path: "/api/v1/items/1", status: 200, header: jsonHeader(),
			body: `{"success":true,"data":{"id":"1","role":"admin","items":[],"extra":1}}`,
			want: []Problem{{Check: CheckBodySchema, Pointer: "/data/extra", Expected: "no undeclared property", Actual: "property extra"}}},
		{name: "format asserted", path: "/api/v1/items/1", status: 200, header: jsonHeader(),
			body: `{"success":true,"data":{"id":"1","role":"admin","items":[],"email":"not-an-email"}}`,
			want: []Problem{{Check: CheckBodySchema, Pointer: "/data/email", Expected: "format"}}},
		{name: "undeclared status", path: "/api/v1/items/1", status: 418, header: jsonHeader(), body: `{}`,
			want: []Problem{{Check: CheckStatusDeclared, Expected: "200, 429", Actual: "418"}},
			locs: []string{"paths./v1/items/{itemId}.get.responses"}},
		{name: "wrong content type", path: "/api/v1/items/1", status: 200,
			header: http.Header{"Content-Type": {"text/html"}}, body: `<html>`,
			want: []Problem{{Check: CheckContentType, Expected: "application/json", Actual: "text/html"}},
			locs: []string{loc200 + ".content"}},
		{name: "no content type", path: "/api/v1/items/1", status: 200, body: goodItem,
			want: []Problem{{Check: CheckContentType, Expected: "application/json", Actual: "(none)"}}},
		{name: "429 without Retry-After", path: "/api/v1/items/1", status: 429, header: jsonHeader(), body: `{"success":false}`,
			want: []Problem{{Check: CheckHeaderRequired, Pointer: "Retry-After", Expected: "header Retry-After", Actual: "(absent)"}},
			locs: []string{"paths./v1/items/{itemId}.get.responses.429.headers.Retry-After"}},
		{name: "unknown path", path: "/api/v1/nothing", status: 200, header: jsonHeader(), body: `{}`,
			want: []Problem{{Check: CheckOperationDeclared, Expected: "a declared path and method", Actual: "GET /api/v1/nothing"}}},
		{name: "path without the server prefix is unknown", path: "/v2/items/1", status: 200, header: jsonHeader(), body: goodItem,
			want: []Problem{{Check: CheckOperationDeclared, Expected: "a declared path and method", Actual: "GET /v2/items/1"}}},
		{name: "malformed json", path: "/api/v1/items/1", status: 200, header: jsonHeader(), body: `{"success":`,
			want: []Problem{{Check: CheckBodyJSON, Expected: "a JSON body"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = http.MethodGet
			}
			req := httptest.NewRequest(method, "http://127.0.0.1:8080"+tc.path, nil)
			got := v.ValidateResponse(req, tc.status, tc.header, []byte(tc.body))
			var trimmed []Problem
			for _, p := range got {
				if p.Message == "" {
					t.Errorf("problem %+v has no message: every problem explains itself", p)
				}
				trimmed = append(trimmed, Problem{Check: p.Check, Pointer: p.Pointer, Expected: p.Expected, Actual: p.Actual})
			}
			if !reflect.DeepEqual(trimmed, tc.want) {
				t.Errorf("problems = %+v, want %+v (all: %v)", trimmed, tc.want, got)
			}
			for i, loc := range tc.locs {
				if i >= len(got) {
					t.Fatalf("no problem %d to hold spec location %q", i, loc)
				}
				if !strings.Contains(got[i].SpecLocation, loc) {
					t.Errorf("problem %d: spec location %q does not contain %q", i, got[i].SpecLocation, loc)
				}
			}
		})
	}
}

func TestFieldPathToPointer(t *testing.T) {
	tests := []struct{ in, want string }{
		{"$", ""},
		{"", ""},
		{"$.data", "/data"},
		{"$.data.items[0].role", "/data/items/0/role"},
		{"$['a.b'][2]", "/a.b/2"},
		{"$.a/b.c~d", "/a~1b/c~0d"},
		{"$.x[10][3]", "/x/10/3"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := FieldPathToPointer(tc.in); got != tc.want {
				t.Errorf("FieldPathToPointer(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestValidateResponseConcurrent pins that one validator serves many goroutines (run with -race).
func TestValidateResponseConcurrent(t *testing.T) {
	v := newTestValidator(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				req := httptest.NewRequest(http.MethodGet, "/api/v1/items/1", nil)
				body := goodItem
				if i%2 == 1 {
					body = `{"success":true,"data":{"id":1,"role":"admin","items":[]}}`
				}
				got := v.ValidateResponse(req, 200, jsonHeader(), []byte(body))
				if i%2 == 0 && len(got) != 0 || i%2 == 1 && len(got) != 1 {
					t.Errorf("goroutine %d: got %v", i, got)
					return
				}
			}
		}()
	}
	wg.Wait()
}
