package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/contextgpt/sandbox/conformance"
	"github.com/contextgpt/sandbox/conformance/pairs"
	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/spec"
)

func pairsCountable(h http.Header, body []byte) bool { return pairs.Countable(h, body) }

// runCase sends one case and checks the answer.
func (s *session) runCase(ctx context.Context, c *testCase) report.StepResult {
	start := s.p.cfg.Now()
	st := report.StepResult{StepID: c.name, OperationID: c.rt.OperationID, Source: "contextgpt.yaml", Method: c.rt.Method}
	if c.method != "" {
		st.Method = c.method
	}
	skip := func(reason string) report.StepResult {
		st.Status, st.Reason = report.Skipped, reason
		return st
	}
	if c.skip != "" {
		return skip(c.skip)
	}
	t := s.read
	if c.rt.Method != http.MethodGet {
		t = s.write
	}
	if c.write {
		if !t.own {
			return skip("a write that must succeed runs only on a chatbot the probe creates (" + s.ownReason + ")")
		}
		if webhookOps[c.rt.OperationID] && !s.mock {
			return skip("would fire the chatbot's webhooks: runs against the mock only")
		}
		if s.ownDeleted() {
			return skip("the probe's chatbot is deleted")
		}
	}
	ids, reason := s.caseIDs(ctx, c, t)
	if reason != "" {
		return skip(reason)
	}
	filled, _ := fill(c.rt.SpecPath, ids)
	cl := s.caseCall(c, st.Method, filled)
	cl.accept429 = slices.Contains(c.expect, http.StatusTooManyRequests)
	a := s.send(ctx, cl)
	st.Path, st.HTTPStatus, st.Attempts = s.p.base.Path+filled, a.status, a.attempts
	st.Findings = s.check(c, cl, a, c.rt.OperationID)
	if c.count && c.method == "" {
		s.record(c.rt.OperationID, a, cl.header)
	}
	if c.rt.OperationID == "deleteChatbotById" && c.kind == "valid" && a.status >= 200 && a.status < 300 && t.own {
		t.ids["deleted"] = "yes"
	}
	s.settle(&st, cl, a, start)
	return st
}

// caseIDs fills the path parameters of a case on target t: an unknown id, the case's own,
// the other account's, or one found in t. A reason is returned when one cannot be had (the
// case is skipped).
func (s *session) caseIDs(ctx context.Context, c *testCase, t *target) (map[string]string, string) {
	ids := map[string]string{}
	for _, name := range pathParams(c.rt) {
		switch {
		case c.ids[name] == "\x00unknown":
			ids[name] = unknownLike(s.id(ctx, t, name), s.p.rng)
		case c.ids[name] != "":
			ids[name] = c.ids[name]
		case c.other && name == "accountId":
			ids[name] = s.other.accountID
		case c.other && name == "chatbotId":
			ids[name] = s.other.chatbotID
		default:
			ids[name] = s.id(ctx, t, name)
		}
		if ids[name] == "" && c.kind == "auth" {
			ids[name] = unknownLike("", s.p.rng) // credentials are checked before any lookup
		}
		if ids[name] == "" {
			if c.other {
				return nil, "the other account has no " + name
			}
			return nil, "no " + name + " to address (none found in the chatbot probed)"
		}
	}
	return ids, ""
}

// caseCall builds the request of a case: its credentials, and its body (the case's own, or
// the example when the operation takes one and the case keeps its method).
func (s *session) caseCall(c *testCase, method, path string) *call {
	cl := &call{rt: c.rt, method: method, path: path, query: c.query, header: http.Header{}}
	switch c.auth {
	case authMain:
		cl.header.Set("Authorization", "Bearer "+s.key)
	case authMalformed:
		cl.header.Set("Authorization", "Basic cHJvYmU6cHJvYmU=")
	case authUnknown:
		cl.header.Set("Authorization", "Bearer sk_"+token(s.p.rng, 64))
	case authPlan:
		cl.header.Set("Authorization", "Bearer "+s.planKeys[c.plan])
	}
	if c.hasBody {
		cl.body, cl.hasBody = c.body, true
	} else if _, example, _, ok := bodySchema(c.rt); ok && method == c.rt.Method {
		cl.body, cl.hasBody = mustJSON(example), true
	}
	if cl.hasBody {
		ct := c.contentType
		if ct == "" {
			ct = "application/json"
		}
		cl.header.Set("Content-Type", ct)
	}
	return cl
}

// settle gives a case its status from its findings (a failed one keeps its exchange for
// the report) and its duration.
func (s *session) settle(st *report.StepResult, cl *call, a answer, start time.Time) {
	st.Status = report.Passed
	if len(st.Findings) > 0 {
		st.Status = report.Failed
		st.Exchange = s.exchange(cl, a)
	}
	st.Duration = s.p.cfg.Now().Sub(start)
}

