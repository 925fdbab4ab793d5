// Package conformance runs Arazzo 1.0.1 workflows against a ContextGPT API target and checks
// every response against the OpenAPI contract: status, content type, body schema, headers
// and the API's envelope invariants. Its outcome is a report.Report.
package conformance

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/conformance/report"
)

// Runner runs a set of documents. Build it with New (which validates everything), run it
// once with Run.
type Runner struct {
	cfg       Config
	base      *url.URL // API base, without a trailing slash or /v1
	origin    string   // scheme://host of the base
	docs      []*arazzo.Document
	workflows map[string]*arazzo.Workflow
	order     []string // selected workflow ids in document order
	// called holds the selected workflows that other selected workflows' steps run: building
	// blocks, not run on their own unless --workflow names them.
	called  map[string]bool
	named   map[string]bool // workflows --workflow matched
	bound   map[*arazzo.Step]*operation
	sources []*source // distinct, in first-use order
	runID   string
	inputs  map[string]any
	cov     *coverage
	red     *report.Redactor

	net netStats

	// Webhook deliveries the runner checked on sink reads, and of those, the ones whose
	// signature it could check (the run knew the secret).
	deliveriesChecked, signaturesChecked atomic.Int64
}

// New validates the configuration and the documents against their sources. Every problem
// it finds is a *BadInputError.
func New(cfg Config, docs []*arazzo.Document) (*Runner, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	r := &Runner{cfg: cfg, workflows: map[string]*arazzo.Workflow{}, bound: map[*arazzo.Step]*operation{},
		red: cfg.Redactor}
	if r.base, r.origin, err = parseBaseURL(cfg.BaseURL); err != nil {
		return nil, &BadInputError{Err: err}
	}
	if len(docs) == 0 {
		return nil, badInput("no Arazzo documents")
	}
	r.docs = docs
	var errs []error
	for _, d := range docs {
		for _, w := range d.Workflows {
			if prev, dup := r.workflows[w.WorkflowID]; dup {
				errs = append(errs, fmt.Errorf("workflow %q is in %s and %s", w.WorkflowID, prev.Document.Path, d.Path))
				continue
			}
			r.workflows[w.WorkflowID] = w
		}
	}
	sources := newSourceSet(cfg.SpecDocument)
	sources.strict = cfg.StrictSchema
	r.net.onHint = cfg.OnHint
	for _, d := range docs {
		if err := r.bindDocument(d, sources); err != nil {
			errs = append(errs, err)
		}
	}
	if err := r.selectWorkflows(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, &BadInputError{Err: errors.Join(errs...)}
	}
	r.runID = cfg.Inputs["runId"]
	if r.runID == "" {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		r.runID = hex.EncodeToString(b)
	}
	if r.inputs, err = r.buildInputs(); err != nil {
		return nil, &BadInputError{Err: err}
	}
	r.cov = newCoverage(r.sources)
	return r, nil
}

// Run executes the selected workflows and returns the report; its ExitCode says how the run
// went. A run builds sandboxes, so call it once per Runner.
func (r *Runner) Run(ctx context.Context) *report.Report {
	start := r.cfg.Now()
	rep := &report.Report{Target: r.base.Redacted(), RunID: r.runID, Started: start, MinCoverage: r.cfg.MinCoverage,
		HarnessVersion: r.cfg.Version}
	r.describeSpec(rep)
	finish := func(code int) *report.Report {
		rep.Duration = r.cfg.Now().Sub(start)
		rep.Summarize()
		rep.ExitCode = code
		return rep
	}
	r.warm()
	mock, err := r.detectMock(ctx)
	if err != nil {
		rep.Error = err.Error()
		rep.RunFailures = append(rep.RunFailures, report.RunFailure{Check: "unreachable", Message: rep.Error})
		return finish(report.ExitUnreachable)
	}
	rep.Mock = mock
	if r.cfg.APIKey == "" && !mock {
		rep.Error = "no --api-key given and the target is not the mock (only the mock hands out sandboxes)"
		rep.RunFailures = append(rep.RunFailures, report.RunFailure{Check: "bad-input", Message: rep.Error})
		return finish(report.ExitBadInput)
	}
	code := r.collect(rep, r.runGroups(ctx, mock))
	code = max(code, r.checkCoverage(rep))
	code = r.judgeNetwork(rep, code)
	return finish(code)
}

// describeSpec names the API's spec (the first source that is not the mock's control plane)
// in the report.
func (r *Runner) describeSpec(rep *report.Report) {
	for _, s := range r.sources {
		if !s.control {
			if info := s.spec.Doc().Info; info != nil {
				rep.SpecTitle, rep.SpecVersion = info.Title, info.Version
			}
			return
		}
	}
}

