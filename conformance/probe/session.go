package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/contextgpt/sandbox/conformance"
	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/spec"
)

const (
	userAgent      = "contextgpt-conformance/1 (probe)"
	maxBody        = 10 << 20
	max429Attempts = 5
	floodLimit     = 3000 // requests spent at most to reach a rate limit
)

// webhookOps fire the chatbot's webhooks when they succeed: off the mock, their writes are
// skipped even on the probe's own chatbot (its webhook configuration would point somewhere).
var webhookOps = map[string]bool{"putWebhookConfig": true, "toggleWebhook": true, "sendTestWebhook": true, "retryWebhookDelivery": true}

// idSources says where an id of a path parameter comes from: the first item a list
// operation returns, or (on the probe's own chatbot) what a create operation makes.
var idSources = map[string]struct{ list, create string }{
	"threadId":         {"listThreads", "createThread"},
	"messageId":        {"getThreadMessages", "sendAgentMessage"},
	"followUpPromptId": {"getFollowUpPrompts", "createFollowUpPrompt"},
	"instructionId":    {"getInstructions", "createInstruction"},
	"personaId":        {"getPersonas", "createPersona"},
	"deliveryId":       {"listWebhookDeliveries", ""},
}

// target is a chatbot the cases address, with the ids found in it.
type target struct {
	ids   map[string]string
	own   bool            // the probe created it
	tried map[string]bool // ids looked for
}

type session struct {
	p          *Probe
	rep        *report.Report
	mock       bool
	mockLimits string
	key        string
	accountID  string
	other      struct{ key, accountID, chatbotID string }
	planKeys   map[string]string
	read       *target // reads run here
	write      *target // writes run here (the own chatbot when there is one)
	ownReason  string  // why there is no own chatbot
	sandboxes  []string
	setup      report.WorkflowResult
}

