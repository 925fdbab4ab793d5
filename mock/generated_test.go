package mock

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/contextgpt/sandbox/spec"
)

func withSpec(doc []byte) testOption { return func(cfg *Config) { cfg.Spec = doc } }

// TestGeneratedOtherDocument serves a small document other than the ContextGPT API
// (Config.Spec, the --spec flag): every answer comes from its examples or schemas and is
// validated against it by both libraries (strict mode and the harness).
func TestGeneratedOtherDocument(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("testdata/petstore.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tm := newTestMock(t, withSpec(doc))
	list := tm.do("GET", "/v2/pets?limit=5", "", nil).must(t, 200)
	items, _ := list.Body["items"].([]any)
	if len(items) == 0 {
		t.Fatalf("got no items: %s", list.Raw)
	}
	for _, it := range items {
		if _, ok := it.(map[string]any)["secret"]; ok {
			t.Fatalf("writeOnly field in a response: %s", list.Raw)
		}
	}
	if got := tm.do("GET", "/v2/pets/abc", "", nil).must(t, 200).str("name"); got != "Rex" {
		t.Fatalf("got name %q; want the media type's example", got)
	}
	created := tm.do("POST", "/v2/pets", "", map[string]any{"name": "Tom", "species": "cat"}).must(t, 201)
	if created.str("id") == "" || created.str("species") == "" {
		t.Fatalf("create: %s", created.Raw)
	}
	tm.do("POST", "/v2/pets", "", map[string]any{"name": "Tom", "species": "fish"}).must(t, 400)
	del := tm.do("DELETE", "/v2/pets/abc", "", nil).must(t, 204)
	if len(del.Raw) != 0 {
		t.Fatalf("204 with a body: %q", del.Raw)
	}
	note := tm.do("GET", "/v2/pets/abc/note", "", nil).must(t, 200)
	if ct := note.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") || len(note.Raw) == 0 || len(note.Raw) > 80 {
		t.Fatalf("note: %q %q", ct, note.Raw)
	}
	tm.do("GET", "/v2/nope", "", nil).must(t, 404)
	tm.do("PUT", "/v2/pets", "", nil).must(t, 405)

	// Same seed, same bytes: a second mock answers identically, whatever came before.
	again := newTestMock(t, withSpec(doc))
	again.do("GET", "/v2/pets/abc/note", "", nil)
	if b := again.do("GET", "/v2/pets?limit=5", "", nil).Raw; !bytes.Equal(b, list.Raw) {
		t.Fatalf("same seed gave different bodies:\n%s\n%s", b, list.Raw)
	}
	other := newTestMock(t, withSpec(doc), func(cfg *Config) { cfg.Seed = 99 })
	if b := other.do("GET", "/v2/pets?limit=5", "", nil).Raw; bytes.Equal(b, list.Raw) {
		t.Fatal("another seed gave the same body")
	}
}

// TestGeneratedContextGPTDocument serves the ContextGPT document as if it were any other
// (no domain handlers): every operation without a request body or required query
// parameter is answered from examples and schemas, and each answer conforms (strict mode
// and kin-openapi in the harness fail the test otherwise).
func TestGeneratedContextGPTDocument(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t, withSpec(spec.ContextGPTDocument()), func(cfg *Config) { cfg.Fixtures = defaultFixtures() })
	n := 0
	for _, r := range tm.m.Spec().Routes() {
		op := r.Operation
		if op.RequestBody != nil && op.RequestBody.Value.Required {
			continue
		}
		skip := false
		for _, p := range op.Parameters {
			if p.Value.In == "query" && p.Value.Required {
				skip = true
			}
		}
		if skip {
			continue
		}
		path := r.PathTemplate
		for {
			i := strings.Index(path, "{")
			if i < 0 {
				break
			}
			j := strings.Index(path[i:], "}")
			path = path[:i] + "361628903185310001" + path[i+j+1:]
		}
		res := tm.do(r.Method, path, keyScale, nil)
		if res.Status < 200 || res.Status > 299 {
			t.Errorf("%s %s: got %d; want 2xx\n%s", r.Method, path, res.Status, res.Raw)
		}
		n++
	}
	if n < 20 {
		t.Fatalf("exercised %d operations; want at least 20", n)
	}
}