// runGroups runs the workflow groups on cfg.Jobs workers and returns each group's results,
// in the groups' order.
func (r *Runner) runGroups(ctx context.Context, mock bool) [][]report.WorkflowResult {
	groups := r.groups()
	results := make([][]report.WorkflowResult, len(groups))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(r.cfg.Jobs, len(groups)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i] = r.runGroup(ctx, groups[i], mock)
			}
		}()
	}
	for i := range groups {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return results
}

// collect puts the workflows that ran into the report in the suite's order and returns
// ExitFailed when one failed, else ExitPassed.
func (r *Runner) collect(rep *report.Report, results [][]report.WorkflowResult) int {
	byID := map[string]report.WorkflowResult{}
	for _, g := range results {
		for _, w := range g {
			byID[w.WorkflowID] = w
		}
	}
	code := report.ExitPassed
	for _, id := range r.order {
		w, ran := byID[id]
		if !ran {
			continue
		}
		rep.Workflows = append(rep.Workflows, w)
		if w.Status == report.Failed {
			code = report.ExitFailed
		}
	}
	return code
}

// checkCoverage adds the coverage table and a run failure for each API source below
// --min-coverage (ExitFailed then, else ExitPassed).
func (r *Runner) checkCoverage(rep *report.Report) int {
	code := report.ExitPassed
	rep.Coverage = r.cov.report()
	for _, c := range rep.Coverage {
		if !r.sourceByKey(c.Source).control && belowMinCoverage(c, r.cfg.MinCoverage) {
			rep.CoverageFailed = true
			rep.RunFailures = append(rep.RunFailures, report.RunFailure{Check: "coverage",
				Message: fmt.Sprintf("%s: %d/%d operations (%.1f%%) is below --min-coverage %.1f%%", c.Source, c.OperationsCovered, c.Operations, c.OperationPercent, r.cfg.MinCoverage)})
			code = report.ExitFailed
		}
	}
	return code
}

// judgeNetwork reads what the run saw on the wire: sandbox failures, a target that never
// answered (unreachable, whatever code came before), and the hint of a wrong base URL. It
// returns the exit code.
func (r *Runner) judgeNetwork(rep *report.Report, code int) int {
	st := r.net.snapshot()
	for _, msg := range st.runFailures {
		rep.RunFailures = append(rep.RunFailures, report.RunFailure{Check: "sandbox", Message: msg})
		code = max(code, report.ExitFailed)
	}
	if st.transport > 0 && st.answered == 0 {
		// Not one step got an answer: the target is down, not broken.
		rep.Error = "target unreachable: " + st.firstTransport
		rep.RunFailures = append(rep.RunFailures, report.RunFailure{Check: "unreachable", Message: rep.Error})
		code = report.ExitUnreachable
	}
	rep.Hint = st.hint
	if rep.Hint == "" && st.answered >= 4 && st.notFound*2 > st.answered {
		rep.Hint = fmt.Sprintf("the base URL looks wrong: %d of %d calls answered 404 (--base-url %s; expected the API's base, e.g. http://127.0.0.1:8080/api)",
			st.notFound, st.answered, r.base.Redacted())
	}
	return code
}

// belowMinCoverage compares the exact operation coverage, not the rounded percent printed:
// 67 of 72 (93.06 %) is below 93.1 though it prints as 93.1 %.
func belowMinCoverage(c report.Coverage, minPercent float64) bool {
	return minPercent > 0 && float64(c.OperationsCovered)*100 < minPercent*float64(c.Operations)
}

// detectMock asks GET {origin}/__mock/health once: an error is an unreachable target; a
// health document of service contextgpt-mock is the mock; anything else (a 404, a login
// page) is another target, quietly.
func (r *Runner) detectMock(ctx context.Context) (bool, error) {
	status, data, err := r.control().Call(ctx, http.MethodGet, "/__mock/health", nil)
	if ue := (*url.Error)(nil); errors.As(err, &ue) {
		return false, fmt.Errorf("target unreachable: %s: %w", r.origin, unwrapURLError(err))
	}
	var health struct {
		Service string `json:"service"`
	}
	if err != nil || status != http.StatusOK || json.Unmarshal(data, &health) != nil {
		return false, nil
	}
	return health.Service == "contextgpt-mock", nil
}

