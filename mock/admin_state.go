package mock

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/faults"
	"github.com/contextgpt/sandbox/mock/journal"
	"github.com/contextgpt/sandbox/mock/limits"
	"github.com/contextgpt/sandbox/mock/plans"
	"github.com/contextgpt/sandbox/mock/store"
	"github.com/contextgpt/sandbox/spec"
)

// planTable is the plan table the store enforces (chatbot quotas, API access, webhooks):
// the limits file's when one is given, else the documented one.
func planTable(cfg *limits.Config) map[plans.Plan]plans.Limits {
	if cfg == nil || cfg.Plans == nil {
		return plans.Documented()
	}
	return cfg.Plans
}

// storeCaps are the caps the limits file sets; the store fills the rest with its defaults
// (all of them with --limits off: they bound memory, not a plan).
func storeCaps(cfg *limits.Config) store.Caps {
	if cfg == nil {
		return store.Caps{}
	}
	return store.Caps(cfg.Caps)
}

// initControl builds the limiters, fault rules and journal, remembers the fixtures as a
// state document (what reset goes back to) and loads --state-file.
func (m *Mock) initControl() error {
	if m.cfg.Limits != nil {
		lc := *m.cfg.Limits
		if lc.Plans == nil {
			lc.Plans = plans.Documented()
		}
		if lc.PlanWindow <= 0 {
			lc.PlanWindow = limits.Documented().PlanWindow
		}
		m.limits = limits.New(&lc)
	}
	m.faults = faults.NewSet(m.cfg.Seed)
	m.journal = journal.New(journal.DefaultCapacity)
	m.chattingPrefix = m.spec.BasePath() + "/v1/chatting/"
	var err error
	if m.fixtureState, err = m.store.Export(); err != nil {
		return err
	}
	if m.cfg.StateFile == "" {
		return nil
	}
	removeStaleTemps(m.cfg.StateFile, m.log)
	data, err := os.ReadFile(m.cfg.StateFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("mock: state file: %w", err)
	default:
		if _, err := m.store.Import(data); err != nil {
			return fmt.Errorf("mock: state file %s: %w", m.cfg.StateFile, err)
		}
	}
	m.startStateSaver()
	return nil
}

// SaveState writes the domain state to path atomically: a temporary file in the same
// directory, synced, then renamed over path.
func (m *Mock) SaveState(path string) error {
	m.saveMu.Lock()
	defer m.saveMu.Unlock()
	data, err := m.store.Export()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("mock: save state: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("mock: save state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("mock: save state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("mock: save state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("mock: save state: %w", err)
	}
	return nil
}

// Reset puts the mock back to its fixtures and clears the journal, fault rules, limiter
// counters and whatever other concepts registered in onReset; the clock stays.
func (m *Mock) Reset() error {
	if _, err := m.store.Import(m.fixtureState); err != nil {
		return err
	}
	m.journal.Clear()
	m.faults.Reset()
	if m.limits != nil {
		m.limits.Reset()
	}
	for _, f := range m.onReset {
		f()
	}
	return nil
}

func (m *Mock) adminReset(w http.ResponseWriter, _ *http.Request, _ *spec.Route) {
	if err := m.Reset(); err != nil {
		m.log.Error("reset failed", "err", err)
		writeAdminError(w, apierr.InternalError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "reset"})
}

func (m *Mock) adminGetState(w http.ResponseWriter, _ *http.Request, _ *spec.Route) {
	data, err := m.store.Export()
	if err != nil {
		writeAdminError(w, apierr.InternalError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}

func (m *Mock) adminPutState(w http.ResponseWriter, r *http.Request, _ *spec.Route) {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		writeAdminError(w, apierr.InvalidState, err.Error())
		return
	}
	if e := m.memory.refuseImport(len(data)); e != nil {
		writeAdminErr(w, e)
		return
	}
	counts, err := m.store.Import(data)
	if err != nil {
		var ie *store.ImportError
		if errors.As(err, &ie) {
			writeAdminError(w, apierr.InvalidState, ie.Msg)
			return
		}
		writeAdminError(w, apierr.InternalError, err.Error())
		return
	}
	for _, f := range m.onImport {
		f()
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "imported", "counts": counts})
}
