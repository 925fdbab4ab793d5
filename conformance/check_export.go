package conformance

import (
	"net/http"
	"net/url"

	"github.com/contextgpt/sandbox/spec"
)

// CheckResponse runs on one response every check the runner runs on a step's response: the
// spec's (status declared, content type, body schema, declared headers), Retry-After on a
// 429, and on API operations (control false) the envelope invariants. specPath is the path
// with the document's server prefix and the parameters filled in. The probe command
// (package probe) checks its generated requests with it.
func CheckResponse(v *spec.ResponseValidator, route *spec.Route, control bool, specPath string, query url.Values,
	status int, header http.Header, body []byte) []spec.Problem {
	op := &operation{src: &source{validator: v, control: control}, route: route}
	req := &request{method: route.Method, specPath: specPath, query: query}
	return checkStep(op, req, status, header, body)
}
