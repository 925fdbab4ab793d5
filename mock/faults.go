package mock

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/faults"
	"github.com/contextgpt/sandbox/spec"
)

// MaxLatency is the longest a request is held by injected latency (Prefer: latency and
// fault rules together); a longer Prefer is refused, rules are refused when created.
const MaxLatency = faults.MaxLatency

// injectFaults runs the fault rules and the Prefer header on a matched API request, after
// the limits and before validation. It answers the request itself (done) for a status,
// returns a writer that truncates the body for malformedBody (finish writes it), waits on the
// mock's clock for latency, and drops the connection for drop.
func (m *Mock) injectFaults(w http.ResponseWriter, c *call, info *reqInfo) (out http.ResponseWriter, finish func(), done bool) {
	out, finish = w, func() {}
	prefer := parsePrefer(c.r.Header.Values("Prefer"))
	var rule faults.Rule
	var fired bool
	if !m.faults.Empty() {
		rule, fired = m.faults.Fire(faults.Request{OperationID: c.route.OperationID, Method: c.r.Method, Path: c.r.URL.Path, AccountID: c.who.AccountID})
	}
	if !fired && prefer == nil {
		return out, finish, false
	}
	// Latency first: Prefer's, then the rule's; with --clock manual both wait for the clock.
	var delay time.Duration
	if v, ok := prefer["latency"]; ok {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			m.answerUndeclared(w, c.route, http.StatusBadRequest, apierr.New(apierr.RequestValidationFailed,
				"Prefer: latency=%s is not a duration such as 200ms", v))
			return out, finish, true
		}
		if d > MaxLatency {
			m.answerUndeclared(w, c.route, http.StatusBadRequest, apierr.New(apierr.RequestValidationFailed,
				"Prefer: latency=%s is longer than %s, the most the mock holds a request", v, MaxLatency))
			return out, finish, true
		}
		delay += d
	}
	if fired {
		info.faultID = rule.ID
		delay += rule.Action.Delay()
	}
	if delay > MaxLatency {
		delay = MaxLatency
	}
	if delay > 0 {
		if m.clock.Manual() && info.raw != nil {
			// Held until the clock moves, however long that takes in real time: the
			// server's write timeout does not cut it (DESIGN: manual clock).
			_ = http.NewResponseController(info.raw).SetWriteDeadline(time.Time{})
		}
		if err := m.clock.Sleep(c.r.Context(), delay); err != nil {
			info.dropped = true // the client went away while held
			panic(http.ErrAbortHandler)
		}
	}
	if fired {
		a := rule.Action
		if a.Drop {
			info.dropped = true
			panic(http.ErrAbortHandler)
		}
		if a.MalformedBody {
			markUnmatched(w) // broken on purpose: nothing to check against the contract
			tw := &truncatingWriter{w: w, status: http.StatusOK}
			out, finish = tw, tw.finish
		}
		if a.Status != 0 {
			m.answerStatus(out, c.route, a.Status, rule.ID)
			return out, finish, true
		}
		return out, finish, false
	}
	if v, ok := prefer["code"]; ok {
		status, err := strconv.Atoi(v)
		declared := err == nil && c.route.Declares(status)
		if !declared {
			m.answerUndeclared(w, c.route, http.StatusBadRequest, apierr.New(apierr.RequestValidationFailed,
				"Prefer: code=%s is not a status %s declares; it declares %s", v, c.route.OperationID, strings.Join(c.route.DeclaredStatuses(), ", ")))
			return out, finish, true
		}
		if status >= 400 {
			m.answerStatus(out, c.route, status, "Prefer: code="+v)
			return out, finish, true
		}
		// A declared success status: the request runs as usual.
	}
	return out, finish, false
}

// answerUndeclared answers e; when the operation does not declare its status (e.g. a 400 on
// an operation without input), strict mode is told not to check it.
func (m *Mock) answerUndeclared(w http.ResponseWriter, route *spec.Route, status int, e *apierr.Error) {
	if !route.Declares(status) {
		markUnmatched(w)
	}
	writeOpError(w, route.OperationID, e)
}

