package mock

import (
	"testing"

	"github.com/contextgpt/sandbox/spec"
)

// TestRoutesAreTheSpec holds the route tables to the two documents: every row's method and
// path is the spec's for its operationId, no operation is listed twice, and every
// operation of each document has a row (so none falls back to its examples by mistake).
func TestRoutesAreTheSpec(t *testing.T) {
	m, err := New(DefaultConfig())
	if err != nil {
		t.Fatalf("mock.New: %v", err)
	}
	t.Cleanup(func() { _ = m.Close(t.Context()) })
	type row struct{ method, path, op string }
	var api, admin []row
	for _, r := range m.apiRoutes() {
		if r.fn == nil {
			t.Errorf("%s: no handler", r.op)
		}
		api = append(api, row{r.method, r.path, r.op})
	}
	for _, r := range m.adminRoutes() {
		if r.fn == nil {
			t.Errorf("%s: no handler", r.op)
		}
		admin = append(admin, row{r.method, r.path, r.op})
	}
	check := func(name string, doc *spec.Spec, rows []row, registered int) {
		seen := map[string]bool{}
		for _, r := range rows {
			if seen[r.op] {
				t.Errorf("%s: %s is listed twice", name, r.op)
			}
			seen[r.op] = true
			route, ok := doc.OperationByID(r.op)
			if !ok {
				t.Errorf("%s: %s is not an operation of the spec", name, r.op)
				continue
			}
			if route.Method != r.method || route.SpecPath != r.path {
				t.Errorf("%s: %s is %s %s in the table, %s %s in the spec", name, r.op, r.method, r.path, route.Method, route.SpecPath)
			}
		}
		for _, route := range doc.Routes() {
			if !seen[route.OperationID] {
				t.Errorf("%s: %s (%s %s) has no row", name, route.OperationID, route.Method, route.SpecPath)
			}
		}
		if registered != len(seen) {
			t.Errorf("%s: %d rows registered as %d operations", name, len(seen), registered)
		}
	}
	check("api", m.spec, api, len(m.ops))
	check("admin", m.admin, admin, len(m.adminOps))
}
