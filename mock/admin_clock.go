package mock

import (
	"net/http"
	"time"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/spec"
)

// movableClock is a clock the control plane can move (clock.ManualClock).
type movableClock interface {
	Advance(d time.Duration) time.Time
	Set(t time.Time)
}

func (m *Mock) clockDoc() map[string]string {
	mode := "real"
	if m.clock.Manual() {
		mode = "manual"
	}
	return map[string]string{"now": m.clock.Now().UTC().Format(time.RFC3339Nano), "mode": mode}
}

func (m *Mock) adminGetClock(w http.ResponseWriter, _ *http.Request, _ *spec.Route) {
	writeJSON(w, http.StatusOK, m.clockDoc())
}

func (m *Mock) adminSetClock(w http.ResponseWriter, r *http.Request, _ *spec.Route) {
	mc, ok := m.clock.(movableClock)
	if !ok || !m.clock.Manual() {
		writeAdminError(w, apierr.ClockNotManual, "the clock is real; start the mock with --clock manual to move it")
		return
	}
	var in struct {
		Advance *string `json:"advance"`
		Now     *string `json:"now"`
	}
	if err := decodeAdmin(r, &in); err != nil {
		writeAdminError(w, apierr.InvalidRequest, err.Error())
		return
	}
	if (in.Advance == nil) == (in.Now == nil) {
		writeAdminError(w, apierr.InvalidRequest, "send exactly one of advance and now")
		return
	}
	if in.Advance != nil {
		d, err := time.ParseDuration(*in.Advance)
		if err != nil || d < 0 {
			writeAdminError(w, apierr.InvalidRequest, "advance: "+*in.Advance+" is not a duration such as 61s")
			return
		}
		mc.Advance(d)
	} else {
		t, err := time.Parse(time.RFC3339Nano, *in.Now)
		if err != nil {
			writeAdminError(w, apierr.InvalidRequest, "now: "+err.Error())
			return
		}
		if cur := m.clock.Now(); t.Before(cur) {
			writeAdminError(w, apierr.ClockBackwards, "now: "+*in.Now+" is before the current time "+cur.Format(time.RFC3339Nano)+"; time never moves backwards")
			return
		}
		mc.Set(t)
	}
	writeJSON(w, http.StatusOK, m.clockDoc())
}