// exchange keeps a failed case's request and response for the report, as run does.
func (s *session) exchange(cl *call, a answer) *report.Exchange {
	u := s.p.base.String() + cl.path
	if len(cl.query) > 0 {
		u += "?" + cl.query.Encode()
	}
	return conformance.ExchangeOf(cl.method, u, cl.header, cl.body, a.err == nil, a.status, a.header, a.body)
}

// check runs the runner's checks and the case's own on one answer.
func (s *session) check(c *testCase, cl *call, a answer, workflow string) []report.Finding {
	var out []report.Finding
	add := func(check, pointer, expected, actual, msg string) {
		out = append(out, report.Finding{Workflow: workflow, Step: c.name, OperationID: c.rt.OperationID, Check: check,
			Pointer: pointer, Expected: expected, Actual: actual, Message: msg})
	}
	if a.err != nil {
		add(CheckTransport, "", "", "", a.err.Error())
		return out
	}
	var env struct {
		Error *struct {
			Code string `json:"code"`
		} `json:"error"`
		Errors  []struct{ Path []any } `json:"errors"`
		Message string                 `json:"message"`
	}
	jsonBody := json.Unmarshal(a.body, &env) == nil
	got := fmt.Sprint(a.status)
	if env.Error != nil && env.Error.Code != "" {
		got += " " + env.Error.Code
	}
	if len(c.expect) > 0 && !slices.Contains(c.expect, a.status) {
		add(CheckStatus, "", "status "+joinInts(c.expect), got, fmt.Sprintf("%s: expected %s, got %d%s", c.kind, joinInts(c.expect), a.status, short(env.Message)))
	}
	if slices.Contains(c.notStatus, a.status) {
		add(CheckStatus, "", "not "+joinInts(c.notStatus), got, fmt.Sprintf("%s: a value the contract allows was refused%s", c.kind, short(env.Message)))
	}
	problems := conformance.CheckResponse(s.p.validator, c.rt, false, s.p.spec.BasePath()+cl.path, cl.query, a.status, a.header, a.body)
	for _, p := range problems {
		if c.kind == "method" && p.Check == spec.CheckStatusDeclared {
			continue // a 405 is the path's answer, not one an operation declares
		}
		out = append(out, report.Finding{Workflow: workflow, Step: c.name, OperationID: c.rt.OperationID, Check: p.Check,
			Pointer: p.Pointer, SpecLocation: p.SpecLocation, Expected: p.Expected, Actual: p.Actual, Message: p.Message})
	}
	if a.status >= 400 && jsonBody && env.Error != nil && env.Error.Code != "" {
		documented := allowedCodes(c.rt.Operation.Description, a.status)
		switch {
		case c.wantCode != "" && slices.Contains(c.expect, a.status) && env.Error.Code != c.wantCode:
			add(CheckErrorCode, "/error/code", c.wantCode, env.Error.Code, fmt.Sprintf("%s: the contract documents %s for this case", c.kind, c.wantCode))
		case len(documented) > 0 && !slices.Contains(documented, env.Error.Code) && c.kind != "method":
			add(CheckErrorCode, "/error/code", strings.Join(documented, " or "), env.Error.Code,
				fmt.Sprintf("%s documents %s for %d", c.rt.OperationID, strings.Join(documented, ", "), a.status))
		}
	}
	if a.status == http.StatusBadRequest && len(c.fieldPath) > 0 && slices.Contains(c.expect, 400) {
		if want, actual, bad := fieldNamed(c.fieldPath, env.Errors); bad {
			add(CheckErrorPath, "/errors", "errors[].path ["+want+"]", actual, "the 400 does not name the field at fault")
		}
	}
	if c.kind == "method" && a.status == http.StatusMethodNotAllowed {
		if actual, bad := allowDiffers(a.header, c.allow); bad {
			add(CheckAllow, "Allow", strings.Join(c.allow, ", "), actual, "a 405 must list the path's methods in Allow")
		}
	}
	if a.status >= 200 && a.status < 300 && jsonBody {
		for _, msg := range paginationProblems(a.body, c) {
			add(CheckPagination, "/data/pagination", "", "", msg)
		}
	}
	return out
}

