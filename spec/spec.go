package spec

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// Spec is a loaded, validated OpenAPI document with its operations indexed for matching.
// It is safe for concurrent use once loaded.
type Spec struct {
	doc      *openapi3.T
	basePath string // path of the first server URL, e.g. "/api"; "" for "/"
	root     *node
	byID     map[string]*Route
	routes   []*Route

	requestOptions *openapi3filter.Options
	// paramOptions are requestOptions without the body; bodySchemaOptions what kin builds
	// from requestOptions to validate a body (ValidateRequestBody).
	paramOptions      *openapi3filter.Options
	bodySchemaOptions []openapi3.SchemaValidationOption
	// stringFormats are the document's string format validators (kin reads them through
	// the options; the compiled body acceptor calls them itself).
	stringFormats   map[string]openapi3.StringFormatValidator
	responseOptions *openapi3filter.Options

	callbacksOnce sync.Once
	callbacks     map[string]*Callback // by event name, built on first use
}

// Route is one operation of the document; Match fills PathParams for a concrete request.
type Route struct {
	OperationID  string
	Method       string
	PathTemplate string // with the server's base path, e.g. /api/v1/chatbots/my-chatbots
	SpecPath     string // as written in the document, e.g. /v1/chatbots/my-chatbots
	Operation    *openapi3.Operation
	PathItem     *openapi3.PathItem
	PathParams   map[string]string
	// BodyFields names the properties of the application/json request body schema (its
	// allOf parts included), worked out once at load; empty without such a body.
	BodyFields map[string]struct{}
	// MissingFieldCode is the error code the operation documents for a missing required
	// field (its x-contextgpt-missing-field-code extension); "" when it documents none.
	MissingFieldCode string
	// params is the operation's parameters compiled for the check that skips kin's walk of
	// them (request_params.go); nil when they are outside what it reads.
	params *fastParams
	// templateParams are the positions of PathTemplate's parameters (Match).
	templateParams []templateParam
	// bodyNames are BodyFields as strings to reuse for the names of a decoded body.
	bodyNames map[string]string
}

// ExtMissingFieldCode is the operation extension naming the code of a missing required field.
const ExtMissingFieldCode = "x-contextgpt-missing-field-code"

// Load parses and validates an OpenAPI 3.0 document and indexes its operations.
func Load(document []byte) (*Spec, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(document)
	if err != nil {
		return nil, fmt.Errorf("spec: load: %w", err)
	}
	// The embedded documents are validated by TestEmbeddedDocumentsAreValid; checking them
	// again is a quarter of the harness's start-up, so only other documents are checked here.
	if !isEmbedded(document) {
		if err := validateDocument(doc); err != nil {
			return nil, err
		}
	}
	formats := map[string]openapi3.StringFormatValidator{"email": openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail)}
	doc.SetStringFormatValidators(formats)
	s := &Spec{doc: doc, root: newNode(), byID: map[string]*Route{}, stringFormats: formats}
	s.requestOptions = newRequestOptions(doc)
	s.paramOptions = newRequestOptions(doc)
	s.paramOptions.ExcludeRequestBody = true
	s.bodySchemaOptions = bodySchemaOptions(doc, s.requestOptions)
	s.responseOptions = &openapi3filter.Options{
		IncludeResponseStatus:   true,
		MultiError:              true,
		AuthenticationFunc:      openapi3filter.NoopAuthenticationFunc,
		SchemaValidationOptions: doc.GetSchemaValidationOptions(),
	}
	if len(doc.Servers) > 0 {
		s.basePath = serverBasePath(doc.Servers[0].URL)
	}
	paths := doc.Paths.InMatchingOrder()
	sort.Strings(paths)
	for _, p := range paths {
		item := doc.Paths.Value(p)
		for method, op := range item.Operations() {
			r := &Route{
				OperationID:  op.OperationID,
				Method:       method,
				PathTemplate: s.basePath + p,
				SpecPath:     p,
				Operation:    op,
				PathItem:     item,
				BodyFields:   bodyFields(op),
			}
			if code, ok := op.Extensions[ExtMissingFieldCode].(string); ok {
				r.MissingFieldCode = code
			}
			r.params = compileParams(doc, r, s.requestOptions)
			r.templateParams = templateParams(r.PathTemplate)
			r.bodyNames = make(map[string]string, len(r.BodyFields))
			for name := range r.BodyFields {
				r.bodyNames[name] = name
			}
			s.routes = append(s.routes, r)
			if op.OperationID != "" {
				if _, dup := s.byID[op.OperationID]; dup {
					return nil, fmt.Errorf("spec: operationId %q is used twice", op.OperationID)
				}
				s.byID[op.OperationID] = r
			}
			s.root.insert(splitPath(r.PathTemplate), r)
		}
	}
	sort.Slice(s.routes, func(i, j int) bool {
		if s.routes[i].PathTemplate != s.routes[j].PathTemplate {
			return s.routes[i].PathTemplate < s.routes[j].PathTemplate
		}
		return s.routes[i].Method < s.routes[j].Method
	})
	return s, nil
}

func validateDocument(doc *openapi3.T) error {
	if err := doc.Validate(context.Background()); err != nil {
		return fmt.Errorf("spec: invalid document: %w", err)
	}
	return nil
}

// isEmbedded tells whether document is, byte for byte, one of the embedded documents.
func isEmbedded(document []byte) bool {
	return bytes.Equal(document, ContextGPTDocument()) || bytes.Equal(document, MockAdminDocument())
}

// Doc returns the underlying kin-openapi document. Callers must not modify it.
func (s *Spec) Doc() *openapi3.T { return s.doc }

// BasePath is the path of the document's first server URL ("/api" for the ContextGPT API).
func (s *Spec) BasePath() string { return s.basePath }

// Routes lists every operation, sorted by path template and method.
func (s *Spec) Routes() []*Route { return s.routes }

// OperationByID finds an operation by its operationId; PathParams is empty.
func (s *Spec) OperationByID(id string) (*Route, bool) {
	r, ok := s.byID[id]
	return r, ok
}

func serverBasePath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	p := strings.TrimRight(u.Path, "/")
	return p
}

func bodyFields(op *openapi3.Operation) map[string]struct{} {
	out := map[string]struct{}{}
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return out
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return out
	}
	for name := range mt.Schema.Value.Properties {
		out[name] = struct{}{}
	}
	for _, part := range mt.Schema.Value.AllOf {
		if part != nil && part.Value != nil {
			for name := range part.Value.Properties {
				out[name] = struct{}{}
			}
		}
	}
	return out
}

// RepeatableQuery tells whether a query parameter of the route may be given more than once
// (its schema is an array); any other parameter given twice is ambiguous.
func (r *Route) RepeatableQuery(name string) bool {
	var lists []openapi3.Parameters
	if r.PathItem != nil {
		lists = append(lists, r.PathItem.Parameters)
	}
	if r.Operation != nil {
		lists = append(lists, r.Operation.Parameters)
	}
	for _, ps := range lists {
		for _, p := range ps {
			if v := p.Value; v != nil && v.In == openapi3.ParameterInQuery && v.Name == name &&
				v.Schema != nil && v.Schema.Value != nil && v.Schema.Value.Type.Is(openapi3.TypeArray) {
				return true
			}
		}
	}
	return false
}
