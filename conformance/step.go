package conformance

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/conformance/expr"
	"github.com/contextgpt/sandbox/conformance/report"
)

const (
	maxBody   = 10 << 20 // bytes of a response body read
	userAgent = "contextgpt-conformance/1"
)

// step runs one step and returns its result, the expression context after it, and whether
// its success criteria held.
func (wr *wfRun) step(ctx context.Context, st *arazzo.Step) (report.StepResult, *expr.Context, bool) {
	start := wr.g.r.cfg.Now()
	c := wr.context()
	res := report.StepResult{StepID: st.StepID}
	finding := func(check, msg string) report.Finding {
		return report.Finding{Workflow: wr.w.WorkflowID, Step: st.StepID, OperationID: res.OperationID, Check: check,
			Category: CategoryOf(check), Message: msg}
	}
	ok := true
	if prev := wr.g.workflows[st.WorkflowID]; st.WorkflowID != "" && prev != nil && prev.status == report.Failed {
		// Running it again would repeat what it created before failing (a second chatbot of
		// the same name: 409); the calling workflow is skipped instead.
		res.Status, res.Reason = report.Skipped, fmt.Sprintf("workflow %s already failed in this run; not run again", st.WorkflowID)
		return res, c, false
	}
	if st.WorkflowID != "" {
		inputs := map[string]any{}
		for _, p := range st.Parameters {
			p = wr.resolveParam(p)
			v, err := resolveValue(p.Value, c)
			if err != nil {
				res.Findings = append(res.Findings, finding(checkRequest, err.Error()))
				ok = false
				continue
			}
			inputs[p.Name] = v
		}
		if ok {
			sub := wr.callWorkflow(ctx, st.WorkflowID, inputs)
			c.Outputs = wr.g.workflows[st.WorkflowID].values.Outputs
			ok = sub.Status == report.Passed
		}
	} else {
		ok = wr.call(ctx, st, c, &res, finding)
	}
	if ok {
		for _, cr := range st.SuccessCriteria {
			hold, err := cr.Compiled().Evaluate(c)
			if err != nil || !hold {
				f := finding(checkCriterion, "condition does not hold")
				f.Expected, f.Actual = cr.Compiled().Explain(c)
				if cr.Context != "" && cr.Type.Type == "" {
					f.Expected = cr.Condition + " (context " + cr.Context + ")"
				}
				if err != nil {
					f.Message = err.Error()
				}
				res.Findings = append(res.Findings, f)
				ok = false
			}
		}
	}
	if ok {
		outs := map[string]any{}
		for name, o := range st.Outputs {
			v, err := evalTemplate(o, c)
			if err != nil {
				res.Findings = append(res.Findings, finding(checkOutput, fmt.Sprintf("output %s: %v", name, err)))
				ok = false
				continue
			}
			outs[name] = v
			if s, isString := v.(string); isString && looksSecret(name) {
				wr.g.r.red.Add(s) // a key a step learned (a sandbox's) stays out of every report
			}
		}
		wr.steps[st.StepID] = expr.Values{Outputs: outs}
	}
	res.Status = report.Passed
	if !ok || len(res.Findings) > 0 {
		res.Status = report.Failed
	}
	if res.Status == report.Passed && !wr.g.r.cfg.Verbose {
		res.Exchange = nil
	}
	res.Duration = wr.g.r.cfg.Now().Sub(start)
	return res, c, ok
}

// looksSecret reports whether an output's name says it holds a credential.
func looksSecret(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "key") || strings.Contains(n, "token") || strings.Contains(n, "secret")
}

// resolveParam follows a reusable parameter to its component, applying its value override.
func (wr *wfRun) resolveParam(p *arazzo.Parameter) *arazzo.Parameter {
	if p.Reference == "" {
		return p
	}
	comp := *wr.w.Document.Components.Parameters[refName(p.Reference)]
	if p.Value != nil {
		comp.Value = p.Value
	}
	return &comp
}

// params merges the workflow's parameters with the step's (the step's win), keyed by
// name and location.
func (wr *wfRun) params(st *arazzo.Step) []*arazzo.Parameter {
	var out []*arazzo.Parameter
	index := map[string]int{}
	for _, list := range [][]*arazzo.Parameter{wr.w.Parameters, st.Parameters} {
		for _, p := range list {
			p = wr.resolveParam(p)
			k := p.In + "\x00" + strings.ToLower(p.Name)
			if i, ok := index[k]; ok {
				out[i] = p
				continue
			}
			index[k] = len(out)
			out = append(out, p)
		}
	}
	return out
}

