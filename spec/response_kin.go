package spec

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// ValidateResponseKin checks a response with kin-openapi: the second, independent
// implementation the tests run beside libopenapi-validator (ValidateResponse). It returns
// nil when the response conforms or the request matches no operation.
func (s *Spec) ValidateResponseKin(ctx context.Context, req *http.Request, status int, header http.Header, body []byte) error {
	route, err := s.Match(req.Method, req.URL.EscapedPath())
	if err != nil {
		return nil
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: route.PathParams,
			Route: &routers.Route{Spec: s.doc, Path: route.SpecPath, PathItem: route.PathItem,
				Method: route.Method, Operation: route.Operation},
			Options: s.responseOptions,
		},
		Status:  status,
		Header:  header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: s.responseOptions,
	}
	return openapi3filter.ValidateResponse(ctx, in)
}
