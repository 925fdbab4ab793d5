package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/contextgpt/sandbox/conformance"
	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/spec"
)

// Requests: sending one (with the 429 waits), the API calls the set-up makes, and the ids
// (accounts, chatbots, the ids a path needs) found in their answers.

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
		for _, k := range slices.Sorted(maps.Keys(t)) {
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

// fill puts ids into a spec path; it returns the name of the first parameter without one
// (an empty id counts as none).
func fill(template string, ids map[string]string) (string, string) {
	path, err := conformance.FillPath(template, func(name string) (string, bool) {
		v := ids[name]
		return v, v != ""
	})
	if me := (*conformance.MissingParamError)(nil); errors.As(err, &me) {
		return "", me.Name
	}
	return path, "" // a loaded spec's paths have no unclosed '{'
}
