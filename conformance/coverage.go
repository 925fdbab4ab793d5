package conformance

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/contextgpt/sandbox/conformance/report"
)

// coverage records which operations, and which of their declared statuses, a run exercised.
type coverage struct {
	mu      sync.Mutex
	sources []*source
	seen    map[string]map[string]map[string]bool // source key -> operationId -> status key
}

func newCoverage(sources []*source) *coverage {
	return &coverage{sources: sources, seen: map[string]map[string]map[string]bool{}}
}

// record notes a response; the status counts under the key the operation declares for it
// (the code, its range "4XX", or "default"); an undeclared status covers only the operation.
func (c *coverage) record(op *operation, status int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	byOp := c.seen[op.src.key]
	if byOp == nil {
		byOp = map[string]map[string]bool{}
		c.seen[op.src.key] = byOp
	}
	if byOp[op.route.OperationID] == nil {
		byOp[op.route.OperationID] = map[string]bool{}
	}
	if key := declaredKey(op, status); key != "" {
		byOp[op.route.OperationID][key] = true
	}
}

func declaredKey(op *operation, status int) string {
	rs := op.route.Operation.Responses
	if rs == nil {
		return ""
	}
	for _, k := range []string{strconv.Itoa(status), strconv.Itoa(status/100) + "XX"} {
		if rs.Value(k) != nil {
			return k
		}
	}
	if rs.Default() != nil {
		return "default"
	}
	return ""
}

func percent(n, of int) float64 {
	if of == 0 {
		return 100
	}
	return math.Round(float64(n)*1000/float64(of)) / 10
}

func (c *coverage) report() []report.Coverage {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []report.Coverage
	for _, s := range c.sources {
		cv := report.Coverage{Source: s.key}
		for _, rt := range s.spec.Routes() {
			cv.Operations++
			seen, ok := c.seen[s.key][rt.OperationID]
			if ok {
				cv.OperationsCovered++
			} else {
				cv.UncoveredOperation = append(cv.UncoveredOperation, rt.OperationID)
			}
			row := report.OperationCoverage{OperationID: rt.OperationID, Method: rt.Method, Path: rt.SpecPath}
			if rt.Operation.Responses != nil {
				for k := range rt.Operation.Responses.Map() {
					cv.Pairs++
					if seen[k] {
						cv.PairsCovered++
					}
					row.Statuses = append(row.Statuses, report.StatusCoverage{Status: k, Covered: seen[k]})
				}
			}
			slices.SortFunc(row.Statuses, func(a, b report.StatusCoverage) int { return strings.Compare(a.Status, b.Status) })
			cv.Matrix = append(cv.Matrix, row)
		}
		slices.Sort(cv.UncoveredOperation)
		cv.OperationPercent = percent(cv.OperationsCovered, cv.Operations)
		cv.PairPercent = percent(cv.PairsCovered, cv.Pairs)
		out = append(out, cv)
	}
	return out
}