func (s *session) run(ctx context.Context) int {
	p := s.p
	s.setup = report.WorkflowResult{WorkflowID: "probe-setup", Document: "probe", Summary: "sandboxes, the probe's chatbot and the ids the cases address"}
	start := p.cfg.Now()
	mock, limits, err := s.detectMock(ctx)
	if err != nil {
		s.rep.Error = err.Error()
		return report.ExitUnreachable
	}
	s.mock, s.mockLimits, s.rep.Mock = mock, limits, mock
	defer s.deleteSandboxes(context.WithoutCancel(ctx))
	s.key = p.cfg.APIKey
	if s.key == "" {
		if !mock {
			s.rep.Error = "no --api-key given and the target is not the mock (only the mock hands out sandboxes)"
			return report.ExitBadInput
		}
		sb, err := s.sandbox(ctx, p.cfg.Plan)
		if err != nil {
			s.rep.Error = "no sandbox: " + err.Error()
			return report.ExitFailed
		}
		s.key, s.accountID = sb.APIKey, sb.AccountID
	}
	if p.cfg.AccountID != "" {
		s.accountID = p.cfg.AccountID
	}
	if s.accountID == "" {
		s.accountID = s.firstAccount(ctx, s.key)
	}
	s.planKeys = p.cfg.PlanKeys
	if len(s.planKeys) == 0 && mock {
		if sb, err := s.sandbox(ctx, "trial"); err == nil {
			s.planKeys = map[string]string{"trial": sb.APIKey}
		}
	}
	s.other.key = p.cfg.OtherKey
	if s.other.key == "" && mock {
		if sb, err := s.sandbox(ctx, "scale"); err == nil {
			s.other.key, s.other.accountID = sb.APIKey, sb.AccountID
		}
	}
	if s.other.key != "" {
		if s.other.accountID == "" {
			s.other.accountID = s.firstAccount(ctx, s.other.key)
		}
		s.other.chatbotID = s.firstChatbot(ctx, s.other.key)
		if s.other.chatbotID == "" && s.other.accountID != "" && mock {
			s.other.chatbotID = s.createChatbot(ctx, s.other.key, s.other.accountID)
		}
	}
	own := ""
	if s.accountID == "" {
		s.ownReason = "the key's account is not known (--account-id)"
	} else if own = s.createChatbot(ctx, s.key, s.accountID); own == "" {
		s.ownReason = "the probe could not create a chatbot of its own"
	}
	s.read = &target{ids: map[string]string{"accountId": s.accountID}, tried: map[string]bool{}}
	switch {
	case p.cfg.ChatbotID != "":
		s.read.ids["chatbotId"] = p.cfg.ChatbotID
		if p.cfg.ThreadID != "" {
			s.read.ids["threadId"] = p.cfg.ThreadID
		}
	case own != "":
		s.read.ids["chatbotId"] = own
		s.read.own = true
	}
	s.write = s.read
	if own != "" && !s.read.own {
		s.write = &target{ids: map[string]string{"accountId": s.accountID, "chatbotId": own}, own: true, tried: map[string]bool{}}
	}
	s.setup.Duration = p.cfg.Now().Sub(start)
	if s.read.ids["chatbotId"] == "" {
		s.rep.Error = "no chatbot to probe: give --chatbot-id (" + s.ownReason + ")"
		s.finishSetup()
		return report.ExitBadInput
	}

	// Generate every case in document order, then sample.
	methods := s.methodCases(p.routes)
	var all []*testCase
	for _, rt := range p.routes {
		cs := s.generate(rt)
		for _, c := range cs {
			if c.query == nil {
				c.query = s.baseQuery(rt)
			}
		}
		if m := methods[rt]; m != nil {
			m.query = url.Values{}
			cs = append(cs, m)
		}
		if declares(rt, http.StatusTooManyRequests) {
			cs = append(cs, &testCase{rt: rt, name: "rate-limit/429", kind: "rate-limit", expect: []int{http.StatusTooManyRequests},
				count: true, query: s.baseQuery(rt)})
		}
		all = append(all, cs...)
	}
	if n := p.cfg.MaxCases; n > 0 && len(all) > n {
		keep := map[int]bool{}
		for _, i := range p.rng.Perm(len(all))[:n] {
			keep[i] = true
		}
		var sample []*testCase
		for i, c := range all {
			if keep[i] {
				sample = append(sample, c)
			}
		}
		all = sample
	}
	byOp := map[string][]*testCase{}
	var last []*testCase      // the deletion of the own chatbot runs last
	var rateLimit []*testCase // and the 429s after it
	for _, c := range all {
		if c.kind == "rate-limit" {
			rateLimit = append(rateLimit, c)
			continue
		}
		if c.rt.OperationID == "deleteChatbotById" && c.kind == "valid" {
			last = append(last, c)
			continue
		}
		byOp[c.rt.OperationID] = append(byOp[c.rt.OperationID], c)
	}
	code := report.ExitPassed
	results := map[string]*report.WorkflowResult{}
	for _, rt := range p.routes {
		cs := byOp[rt.OperationID]
		if len(cs) == 0 {
			continue
		}
		w := &report.WorkflowResult{WorkflowID: rt.OperationID, Document: "probe", Summary: rt.Method + " " + rt.SpecPath}
		results[rt.OperationID] = w
		opStart := p.cfg.Now()
		for _, c := range cs {
			w.Steps = append(w.Steps, s.runCase(ctx, c))
			if ctx.Err() != nil {
				break
			}
		}
		w.Duration = p.cfg.Now().Sub(opStart)
	}
	for _, c := range last {
		w := results[c.rt.OperationID]
		if w == nil {
			w = &report.WorkflowResult{WorkflowID: c.rt.OperationID, Document: "probe", Summary: c.rt.Method + " " + c.rt.SpecPath}
			results[c.rt.OperationID] = w
		}
		w.Steps = append(w.Steps, s.runCase(ctx, c))
	}
	if own != "" && !s.ownDeleted() {
		s.deleteChatbot(ctx, own)
	}
	if rl := s.rateLimitCases(ctx, rateLimit); len(rl) > 0 {
		for op, st := range rl {
			w := results[op]
			if w == nil {
				rt, _ := p.spec.OperationByID(op)
				w = &report.WorkflowResult{WorkflowID: op, Document: "probe", Summary: rt.Method + " " + rt.SpecPath}
				results[op] = w
			}
			w.Steps = append(w.Steps, st)
		}
	}
	s.finishSetup()
	for _, rt := range p.routes {
		w := results[rt.OperationID]
		if w == nil {
			continue
		}
		w.Status = workflowStatus(w.Steps)
		if w.Status == report.Failed {
			code = report.ExitFailed
		}
		s.rep.Workflows = append(s.rep.Workflows, *w)
		if p.cfg.OnOperation != nil {
			p.cfg.OnOperation(*w)
		}
	}
	if s.setup.Status == report.Failed {
		code = report.ExitFailed
	}
	if ctx.Err() != nil {
		s.rep.Error = "interrupted: " + ctx.Err().Error()
		return report.ExitFailed
	}
	return code
}

