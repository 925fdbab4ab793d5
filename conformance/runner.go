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
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/spec"
)

// Config configures a run. The zero value of each field has a useful default (DefaultConfig
// spells them out), except BaseURL.
type Config struct {
	// BaseURL replaces the API's server URL, e.g. http://127.0.0.1:8080/api; a trailing /v1
	// is tolerated. The control plane resolves against its origin.
	BaseURL string
	// APIKey is sent on every API step that does not set its own Authorization. Without it,
	// against the mock, each workflow group gets a sandbox of Plan.
	APIKey string
	Plan   string
	// MockAdminToken is sent as a bearer token to the control plane.
	MockAdminToken string
	// Inputs are given to every workflow that declares them; runId is generated when absent.
	Inputs map[string]string
	// SpecDocument is the contract (default: the embedded contextgpt.yaml).
	SpecDocument []byte
	// Workflows selects workflows by id (and what they depend on); empty runs all.
	Workflows []string
	Jobs      int           // workflow groups run in parallel (default 1)
	Timeout   time.Duration // per request (default 30 s)
	MaxWait   time.Duration // longest Retry-After honoured on a 429 (default 60 s)
	// MinCoverage fails the run when an API source's operation coverage is below it (percent).
	MinCoverage float64
	Client      *http.Client
	// Sleep waits; tests inject one that does not.
	Sleep func(ctx context.Context, d time.Duration) error
	Now   func() time.Time
	// OnWorkflow is called as each workflow finishes (the console prints it).
	OnWorkflow func(report.WorkflowResult)
	// Redactor learns every key the run uses; the report writers use it.
	Redactor *report.Redactor
	// OnResponse, when set, sees every response a step gets (the probe command's
	// (operation, status) coverage table counts them). It may be called concurrently.
	OnResponse func(Response)
}

// Response is one response a step got, as Config.OnResponse sees it.
type Response struct {
	Source        string // the source's key: contextgpt.yaml, mock-admin.yaml or a path
	Control       bool   // the mock's control plane
	OperationID   string
	Status        int
	RequestHeader http.Header
	Body          []byte
}

// DefaultConfig returns the defaults of every field but BaseURL.
func DefaultConfig() Config {
	return Config{
		Plan:    "scale",
		Jobs:    1,
		Timeout: 30 * time.Second,
		MaxWait: 60 * time.Second,
	}
}

// BadInputError is a problem with flags, the spec or the documents: exit code 2.
type BadInputError struct{ Err error }

func (e *BadInputError) Error() string { return e.Err.Error() }
func (e *BadInputError) Unwrap() error { return e.Err }

func badInput(format string, args ...any) error {
	return &BadInputError{Err: fmt.Errorf(format, args...)}
}

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
	bound   map[*arazzo.Step]*operation
	sources []*source // distinct, in first-use order
	runID   string
	inputs  map[string]any
	cov     *coverage
	red     *report.Redactor

	unreachable sync.Once
	unreachErr  error
}

