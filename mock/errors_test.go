package mock

import (
	"net/http"
	"testing"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/spec"
)

// Every code the spec names for a missing field is a 400 of apierr's table.
func TestMissingFieldCodesAreKnown400s(t *testing.T) {
	s, err := spec.Load(spec.ContextGPTDocument())
	if err != nil {
		t.Fatal(err)
	}
	codes := apierr.Codes()
	for _, r := range s.Routes() {
		if r.MissingFieldCode == "" {
			continue
		}
		if st, ok := codes[r.MissingFieldCode]; !ok || st != http.StatusBadRequest {
			t.Errorf("%s: missing-field code %q has status %d in apierr (known: %v), want 400", r.OperationID, r.MissingFieldCode, st, ok)
		}
	}
}