func (s *session) finishSetup() {
	if s.setup.Status != "" {
		return
	}
	s.setup.Status = workflowStatus(s.setup.Steps)
	if len(s.setup.Steps) > 0 {
		s.rep.Workflows = append([]report.WorkflowResult{s.setup}, s.rep.Workflows...)
		if s.p.cfg.OnOperation != nil {
			s.p.cfg.OnOperation(s.setup)
		}
	}
}

func workflowStatus(steps []report.StepResult) report.Status {
	st := report.Skipped
	for _, x := range steps {
		switch x.Status {
		case report.Failed:
			return report.Failed
		case report.Passed:
			st = report.Passed
		}
	}
	return st
}

// ownDeleted reports whether the deleteChatbotById case already removed the own chatbot.
func (s *session) ownDeleted() bool { return s.write.own && s.write.ids["deleted"] == "yes" }

// --- requests ---------------------------------------------------------------------------

type answer struct {
	status   int
	header   http.Header
	body     []byte
	attempts int
	err      error
}

type call struct {
	rt        *spec.Route
	method    string
	path      string // the spec path with the parameters filled in (/v1/...)
	query     url.Values
	header    http.Header
	body      []byte
	hasBody   bool
	accept429 bool // a 429 is the answer wanted: do not wait and send again
}