// runGroup runs one group's workflows in dependency order, in a sandbox when no key is given.
func (r *Runner) runGroup(ctx context.Context, ids []string, mock bool) []report.WorkflowResult {
	g := &group{r: r, mock: mock, key: r.cfg.APIKey, workflows: map[string]*workflowState{}}
	needsAPI := false
	for _, id := range ids {
		if mock || !r.workflows[id].RequiresMock() {
			needsAPI = true
		}
	}
	if g.key == "" && mock && needsAPI {
		sb, err := r.createSandbox(ctx)
		if err != nil {
			var out []report.WorkflowResult
			for _, id := range ids {
				if r.called[id] && !r.named[id] {
					continue
				}
				w := r.workflows[id]
				out = append(out, report.WorkflowResult{WorkflowID: id, Document: w.Document.Path, Summary: w.Summary,
					Status: report.Failed, Reason: "no sandbox: " + err.Error()})
				r.net.runFailure("no sandbox for workflow " + id + ": " + err.Error())
			}
			return out
		}
		g.key = sb.APIKey
		defer func() {
			if err := r.control().DeleteSandbox(context.WithoutCancel(ctx), sb.AccountID); err != nil {
				r.net.runFailure("the sandbox was not deleted: " + err.Error())
			}
		}()
	}
	var out []report.WorkflowResult
	for _, id := range topoOrder(ids, r.workflows) {
		if r.called[id] && !r.named[id] {
			continue // a building block: the steps that call it run it
		}
		res := g.runTop(ctx, r.workflows[id])
		if r.cfg.OnWorkflow != nil {
			r.cfg.OnWorkflow(res)
		}
		out = append(out, res)
	}
	return out
}

// Sleep waits d, or until ctx is done (its error then): Config.Sleep's default, shared with
// the probe.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// apiURL joins the API base and a spec path ("/v1/...").
func (r *Runner) apiURL(specPath string) string { return r.base.String() + specPath }

func (r *Runner) controlURL(specPath string) string {
	return r.origin + path.Clean("/"+strings.TrimPrefix(specPath, "/"))
}

func (r *Runner) sourceByKey(key string) *source {
	i := slices.IndexFunc(r.sources, func(s *source) bool { return s.key == key })
	if i < 0 {
		return &source{}
	}
	return r.sources[i]
}

// Warnings lists what runs here but may not elsewhere: an API step without an
// Authorization parameter passes with this runner (it sends the key itself) and fails in
// other Arazzo runners.
func (r *Runner) Warnings() []string {
	var out []string
	for _, d := range r.docs {
		for _, w := range d.Workflows {
			for _, st := range w.Steps {
				op := r.bound[st]
				if op == nil || op.src.control || hasAuthorization(w, st) {
					continue
				}
				out = append(out, fmt.Sprintf("%s: workflow %s, step %s: no Authorization parameter; add one with value \"Bearer {$inputs.apiKey}\" so other Arazzo runners send the key too",
					d.Path, w.WorkflowID, st.StepID))
			}
		}
	}
	return out
}

func hasAuthorization(w *arazzo.Workflow, st *arazzo.Step) bool {
	for _, list := range [][]*arazzo.Parameter{w.Parameters, st.Parameters} {
		for _, p := range list {
			if p.Reference != "" {
				if c := w.Document.Components.Parameters[refName(p.Reference)]; c != nil {
					p = c
				}
			}
			if p.In == "header" && strings.EqualFold(p.Name, "Authorization") {
				return true
			}
		}
	}
	return false
}

var statusInCriterion = regexp.MustCompile(`\$statusCode\s*==\s*(\d{3})`)

// expectedStatuses are the statuses a step's criteria name ($statusCode == 404), or else the
// 2xx statuses its operation declares: the responses a run will see.
func expectedStatuses(st *arazzo.Step, op *operation) []int {
	var out []int
	for _, cr := range st.SuccessCriteria {
		for _, m := range statusInCriterion.FindAllStringSubmatch(cr.Condition, -1) {
			n, _ := strconv.Atoi(m[1])
			out = append(out, n)
		}
	}
	if len(out) > 0 || op.route.Operation.Responses == nil {
		return out
	}
	for k := range op.route.Operation.Responses.Map() {
		if n, err := strconv.Atoi(k); err == nil && n >= 200 && n < 300 {
			out = append(out, n)
		}
	}
	return out
}

// warm compiles the response schemas of every operation the selected workflows call, before
// the first request, so a step's time is the network's and the first response of an
// operation is not slower to check than the next. Sources warm in parallel.
func (r *Runner) warm() {
	type opKey struct {
		src          *source
		method, path string
		status       int
	}
	seen := map[opKey]bool{}
	bySource := map[*source][]opKey{}
	for _, id := range r.order {
		for _, st := range r.workflows[id].Steps {
			op := r.bound[st]
			if op == nil {
				continue
			}
			for _, status := range expectedStatuses(st, op) {
				k := opKey{op.src, op.route.Method, op.src.spec.BasePath() + op.route.SpecPath, status}
				if !seen[k] {
					seen[k] = true
					bySource[op.src] = append(bySource[op.src], k)
				}
			}
		}
	}
	var wg sync.WaitGroup
	for src, ops := range bySource {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, k := range ops {
				src.validator.Warm(k.method, k.path, k.status)
			}
		}()
	}
	wg.Wait()
}