// New validates the configuration and the documents against their sources. Every problem
// it finds is a *BadInputError.
func New(cfg Config, docs []*arazzo.Document) (*Runner, error) {
	def := DefaultConfig()
	if cfg.Plan == "" {
		cfg.Plan = def.Plan
	}
	if cfg.Jobs <= 0 {
		cfg.Jobs = def.Jobs
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = def.Timeout
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = def.MaxWait
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: cfg.Timeout}
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Redactor == nil {
		cfg.Redactor = &report.Redactor{}
	}
	if cfg.SpecDocument == nil {
		cfg.SpecDocument = spec.ContextGPTDocument()
	}
	cfg.Redactor.Add(cfg.APIKey, cfg.MockAdminToken)
	if cfg.MinCoverage < 0 || cfg.MinCoverage > 100 {
		return nil, badInput("--min-coverage %v is not a percentage", cfg.MinCoverage)
	}
	r := &Runner{cfg: cfg, workflows: map[string]*arazzo.Workflow{}, bound: map[*arazzo.Step]*operation{},
		red: cfg.Redactor}
	var err error
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

func parseBaseURL(raw string) (*url.URL, string, error) {
	if raw == "" {
		return nil, "", fmt.Errorf("--base-url is required (e.g. http://127.0.0.1:8080/api)")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, "", fmt.Errorf("--base-url %q: expected http(s)://host[:port]/api", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, "", fmt.Errorf("--base-url %q: no query or fragment", raw)
	}
	u.Path = strings.TrimSuffix(strings.TrimRight(u.Path, "/"), "/v1")
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, u.Scheme + "://" + u.Host, nil
}

// Workflows lists the selected workflows in document order.
func (r *Runner) Workflows() []*arazzo.Workflow {
	out := make([]*arazzo.Workflow, 0, len(r.order))
	for _, id := range r.order {
		out = append(out, r.workflows[id])
	}
	return out
}

// selectWorkflows keeps cfg.Workflows and everything they link to, in document order.
func (r *Runner) selectWorkflows() error {
	want := map[string]bool{}
	var queue []string
	if len(r.cfg.Workflows) == 0 {
		for id := range r.workflows {
			queue = append(queue, id)
		}
	}
	for _, id := range r.cfg.Workflows {
		if r.workflows[id] == nil {
			return fmt.Errorf("--workflow %q is not in the documents", id)
		}
		queue = append(queue, id)
	}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		if want[id] {
			continue
		}
		want[id] = true
		queue = append(queue, links(r.workflows[id])...)
	}
	for _, d := range r.docs {
		for _, w := range d.Workflows {
			if want[w.WorkflowID] {
				r.order = append(r.order, w.WorkflowID)
			}
		}
	}
	r.called = map[string]bool{}
	for _, id := range r.order {
		for _, s := range r.workflows[id].Steps {
			if s.WorkflowID != "" {
				r.called[s.WorkflowID] = true
			}
		}
	}
	return nil
}

// Run executes the selected workflows and returns the report; its ExitCode says how the run
// went. A run builds sandboxes, so call it once per Runner.
func (r *Runner) Run(ctx context.Context) *report.Report {
	start := r.cfg.Now()
	rep := &report.Report{Target: r.base.Redacted(), RunID: r.runID, Started: start, MinCoverage: r.cfg.MinCoverage}
	finish := func(code int) *report.Report {
		rep.Duration = r.cfg.Now().Sub(start)
		rep.Summarize()
		rep.ExitCode = code
		return rep
	}
	mock, err := r.detectMock(ctx)
	if err != nil {
		rep.Error = err.Error()
		return finish(report.ExitUnreachable)
	}
	rep.Mock = mock
	if r.cfg.APIKey == "" && !mock {
		rep.Error = "no --api-key given and the target is not the mock (only the mock hands out sandboxes)"
		return finish(report.ExitBadInput)
	}
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
	rep.Coverage = r.cov.report()
	for _, c := range rep.Coverage {
		if !r.sourceByKey(c.Source).control && belowMinCoverage(c, r.cfg.MinCoverage) {
			rep.CoverageFailed = true
			code = report.ExitFailed
		}
	}
	if r.unreachErr != nil {
		rep.Error = r.unreachErr.Error()
		code = report.ExitUnreachable
	}
	return finish(code)
}

// belowMinCoverage compares the exact operation coverage, not the rounded percent printed:
// 67 of 72 (93.06 %) is below 93.1 though it prints as 93.1 %.
func belowMinCoverage(c report.Coverage, minPercent float64) bool {
	return minPercent > 0 && float64(c.OperationsCovered)*100 < minPercent*float64(c.Operations)
}

func (r *Runner) markUnreachable(err error) {
	r.unreachable.Do(func() { r.unreachErr = fmt.Errorf("target unreachable: %w", err) })
}

// detectMock asks GET {origin}/__mock/health once: an error is an unreachable target; a
// health document of service contextgpt-mock is the mock; anything else is another target.
func (r *Runner) detectMock(ctx context.Context) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.origin+"/__mock/health", nil)
	if err != nil {
		return false, err
	}
	r.adminAuth(req)
	resp, err := r.cfg.Client.Do(req)
	if err != nil {
		return false, fmt.Errorf("target unreachable: %w", err)
	}
	defer resp.Body.Close()
	var health struct {
		Service string `json:"service"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&health) != nil {
		return false, nil
	}
	return health.Service == "contextgpt-mock", nil
}

func (r *Runner) adminAuth(req *http.Request) {
	if r.cfg.MockAdminToken != "" {
		req.Header.Set("Authorization", "Bearer "+r.cfg.MockAdminToken)
	}
}

// groups splits the selected workflows into groups linked by dependsOn, workflow steps,
// actions and $workflows expressions; each group shares one sandbox.
func (r *Runner) groups() [][]string {
	parent := map[string]string{}
	var find func(string) string
	find = func(x string) string {
		if parent[x] == "" || parent[x] == x {
			return x
		}
		parent[x] = find(parent[x])
		return parent[x]
	}
	for _, id := range r.order {
		for _, l := range links(r.workflows[id]) {
			a, b := find(id), find(l)
			if a != b {
				parent[a] = b
			}
		}
	}
	index := map[string]int{}
	var out [][]string
	for _, id := range r.order {
		root := find(id)
		i, ok := index[root]
		if !ok {
			i = len(out)
			index[root] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], id)
	}
	return out
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
				if r.called[id] && !slices.Contains(r.cfg.Workflows, id) {
					continue
				}
				w := r.workflows[id]
				out = append(out, report.WorkflowResult{WorkflowID: id, Document: w.Document.Path, Summary: w.Summary,
					Status: report.Failed, Reason: "no sandbox: " + err.Error()})
			}
			return out
		}
		g.key = sb.APIKey
		defer func() {
			if err := r.deleteSandbox(context.WithoutCancel(ctx), sb.AccountID); err != nil {
				r.markUnreachable(err)
			}
		}()
	}
	var out []report.WorkflowResult
	for _, id := range topoOrder(ids, r.workflows) {
		if r.called[id] && !slices.Contains(r.cfg.Workflows, id) {
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

// topoOrder puts each workflow after those it depends on, otherwise keeping the given order.
func topoOrder(ids []string, all map[string]*arazzo.Workflow) []string {
	done := map[string]bool{}
	in := map[string]bool{}
	for _, id := range ids {
		in[id] = true
	}
	var out []string
	var visit func(string)
	visit = func(id string) {
		if done[id] || !in[id] {
			return
		}
		done[id] = true
		for _, d := range all[id].DependsOn {
			visit(d)
		}
		out = append(out, id)
	}
	for _, id := range ids {
		visit(id)
	}
	return out
}

// buildInputs converts --input values by the declared input types, and refuses names no
// selected workflow declares and required inputs nobody gives.
func (r *Runner) buildInputs() (map[string]any, error) {
	out := map[string]any{}
	declared := map[string]string{} // name -> type
	var errs []error
	for _, id := range r.order {
		w := r.workflows[id]
		props, _ := w.Inputs["properties"].(map[string]any)
		for name, p := range props {
			schema, _ := p.(map[string]any) // not an object (null, say): no type to convert by
			typ, _ := schema["type"].(string)
			declared[name] = typ
		}
	}
	for name, raw := range r.cfg.Inputs {
		typ, ok := declared[name]
		if !ok && name != "runId" {
			errs = append(errs, fmt.Errorf("--input %s: no selected workflow declares this input", name))
			continue
		}
		v, err := convertInput(raw, typ)
		if err != nil {
			errs = append(errs, fmt.Errorf("--input %s: %w", name, err))
			continue
		}
		out[name] = v
	}
	out["runId"] = r.runID
	for _, id := range r.order {
		w := r.workflows[id]
		req, _ := w.Inputs["required"].([]any)
		for _, n := range req {
			name, _ := n.(string)
			if _, ok := out[name]; !ok && !r.called[id] {
				errs = append(errs, fmt.Errorf("workflow %s: input %q is required (--input %s=...)", id, name, name))
			}
		}
	}
	return out, errors.Join(errs...)
}

func convertInput(raw, typ string) (any, error) {
	switch typ {
	case "integer":
		n, err := strconv.ParseInt(raw, 10, 64)
		return float64(n), err
	case "number":
		return strconv.ParseFloat(raw, 64)
	case "boolean":
		return strconv.ParseBool(raw)
	case "object", "array":
		var v any
		err := json.Unmarshal([]byte(raw), &v)
		return v, err
	}
	return raw, nil
}

func sleep(ctx context.Context, d time.Duration) error {
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
