package mock

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/spec"
)

// plane is one of the mock's two HTTP surfaces; each has its own error document and words.
type plane int

const (
	apiPlane     plane = iota // /api/...: the documented envelope (writeError)
	controlPlane              // /__mock/...: {"error":{code,message}} (writeAdminErr)
)

// answerUnmatched answers a request that matched no operation of its plane (err is
// spec.Match's): 405 with an Allow header when the path has other methods, else 404.
// Nothing in a spec describes such an answer, so strict mode is told not to check it.
func answerUnmatched(w http.ResponseWriter, r *http.Request, err error, p plane) {
	markUnmatched(w)
	var e *apierr.Error
	var mna *spec.MethodNotAllowedError
	switch {
	case errors.As(err, &mna):
		allow := strings.Join(mna.Allow, ", ")
		w.Header().Set("Allow", allow)
		msg := "method not allowed; allowed: " + allow
		if p == apiPlane {
			msg = fmt.Sprintf("Method %s is not allowed on this path; allowed: %s", r.Method, allow)
		}
		e = &apierr.Error{Code: apierr.MethodNotAllowed, Message: msg}
	case p == apiPlane:
		e = apierr.New(apierr.ResourceNotFound, "No route matches %s %s", r.Method, r.URL.Path)
	default:
		e = &apierr.Error{Code: apierr.NotFound, Message: "no control-plane route " + r.URL.Path}
	}
	if p == apiPlane {
		writeError(w, e)
		return
	}
	writeAdminErr(w, e)
}
