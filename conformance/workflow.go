package conformance

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/conformance/expr"
	"github.com/contextgpt/sandbox/conformance/report"
)

const (
	maxDepth       = 8    // nested workflow steps and goto-workflow
	maxTransitions = 1000 // steps run by one workflow, retries and gotos included
	max429Attempts = 5
)

// group runs linked workflows on one key; their outputs stay visible to each other.
type group struct {
	r         *Runner
	mock      bool
	key       string
	workflows map[string]*workflowState
	webhooks  []*webhookConfig // what steps configured, for checking the sink's deliveries
}

type workflowState struct {
	status report.Status
	values expr.Values
}

// runTop runs a workflow of the selection (not one called by a step).
func (g *group) runTop(ctx context.Context, w *arazzo.Workflow) report.WorkflowResult {
	start := g.r.cfg.Now()
	res := report.WorkflowResult{WorkflowID: w.WorkflowID, Document: w.Document.Path, Summary: w.Summary}
	if w.RequiresMock() && !g.mock {
		res.Status, res.Reason = report.Skipped, "x-requires-mock: the target is not the mock"
		g.workflows[w.WorkflowID] = &workflowState{status: report.Skipped}
		return res
	}
	for _, dep := range w.DependsOn {
		if st := g.workflows[dep]; st == nil || st.status != report.Passed {
			res.Status, res.Reason = report.Skipped, fmt.Sprintf("dependsOn %s, which did not pass", dep)
			g.workflows[w.WorkflowID] = &workflowState{status: report.Skipped}
			return res
		}
	}
	res = g.run(ctx, w, g.inputsFor(w, nil), 0)
	res.Duration = g.r.cfg.Now().Sub(start)
	return res
}

// inputsFor gives a workflow the run's inputs (runId, apiKey and --input) under those a step
// passes. apiKey is the group's key (--api-key or the sandbox's) unless --input sets it.
func (g *group) inputsFor(_ *arazzo.Workflow, given map[string]any) map[string]any {
	in := maps.Clone(g.r.inputs)
	if _, set := in[apiKeyInput]; !set && g.key != "" {
		in[apiKeyInput] = g.key
	}
	if _, set := in[mockURLInput]; !set && g.mock {
		in[mockURLInput] = g.r.origin
	}
	maps.Copy(in, given)
	return in
}

// mockURLInput is the workflow input that carries the mock's origin (where its webhook sink
// listens), filled when the target is the mock.
const mockURLInput = "mockUrl"

// apiKeyInput is the workflow input that carries the caller's key (DESIGN: steps send
// "Authorization: Bearer {$inputs.apiKey}").
const apiKeyInput = "apiKey"

// wfRun is one execution of one workflow.
type wfRun struct {
	g       *group
	w       *arazzo.Workflow
	inputs  map[string]any
	outputs map[string]any
	steps   map[string]expr.Values
	results []report.StepResult
	depth   int
	failed  bool
	reason  string
	skipped bool // a step could not run (its workflow already failed): the workflow is skipped
}

func (g *group) run(ctx context.Context, w *arazzo.Workflow, inputs map[string]any, depth int) report.WorkflowResult {
	start := g.r.cfg.Now()
	wr := &wfRun{g: g, w: w, inputs: inputs, outputs: map[string]any{}, steps: map[string]expr.Values{}, depth: depth}
	wr.loop(ctx)
	wr.markSkipped()
	if !wr.failed && !wr.skipped {
		c := wr.context()
		for name, o := range w.Outputs {
			v, err := evalTemplate(o, c)
			if err != nil {
				wr.fail(fmt.Sprintf("output %s: %v", name, err))
				continue
			}
			wr.outputs[name] = v
		}
	}
	res := report.WorkflowResult{WorkflowID: w.WorkflowID, Document: w.Document.Path, Summary: w.Summary,
		Steps: wr.results, Status: report.Passed, Reason: wr.reason, Duration: g.r.cfg.Now().Sub(start)}
	for _, s := range wr.results {
		if s.Status == report.Failed {
			res.Status = report.Failed
		}
	}
	if wr.failed {
		res.Status = report.Failed
	}
	if wr.skipped && res.Status != report.Failed {
		res.Status = report.Skipped
	}
	g.workflows[w.WorkflowID] = &workflowState{status: res.Status, values: expr.Values{Inputs: inputs, Outputs: wr.outputs}}
	return res
}

// markSkipped lists the steps that never ran (after a failure that ended the workflow, or
// jumped over by a goto) as skipped, with the reason, so a cleanup that did not run shows.
func (wr *wfRun) markSkipped() {
	ran := map[string]bool{}
	for _, r := range wr.results {
		ran[r.StepID] = true
	}
	reason := "not run: the workflow's onSuccess actions (end or goto) passed it by"
	if wr.reason != "" {
		reason = "not run: " + wr.reason
	}
	for _, st := range wr.w.Steps {
		if !ran[st.StepID] {
			wr.results = append(wr.results, report.StepResult{StepID: st.StepID, Status: report.Skipped, Reason: reason})
		}
	}
}

