package mock

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/plans"
	"github.com/contextgpt/sandbox/mock/ui"
	"github.com/contextgpt/sandbox/spec"
)

// maxStateBody bounds a state document given to PUT /__mock/state.
const maxStateBody = 256 << 20

// adminHandler serves one control-plane operation.
type adminHandler func(w http.ResponseWriter, r *http.Request, route *spec.Route)

// adminError is the control plane's plain error document.
type adminError struct {
	Error adminErrorBody `json:"error"`
}

type adminErrorBody struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

// writeAdminError answers a control-plane error: code's status from apierr's table.
func writeAdminError(w http.ResponseWriter, code, msg string) {
	writeAdminErr(w, &apierr.Error{Code: code, Message: msg})
}

// writeAdminErr answers e in the control plane's error document with e's status.
func writeAdminErr(w http.ResponseWriter, e *apierr.Error) {
	writeJSON(w, e.Status(), adminError{Error: adminErrorBody{Code: e.Code, Message: e.Message, Details: e.Details}})
}

func (m *Mock) handleAdmin(opID string, h adminHandler) { m.adminOps[opID] = h }

func (m *Mock) serveAdmin(w http.ResponseWriter, r *http.Request) {
	if code, msg := m.adminGuard(r); code != "" {
		markUnmatched(w)
		writeAdminError(w, code, msg)
		return
	}
	if ui.Owns(r.URL.Path) {
		markUnmatched(w) // the dashboard is HTML and its own JSON, not a control-plane operation
		m.ui.ServeHTTP(w, r)
		return
	}
	if code, msg := m.adminAllowed(r); code != "" {
		markUnmatched(w)
		writeAdminError(w, code, msg)
		return
	}
	m.serveAdminRoute(w, r)
}

// serveAdminRoute serves a control-plane operation to a client already allowed in (the
// dashboard forwards its changes here after its own access and CSRF checks).
func (m *Mock) serveAdminRoute(w http.ResponseWriter, r *http.Request) {
	route, err := m.admin.Match(r.Method, r.URL.EscapedPath())
	if err != nil {
		answerUnmatched(w, r, err, controlPlane)
		return
	}
	h, ok := m.adminOps[route.OperationID]
	if !ok {
		markUnmatched(w)
		writeAdminError(w, apierr.NotImplemented, "control-plane operation "+route.OperationID+" is not available in this build")
		return
	}
	if storesOnWrite(r.Method) && !memoryExemptAdmin[route.OperationID] {
		if e := m.memory.refuse(); e != nil {
			writeAdminErr(w, e)
			return
		}
	}
	if r.Body != nil && r.Body != http.NoBody {
		limit := int64(maxJSONBody)
		if route.OperationID == "putState" {
			limit = maxStateBody
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
		if err != nil || int64(len(body)) > limit {
			writeAdminError(w, apierr.InvalidRequest, fmt.Sprintf("control-plane bodies are limited to %d bytes", limit))
			return
		}
		if d, most := jsonDepth(body), maxJSONDepth+16; d > most { // the state document adds levels
			writeAdminError(w, apierr.InvalidRequest, fmt.Sprintf("JSON nests %d levels deep; at most %d are accepted", d, most))
			return
		}
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		// `curl -d '{...}'` sends form encoding by default; a control plane for tests takes
		// a JSON-looking body as JSON rather than make every newcomer add the header.
		if ct := r.Header.Get("Content-Type"); (ct == "" || strings.HasPrefix(ct, "application/x-www-form-urlencoded")) && looksLikeJSON(body) {
			r.Header.Set("Content-Type", "application/json")
		}
		if route.OperationID != "receiveWebhook" {
			if err := m.admin.ValidateRequest(r.Context(), r, route); err != nil {
				writeAdminError(w, apierr.InvalidRequest, err.Error())
				return
			}
			r.Body = io.NopCloser(strings.NewReader(string(body)))
		}
	} else if err := m.admin.ValidateRequest(r.Context(), r, route); err != nil {
		writeAdminError(w, apierr.InvalidRequest, err.Error())
		return
	}
	h(w, r, route)
}

// adminAllowed refuses non-loopback clients unless they send the admin token: the code and
// message of the refusal, or "" when the request may go on.
func (m *Mock) adminAllowed(r *http.Request) (code, msg string) {
	auth := strings.TrimSpace(r.Header.Get("Authorization"))
	if m.cfg.AdminToken != "" && auth != "" {
		if auth == "Bearer "+m.cfg.AdminToken {
			return "", ""
		}
		if !isLoopback(r.RemoteAddr) {
			return apierr.AdminTokenInvalid, "the admin token is not valid"
		}
	}
	if isLoopback(r.RemoteAddr) {
		return "", ""
	}
	return apierr.AdminForbidden, "the control plane answers loopback clients only, or clients that send the admin token (--admin-token)"
}

func isLoopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func decodeAdmin(r *http.Request, v any) error {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return nil
	}
	return json.Unmarshal(b, v)
}

