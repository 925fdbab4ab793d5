package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/contextgpt/sandbox/spec"
)

// Check codes of the API envelope, on operations of the API (not the control plane).
const (
	CheckEnvelopeSuccess    = "envelope-success"     // success is true exactly on 2xx
	CheckEnvelopeStatusCode = "envelope-status-code" // statusCode, when present, is the HTTP status
)

// check runs every check on one response: the spec's (status declared, content type, body
// schema, declared headers), Retry-After on a 429, and on API operations the envelope
// invariants.
func (r *Runner) check(op *operation, req *request, status int, header http.Header, body []byte) []spec.Problem {
	return checkStep(op, req, status, header, body)
}

func checkStep(op *operation, req *request, status int, header http.Header, body []byte) []spec.Problem {
	target := req.specPath
	if len(req.query) > 0 {
		target += "?" + req.query.Encode()
	}
	vreq, err := http.NewRequest(req.method, "http://target"+target, nil)
	if err != nil {
		return []spec.Problem{{Check: checkRequest, Message: err.Error()}}
	}
	problems := op.src.validator.ValidateResponse(vreq, status, header, body)
	respLoc := fmt.Sprintf("paths.%s.%s.responses.%d", op.route.SpecPath, strings.ToLower(op.route.Method), status)
	if status == http.StatusTooManyRequests && header.Get("Retry-After") == "" && !hasProblem(problems, spec.CheckHeaderRequired, "Retry-After") {
		problems = append(problems, spec.Problem{Check: spec.CheckHeaderRequired, Pointer: "Retry-After",
			SpecLocation: respLoc + ".headers.Retry-After", Expected: "header Retry-After", Actual: "(absent)",
			Message: "a 429 must say when to retry"})
	}
	if op.src.control {
		return problems
	}
	return append(problems, envelopeProblems(respLoc, status, header, body)...)
}

func hasProblem(ps []spec.Problem, check, pointer string) bool {
	for _, p := range ps {
		if p.Check == check && strings.EqualFold(p.Pointer, pointer) {
			return true
		}
	}
	return false
}

// envelopeProblems checks the API envelope: success is true exactly on 2xx, and statusCode,
// when present, equals the HTTP status. Bodies that are not JSON objects are left to the
// schema check.
func envelopeProblems(respLoc string, status int, header http.Header, body []byte) []spec.Problem {
	if !strings.Contains(header.Get("Content-Type"), "json") {
		return nil
	}
	var env map[string]json.RawMessage
	if json.Unmarshal(body, &env) != nil {
		return nil
	}
	var out []spec.Problem
	want := status >= 200 && status < 300
	if raw, ok := env["success"]; ok {
		var got bool
		if json.Unmarshal(raw, &got) == nil && got != want {
			out = append(out, spec.Problem{Check: CheckEnvelopeSuccess, Pointer: "/success", SpecLocation: respLoc,
				Expected: strconv.FormatBool(want), Actual: strconv.FormatBool(got),
				Message: fmt.Sprintf("success is %t on a %d", got, status)})
		}
	}
	if raw, ok := env["statusCode"]; ok && string(raw) != "null" {
		var got float64
		if json.Unmarshal(raw, &got) == nil && got != float64(status) {
			out = append(out, spec.Problem{Check: CheckEnvelopeStatusCode, Pointer: "/statusCode", SpecLocation: respLoc,
				Expected: strconv.Itoa(status), Actual: string(raw),
				Message: fmt.Sprintf("statusCode %s is not the HTTP status %d", raw, status)})
		}
	}
	return out
}