func (s *session) send(ctx context.Context, c *call) answer {
	u := s.p.base.String() + c.path
	if len(c.query) > 0 {
		u += "?" + c.query.Encode()
	}
	var a answer
	for {
		a.attempts++
		var body io.Reader
		if c.hasBody {
			body = bytes.NewReader(c.body)
		}
		rctx, cancel := context.WithTimeout(ctx, s.p.cfg.Timeout)
		req, err := http.NewRequestWithContext(rctx, c.method, u, body)
		if err != nil {
			cancel()
			a.err = err
			return a
		}
		req.Header = c.header.Clone()
		req.Header.Set("User-Agent", userAgent)
		if req.Header.Get("Accept") == "" {
			req.Header.Set("Accept", "application/json")
		}
		resp, err := s.p.cfg.Client.Do(req)
		if err != nil {
			cancel()
			if ue, ok := err.(*url.Error); ok {
				err = ue.Err
			}
			a.err = fmt.Errorf("%s %s: %w", c.method, c.path, err)
			return a
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
		resp.Body.Close()
		cancel()
		if err != nil {
			a.err = fmt.Errorf("%s %s: reading the body: %w", c.method, c.path, err)
			return a
		}
		a.status, a.header, a.body = resp.StatusCode, resp.Header, data
		if a.status != http.StatusTooManyRequests || c.accept429 || a.attempts >= max429Attempts {
			return a
		}
		if c.rt != nil && c.method == c.rt.Method {
			s.record(c.rt.OperationID, a, c.header) // the 429 is an answer of the target's all the same
		}
		wait, ok := conformance.RetryAfter(a.header)
		if !ok {
			wait = time.Second
		}
		if err := s.p.cfg.Sleep(ctx, min(wait, s.p.cfg.MaxWait)); err != nil {
			a.err = err
			return a
		}
	}
}

func (s *session) record(op string, a answer, reqHeader http.Header) {
	if a.err == nil && pairsCountable(reqHeader, a.body) {
		s.p.table.Record(op, a.status, "probe")
	}
}

// apiCall sends an operation with our ids as a setup step (expected 2xx) and returns its
// decoded body's data.
func (s *session) apiCall(ctx context.Context, opID, key string, ids map[string]string, body any) (any, bool) {
	rt, ok := s.p.spec.OperationByID(opID)
	if !ok {
		return nil, false
	}
	filled, missing := fill(rt.SpecPath, ids)
	step := report.StepResult{StepID: fmt.Sprintf("%s-%d", opID, len(s.setup.Steps)+1), OperationID: opID, Source: "contextgpt.yaml", Method: rt.Method}
	start := s.p.cfg.Now()
	if missing != "" {
		return nil, false
	}
	c := &call{rt: rt, method: rt.Method, path: filled, query: s.baseQuery(rt), header: http.Header{}}
	c.header.Set("Authorization", "Bearer "+key)
	if body != nil {
		c.body, c.hasBody = mustJSON(body), true
		c.header.Set("Content-Type", "application/json")
	}
	a := s.send(ctx, c)
	step.Path, step.HTTPStatus, step.Attempts = s.p.base.Path+filled, a.status, a.attempts
	tc := &testCase{rt: rt, name: step.StepID, expect: successStatuses(rt)}
	step.Findings = s.check(tc, c, a, "probe-setup")
	step.Status = report.Passed
	if len(step.Findings) > 0 {
		step.Status = report.Failed
		step.Exchange = s.exchange(c, a)
	}
	step.Duration = s.p.cfg.Now().Sub(start)
	s.setup.Steps = append(s.setup.Steps, step)
	s.record(opID, a, c.header)
	if a.err != nil || a.status < 200 || a.status >= 300 {
		return nil, false
	}
	var env struct {
		Data any `json:"data"`
	}
	if json.Unmarshal(a.body, &env) != nil {
		return nil, false
	}
	return env.Data, true
}

func (s *session) firstAccount(ctx context.Context, key string) string {
	data, ok := s.apiCall(ctx, "getMyChatbots", key, nil, nil)
	if !ok {
		return ""
	}
	id, _ := find(data, "accountId").(string)
	return id
}

func (s *session) firstChatbot(ctx context.Context, key string) string {
	data, ok := s.apiCall(ctx, "getMyChatbots", key, nil, nil)
	if !ok {
		return ""
	}
	for _, acc := range asList(asMap(data)["accounts"]) {
		for _, cb := range asList(asMap(acc)["chatbots"]) {
			if id, _ := asMap(cb)["chatbotId"].(string); id != "" {
				return id
			}
		}
	}
	return ""
}

func (s *session) createChatbot(ctx context.Context, key, accountID string) string {
	data, ok := s.apiCall(ctx, "createChatbotInAccount", key, map[string]string{"accountId": accountID},
		map[string]any{"name": "probe-" + token(s.p.rng, 10), "description": "contextgpt-conformance probe"})
	if !ok {
		return ""
	}
	id, _ := asMap(data)["chatbotId"].(string)
	return id
}

func (s *session) deleteChatbot(ctx context.Context, chatbotID string) {
	s.apiCall(ctx, "deleteChatbotById", s.key, map[string]string{"accountId": s.accountID, "chatbotId": chatbotID}, nil)
}

// id finds (once) the value of a path parameter in t: a list operation's first item, or on
// the probe's own chatbot what a create operation makes.
func (s *session) id(ctx context.Context, t *target, name string) string {
	if v := t.ids[name]; v != "" || t.tried[name] {
		return v
	}
	t.tried[name] = true
	src, ok := idSources[name]
	if !ok {
		return ""
	}
	if t.own && src.create != "" && (s.mock || !webhookOps[src.create]) {
		if _, deps := s.deps(ctx, t, src.create); deps {
			rt, _ := s.p.spec.OperationByID(src.create)
			_, example, _, _ := bodySchema(rt)
			if data, ok := s.apiCall(ctx, src.create, s.key, t.ids, example); ok {
				if v := idIn(data, name); v != "" {
					t.ids[name] = v
					return v
				}
			}
		}
	}
	if _, deps := s.deps(ctx, t, src.list); deps {
		if data, ok := s.apiCall(ctx, src.list, s.key, t.ids, nil); ok {
			t.ids[name] = idIn(data, name)
		}
	}
	return t.ids[name]
}

// deps finds the ids the operation's path needs; false when one is missing.
func (s *session) deps(ctx context.Context, t *target, opID string) (*spec.Route, bool) {
	rt, ok := s.p.spec.OperationByID(opID)
	if !ok {
		return nil, false
	}
	for _, name := range pathParams(rt) {
		if s.id(ctx, t, name) == "" {
			return rt, false
		}
	}
	return rt, true
}

// idIn finds an id named name in a response's data: the field itself, else the "id" of the
// first object (of a list).
func idIn(data any, name string) string {
	if v, ok := find(data, name).(string); ok && v != "" {
		return v
	}
	if v, ok := find(data, "id").(string); ok {
		return v
	}
	return ""
}

// find returns the first value of key in a depth-first walk of v.
func find(v any, key string) any {
	switch t := v.(type) {
	case map[string]any:
		if x, ok := t[key]; ok {
			return x
		}
		for _, k := range sortedKeys(t) {
			if x := find(t[k], key); x != nil {
				return x
			}
		}
	case []any:
		for _, x := range t {
			if y := find(x, key); y != nil {
				return y
			}
		}
	}
	return nil
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// fill puts ids into a spec path; it returns the name of the first parameter without one.
func fill(template string, ids map[string]string) (string, string) {
	var b strings.Builder
	rest := template
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			b.WriteString(rest)
			return b.String(), ""
		}
		j := strings.IndexByte(rest[i:], '}')
		name := rest[i+1 : i+j]
		v := ids[name]
		if v == "" {
			return "", name
		}
		b.WriteString(rest[:i])
		b.WriteString(url.PathEscape(v))
		rest = rest[i+j+1:]
	}
}