func (m *Mock) adminHealth(w http.ResponseWriter, r *http.Request, _ *spec.Route) {
	mode := "real"
	if m.clock.Manual() {
		mode = "manual"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"service":     "contextgpt-mock",
		"version":     Version,
		"specVersion": m.spec.Version(),
		"clock":       mode,
		"limits":      m.limitsName(),
		"strict":      m.cfg.Strict,
		"memory": map[string]any{
			"ceilingBytes": m.memory.ceiling, "usedBytes": m.memory.used.Load(),
			"peakBytes": m.memory.peak.Load(), "writesRefused": m.memory.over.Load(),
		},
	})
}

func (m *Mock) adminCreateSandbox(w http.ResponseWriter, r *http.Request, _ *spec.Route) {
	var in struct {
		Plan   string   `json:"plan"`
		Name   string   `json:"name"`
		Addons []string `json:"addons"`
	}
	if err := decodeAdmin(r, &in); err != nil {
		writeAdminError(w, apierr.InvalidRequest, err.Error())
		return
	}
	if in.Plan == "" {
		in.Plan = string(plans.Scale)
	}
	plan, err := plans.Parse(in.Plan)
	if err != nil {
		writeAdminError(w, apierr.InvalidPlan, err.Error())
		return
	}
	addons := make([]string, 0, len(in.Addons))
	for _, x := range in.Addons {
		a, ok := plans.ParseAddon(x)
		if !ok || plan == plans.Trial {
			writeAdminError(w, apierr.InvalidAddon, fmt.Sprintf("add-on %q is not available on the %s plan; add-ons: %v on a paid plan", x, plan, plans.Addons()))
			return
		}
		addons = append(addons, a)
	}
	sb, err := m.store.CreateSandbox(plan, in.Name, addons...)
	if err != nil {
		if e := apierr.As(err); e.Code == apierr.StoreLimitReached {
			writeAdminErr(w, e) // 403: the mock holds as many accounts as it may
			return
		}
		writeAdminError(w, apierr.InternalError, err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, sb)
}

func (m *Mock) adminDeleteSandbox(w http.ResponseWriter, r *http.Request, route *spec.Route) {
	err := m.store.DeleteAccount(route.PathParams["accountId"], false)
	if err == nil && m.limits != nil {
		m.limits.Plans.Forget(route.PathParams["accountId"])
	}
	if err == nil {
		m.myChatbots.clear()
	}
	if err != nil {
		e := apierr.As(err)
		switch e.Code {
		case apierr.AccountNotFound:
			writeAdminError(w, apierr.SandboxNotFound, e.Message)
		default:
			writeAdminError(w, apierr.NotASandbox, e.Message)
		}
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func looksLikeJSON(b []byte) bool {
	t := strings.TrimSpace(string(b))
	return strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")
}