func (wr *wfRun) fail(reason string) {
	wr.failed = true
	if wr.reason == "" {
		wr.reason = reason
	}
}

// context is the expression context of the workflow so far (no request or response).
func (wr *wfRun) context() *expr.Context {
	c := &expr.Context{Inputs: wr.inputs, Outputs: wr.outputs, Steps: wr.steps, Workflows: map[string]expr.Values{},
		SourceDescriptions: map[string]map[string]any{}, Components: wr.components()}
	for id, st := range wr.g.workflows {
		c.Workflows[id] = st.values
	}
	for _, sd := range wr.w.Document.SourceDescriptions {
		c.SourceDescriptions[sd.Name] = map[string]any{"name": sd.Name, "url": sd.URL, "type": sd.Type}
	}
	return c
}

func (wr *wfRun) components() map[string]map[string]any {
	comp := wr.w.Document.Components
	out := map[string]map[string]any{"inputs": comp.Inputs, "parameters": {}}
	for k, p := range comp.Parameters {
		out["parameters"][k] = p.Value
	}
	return out
}

// loop runs the steps, following onSuccess and onFailure as the standard has them: the
// step's actions first, else the workflow's; the first action whose criteria hold wins; no
// failure action ends the workflow as failed.
func (wr *wfRun) loop(ctx context.Context) {
	retries := map[int]int{}
	var carry *report.StepResult
	for i, n := 0, 0; i < len(wr.w.Steps); n++ {
		if n >= maxTransitions {
			wr.fail(fmt.Sprintf("more than %d step runs: a goto or retry loop", maxTransitions))
			return
		}
		if ctx.Err() != nil {
			wr.fail(ctx.Err().Error())
			return
		}
		st := wr.w.Steps[i]
		res, c, ok := wr.step(ctx, st)
		wr.results = append(wr.results, withRetried(res, carry))
		carry = nil
		if res.Status == report.Skipped {
			wr.skipped = true
			if wr.reason == "" {
				wr.reason = fmt.Sprintf("step %s: %s", st.StepID, res.Reason)
			}
			return
		}
		var stop bool
		if ok {
			i, stop = wr.afterSuccess(ctx, i, st, c)
		} else {
			i, carry, stop = wr.afterFailure(ctx, i, st, c, retries)
		}
		if stop {
			return
		}
	}
}

// withRetried returns a retry's result: it replaces the failed attempt (carry, nil when the
// step is not a retry), whose attempts add up and whose check findings still count.
func withRetried(res report.StepResult, carry *report.StepResult) report.StepResult {
	if carry == nil {
		return res
	}
	res.Attempts += carry.Attempts
	if kept := checkFindings(carry.Findings); len(kept) > 0 {
		res.Findings = append(kept, res.Findings...)
		res.Status = report.Failed
	}
	return res
}

// afterSuccess follows a passed step's onSuccess action: it returns the index of the step to
// run next, or stop when the workflow ends here.
func (wr *wfRun) afterSuccess(ctx context.Context, i int, st *arazzo.Step, c *expr.Context) (next int, stop bool) {
	a, err := wr.successAction(st, c)
	if err != nil {
		wr.fail(fmt.Sprintf("step %s: onSuccess: %v", st.StepID, err))
		return i, true
	}
	switch {
	case a == nil:
		return i + 1, false
	case a.Type == "end":
		return i, true
	case a.StepID != "":
		next, _ = wr.w.StepIndex(a.StepID)
		return next, false
	default:
		wr.gotoWorkflow(ctx, a.WorkflowID)
		return i, true
	}
}

// afterFailure follows a failed step's onFailure action: it returns the index of the step to
// run next and, for a retry, the failed attempt the retry replaces; or stop when the workflow
// ends here (as failed).
func (wr *wfRun) afterFailure(ctx context.Context, i int, st *arazzo.Step, c *expr.Context, retries map[int]int) (next int, carry *report.StepResult, stop bool) {
	a, err := wr.failureAction(st, c)
	if err != nil {
		wr.fail(fmt.Sprintf("step %s: onFailure: %v", st.StepID, err))
		return i, nil, true
	}
	switch {
	case a == nil || a.Type == "end":
		wr.fail(fmt.Sprintf("step %s failed", st.StepID))
		return i, nil, true
	case a.Type == "goto" && a.StepID != "":
		// Go on to the target (a cleanup, say); the failed step fails the workflow.
		if wr.reason == "" {
			wr.reason = fmt.Sprintf("step %s failed", st.StepID)
		}
		next, _ = wr.w.StepIndex(a.StepID)
		return next, nil, false
	case a.Type == "goto":
		wr.gotoWorkflow(ctx, a.WorkflowID)
		wr.fail(fmt.Sprintf("step %s failed", st.StepID))
		return i, nil, true
	}
	carry, ok := wr.retry(ctx, i, st, a, c, retries)
	return i, carry, !ok
}

