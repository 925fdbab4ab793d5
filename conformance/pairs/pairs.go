// Package pairs is the table of (operation, documented status) pairs that the conformance
// run and the probe cover together. Which pairs count is decided once, here: an operation's
// declared 2xx statuses; the error statuses the reference lists for it (documented.yaml); 401
// and 403, which the reference's getting-started page documents for every request; and the
// 400, 404 and 413 the contract adds where an operation takes input (a body or query
// parameters) or ids (path parameters). 429 counts only where the reference lists it for the
// operation, 500 only where it names an error of the operation's own. Operations the
// reference does not have (the contract's x-contextgpt-source routes) count every declared
// status but 429, 500 and the size guards' 414 and 431. Answers produced by a fault rule or a Prefer header never count.
package pairs

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/spec"
)

//go:embed documented.yaml
var documentedYAML []byte

type documented struct {
	Operations  map[string][]int `yaml:"operations"`
	Specific500 []string         `yaml:"specific500"`
}

var reference = func() documented {
	var d documented
	if err := yaml.Unmarshal(documentedYAML, &d); err != nil {
		panic("pairs: documented.yaml: " + err.Error())
	}
	return d
}()

// Documented reports whether the reference lists status for the operation (false for an
// operation the reference does not have).
func Documented(operationID string, status int) bool {
	return slices.Contains(reference.Operations[operationID], status)
}

// InReference reports whether the reference has the operation.
func InReference(operationID string) bool {
	_, ok := reference.Operations[operationID]
	return ok
}

type key struct {
	op     string
	status string
}

// Table records which counted pairs responses covered. It is safe for concurrent use.
type Table struct {
	mu      sync.Mutex
	routes  map[string]*spec.Route
	rows    []key
	by      map[key][]string
	reached map[string]bool
}

// New builds the table of the pairs the rule above counts for the operations of s (those
// keep accepts, when it is given).
func New(s *spec.Spec, keep ...func(operationID string) bool) *Table {
	t := &Table{routes: map[string]*spec.Route{}, by: map[key][]string{}, reached: map[string]bool{}}
	for _, rt := range s.Routes() {
		if len(keep) > 0 && keep[0] != nil && !keep[0](rt.OperationID) {
			continue
		}
		t.routes[rt.OperationID] = rt
		if rt.Operation.Responses == nil {
			continue
		}
		var statuses []string
		for k := range rt.Operation.Responses.Map() {
			if Counted(rt, k) {
				statuses = append(statuses, k)
			}
		}
		sort.Strings(statuses)
		for _, st := range statuses {
			k := key{rt.OperationID, st}
			t.rows = append(t.rows, k)
			t.by[k] = nil
		}
	}
	sort.SliceStable(t.rows, func(i, j int) bool { return t.rows[i].op < t.rows[j].op })
	return t
}

// Counted reports whether the declared response status (a code, "4XX" or "default") of the
// route is a pair the table counts.
func Counted(rt *spec.Route, status string) bool {
	code, err := strconv.Atoi(status)
	if err != nil {
		return false // ranges and default are not a documented status
	}
	op := rt.OperationID
	_, inRef := reference.Operations[op]
	switch {
	case code >= 200 && code < 300:
		return true
	case code == 500:
		return inRef && slices.Contains(reference.Specific500, op)
	case code == 429:
		return Documented(op, code)
	case code == 401 || code == 403:
		return true
	case (code == 400 || code == 404 || code == 413) && takesInputOrIDs(rt):
		return true
	case code == 414 || code == 431:
		return false // the mock's URL and header size guards, declared on every operation: no documented behaviour of one
	case !inRef:
		return true
	}
	return Documented(op, code)
}

func takesInputOrIDs(rt *spec.Route) bool {
	if rt.Operation.RequestBody != nil || len(rt.Operation.Parameters) > 0 {
		return true
	}
	return rt.PathItem != nil && len(rt.PathItem.Parameters) > 0
}

// Countable reports whether a response may count: not produced by a fault rule (the mock
// marks those with error.details.injectedBy) nor asked for with a Prefer header.
func Countable(reqHeader http.Header, body []byte) bool {
	if reqHeader.Get("Prefer") != "" {
		return false
	}
	if len(body) == 0 || !strings.Contains(string(body), "injectedBy") {
		return true
	}
	var env struct {
		Error struct {
			Details map[string]any `json:"details"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &env) != nil {
		return true
	}
	_, injected := env.Error.Details["injectedBy"]
	return !injected
}

// Record notes that a response of status to the operation was seen by what ("run", "probe").
// It returns whether it covered a counted pair.
func (t *Table) Record(operationID string, status int, what string) bool {
	rt := t.routes[operationID]
	if rt == nil {
		return false
	}
	k := key{operationID, strconv.Itoa(status)}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.reached[operationID] = true
	by, ok := t.by[k]
	if !ok {
		return false
	}
	if !slices.Contains(by, what) {
		t.by[k] = append(by, what)
	}
	return true
}

// Operations lists the operation ids of the table's document.
func (t *Table) Operations() []string {
	out := make([]string, 0, len(t.routes))
	for id := range t.routes {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Report returns the table as the reports show it; minPercent is the --min-coverage gate (0:
// none), compared exactly (89.95 % is below 90 though it prints as 90.0 %).
func (t *Table) Report(minPercent float64) *report.PairCoverage {
	t.mu.Lock()
	defer t.mu.Unlock()
	pc := &report.PairCoverage{Pairs: len(t.rows), MinPercent: minPercent, Rows: make([]report.PairRow, 0, len(t.rows))}
	for _, k := range t.rows {
		by := slices.Clone(t.by[k])
		sort.Strings(by)
		row := report.PairRow{OperationID: k.op, Status: k.status, Covered: len(by) > 0, By: by}
		if row.Covered {
			pc.Covered++
		}
		pc.Rows = append(pc.Rows, row)
	}
	if pc.Pairs > 0 {
		pc.Percent = math.Round(float64(pc.Covered)*1000/float64(pc.Pairs)) / 10
	}
	for _, id := range slices.Sorted(maps.Keys(t.routes)) {
		if !t.reached[id] {
			pc.Unreached = append(pc.Unreached, id)
		}
	}
	pc.Failed = minPercent > 0 && float64(pc.Covered)*100 < minPercent*float64(pc.Pairs)
	return pc
}

// String is a one-line summary, for tests and logs.
func (t *Table) String() string {
	pc := t.Report(0)
	return fmt.Sprintf("%d/%d pairs (%.1f%%)", pc.Covered, pc.Pairs, pc.Percent)
}
