package spec

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/cache"
	"github.com/pb33f/libopenapi-validator/config"
	liberrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/helpers"
	"github.com/pb33f/libopenapi-validator/paths"
	"github.com/pb33f/libopenapi-validator/radix"
	"github.com/pb33f/libopenapi-validator/responses"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// Stable codes of the response checks. They are a contract: reports, tests and CI filters
// match on them, so a code is never renamed.
const (
	CheckOperationDeclared = "operation-declared" // the request's path and method are in the spec
	CheckStatusDeclared    = "status-declared"    // the status is declared for the operation
	CheckContentType       = "content-type"       // the Content-Type is declared for that status
	CheckBodyJSON          = "body-json"          // the body parses as JSON
	CheckBodySchema        = "body-schema"        // the body validates against the schema
	CheckHeaderRequired    = "header-required"    // a required response header is present
	CheckHeaderSchema      = "header-schema"      // a response header validates against its schema
	CheckBodyUndeclared    = "body-undeclared"    // strict validation: a property the schema does not declare
)

// Problem is one way a response breaks the contract.
type Problem struct {
	// Check is the stable code of the check that failed (the Check* constants).
	Check string `json:"check"`
	// Pointer is a JSON Pointer into the body ("" for the root); for header checks, the
	// header's name.
	Pointer string `json:"pointer"`
	// SpecLocation says where in the spec the rule lives, e.g.
	// "paths./v1/chatbots/my-chatbots.get.responses.200" plus, for schema rules, the keyword
	// location ("...content.application/json.schema/properties/data/type").
	SpecLocation string `json:"specLocation,omitempty"`
	// Expected and Actual describe the rule and what the response did.
	Expected string `json:"expected,omitempty"`
	Actual   string `json:"actual,omitempty"`
	// Message is the validator's own explanation.
	Message string `json:"message"`
}

// String renders the problem on one line.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.Check)
	if p.Pointer != "" {
		b.WriteString(" at ")
		b.WriteString(p.Pointer)
	}
	b.WriteString(": ")
	b.WriteString(p.Message)
	if p.Expected != "" || p.Actual != "" {
		fmt.Fprintf(&b, " (expected %s; got %s)", p.Expected, p.Actual)
	}
	return b.String()
}

// ResponseValidator checks responses against one OpenAPI document, format assertions on.
// A response first goes through the fast path (response_fast.go: schemas compiled from the
// kin-openapi document, checked on the body's bytes); only a response the fast path cannot
// vouch for goes to libopenapi-validator, which decides and explains. The library's model is
// built on that first need, so a run whose responses all conform never builds it. Build a
// validator once: it compiles each schema on first use and keeps it. It is safe for
// concurrent use.
type ResponseValidator struct {
	document []byte
	strict   bool
	fast     *fastValidator // nil: every response goes to the library

	libOnce sync.Once
	lib     *libValidator
	libErr  error
}

// libValidator is libopenapi-validator on the document.
type libValidator struct {
	model   *v3.Document
	bodies  responses.ResponseBodyValidator
	options *config.ValidationOptions // for path matching only

	// Compiling a schema renders shared libopenapi model nodes, which is not safe to do
	// concurrently. The first validation of each (operation, status, content type) runs
	// under compileMu and compiles what it needs; later ones use the cache and run freely.
	compileMu sync.Mutex
	compiled  sync.Map // compiledKey → struct{}
}

// NewResponseValidator builds a validator for the given OpenAPI 3 document.
func NewResponseValidator(document []byte) (*ResponseValidator, error) {
	return newResponseValidator(document, false)
}

// NewStrictResponseValidator is NewResponseValidator that also reports, as
// CheckBodyUndeclared, every body property the schema does not declare (even where
// additionalProperties allows it): a server that adds or renames fields is caught.
func NewStrictResponseValidator(document []byte) (*ResponseValidator, error) {
	return newResponseValidator(document, true)
}

