package probe

import (
	"github.com/contextgpt/sandbox/conformance"
	"github.com/contextgpt/sandbox/conformance/pairs"
)

// RunRecorder returns a conformance.Config.OnResponse that counts a suite run's API
// responses in t as "run": one (operation, status) table over run and probe together.
func RunRecorder(t *pairs.Table) func(conformance.Response) {
	return func(r conformance.Response) {
		if !r.Control && pairs.Countable(r.RequestHeader, r.Body) {
			t.Record(r.OperationID, r.Status, "run")
		}
	}
}
