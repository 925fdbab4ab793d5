package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
)

// netStats counts what the target answered, for the exit code (3 only when nothing
// answered) and the "base URL looks wrong" hint.
type netStats struct {
	mu             sync.Mutex
	answered       int // responses of any status
	notFound       int // of which 404
	transport      int // requests that got no response
	firstTransport string
	sawAPI         bool   // an API (not control-plane) response was seen
	hint           string // said once
	runFailures    []string
	onHint         func(string)
}

type netSnapshot struct {
	answered, notFound, transport int
	firstTransport, hint          string
	runFailures                   []string
}

func (n *netStats) snapshot() netSnapshot {
	n.mu.Lock()
	defer n.mu.Unlock()
	return netSnapshot{answered: n.answered, notFound: n.notFound, transport: n.transport,
		firstTransport: n.firstTransport, hint: n.hint, runFailures: append([]string(nil), n.runFailures...)}
}

func (n *netStats) runFailure(msg string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.runFailures = append(n.runFailures, msg)
}

// noteTransport counts a request that got no response.
func (r *Runner) noteTransport(err error) {
	n := &r.net
	n.mu.Lock()
	defer n.mu.Unlock()
	n.transport++
	if n.firstTransport == "" {
		n.firstTransport = err.Error()
	}
}

// noteAnswer counts a response. The first answer of an API operation that is not the API's
// (not JSON, or a 404 without the API's envelope) says at once that the base URL looks wrong.
func (r *Runner) noteAnswer(op *operation, status int, header http.Header, body []byte) {
	n := &r.net
	n.mu.Lock()
	defer n.mu.Unlock()
	n.answered++
	if status == http.StatusNotFound {
		n.notFound++
	}
	if op.src.control || n.sawAPI {
		return
	}
	n.sawAPI = true
	if n.hint != "" {
		return
	}
	ct := header.Get("Content-Type")
	var env map[string]json.RawMessage
	isJSON := strings.Contains(ct, "json") && json.Unmarshal(body, &env) == nil
	_, hasEnvelope := env["success"]
	switch {
	case !isJSON:
		n.hint = fmt.Sprintf("the base URL looks wrong: the first API call (%s) answered %d with %s, not the API's JSON (--base-url %s; expected the API's base, e.g. http://127.0.0.1:8080/api)",
			op.route.OperationID, status, orNone(ct), r.base.Redacted())
	case status == http.StatusNotFound && !hasEnvelope:
		n.hint = fmt.Sprintf("the base URL looks wrong: the first API call (%s) answered 404 without the API's envelope (--base-url %s; expected the API's base, e.g. http://127.0.0.1:8080/api)",
			op.route.OperationID, r.base.Redacted())
	}
	if n.hint != "" && r.cfg.OnHint != nil {
		r.cfg.OnHint(r.red.String(n.hint))
	}
}

func orNone(s string) string {
	if s == "" {
		return "no Content-Type"
	}
	return s
}
