package mock

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/store"
	"github.com/contextgpt/sandbox/spec"
)

// Mutation is a deliberate defect a Go test switches on (Mock.Mutate) to prove that the
// conformance probe or suite notices it: a mutation test of the harness. No flag, control
// plane route or environment variable reaches it; a Mock starts without one.
type Mutation int

// The mutations.
const (
	// MutationNone: the mock as it is.
	MutationNone Mutation = iota
	// MutationSkipValidation: the request is not validated on one operation (the target).
	MutationSkipValidation
	// MutationAPIAccessNotEnforced: a key of a plan without API access is let through.
	MutationAPIAccessNotEnforced
	// Mutation404As200: every 404 goes out as a 200 (the error body unchanged).
	Mutation404As200
	// MutationErrorMessageDropped: error envelopes lose their required message.
	MutationErrorMessageDropped
	// MutationWrongErrorCode: a 401 carries INSUFFICIENT_PERMISSIONS, a 403's code.
	MutationWrongErrorCode
	// MutationPaginationTotalOffByOne: pagination.total is one more than the items.
	MutationPaginationTotalOffByOne
	// MutationAllowMissing: a 405 goes out without Allow.
	MutationAllowMissing
	// MutationCrossAccountRead: a GET of another account's chatbot is allowed.
	MutationCrossAccountRead
)

// mutation is the one switched on, and the operation it targets (where it needs one).
type mutation struct {
	kind        Mutation
	operationID string
}

// Mutate switches a mutation on (MutationNone switches it off); operationID names the
// operation of MutationSkipValidation. For tests only.
func (m *Mock) Mutate(kind Mutation, operationID string) {
	m.mutation.Store(&mutation{kind: kind, operationID: operationID})
}

func (m *Mock) mutated(kind Mutation) (*mutation, bool) {
	mu := m.mutation.Load()
	return mu, mu != nil && mu.kind == kind
}

// skipsValidation: MutationSkipValidation on the route's operation.
func (m *Mock) skipsValidation(route *spec.Route) bool {
	mu, on := m.mutated(MutationSkipValidation)
	return on && mu.operationID == route.OperationID
}

// forgivesAPIAccess: MutationAPIAccessNotEnforced turns the plan's refusal into a pass.
func (m *Mock) forgivesAPIAccess(err error) bool {
	_, on := m.mutated(MutationAPIAccessNotEnforced)
	return on && apierr.As(err).Code == apierr.APIAccessNotInPlan
}

// crossAccountRead: MutationCrossAccountRead grants a GET on another account's chatbot.
func (m *Mock) crossAccountRead(c *call, chatbotID string, err error) (store.Access, bool) {
	if _, on := m.mutated(MutationCrossAccountRead); !on || c.r.Method != http.MethodGet ||
		apierr.As(err).Code != apierr.ChatbotNotFound {
		return store.Access{}, false
	}
	bot, ok := m.store.Chatbot(chatbotID)
	if !ok {
		return store.Access{}, false
	}
	return store.Access{ChatbotID: bot.ID, AccountID: bot.AccountID, Role: store.RoleSuperAdmin, Plan: c.who.Plan}, true
}

// mutateResponse wraps an API response's writer when a rewriting mutation is on; finish
// writes the rewritten response.
func (m *Mock) mutateResponse(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, func()) {
	mu := m.mutation.Load()
	if mu == nil || strings.HasPrefix(r.URL.Path, "/__mock") {
		return w, func() {}
	}
	switch mu.kind {
	case Mutation404As200, MutationErrorMessageDropped, MutationWrongErrorCode, MutationPaginationTotalOffByOne, MutationAllowMissing:
	default:
		return w, func() {}
	}
	mw := &mutatingWriter{w: w, header: http.Header{}, status: http.StatusOK}
	return mw, func() { mw.finish(mu.kind) }
}

type mutatingWriter struct {
	w      http.ResponseWriter
	header http.Header
	status int
	body   bytes.Buffer
}

func (mw *mutatingWriter) Header() http.Header         { return mw.header }
func (mw *mutatingWriter) WriteHeader(status int)      { mw.status = status }
func (mw *mutatingWriter) Write(b []byte) (int, error) { return mw.body.Write(b) }

func (mw *mutatingWriter) finish(kind Mutation) {
	body := mw.body.Bytes()
	var env map[string]any
	isJSON := json.Unmarshal(body, &env) == nil && env != nil
	switch kind {
	case Mutation404As200:
		if mw.status == http.StatusNotFound {
			mw.status = http.StatusOK
		}
	case MutationAllowMissing:
		if mw.status == http.StatusMethodNotAllowed {
			mw.header.Del("Allow")
		}
	case MutationErrorMessageDropped:
		if mw.status >= 400 && isJSON {
			delete(env, "message")
			body, _ = json.Marshal(env)
		}
	case MutationWrongErrorCode:
		if e, ok := env["error"].(map[string]any); ok && mw.status == http.StatusUnauthorized {
			e["code"] = apierr.InsufficientPermissions
			body, _ = json.Marshal(env)
		}
	case MutationPaginationTotalOffByOne:
		if data, ok := env["data"].(map[string]any); ok && mw.status < 300 {
			if p, ok := data["pagination"].(map[string]any); ok {
				if t, ok := p["total"].(float64); ok {
					p["total"] = t + 1
					body, _ = json.Marshal(env)
				}
			}
		}
	}
	h := mw.w.Header()
	for k, v := range mw.header {
		h[k] = v
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	mw.w.WriteHeader(mw.status)
	_, _ = mw.w.Write(body)
}