// call sends the step's request (again after a 429 unless the step expects one), checks every
// response and fills c with the last request and response.
func (wr *wfRun) call(ctx context.Context, st *arazzo.Step, c *expr.Context, res *report.StepResult,
	finding func(check, msg string) report.Finding) bool {
	r := wr.g.r
	op := r.bound[st]
	res.OperationID, res.Source, res.Method = op.route.OperationID, op.sourceName, op.route.Method
	req, err := wr.build(st, op, c)
	if err != nil {
		res.Findings = append(res.Findings, finding(checkRequest, err.Error()))
		return false
	}
	res.Path = req.path
	expects429 := false
	for _, cr := range st.SuccessCriteria {
		expects429 = expects429 || strings.Contains(cr.Condition, "429")
	}
	for {
		res.Attempts++
		resp, err := wr.send(ctx, req)
		res.Latency = resp.latency
		if err != nil {
			r.noteTransport(err)
			res.Findings = append(res.Findings, finding(checkTransport, err.Error()))
			res.Exchange = r.exchange(req, nil)
			return false
		}
		status, header, body := resp.status, resp.header, resp.body
		r.noteAnswer(op, status, header, body)
		res.HTTPStatus = status
		r.cov.record(op, status)
		if r.cfg.OnResponse != nil {
			r.cfg.OnResponse(Response{Source: op.src.key, Control: op.src.control, OperationID: op.route.OperationID,
				Status: status, RequestHeader: req.header, Body: body})
		}
		problems := r.check(op, req, status, header, body)
		if status >= 200 && status < 300 && op.route.HasCallbacks() {
			wr.g.noteWebhookConfig(op, st.StepID, c.RequestBody)
		}
		if status == http.StatusOK && wr.g.mock && isSinkRead(op) {
			problems = append(problems, r.checkDeliveries(wr.g, req.path, body)...)
		}
		var found []report.Finding
		for _, p := range problems {
			f := finding(p.Check, p.Message)
			f.Pointer, f.SpecLocation, f.Expected, f.Actual = p.Pointer, p.SpecLocation, p.Expected, p.Actual
			found = append(found, f)
		}
		if limit := r.cfg.MaxResponseTime; limit > 0 && resp.latency > limit {
			f := finding(CheckResponseTime, "the response took longer than --max-response-time")
			f.Expected, f.Actual = "at most "+limit.String(), resp.latency.Round(time.Microsecond).String()
			found = append(found, f)
		}
		c.StatusCode, c.ResponseHeader, c.ResponseBody = status, header, decodeBody(header, body)
		r.learnSecrets(c.ResponseBody)
		// The last exchange is kept until the step's verdict is known (step drops it from a
		// passed step unless -v).
		res.Exchange = r.exchange(req, &resp)
		if status != http.StatusTooManyRequests || expects429 || res.Attempts >= max429Attempts {
			res.Findings = append(res.Findings, found...) // only the final attempt decides
			return true
		}
		wait, ok := RetryAfter(header)
		if !ok {
			wait = time.Second
		}
		wait = min(wait, r.cfg.MaxWait)
		// A superseded attempt's findings are reported with its wait but do not fail the step.
		res.Waits = append(res.Waits, report.Wait{Status: status, RetryAfter: header.Get("Retry-After"), Waited: wait, Findings: found})
		if err := r.cfg.Sleep(ctx, wait); err != nil {
			res.Findings = append(res.Findings, finding(checkTransport, err.Error()))
			return false
		}
	}
}

// request is a built step request; it is sent as often as 429s demand.
type request struct {
	method      string
	url         string
	path        string // the URL path sent
	specPath    string // the path with the spec's server prefix, for validation
	query       url.Values
	header      http.Header
	body        []byte
	contentType string
}

// build makes a step's request: its parameters, the URL on the API or the mock's control
// plane with the credentials of either, the fixed headers, and the body; the expression
// context then holds the request, for the step's criteria and outputs.
func (wr *wfRun) build(st *arazzo.Step, op *operation, c *expr.Context) (*request, error) {
	req := &request{method: op.route.Method, query: url.Values{}, header: http.Header{}}
	pathParams, authSet, err := wr.applyParams(req, st, c)
	if err != nil {
		return nil, err
	}
	if err := wr.address(req, op, pathParams, authSet); err != nil {
		return nil, err
	}
	req.header.Set("User-Agent", userAgent)
	req.header.Set("Accept", "application/json")
	if b := st.RequestBody; b != nil {
		if err := buildBody(req, b, c); err != nil {
			return nil, err
		}
	}
	c.URL, c.Method = req.url, req.method
	c.RequestHeader, c.RequestQuery, c.RequestPath = req.header, req.query, pathParams
	return req, nil
}

