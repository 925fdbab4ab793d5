package mock

import (
	"net/http"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/faults"
	"github.com/contextgpt/sandbox/spec"
)

func (m *Mock) adminCreateFault(w http.ResponseWriter, r *http.Request, _ *spec.Route) {
	var in struct {
		Match       faults.Match  `json:"match"`
		Action      faults.Action `json:"action"`
		Times       *int          `json:"times"`
		Probability *float64      `json:"probability"`
	}
	if err := decodeAdmin(r, &in); err != nil {
		writeAdminError(w, apierr.InvalidFault, err.Error())
		return
	}
	if id := in.Match.OperationID; id != "" {
		if _, ok := m.spec.OperationByID(id); !ok {
			writeAdminError(w, apierr.InvalidFault, `match.operationId: no operation "`+id+`" in the API spec`)
			return
		}
	}
	rule, err := m.faults.Add(faults.Rule{Match: in.Match, Action: in.Action, Times: in.Times, Probability: in.Probability}, m.clock.Now())
	if err != nil {
		writeAdminError(w, apierr.InvalidFault, err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, rule)
}

func (m *Mock) adminListFaults(w http.ResponseWriter, _ *http.Request, _ *spec.Route) {
	writeJSON(w, http.StatusOK, map[string]any{"faults": m.faults.List()})
}

func (m *Mock) adminDeleteFault(w http.ResponseWriter, _ *http.Request, route *spec.Route) {
	id := route.PathParams["faultId"]
	if !m.faults.Delete(id) {
		writeAdminError(w, apierr.FaultNotFound, "no fault rule "+id)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
