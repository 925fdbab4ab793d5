package spec

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// The fast path of response validation: a yes/no answer to "does this response honour the
// contract?", from schemas compiled once per (operation, status, content type) out of the
// kin-openapi document the harness has loaded anyway, checked while the body's bytes are
// tokenized (jsontext: no decoded tree, no re-marshalling, almost no allocations).
//
// It only ever says "yes" when libopenapi-validator would: every keyword it does not
// implement makes the schema unsupported, and every doubt (a media type matched only by a
// wildcard, a number written 1.0 for an integer, a format value outside the shape it knows)
// answers "no". "No" is not a finding: it sends the response to libopenapi-validator, which
// decides and explains (ValidateResponse). So the findings are the library's, unchanged, and
// a conforming response, the common case, costs a fraction of the library's time.
//
// Formats are the library's own (its JSON Schema compiler with its OpenAPI formats); the
// fast path has a quicker test only for the common shape of a date-time, and asks the
// library's checker for anything else.

// fastValidator answers the fast path for one document.
type fastValidator struct {
	spec    *Spec
	entries sync.Map // fastKey → *fastEntry
	formats sync.Map // format name → *fastFormat
}

type fastKey struct {
	route       *openapi3.Operation
	status      int
	contentType string
}

// fastEntry is what checking one (operation, status, content type) needs.
type fastEntry struct {
	ok      bool      // false: the fast path cannot answer; always ask the library
	body    *fastNode // nil: no body to check
	headers []fastHeader
}

type fastHeader struct {
	name     string // canonical
	required bool
	schema   *fastNode // nil: any value
	integer  bool      // the schema's type is integer: the value must be an integer literal
}

func newFastValidator(s *Spec) *fastValidator {
	if s == nil || s.doc == nil || !strings.HasPrefix(s.doc.OpenAPI, "3.0") {
		return nil // 3.1 reads schemas differently (no nullable); the library alone decides
	}
	return &fastValidator{spec: s}
}

// conforms tells whether the response certainly honours the contract.
func (f *fastValidator) conforms(method, path string, status int, header http.Header, body []byte) bool {
	if strings.HasSuffix(path, "/") || strings.Contains(path, "//") {
		return false // the trie reads these more leniently than the library's path matching
	}
	route, err := f.spec.Match(method, path)
	if err != nil {
		return false
	}
	e := f.entry(route, status, mediaType(header.Get("Content-Type")))
	if !e.ok {
		return false
	}
	for _, h := range e.headers {
		values, present := header[h.name]
		if !present {
			if h.required {
				return false
			}
			continue
		}
		for _, v := range values {
			if !h.check(v) {
				return false
			}
		}
	}
	if e.body == nil {
		return true
	}
	return validBody(e.body, body)
}

func (h fastHeader) check(v string) bool {
	if h.schema == nil {
		return true
	}
	if h.integer {
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return false
		}
		return validBody(h.schema, []byte(v))
	}
	raw, err := json.Marshal(v)
	return err == nil && validBody(h.schema, raw)
}

func (f *fastValidator) entry(route *Route, status int, mt string) *fastEntry {
	k := fastKey{route.Operation, status, mt}
	if e, ok := f.entries.Load(k); ok {
		return e.(*fastEntry)
	}
	e := f.compileEntry(route, status, mt)
	actual, _ := f.entries.LoadOrStore(k, e)
	return actual.(*fastEntry)
}

// mediaType is a Content-Type's media type, lower case, without parameters; "" when it
// does not parse.
func mediaType(contentType string) string {
	if contentType == "application/json" {
		return contentType
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return mt
}

// warm compiles the entries of the operation at path (parameters filled) for status (0:
// every declared status) and each media type it declares.
func (f *fastValidator) warm(method, path string, status int) {
	route, err := f.spec.Match(method, path)
	if err != nil || route.Operation.Responses == nil {
		return
	}
	for code, ref := range route.Operation.Responses.Map() {
		n, err := strconv.Atoi(code)
		if err != nil || (status != 0 && n != status) || ref == nil || ref.Value == nil {
			continue
		}
		for mt := range ref.Value.Content {
			f.entry(route, n, mt)
		}
	}
}

func (f *fastValidator) compileEntry(route *Route, status int, mt string) *fastEntry {
	no := &fastEntry{}
	resps := route.Operation.Responses
	if resps == nil {
		return no
	}
	ref := resps.Value(strconv.Itoa(status))
	if ref == nil {
		ref = resps.Value(fmt.Sprintf("%dXX", status/100))
	}
	if ref == nil {
		ref = resps.Default()
	}
	if ref == nil || ref.Value == nil {
		return no // undeclared: the library reports it
	}
	resp := ref.Value
	c := &fastCompiler{f: f, done: map[*openapi3.Schema]*fastNode{}}
	e := &fastEntry{ok: true}
	if len(resp.Content) > 0 {
		media, declared := resp.Content[mt]
		if !declared || media == nil || !(mt == "application/json" || strings.HasSuffix(mt, "+json")) {
			return no // wildcards, other media types: the library's rules
		}
		if media.Schema != nil {
			if e.body = c.node(media.Schema.Value); c.err != nil {
				return no
			}
		}
	}
	for name, h := range resp.Headers {
		if h == nil || h.Value == nil || strings.EqualFold(name, "Content-Type") {
			continue
		}
		fh := fastHeader{name: http.CanonicalHeaderKey(name), required: h.Value.Required}
		if h.Value.Schema != nil && h.Value.Schema.Value != nil {
			s := h.Value.Schema.Value
			switch {
			case s.Type.Is(openapi3.TypeString):
			case s.Type.Is(openapi3.TypeInteger):
				fh.integer = true
			default:
				return no // other readings of a header (arrays, numbers, objects): the library's
			}
			if fh.schema = c.node(s); c.err != nil {
				return no
			}
		}
		e.headers = append(e.headers, fh)
	}
	return e
}
