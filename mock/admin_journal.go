package mock

import (
	"net/http"
	"strconv"
	"time"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/journal"
	"github.com/contextgpt/sandbox/spec"
)

func (m *Mock) adminListRequests(w http.ResponseWriter, r *http.Request, _ *spec.Route) {
	q := r.URL.Query()
	f := journal.Filter{OperationID: q.Get("operationId"), AccountID: q.Get("accountId"), Limit: 100}
	bad := func(msg string) { writeAdminError(w, apierr.InvalidRequest, msg) }
	if v := q.Get("status"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 || n > 599 {
			bad("status must be an HTTP status between 100 and 599; got " + v)
			return
		}
		f.Status = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			bad("limit must be between 1 and 1000; got " + v)
			return
		}
		f.Limit = n
	}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			bad("since must be an RFC 3339 instant; got " + v)
			return
		}
		f.Since = t
	}
	entries, total := m.journal.List(f)
	writeJSON(w, http.StatusOK, map[string]any{"requests": entries, "total": total})
}

func (m *Mock) adminClearRequests(w http.ResponseWriter, _ *http.Request, _ *spec.Route) {
	m.journal.Clear()
	w.WriteHeader(http.StatusNoContent)
}