// answerStatus answers the operation's documented error envelope for status: the code and
// message of the response's example where the spec gives one, else the code of apierr's table
// that fits. A status the operation does not declare is answered all the same, and logged.
func (m *Mock) answerStatus(w http.ResponseWriter, route *spec.Route, status int, by string) {
	e, declared := documentedError(route, status)
	if !declared {
		m.log.Warn("fault answers a status the operation does not declare", "operationId", route.OperationID, "status", status, "by", by)
		markUnmatched(w)
	}
	if e.Details == nil {
		e.Details = map[string]any{}
	}
	e.Details["injectedBy"] = by
	writeOpError(w, route.OperationID, e)
}

// fallbackCodes is the code of apierr's table for a status with no documented example.
var fallbackCodes = map[int]string{
	400: apierr.RequestValidationFailed,
	401: apierr.APIKeyNotValid,
	403: apierr.InsufficientPermissions,
	404: apierr.ResourceNotFound,
	405: apierr.MethodNotAllowed,
	413: apierr.PayloadTooLarge,
	429: apierr.RateLimitExceeded,
	500: apierr.InternalServerError,
	501: apierr.NotImplemented,
}

func documentedError(route *spec.Route, status int) (*apierr.Error, bool) {
	e := &apierr.Error{StatusOverride: status, Code: fallbackCodes[status], Message: http.StatusText(status)}
	if e.Code == "" {
		e.Code = apierr.InternalServerError
		if status < 500 {
			e.Code = apierr.InvalidFieldValue
		}
	}
	declared := route.Declares(status)
	if declared {
		if ex := route.ResponseExample(status); ex != nil {
			if env, ok := ex.(map[string]any); ok {
				if eb, ok := env["error"].(map[string]any); ok {
					if code, ok := eb["code"].(string); ok && code != "" {
						e.Code = code
					}
					if msg, ok := eb["message"].(string); ok && msg != "" {
						e.Message = msg
					}
					if d, ok := eb["details"].(map[string]any); ok {
						e.Details = map[string]any{}
						for k, v := range d {
							e.Details[k] = v
						}
					}
				}
				if status == http.StatusTooManyRequests {
					e.RateLimit = &apierr.RateLimit{RetryAfter: intOf(env["retryAfter"], 1), Limit: intOf(env["limit"], 0),
						Remaining: intOf(env["remaining"], 0), WindowSeconds: intOf(env["windowSeconds"], 0)}
				}
			}
		}
	}
	if status == http.StatusTooManyRequests && e.RateLimit == nil {
		e.RateLimit = &apierr.RateLimit{RetryAfter: 1}
	}
	return e, declared
}

func intOf(v any, def int) int {
	switch n := v.(type) {
	case float64:
		return int(n)
	case int:
		return n
	case int64:
		return int(n)
	case uint64:
		return int(n)
	}
	return def
}

// parsePrefer reads `Prefer: code=500, latency=200ms` (RFC 7240 preferences) into a map;
// nil when the request has none that the mock knows.
func parsePrefer(values []string) map[string]string {
	var out map[string]string
	for _, v := range values {
		for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' }) {
			k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
			k = strings.ToLower(strings.TrimSpace(k))
			if !ok || (k != "code" && k != "latency") {
				continue
			}
			if out == nil {
				out = map[string]string{}
			}
			out[k] = strings.Trim(strings.TrimSpace(val), `"`)
		}
	}
	return out
}

// truncatingWriter holds a response and sends its status with the first half of its body:
// a truncated, unparsable JSON document (malformedBody).
type truncatingWriter struct {
	w      http.ResponseWriter
	status int
	wrote  bool
	body   bytes.Buffer
}

func (t *truncatingWriter) Header() http.Header { return t.w.Header() }

func (t *truncatingWriter) WriteHeader(code int) {
	if !t.wrote {
		t.status, t.wrote = code, true
	}
}

func (t *truncatingWriter) Write(p []byte) (int, error) {
	t.wrote = true
	return t.body.Write(p)
}

func (t *truncatingWriter) finish() {
	b := t.body.Bytes()
	cut := b[:len(b)/2]
	if len(b) < 2 {
		cut = []byte(`{"`)
	}
	h := t.w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(cut)))
	t.w.WriteHeader(t.status)
	_, _ = t.w.Write(cut)
}
