package probe

import (
	"context"
	"net/http"
	"net/url"

	"github.com/contextgpt/sandbox/conformance/report"
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

// run probes the target: it sets up the keys and chatbots the cases address, plans the
// cases, runs them operation by operation and returns the exit code.
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
	own, code, ok := s.setUp(ctx)
	if !ok {
		return code
	}
	s.setup.Duration = p.cfg.Now().Sub(start)
	if s.read.ids["chatbotId"] == "" {
		s.rep.Error = "no chatbot to probe: give --chatbot-id (" + s.ownReason + ")"
		s.finishSetup()
		return report.ExitBadInput
	}
	byOp, last, rateLimit := s.plan()
	results := s.execute(ctx, own, byOp, last, rateLimit)
	s.finishSetup()
	return s.collect(ctx, results)
}

// setUp finds the keys and chatbots the cases address: the key (a sandbox's on the mock
// when none is given), its account, the plan keys, another account's key and chatbot for
// the cross-account cases, and the probe's own chatbot (writes go there). It returns that
// chatbot's id ("" without one) or, when the probe cannot start, the exit code (ok false,
// the report's Error set).
func (s *session) setUp(ctx context.Context) (own string, code int, ok bool) {
	p := s.p
	s.key = p.cfg.APIKey
	if s.key == "" {
		if !s.mock {
			s.rep.Error = "no --api-key given and the target is not the mock (only the mock hands out sandboxes)"
			return "", report.ExitBadInput, false
		}
		sb, err := s.sandbox(ctx, p.cfg.Plan)
		if err != nil {
			s.rep.Error = "no sandbox: " + err.Error()
			return "", report.ExitFailed, false
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
	if len(s.planKeys) == 0 && s.mock {
		if sb, err := s.sandbox(ctx, "trial"); err == nil {
			s.planKeys = map[string]string{"trial": sb.APIKey}
		}
	}
	s.other.key = p.cfg.OtherKey
	if s.other.key == "" && s.mock {
		if sb, err := s.sandbox(ctx, "scale"); err == nil {
			s.other.key, s.other.accountID = sb.APIKey, sb.AccountID
		}
	}
	if s.other.key != "" {
		if s.other.accountID == "" {
			s.other.accountID = s.firstAccount(ctx, s.other.key)
		}
		s.other.chatbotID = s.firstChatbot(ctx, s.other.key)
		if s.other.chatbotID == "" && s.other.accountID != "" && s.mock {
			s.other.chatbotID = s.createChatbot(ctx, s.other.key, s.other.accountID)
		}
	}
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
	return own, report.ExitPassed, true
}

// plan generates every case in document order, samples them (--max-cases) and groups them:
// by operation, the deletion of the own chatbot (run last) and the 429 cases (after it).
func (s *session) plan() (byOp map[string][]*testCase, last, rateLimit []*testCase) {
	p := s.p
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
	byOp = map[string][]*testCase{}
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
	return byOp, last, rateLimit
}

// execute runs the cases, operation by operation in document order, then the deletion of
// the own chatbot (or deletes it), then the 429 cases; it returns a result per operation.
func (s *session) execute(ctx context.Context, own string, byOp map[string][]*testCase, last, rateLimit []*testCase) map[string]*report.WorkflowResult {
	p := s.p
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
	return results
}

// collect puts the operations' results into the report in document order and returns the
// exit code.
func (s *session) collect(ctx context.Context, results map[string]*report.WorkflowResult) int {
	p := s.p
	code := report.ExitPassed
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
