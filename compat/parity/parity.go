// Package parity runs the same Arazzo workflows against two targets (typically the mock and
// staging, each with its own key) and reports, step by step, where their answers differ in
// shape: status, error code, the set of body fields present, their JSON types and string
// formats, and which headers are present. Values that must differ between two services (ids,
// timestamps, names) are not compared. The result is the list of places where one target
// behaves unlike the other: where the mock lies about the real API.
package parity

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/contextgpt/sandbox/conformance"
	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/conformance/report"
)

// Kinds of difference.
const (
	KindStatus      = "status"          // the HTTP status
	KindErrorCode   = "error-code"      // error.code of the error envelope
	KindField       = "field-presence"  // a body field present on one side only
	KindFieldType   = "field-type"      // a field's JSON types
	KindFieldFormat = "field-format"    // a string field's formats (date-time, uuid, ...)
	KindHeader      = "header-presence" // a response header present on one side only
	KindContentType = "content-type"    // the media type of the answer
	KindStep        = "step"            // the step got an answer on one side only
)

// Target is one side of the comparison.
type Target struct {
	Name   string // "A", "B", or what the user calls it
	Config conformance.Config
}

// Options tunes a comparison.
type Options struct {
	// IgnoreHeaders are response headers whose presence is not compared (case-insensitive),
	// besides the transport's own (Date, Content-Length, Connection, Keep-Alive,
	// Transfer-Encoding).
	IgnoreHeaders []string
}

// Difference is one way the two targets answered a step differently.
type Difference struct {
	Workflow    string `json:"workflow"`
	Step        string `json:"step"`
	OperationID string `json:"operationId,omitempty"`
	Kind        string `json:"kind"`
	// Where is a JSON Pointer into the body (array items as *) or a header name; empty for
	// the status, the error code and the step as a whole.
	Where string `json:"where,omitempty"`
	A     string `json:"a"`
	B     string `json:"b"`
}

// Result is a comparison of two runs.
type Result struct {
	A string `json:"a"` // the targets, redacted
	B string `json:"b"`
	// Workflows are the workflows run and how each went on either side.
	Workflows   []*WorkflowParity `json:"workflows"`
	Steps       int               `json:"steps"` // steps answered on both sides and compared
	Differences []Difference      `json:"differences"`
	// ReportA and ReportB are the two runs' own reports (their contract findings).
	ReportA *report.Report `json:"reportA"`
	ReportB *report.Report `json:"reportB"`
}

// WorkflowParity is a workflow's status on either side ("passed", "failed", "skipped",
// "not run").
type WorkflowParity struct {
	WorkflowID string `json:"workflowId"`
	A          string `json:"a"`
	B          string `json:"b"`
}

type stepKey struct {
	workflow, step string
	n              int
}

type run struct {
	name  string
	rep   *report.Report
	obs   map[stepKey]*observation
	order []stepKey
}

// Compare runs docs against both targets, at once, and compares them step by step. Each
// target runs its workflow groups one at a time so that its exchanges map to its steps.
func Compare(ctx context.Context, a, b Target, docs []*arazzo.Document, opts Options) (*Result, error) {
	var runs [2]*run
	var wg sync.WaitGroup
	for i, t := range []Target{a, b} {
		r, runner, err := prepare(t, docs, opts)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.Name, err)
		}
		runs[i] = r
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.rep = runner.Run(ctx)
		}()
	}
	wg.Wait()
	res := &Result{A: runs[0].rep.Target, B: runs[1].rep.Target, ReportA: runs[0].rep, ReportB: runs[1].rep,
		Differences: []Difference{}}
	ignore := map[string]bool{}
	for _, h := range append([]string{"Date", "Content-Length", "Connection", "Keep-Alive", "Transfer-Encoding"}, opts.IgnoreHeaders...) {
		ignore[http.CanonicalHeaderKey(h)] = true
	}
	res.compare(runs[0], runs[1], ignore)
	return res, nil
}

func prepare(t Target, docs []*arazzo.Document, opts Options) (*run, *conformance.Runner, error) {
	cfg := t.Config
	cfg.Jobs = 1 // one exchange at a time, so each maps to its step
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = conformance.DefaultConfig().Timeout
	}
	client := cfg.Client
	if client == nil {
		client = conformance.NewClient(timeout)
	}
	rec := &recorder{next: client.Transport}
	if rec.next == nil {
		rec.next = http.DefaultTransport
	}
	c := *client
	c.Transport = rec
	cfg.Client = &c
	r := &run{name: t.Name, obs: map[stepKey]*observation{}}
	seen := map[[2]string]int{}
	prev := cfg.OnWorkflow
	cfg.OnWorkflow = func(w report.WorkflowResult) {
		r.assign(w, rec.take(), seen)
		if prev != nil {
			prev(w)
		}
	}
	runner, err := conformance.New(cfg, docs)
	if err != nil {
		return nil, nil, err
	}
	return r, runner, nil
}