// fieldNamed tells whether a 400's errors[] names the field at fault (its path or one
// below it); when not, it returns the path wanted and the paths named.
func fieldNamed(fieldPath []string, errs []struct{ Path []any }) (want, actual string, bad bool) {
	want = strings.Join(fieldPath, ".")
	var paths []string
	for _, e := range errs {
		parts := make([]string, len(e.Path))
		for i, x := range e.Path {
			parts[i] = fmt.Sprint(x)
		}
		p := strings.Join(parts, ".")
		paths = append(paths, "["+p+"]")
		if p == want || strings.HasPrefix(p, want+".") {
			return want, "", false
		}
	}
	actual = strings.Join(paths, " ")
	if len(errs) == 0 {
		actual = "(no errors[])"
	}
	return want, actual, true
}

// allowDiffers tells whether a 405's Allow header (HEAD and OPTIONS aside) lists other
// methods than the path's; when so, it returns what it lists.
func allowDiffers(h http.Header, want []string) (string, bool) {
	var allow []string
	for _, v := range h.Values("Allow") {
		for _, m := range strings.Split(v, ",") {
			if m = strings.ToUpper(strings.TrimSpace(m)); m != "" && m != "HEAD" && m != "OPTIONS" {
				allow = append(allow, m)
			}
		}
	}
	sort.Strings(allow)
	if slices.Equal(allow, want) {
		return "", false
	}
	actual := strings.Join(allow, ", ")
	if actual == "" {
		actual = "(absent)"
	}
	return actual, true
}

// paginationProblems checks a page against the page and limit asked for: the items fit the
// limit, total and the page count agree, and the page holds what total says is left.
func paginationProblems(body []byte, c *testCase) []string {
	var env struct {
		Data map[string]json.RawMessage `json:"data"`
	}
	if json.Unmarshal(body, &env) != nil || env.Data == nil {
		return nil
	}
	raw, ok := env.Data["pagination"]
	if !ok {
		return nil
	}
	var pg map[string]any
	if json.Unmarshal(raw, &pg) != nil || pg == nil {
		return nil
	}
	items := -1
	for _, k := range slices.Sorted(maps.Keys(env.Data)) {
		var list []any
		if k != "pagination" && json.Unmarshal(env.Data[k], &list) == nil && list != nil {
			items = len(list)
			break
		}
	}
	num := func(k string) (float64, bool) {
		v, ok := pg[k].(float64)
		return v, ok
	}
	var out []string
	limit, hasLimit := num("limit")
	if c.limit > 0 && hasLimit && int(limit) != c.limit {
		out = append(out, fmt.Sprintf("pagination.limit is %v; %d was asked for", limit, c.limit))
	}
	if page, ok := num("page"); ok && c.page > 0 && int(page) != c.page {
		out = append(out, fmt.Sprintf("pagination.page is %v; %d was asked for", page, c.page))
	}
	if hasLimit && items > int(limit) {
		out = append(out, fmt.Sprintf("%d items on a page of limit %v", items, limit))
	}
	total, hasTotal := num("total")
	if hasTotal && hasLimit && limit > 0 {
		page := 1.0
		if p, ok := num("page"); ok {
			page = p
		}
		want := math.Max(0, math.Min(limit, total-(page-1)*limit))
		if items >= 0 && float64(items) != want {
			out = append(out, fmt.Sprintf("page %v of limit %v holds %d items, but total %v leaves %v", page, limit, items, total, want))
		}
		pages := math.Ceil(total / limit)
		for _, k := range []string{"totalPages", "pages"} {
			if v, ok := num(k); ok && v != pages && !(total == 0 && v == 1) {
				out = append(out, fmt.Sprintf("pagination.%s is %v; total %v over limit %v makes %v", k, v, total, limit, pages))
			}
		}
	}
	if more, ok := pg["hasMore"].(bool); ok {
		if !more && pg["nextCursor"] != nil {
			out = append(out, "hasMore is false but nextCursor is set")
		}
		if more && pg["nextCursor"] == nil {
			out = append(out, "hasMore is true but nextCursor is null")
		}
	}
	return out
}

func joinInts(list []int) string {
	parts := make([]string, len(list))
	for i, v := range list {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, " or ")
}

func short(msg string) string {
	if msg == "" {
		return ""
	}
	if len(msg) > 120 {
		msg = msg[:120] + "..."
	}
	return " (" + msg + ")"
}