// --- the mock's control plane -----------------------------------------------------------

type sandbox struct {
	AccountID string `json:"accountId"`
	APIKey    string `json:"apiKey"`
}

func (s *session) control(ctx context.Context, method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(mustJSON(body))
	}
	req, err := http.NewRequestWithContext(ctx, method, s.p.origin+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if t := s.p.cfg.MockAdminToken; t != "" {
		req.Header.Set("Authorization", "Bearer "+t)
	}
	resp, err := s.p.cfg.Client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, data, err
}

func (s *session) detectMock(ctx context.Context) (bool, string, error) {
	status, data, err := s.control(ctx, http.MethodGet, "/__mock/health", nil)
	if err != nil {
		return false, "", fmt.Errorf("target unreachable: %w", err)
	}
	var h struct {
		Service string `json:"service"`
		Limits  string `json:"limits"`
	}
	if status != http.StatusOK || json.Unmarshal(data, &h) != nil || h.Service != "contextgpt-mock" {
		return false, "", nil
	}
	return true, h.Limits, nil
}

func (s *session) sandbox(ctx context.Context, plan string) (*sandbox, error) {
	status, data, err := s.control(ctx, http.MethodPost, "/__mock/sandboxes", map[string]string{"plan": plan, "name": "probe"})
	if err != nil {
		return nil, err
	}
	var sb sandbox
	if status != http.StatusCreated || json.Unmarshal(data, &sb) != nil || sb.APIKey == "" {
		return nil, fmt.Errorf("POST /__mock/sandboxes answered %d: %s", status, s.p.red.String(string(data)))
	}
	s.p.red.Add(sb.APIKey)
	s.sandboxes = append(s.sandboxes, sb.AccountID)
	return &sb, nil
}

func (s *session) deleteSandboxes(ctx context.Context) {
	for _, id := range s.sandboxes {
		if status, _, err := s.control(ctx, http.MethodDelete, "/__mock/sandboxes/"+url.PathEscape(id), nil); err != nil || (status != http.StatusNoContent && status != http.StatusOK) {
			msg := fmt.Sprintf("sandbox %s not deleted (status %d, %v)", id, status, err)
			if s.rep.Error == "" {
				s.rep.Error = msg
			}
		}
	}
	s.sandboxes = nil
}
