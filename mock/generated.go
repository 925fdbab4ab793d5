package mock

import (
	"net/http"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/spec"
)

// serveGenerated answers an operation that has no domain handler.
func (m *Mock) serveGenerated(w http.ResponseWriter, r *http.Request, route *spec.Route) {
	writeError(w, apierr.New(apierr.NotImplemented, "operation %s has no handler yet", route.OperationID))
}
