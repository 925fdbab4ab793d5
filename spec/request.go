package spec

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// FieldError names one failing part of a request: Path is the field as segments
// (strings for object keys, integers for array indexes), empty for the body as a whole.
type FieldError struct {
	Path    []any  `json:"path"`
	Message string `json:"message"`
	// In is where the field is: "body", or the parameter's location ("path", "query", ...).
	In string `json:"-"`
	// Required is true when the field (or parameter, or the body) is required and missing.
	Required bool `json:"-"`
}

// RequestError is a request that does not conform to its operation. MissingRequired is
// true when at least one failure is a missing required field, parameter or body.
type RequestError struct {
	Fields          []FieldError
	MissingRequired bool
}

func (e *RequestError) Error() string {
	parts := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		parts = append(parts, fmt.Sprintf("%v: %s", f.Path, f.Message))
	}
	return "spec: invalid request: " + strings.Join(parts, "; ")
}

// newRequestOptions are the kin-openapi options of request validation; the document's
// format validators (e.g. email) go along with them.
func newRequestOptions(doc *openapi3.T) *openapi3filter.Options {
	return &openapi3filter.Options{
		MultiError:              true,
		AuthenticationFunc:      openapi3filter.NoopAuthenticationFunc, // the mock authenticates itself
		SkipSettingDefaults:     true,                                  // handlers see what the client sent
		SchemaValidationOptions: doc.GetSchemaValidationOptions(),
	}
}

// ValidateRequest checks parameters and body of r against the matched route (kin-openapi).
// The body must be re-readable: callers that already read it set r.Body to a fresh reader.
// It returns nil or a *RequestError.
func (s *Spec) ValidateRequest(ctx context.Context, r *http.Request, route *Route) error {
	return requestError(openapi3filter.ValidateRequest(ctx, s.requestInput(r, route, s.requestOptions)))
}

func (s *Spec) requestInput(r *http.Request, route *Route, opts *openapi3filter.Options) *openapi3filter.RequestValidationInput {
	return &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: route.PathParams,
		Route: &routers.Route{
			Spec:      s.doc,
			Path:      route.SpecPath,
			PathItem:  route.PathItem,
			Method:    route.Method,
			Operation: route.Operation,
		},
		Options: opts,
	}
}

// requestError turns kin's error into a *RequestError (nil stays nil).
func requestError(err error) error {
	if err == nil {
		return nil
	}
	out := &RequestError{}
	collectRequestErrors(err, out)
	if len(out.Fields) == 0 {
		out.Fields = append(out.Fields, FieldError{Path: []any{}, Message: err.Error()})
	}
	return out
}

func collectRequestErrors(err error, out *RequestError) {
	// A direct type check, not errors.As: a RequestError unwraps to its own MultiError,
	// and matching that would lose the parameter's name.
	if multi, ok := err.(openapi3.MultiError); ok {
		for _, e := range multi {
			collectRequestErrors(e, out)
		}
		return
	}
	var re *openapi3filter.RequestError
	if errors.As(err, &re) {
		var prefix []any
		in := "body"
		if re.Parameter != nil {
			prefix = []any{re.Parameter.Name}
			in = re.Parameter.In
		}
		if errors.Is(re.Err, openapi3filter.ErrInvalidRequired) {
			out.MissingRequired = true
			msg := "request body is required"
			if re.Parameter != nil {
				msg = fmt.Sprintf("%s parameter %q is required", re.Parameter.In, re.Parameter.Name)
			}
			out.Fields = append(out.Fields, FieldError{Path: nonNil(prefix), Message: msg, In: in, Required: true})
			return
		}
		if re.Err != nil {
			before := len(out.Fields)
			collectSchemaErrors(re.Err, prefix, in, out)
			if len(out.Fields) > before {
				return
			}
			var pe *openapi3filter.ParseError
			if errors.As(re.Err, &pe) {
				out.Fields = append(out.Fields, FieldError{Path: nonNil(prefix), Message: parseMessage(re, pe), In: in})
				return
			}
		}
		msg := re.Reason
		if msg == "" && re.Err != nil {
			msg = re.Err.Error()
		}
		out.Fields = append(out.Fields, FieldError{Path: nonNil(prefix), Message: msg, In: in})
		return
	}
	before := len(out.Fields)
	collectSchemaErrors(err, nil, "body", out)
	if len(out.Fields) == before {
		out.Fields = append(out.Fields, FieldError{Path: []any{}, Message: err.Error()})
	}
}

func parseMessage(re *openapi3filter.RequestError, pe *openapi3filter.ParseError) string {
	if re.RequestBody != nil {
		return "request body is not valid: " + pe.Error()
	}
	return pe.Error()
}

// collectSchemaErrors turns kin SchemaErrors into field errors; kin's JSON pointer already
// names a missing required property itself.
func collectSchemaErrors(err error, prefix []any, in string, out *RequestError) {
	if multi, ok := err.(openapi3.MultiError); ok {
		for _, e := range multi {
			collectSchemaErrors(e, prefix, in, out)
		}
		return
	}
	var se *openapi3.SchemaError
	if !errors.As(err, &se) {
		return
	}
	path := append([]any{}, prefix...)
	for _, seg := range se.JSONPointer() {
		if n, err := strconv.Atoi(seg); err == nil && prefix == nil {
			path = append(path, n)
			continue
		}
		path = append(path, seg)
	}
	required := se.SchemaField == "required"
	if required {
		out.MissingRequired = true
	}
	out.Fields = append(out.Fields, FieldError{Path: path, Message: se.Reason, In: in, Required: required})
}

func nonNil(p []any) []any {
	if p == nil {
		return []any{}
	}
	return p
}