// rateLimitCases spends a key's rate limit, then sends each selected operation once: each
// must answer the documented 429 with Retry-After. On the mock the key is a sandbox's of its
// own; elsewhere (--rate-limit on) it is the probed key, so this runs last.
func (s *session) rateLimitCases(ctx context.Context, cases []*testCase) map[string]report.StepResult {
	mode := s.p.cfg.RateLimit
	on := mode == "on" || (mode == "auto" && s.mock && s.mockLimits != "" && s.mockLimits != "off")
	if len(cases) == 0 {
		return nil
	}
	var with429 []*spec.Route
	for _, c := range cases {
		with429 = append(with429, c.rt)
	}
	out := map[string]report.StepResult{}
	skipAll := func(reason string) map[string]report.StepResult {
		for _, rt := range with429 {
			out[rt.OperationID] = report.StepResult{StepID: "rate-limit/429", OperationID: rt.OperationID, Method: rt.Method,
				Path: s.p.base.Path + rt.SpecPath, Status: report.Skipped, Reason: reason}
		}
		return out
	}
	if !on {
		if mode == "off" {
			return skipAll("--rate-limit off")
		}
		return skipAll("spends the key's rate limit: --rate-limit on (automatic against the mock with limits on)")
	}
	key := s.key
	if s.mock {
		sb, err := s.sandbox(ctx, s.p.cfg.Plan)
		if err != nil {
			return skipAll("no sandbox: " + err.Error())
		}
		key = sb.APIKey
	}
	ids := s.knownIDs()
	flood := s.floodRoute(with429[0])
	spend := func() bool { return s.spendLimit(ctx, flood, key, ids) }
	if !spend() {
		return skipAll(fmt.Sprintf("no 429 after %d requests to %s", floodLimit, flood.OperationID))
	}
	for _, c := range cases {
		rt := c.rt
		var st report.StepResult
		for attempt := 0; attempt < 2; attempt++ {
			st = s.rateLimited(ctx, c, key, withUnknown(ids, rt, s))
			if st.HTTPStatus == http.StatusTooManyRequests || !spend() {
				break
			}
		}
		out[rt.OperationID] = st
	}
	return out
}

// knownIDs are the ids the read and write phases found (the read phase's first).
func (s *session) knownIDs() map[string]string {
	ids := map[string]string{}
	for k, v := range s.read.ids {
		ids[k] = v
	}
	for k, v := range s.write.ids {
		if ids[k] == "" {
			ids[k] = v
		}
	}
	return ids
}

// floodRoute is the route flooded to spend the limit: a GET of the chatting group (which the
// per-IP limit does not cover) so that the per-user limit, which covers every route, is the
// one spent; else fallback.
func (s *session) floodRoute(fallback *spec.Route) *spec.Route {
	for _, rt := range s.p.spec.Routes() {
		if strings.HasPrefix(rt.SpecPath, "/v1/chatting/") && rt.Method == http.MethodGet {
			return rt
		}
	}
	return fallback
}

// spendLimit sends flood with key until it answers 429 (true) or floodLimit requests have
// gone (false); false too when its path cannot be filled or the target does not answer.
func (s *session) spendLimit(ctx context.Context, flood *spec.Route, key string, ids map[string]string) bool {
	for range floodLimit {
		path, missing := fill(flood.SpecPath, withUnknown(ids, flood, s))
		if missing != "" {
			return false
		}
		cl := &call{rt: flood, method: flood.Method, path: path, query: s.baseQuery(flood), header: http.Header{}, accept429: true}
		cl.header.Set("Authorization", "Bearer "+key)
		if a := s.send(ctx, cl); a.err != nil || a.status == http.StatusTooManyRequests {
			return a.err == nil
		}
	}
	return false
}

// withUnknown fills the ids a route needs that the probe has none of with unknown ones: the
// limiter answers before the resource is looked up.
func withUnknown(ids map[string]string, rt *spec.Route, s *session) map[string]string {
	out := map[string]string{}
	for k, v := range ids {
		out[k] = v
	}
	for _, name := range pathParams(rt) {
		if out[name] == "" {
			out[name] = "probe-" + name
		}
	}
	return out
}

func (s *session) rateLimited(ctx context.Context, c *testCase, key string, ids map[string]string) report.StepResult {
	start := s.p.cfg.Now()
	st := report.StepResult{StepID: c.name, OperationID: c.rt.OperationID, Source: "contextgpt.yaml", Method: c.rt.Method}
	path, _ := fill(c.rt.SpecPath, ids)
	cl := &call{rt: c.rt, method: c.rt.Method, path: path, query: c.query, header: http.Header{}, accept429: true}
	cl.header.Set("Authorization", "Bearer "+key)
	if _, example, _, ok := bodySchema(c.rt); ok {
		cl.body, cl.hasBody = mustJSON(example), true
		cl.header.Set("Content-Type", "application/json")
	}
	a := s.send(ctx, cl)
	st.Path, st.HTTPStatus, st.Attempts = s.p.base.Path+path, a.status, a.attempts
	st.Findings = s.check(c, cl, a, c.rt.OperationID)
	s.record(c.rt.OperationID, a, cl.header)
	s.settle(&st, cl, a, start)
	return st
}