// applyParams resolves the step's parameters into the request's query and headers; it
// returns the path parameters and whether the step sets Authorization itself.
func (wr *wfRun) applyParams(req *request, st *arazzo.Step, c *expr.Context) (pathParams map[string]string, authSet bool, err error) {
	pathParams = map[string]string{}
	for _, p := range wr.params(st) {
		v, err := resolveValue(p.Value, c)
		if err != nil {
			return nil, false, fmt.Errorf("parameter %s: %w", p.Name, err)
		}
		switch p.In {
		case "path":
			pathParams[p.Name] = expr.Text(v)
		case "query":
			if list, ok := v.([]any); ok {
				for _, x := range list {
					req.query.Add(p.Name, expr.Text(x))
				}
			} else {
				req.query.Add(p.Name, expr.Text(v))
			}
		case "header":
			if strings.EqualFold(p.Name, "Authorization") {
				authSet = true
			}
			if s := expr.Text(v); s != "" {
				req.header.Set(p.Name, s)
			}
		}
	}
	return pathParams, authSet, nil
}

// address fills the operation's path and sets the request's URL on the API or the mock's
// control plane, with that side's bearer token unless the step set Authorization itself.
func (wr *wfRun) address(req *request, op *operation, pathParams map[string]string, authSet bool) error {
	r := wr.g.r
	filled, err := FillPath(op.route.SpecPath, func(name string) (string, bool) {
		v, ok := pathParams[name]
		return v, ok
	})
	if err != nil {
		return err
	}
	req.specPath = op.src.spec.BasePath() + filled
	token := wr.g.key
	if op.src.control {
		req.url, token = r.controlURL(filled), r.cfg.MockAdminToken
	} else {
		req.url = r.apiURL(filled)
	}
	if !authSet && token != "" {
		req.header.Set("Authorization", "Bearer "+token)
	}
	u, _ := url.Parse(req.url)
	req.path = u.Path
	if len(req.query) > 0 {
		req.url += "?" + req.query.Encode()
	}
	return nil
}

// buildBody resolves the step's request body and its replacements and encodes it in its
// content type (JSON by default); the context gets the payload.
func buildBody(req *request, b *arazzo.RequestBody, c *expr.Context) error {
	payload, err := resolveValue(b.Payload, c)
	if err != nil {
		return fmt.Errorf("requestBody: %w", err)
	}
	for _, rp := range b.Replacements {
		v, err := resolveValue(rp.Value, c)
		if err != nil {
			return fmt.Errorf("requestBody replacement %s: %w", rp.Target, err)
		}
		if payload, err = setPointer(payload, rp.Target, v); err != nil {
			return fmt.Errorf("requestBody replacement: %w", err)
		}
	}
	req.contentType = b.ContentType
	if req.contentType == "" {
		req.contentType = "application/json"
	}
	if req.body, err = encodeBody(req.contentType, payload); err != nil {
		return err
	}
	req.header.Set("Content-Type", req.contentType)
	c.RequestBody = payload
	return nil
}

// response is one answer to a step's request.
type response struct {
	status  int
	header  http.Header
	body    []byte
	latency time.Duration // request written to body read
}

func (wr *wfRun) send(ctx context.Context, req *request) (response, error) {
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	ctx, cancel := context.WithTimeout(ctx, wr.g.r.cfg.Timeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, req.method, req.url, body)
	if err != nil {
		return response{}, err
	}
	hr.Header = req.header.Clone()
	now := wr.g.r.cfg.Now
	start := now()
	resp, err := wr.g.r.cfg.Client.Do(hr)
	if err != nil {
		return response{latency: now().Sub(start)}, fmt.Errorf("%s %s: %w", req.method, req.url, unwrapURLError(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	out := response{status: resp.StatusCode, header: resp.Header, body: data, latency: now().Sub(start)}
	if err != nil {
		return out, fmt.Errorf("%s %s: reading the body: %w", req.method, req.url, err)
	}
	return out, nil
}

// unwrapURLError drops url.Error's repetition of the full URL (which may carry a query).
func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// RetryAfter reads a Retry-After header: whole seconds or an HTTP date (the runner and the
// probe wait by it).
func RetryAfter(h http.Header) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		// Clamped: a huge value would overflow into a negative wait (no wait at all).
		return time.Duration(min(n, 1<<30)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

// callWorkflow runs another workflow inside this one; its steps join this workflow's
// results as "<workflow>/<step>".
func (wr *wfRun) callWorkflow(ctx context.Context, id string, inputs map[string]any) report.WorkflowResult {
	w := wr.g.r.workflows[id]
	if wr.depth+1 > maxDepth {
		wr.fail(fmt.Sprintf("workflow %s: nested more than %d deep", id, maxDepth))
		return report.WorkflowResult{Status: report.Failed}
	}
	res := wr.g.run(ctx, w, wr.g.inputsFor(w, inputs), wr.depth+1)
	for _, s := range res.Steps {
		s.StepID = id + "/" + s.StepID
		wr.results = append(wr.results, s)
	}
	if res.Status == report.Failed && res.Reason != "" {
		wr.results = append(wr.results, report.StepResult{StepID: id, Status: report.Failed,
			Findings: []report.Finding{{Workflow: wr.w.WorkflowID, Step: id, Check: checkWorkflow, Message: res.Reason}}})
	}
	return res
}