// assign maps a finished workflow's steps to the exchanges recorded while it ran: each
// operation step is the next exchange with its method and path (its last attempt after a
// 429). Exchanges of nothing in the workflow (a sandbox made for it, a called workflow's
// steps) are passed over.
func (r *run) assign(w report.WorkflowResult, exs []*exchange, seen map[[2]string]int) {
	cursor := 0
	for _, st := range w.Steps {
		k := [2]string{w.WorkflowID, st.StepID}
		key := stepKey{w.WorkflowID, st.StepID, seen[k]}
		seen[k]++
		if st.Method == "" {
			continue // a workflow step: its own steps are compared where that workflow is reported
		}
		var found *exchange
		attempts := max(st.Attempts, 1)
		for i := cursor; i < len(exs); i++ {
			if exs[i].method == st.Method && exs[i].path == st.Path {
				found, cursor = exs[i], i+1
				attempts--
				if attempts == 0 {
					break
				}
			}
		}
		r.order = append(r.order, key)
		if found == nil {
			r.obs[key] = &observation{operationID: st.OperationID, err: "not sent"}
			continue
		}
		o := observe(found)
		o.operationID = st.OperationID
		r.obs[key] = o
	}
}

func (res *Result) compare(a, b *run, ignore map[string]bool) {
	keys := slices.Clone(a.order)
	for _, k := range b.order {
		if _, ok := a.obs[k]; !ok {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		oa, ob := a.obs[k], b.obs[k]
		op := ""
		for _, o := range []*observation{oa, ob} {
			if o != nil && op == "" {
				op = o.operationID
			}
		}
		diff := func(kind, where, va, vb string) {
			res.Differences = append(res.Differences, Difference{Workflow: k.workflow, Step: stepName(k),
				OperationID: op, Kind: kind, Where: where, A: va, B: vb})
		}
		if oa == nil || ob == nil || oa.err != "" || ob.err != "" {
			if va, vb := describe(oa), describe(ob); va != vb {
				diff(KindStep, "", va, vb)
			}
			continue
		}
		res.Steps++
		if oa.status != ob.status {
			diff(KindStatus, "", fmt.Sprint(oa.status), fmt.Sprint(ob.status))
		}
		if oa.errorCode != ob.errorCode {
			diff(KindErrorCode, "", orNone(oa.errorCode), orNone(ob.errorCode))
		}
		if oa.contentType != ob.contentType {
			diff(KindContentType, "", orNone(oa.contentType), orNone(ob.contentType))
		}
		for _, p := range unionKeys(oa.fields, ob.fields) {
			ta, tb := oa.fields[p], ob.fields[p]
			switch {
			case underReported(p, oa.fields, ob.fields):
				// a parent missing on one side or of another type is the difference
			case ta == nil || tb == nil:
				diff(KindField, p, presence(ta != nil), presence(tb != nil))
			case setString(ta) != setString(tb):
				diff(KindFieldType, p, setString(ta), setString(tb))
			case ta["string"] && tb["string"]:
				if fa, fb := setString(oa.formats[p]), setString(ob.formats[p]); fa != fb {
					diff(KindFieldFormat, p, orNone(fa), orNone(fb))
				}
			}
		}
		for _, h := range unionKeys(oa.headers, ob.headers) {
			if !ignore[h] && oa.headers[h] != ob.headers[h] {
				diff(KindHeader, h, presence(oa.headers[h]), presence(ob.headers[h]))
			}
		}
	}
	ids := map[string]*WorkflowParity{}
	for i, rep := range []*report.Report{a.rep, b.rep} {
		for _, w := range rep.Workflows {
			wp := ids[w.WorkflowID]
			if wp == nil {
				wp = &WorkflowParity{WorkflowID: w.WorkflowID, A: "not run", B: "not run"}
				ids[w.WorkflowID] = wp
				res.Workflows = append(res.Workflows, wp)
			}
			if i == 0 {
				wp.A = string(w.Status)
			} else {
				wp.B = string(w.Status)
			}
		}
	}
}

func stepName(k stepKey) string {
	if k.n == 0 {
		return k.step
	}
	return fmt.Sprintf("%s#%d", k.step, k.n+1)
}

// underReported reports whether p lies under a field already reported: missing on one side
// or of other types (one difference for a missing object, not one per field in it).
func underReported(p string, a, b map[string]map[string]bool) bool {
	for i := strings.LastIndexByte(p, '/'); i > 0; i = strings.LastIndexByte(p[:i], '/') {
		ta, tb := a[p[:i]], b[p[:i]]
		if (ta == nil) != (tb == nil) || setString(ta) != setString(tb) {
			return true
		}
	}
	return false
}

func describe(o *observation) string {
	switch {
	case o == nil:
		return "not run"
	case o.err != "":
		return o.err
	}
	return "answered"
}

func presence(present bool) string {
	if present {
		return "present"
	}
	return "absent"
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func unionKeys[V any](a, b map[string]V) []string {
	var out []string
	for k := range a {
		out = append(out, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func setString(s map[string]bool) string {
	var out []string
	for k := range s {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, "|")
}
