package proxy

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/contextgpt/sandbox/conformance"
	"github.com/contextgpt/sandbox/spec"
)

// validate checks one exchange and records its findings.
func (p *Proxy) validate(ex *exchange) {
	p.learnResponseSecrets(ex)
	src := p.api
	if strings.HasPrefix(ex.url.Path, "/__mock/") {
		src = p.control
	}
	var findings []Finding
	add := func(direction string, opID string, pr spec.Problem) {
		findings = append(findings, Finding{Seq: ex.seq, Time: ex.at.UTC(), Direction: direction,
			Method: ex.method, Path: ex.url.Path, Status: ex.status, OperationID: opID,
			Check: pr.Check, Category: conformance.CategoryOf(pr.Check), Pointer: pr.Pointer, SpecLocation: pr.SpecLocation,
			Expected: pr.Expected, Actual: pr.Actual, Message: pr.Message})
	}
	route, err := src.spec.Match(ex.method, ex.url.EscapedPath())
	opKey := ex.method + " " + ex.url.Path
	var mna *spec.MethodNotAllowedError
	switch {
	case errors.As(err, &mna):
		add("request", "", spec.Problem{Check: CheckRequestMethod, Expected: strings.Join(mna.Allow, ", "),
			Actual: ex.method, Message: ex.method + " is not declared on this path"})
	case err != nil:
		add("request", "", spec.Problem{Check: spec.CheckOperationDeclared, Expected: "a declared path and method",
			Actual: ex.method + " " + ex.url.Path, Message: "no operation of the spec matches the request"})
	default:
		opKey = route.OperationID
		p.checkRequest(ex, src, route, add)
	}
	validated := false
	switch {
	case ex.err != nil:
		add("response", opID(route), spec.Problem{Check: conformance.CheckTransport, Expected: "a complete answer",
			Actual: ex.err.Error(), Message: "the upstream gave no complete answer"})
	case route != nil && ex.clientGone:
		p.mu.Lock()
		p.rep.Unvalidated++
		p.mu.Unlock()
	case route != nil:
		body, ok, why := decodedBody(ex)
		if !ok {
			p.mu.Lock()
			p.rep.Unvalidated++
			p.mu.Unlock()
			p.log.Info("proxy: response not validated", "operation", route.OperationID, "why", why)
			break
		}
		validated = true
		for _, pr := range conformance.CheckResponse(src.validator, route, src.control, ex.url.Path, ex.url.Query(), ex.status, ex.respHdr, body) {
			add("response", route.OperationID, pr)
		}
	}
	p.record(ex, opKey, route, validated, findings)
}

func opID(r *spec.Route) string {
	if r == nil {
		return ""
	}
	return r.OperationID
}

// checkRequest validates the request's parameters and body as the mock does.
func (p *Proxy) checkRequest(ex *exchange, src *source, route *spec.Route, add func(string, string, spec.Problem)) {
	var body []byte
	if ex.reqBody != nil {
		select {
		case <-ex.reqDone:
		case <-time.After(5 * time.Second):
			return // the transport still holds the body: not checked
		}
		if ex.reqBody.truncated || !ex.reqComplete {
			return // too large to check here, or not all sent; forwarded all the same
		}
		body = ex.reqBody.buf.Bytes()
	}
	r := &http.Request{Method: ex.method, URL: ex.url, Header: ex.header, Body: io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)), Host: "target"}
	if len(body) == 0 {
		r.Body = http.NoBody
	}
	err := src.spec.ValidateRequest(context.Background(), r, route)
	var re *spec.RequestError
	if errors.As(err, &re) {
		for _, f := range re.Fields {
			add("request", route.OperationID, spec.Problem{Check: CheckRequestSchema, Pointer: segmentsPointer(f.Path),
				SpecLocation: "paths." + route.SpecPath + "." + strings.ToLower(route.Method), Message: f.Message})
		}
	} else if err != nil {
		add("request", route.OperationID, spec.Problem{Check: CheckRequestSchema, Message: err.Error()})
	}
}

func segmentsPointer(path []any) string {
	var b strings.Builder
	for _, s := range path {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(fmt.Sprint(s), "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// decodedBody is the response body for validation: gzip is decoded (within the cap);
// another encoding or a body over the cap is not validated.
func decodedBody(ex *exchange) ([]byte, bool, string) {
	if ex.respBody == nil {
		return nil, true, ""
	}
	if ex.respBody.truncated {
		return nil, false, fmt.Sprintf("body over %d bytes", ex.respBody.max)
	}
	body := ex.respBody.buf.Bytes()
	switch enc := strings.ToLower(strings.TrimSpace(ex.respHdr.Get("Content-Encoding"))); enc {
	case "", "identity":
		return body, true, ""
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return body, true, "" // not gzip after all: the body checks say so
		}
		out, err := io.ReadAll(io.LimitReader(zr, ex.respBody.max+1))
		if err != nil || int64(len(out)) > ex.respBody.max {
			return nil, false, "gzip body over the cap or corrupt"
		}
		return out, true, ""
	default:
		return nil, false, "content-encoding " + enc
	}
}