// retry prepares step i's retry: within the action's retryLimit (default 1) it takes the
// failed attempt out of the results (returned, to be carried into the retry's), waits
// Retry-After or the action's retryAfter (at most --max-wait), and runs the action's step or
// workflow first when it names one. ok is false when the workflow ends here, failed.
func (wr *wfRun) retry(ctx context.Context, i int, st *arazzo.Step, a *arazzo.FailureAction, c *expr.Context, retries map[int]int) (carry *report.StepResult, ok bool) {
	limit := 1
	if a.RetryLimit != nil {
		limit = *a.RetryLimit
	}
	if retries[i] >= limit {
		wr.fail(fmt.Sprintf("step %s failed after %d retries", st.StepID, retries[i]))
		return nil, false
	}
	retries[i]++
	last := wr.results[len(wr.results)-1]
	wr.results = wr.results[:len(wr.results)-1]
	wait := actionRetryAfter(a)
	if ra, ok := RetryAfter(c.ResponseHeader); ok {
		wait = ra // Retry-After overrules retryAfter, as the standard says
	}
	if err := wr.g.r.cfg.Sleep(ctx, min(wait, wr.g.r.cfg.MaxWait)); err != nil {
		wr.fail(err.Error())
		return nil, false
	}
	if a.StepID != "" {
		j, _ := wr.w.StepIndex(a.StepID)
		r, _, _ := wr.step(ctx, wr.w.Steps[j])
		wr.results = append(wr.results, r)
	} else if a.WorkflowID != "" {
		wr.callWorkflow(ctx, a.WorkflowID, nil)
	}
	return &last, true
}

// actionRetryAfter is a retry action's retryAfter (seconds) as a wait. Clamped: a huge
// value converted to a Duration would overflow into a negative wait (no wait at all).
func actionRetryAfter(a *arazzo.FailureAction) time.Duration {
	if a.RetryAfter == nil || !(*a.RetryAfter > 0) { // NaN too
		return 0
	}
	return time.Duration(min(*a.RetryAfter, 1<<31) * float64(time.Second))
}

// checkFindings keeps the findings of response checks, dropping criteria.
func checkFindings(fs []report.Finding) []report.Finding {
	var out []report.Finding
	for _, f := range fs {
		if f.Check != checkCriterion {
			out = append(out, f)
		}
	}
	return out
}

func (wr *wfRun) gotoWorkflow(ctx context.Context, id string) {
	res := wr.callWorkflow(ctx, id, nil)
	for k, v := range wr.g.workflows[id].values.Outputs {
		wr.outputs[k] = v
	}
	if res.Status == report.Failed {
		wr.fail(fmt.Sprintf("workflow %s failed", id))
	}
}

func (wr *wfRun) successAction(st *arazzo.Step, c *expr.Context) (*arazzo.SuccessAction, error) {
	return pickAction(wr, st.OnSuccess, wr.w.SuccessActions, wr.w.Document.Components.SuccessActions, c)
}

func (wr *wfRun) failureAction(st *arazzo.Step, c *expr.Context) (*arazzo.FailureAction, error) {
	return pickAction(wr, st.OnFailure, wr.w.FailureActions, wr.w.Document.Components.FailureActions, c)
}

// action is what pickAction needs of a success or failure action.
type action interface {
	*arazzo.SuccessAction | *arazzo.FailureAction
}

// pickAction returns the first of the step's actions (else the workflow's) whose criteria
// hold, a reusable action resolved through components.
func pickAction[A action](wr *wfRun, step, workflow []A, components map[string]A, c *expr.Context) (A, error) {
	list := step
	if len(list) == 0 {
		list = workflow
	}
	for _, a := range list {
		ref, criteria, _ := actionFields(a)
		if ref != "" {
			a = components[refName(ref)]
			_, criteria, _ = actionFields(a)
		}
		ok, err := criteriaHold(criteria, c)
		if err != nil {
			return nil, err
		}
		if ok {
			_, _, stepID := actionFields(a)
			return a, wr.checkTarget(stepID)
		}
	}
	return nil, nil
}

func actionFields[A action](a A) (reference string, criteria []*arazzo.Criterion, stepID string) {
	switch t := any(a).(type) {
	case *arazzo.SuccessAction:
		return t.Reference, t.Criteria, t.StepID
	case *arazzo.FailureAction:
		return t.Reference, t.Criteria, t.StepID
	}
	return "", nil, ""
}

// checkTarget refuses a component action whose stepId is not in this workflow.
func (wr *wfRun) checkTarget(stepID string) error {
	if stepID == "" {
		return nil
	}
	if _, ok := wr.w.StepIndex(stepID); !ok {
		return fmt.Errorf("stepId %q is not a step of workflow %s", stepID, wr.w.WorkflowID)
	}
	return nil
}