func newResponseValidator(document []byte, strict bool) (*ResponseValidator, error) {
	v := &ResponseValidator{document: document, strict: strict}
	if !strict { // the fast path does not look for undeclared properties
		if s, err := Shared(document); err == nil {
			v.fast = newFastValidator(s)
		}
	}
	if v.fast == nil {
		// The library decides every response: build it now, so a document it cannot read is
		// an error here rather than at the first response.
		if _, err := v.library(); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// library builds libopenapi-validator's model of the document, once.
func (v *ResponseValidator) library() (*libValidator, error) {
	v.libOnce.Do(func() { v.lib, v.libErr = newLibValidator(v.document, v.strict) })
	return v.lib, v.libErr
}

func newLibValidator(document []byte, strict bool) (*libValidator, error) {
	doc, err := libopenapi.NewDocument(document)
	if err != nil {
		return nil, fmt.Errorf("parse openapi document: %w", err)
	}
	m, err := doc.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("build openapi model: %w", err)
	}
	// libopenapi-validator compiles every schema of the document while it is built (3 s for
	// contextgpt.yaml on a busy machine). A lazy cache skips that warm-up: each schema is
	// compiled on first use and cached from then on.
	schemas := &lazySchemaCache{inner: cache.NewDefaultCache()}
	schemas.warming.Store(true)
	opts := []config.Option{config.WithFormatAssertions(), config.WithSchemaCache(schemas)}
	if strict {
		opts = append(opts, config.WithStrictMode())
	}
	lv := validator.NewValidatorFromV3Model(&m.Model, opts...)
	schemas.warming.Store(false)
	options := config.NewValidationOptions()
	options.PathTree = radix.BuildPathTree(&m.Model)
	return &libValidator{model: &m.Model, bodies: lv.GetResponseBodyValidator(), options: options}, nil
}

// ValidateResponse checks one response to req: status declared, content type, body against
// the schema, declared headers. The request's URL path includes the server prefix
// ("/api/v1/..."). It returns nil when the response honours the contract.
func (v *ResponseValidator) ValidateResponse(req *http.Request, status int, header http.Header, body []byte) []Problem {
	if header == nil {
		header = http.Header{}
	}
	if v.fast != nil && v.fast.conforms(req.Method, req.URL.EscapedPath(), status, header, body) {
		return nil
	}
	lib, err := v.library()
	if err != nil {
		return []Problem{{Check: CheckBodySchema, Expected: "a document libopenapi-validator reads",
			Message: "the response could not be checked: " + err.Error()}}
	}
	return lib.validate(req, status, header, body)
}

func (v *libValidator) validate(req *http.Request, status int, header http.Header, body []byte) []Problem {
	pathItem, errs, pathValue := paths.FindPath(req, v.model, v.options)
	if pathItem == nil || len(errs) > 0 {
		msg := fmt.Sprintf("%s %s is not an operation of the spec", req.Method, req.URL.Path)
		if len(errs) > 0 {
			msg = errs[0].Message
		}
		return []Problem{{Check: CheckOperationDeclared, Expected: "a declared path and method",
			Actual: req.Method + " " + req.URL.Path, Message: msg}}
	}
	op := helpers.ExtractOperation(req, pathItem)
	if op == nil {
		return []Problem{{Check: CheckOperationDeclared, SpecLocation: "paths." + pathValue,
			Expected: "a declared method", Actual: req.Method,
			Message: fmt.Sprintf("%s is not declared on %s", req.Method, pathValue)}}
	}
	opLoc := "paths." + pathValue + "." + strings.ToLower(req.Method)
	resp := &http.Response{
		StatusCode: status,
		Header:     header,
		Body:       io.NopCloser(bytes.NewReader(body)),
		Request:    req,
	}
	key := req.Method + " " + pathValue + " " + strconv.Itoa(status) + " " + header.Get("Content-Type")
	var verrs []*liberrors.ValidationError
	if _, warm := v.compiled.Load(key); warm {
		_, verrs = v.bodies.ValidateResponseBodyWithPathItem(req, resp, pathItem, pathValue)
	} else {
		v.compileMu.Lock()
		_, verrs = v.bodies.ValidateResponseBodyWithPathItem(req, resp, pathItem, pathValue)
		v.compiled.Store(key, struct{}{})
		v.compileMu.Unlock()
	}
	if len(verrs) == 0 {
		return nil
	}
	code, _ := responseCode(op, status)
	respLoc := opLoc + ".responses." + code
	var out []Problem
	for _, e := range verrs {
		out = append(out, v.problems(e, op, opLoc, respLoc, status, header)...)
	}
	return out
}

// Warm compiles, ahead of use, the schemas that validating a response of the operation at
// specPath (the spec's path template with its server prefix, e.g. "/api/v1/chatbots/{id}")
// with this status and content type needs, so the first real response is checked as fast as
// the next. Status 0 warms every status the operation declares.
func (v *ResponseValidator) Warm(method, specPath string, status int) {
	p := pathParam.ReplaceAllString(specPath, "x")
	if v.fast != nil {
		v.fast.warm(method, p, status)
		return
	}
	lib, err := v.library()
	if err != nil {
		return
	}
	req, err := http.NewRequest(method, "http://warm"+p, nil)
	if err != nil {
		return
	}
	pathItem, errs, _ := paths.FindPath(req, lib.model, lib.options)
	if pathItem == nil || len(errs) > 0 {
		return
	}
	op := helpers.ExtractOperation(req, pathItem)
	if op == nil || op.Responses == nil {
		return
	}
	for pair := op.Responses.Codes.First(); pair != nil; pair = pair.Next() {
		code, err := strconv.Atoi(pair.Key())
		if err != nil || (status != 0 && code != status) {
			continue
		}
		for ct := pair.Value().Content.First(); ct != nil; ct = ct.Next() {
			lib.validate(req, code, http.Header{"Content-Type": {ct.Key()}}, []byte("{}"))
		}
	}
}

var pathParam = regexp.MustCompile(`\{[^}/]+\}`)

// responseCode finds the response key that covers status: the code, its range, or default.
func responseCode(op *v3.Operation, status int) (string, *v3.Response) {
	if op.Responses == nil {
		return strconv.Itoa(status), nil
	}
	for _, k := range []string{strconv.Itoa(status), fmt.Sprintf("%dXX", status/100)} {
		if r := op.Responses.Codes.GetOrZero(k); r != nil {
			return k, r
		}
	}
	if op.Responses.Default != nil {
		return "default", op.Responses.Default
	}
	return strconv.Itoa(status), nil
}

// declaredStatuses lists the response keys of op in document order.
func declaredStatuses(op *v3.Operation) []string {
	var out []string
	if op.Responses == nil {
		return out
	}
	for pair := op.Responses.Codes.First(); pair != nil; pair = pair.Next() {
		out = append(out, pair.Key())
	}
	if op.Responses.Default != nil {
		out = append(out, "default")
	}
	return out
}

// lazySchemaCache answers "present" while the validator warms its cache, so nothing is
// compiled up front; afterwards it is the library's default cache, filled on first use.
type lazySchemaCache struct {
	warming atomic.Bool
	inner   cache.SchemaCache
}

func (c *lazySchemaCache) Load(key uint64) (*cache.SchemaCacheEntry, bool) {
	if c.warming.Load() {
		return nil, true
	}
	return c.inner.Load(key)
}

func (c *lazySchemaCache) Store(key uint64, value *cache.SchemaCacheEntry) {
	c.inner.Store(key, value)
}

func (c *lazySchemaCache) Range(f func(key uint64, value *cache.SchemaCacheEntry) bool) {
	c.inner.Range(f)
}
