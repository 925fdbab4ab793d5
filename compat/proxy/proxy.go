// Package proxy is a validating reverse proxy: it forwards every request unchanged to an
// upstream (staging, production or the mock), returns the upstream's answer unchanged and
// streamed, and checks both against the contract as the conformance harness does. Each
// violation is logged as one line and kept for the report (JSON and JUnit), with keys and
// webhook secrets redacted.
//
// Validation is off the request's path: bodies are teed into capped buffers as they stream,
// and a small worker pool checks each finished exchange, so the proxy adds well under a
// millisecond on loopback (BenchmarkAddedLatency).
package proxy

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/contextgpt/sandbox/conformance"
	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/spec"
)

// Check codes the proxy adds to those of the harness (spec.Check*, conformance.Check*).
const (
	// CheckRequestSchema: a request's parameters or body break the operation's contract.
	CheckRequestSchema = "request-schema"
	// CheckRequestMethod: the path is declared, the method is not.
	CheckRequestMethod = "request-method"
	// CheckTransport: the upstream gave no (complete) answer.
	CheckTransport = "transport"
)

// ReportPath answers the findings so far: JSON, or JUnit with ?format=junit.
const ReportPath = "/__proxy/report"

// Config configures a Proxy.
type Config struct {
	// Upstream is where requests go: scheme://host[:port], optionally with a path prefix put
	// before each request's path. Requests carry the paths their clients use (/api/v1/...).
	Upstream string
	// Spec is the API's OpenAPI document (default: the embedded contextgpt.yaml). Requests
	// under /__mock/ are checked against the mock's control plane document.
	Spec []byte
	// MaxBody is the most of each request and response body kept for validation (default
	// 10 MiB); a longer body is streamed all the same and its body checks are skipped.
	MaxBody int64
	// MaxFindings caps the findings kept (default 10,000); later ones are counted only.
	MaxFindings int
	// Workers validate finished exchanges (default: the number of CPUs).
	Workers int
	// Log receives one line per violation; nil discards them.
	Log *slog.Logger
	// Redactor learns every key and secret seen; the log and the reports go through it.
	Redactor *report.Redactor
	// Transport reaches the upstream (default: a tuned clone of http.DefaultTransport).
	Transport http.RoundTripper
}

// Proxy is an http.Handler. Close it to finish the validations under way.
type Proxy struct {
	cfg      Config
	upstream *url.URL
	rp       *httputil.ReverseProxy
	api      *source
	control  *source
	red      *report.Redactor
	log      *slog.Logger

	queue   chan *exchange
	pending atomic.Int64 // exchanges answered, not yet validated
	workers sync.WaitGroup
	closeMu sync.RWMutex
	closed  bool
	seq     atomic.Int64

	mu  sync.Mutex
	rep Report
	ops map[string]*OperationStats
}

type source struct {
	spec      *spec.Spec
	validator *spec.ResponseValidator
	control   bool
}

// New builds a proxy; it loads and indexes the spec once.
func New(cfg Config) (*Proxy, error) {
	u, err := url.Parse(cfg.Upstream)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--upstream %q: expected http(s)://host[:port][/prefix]", cfg.Upstream)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("--upstream %q: no query or fragment", cfg.Upstream)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	if cfg.Spec == nil {
		cfg.Spec = spec.ContextGPTDocument()
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 10 << 20
	}
	if cfg.MaxFindings <= 0 {
		cfg.MaxFindings = 10000
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.NumCPU()
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Redactor == nil {
		cfg.Redactor = &report.Redactor{}
	}
	if cfg.Transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConns = 256
		t.MaxIdleConnsPerHost = 256
		// Accept-Encoding goes through as the client sent it, and the answer comes back as
		// the upstream encoded it; the validator decodes gzip itself.
		t.DisableCompression = true
		cfg.Transport = t
	}
	p := &Proxy{cfg: cfg, upstream: u, red: cfg.Redactor, log: cfg.Log,
		queue: make(chan *exchange, 1024), ops: map[string]*OperationStats{}}
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			p.red.Add(pw)
		}
	}
	p.rep.Upstream = u.Redacted()
	p.rep.Started = time.Now().UTC()
	if p.api, err = loadSource(cfg.Spec, false); err != nil {
		return nil, err
	}
	if p.control, err = loadSource(spec.MockAdminDocument(), true); err != nil {
		return nil, err
	}
	p.rp = &httputil.ReverseProxy{
		Rewrite:        p.rewrite,
		Transport:      cfg.Transport,
		ModifyResponse: p.modifyResponse,
		ErrorHandler:   p.errorHandler,
		ErrorLog:       nil,
	}
	for range cfg.Workers {
		p.workers.Add(1)
		go p.work()
	}
	return p, nil
}

func loadSource(doc []byte, control bool) (*source, error) {
	s, err := spec.Load(doc)
	if err != nil {
		return nil, err
	}
	v, err := spec.NewResponseValidator(doc)
	if err != nil {
		return nil, err
	}
	return &source{spec: s, validator: v, control: control}, nil
}

// exchange is one request and its answer, as the validator sees them.
type exchange struct {
	seq     int64
	at      time.Time
	method  string
	url     *url.URL // the client's URL (path with the server prefix, query)
	header  http.Header
	reqBody *capture
	// reqDone is closed when the transport is done with the request body (it may send it
	// after the answer arrived); reqComplete says it was read to its end.
	reqDone     chan struct{}
	reqComplete bool
	status      int
	respHdr     http.Header
	respBody    *capture
	err         error // the upstream gave no complete answer
	// clientGone: the client stopped reading the answer; its body is not checked.
	clientGone bool
}

type ctxKey struct{}

// ServeHTTP forwards r, or answers the report.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == ReportPath && r.Method == http.MethodGet {
		p.serveReport(w, r)
		return
	}
	ex := &exchange{seq: p.seq.Add(1), at: time.Now(), method: r.Method, url: r.URL, header: r.Header.Clone()}
	p.rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, ex)))
}

func (p *Proxy) rewrite(pr *httputil.ProxyRequest) {
	out := pr.Out
	out.URL.Scheme = p.upstream.Scheme
	out.URL.Host = p.upstream.Host
	out.URL.User = p.upstream.User
	if p.upstream.Path != "" {
		out.URL.Path = p.upstream.Path + pr.In.URL.Path
		if pr.In.URL.RawPath != "" {
			out.URL.RawPath = p.upstream.Path + pr.In.URL.RawPath
		}
	}
	if out.Body == nil {
		// http.Transport resends a bodiless GET on its own when a kept-alive connection
		// fails; a proxy must not (the upstream would see two requests, the client one). A
		// body that is not replayable turns that off; it is empty, so nothing more is sent.
		out.Body = emptyBody{}
	} else if ex, _ := pr.In.Context().Value(ctxKey{}).(*exchange); ex != nil && out.Body != http.NoBody {
		// The transport closes the body it sent (ReverseProxy's own wrapper ignores Close).
		ex.reqBody = &capture{max: p.cfg.MaxBody}
		ex.reqDone = make(chan struct{})
		out.Body = &teeBody{rc: out.Body, c: ex.reqBody, onClose: func(t *teeBody) {
			ex.reqComplete = t.eof
			close(ex.reqDone)
		}}
	}
	out.Host = "" // the upstream's own host name: virtual hosts (staging) route by it
	// ReverseProxy drops the client's forwarding headers before Rewrite; they go on as sent.
	for _, h := range []string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto"} {
		if v, ok := pr.In.Header[h]; ok {
			out.Header[h] = v
		}
	}
}

func (p *Proxy) modifyResponse(resp *http.Response) error {
	ex, _ := resp.Request.Context().Value(ctxKey{}).(*exchange)
	if ex == nil {
		return nil
	}
	ex.status, ex.respHdr = resp.StatusCode, resp.Header.Clone()
	ex.respBody = &capture{max: p.cfg.MaxBody}
	resp.Body = &teeBody{rc: resp.Body, c: ex.respBody, onClose: func(t *teeBody) {
		switch {
		case t.readErr != nil:
			ex.err = fmt.Errorf("the answer's body was cut short: %w", t.readErr)
		case !t.eof:
			ex.clientGone = true // the client stopped reading: nothing to check
		}
		p.enqueue(ex)
	}}
	return nil
}

// errorHandler answers 502 when the upstream gives no answer, as any proxy does, and
// records the failure.
func (p *Proxy) errorHandler(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		return // the client went away: nobody to answer, nothing to check
	}
	ex, _ := r.Context().Value(ctxKey{}).(*exchange)
	if ex != nil && ex.status == 0 {
		ex.err = err
		p.enqueue(ex)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadGateway)
	msg, _ := json.Marshal(p.red.String("contextgpt-conformance proxy: upstream: " + err.Error()))
	fmt.Fprintf(w, `{"proxyError":%s}`+"\n", msg)
}

func (p *Proxy) enqueue(ex *exchange) {
	p.pending.Add(1)
	p.closeMu.RLock()
	defer p.closeMu.RUnlock()
	if p.closed {
		p.validate(ex) // after Close: checked at once, never lost
		p.pending.Add(-1)
		return
	}
	p.queue <- ex // a full queue holds the response back: findings are never dropped
}

func (p *Proxy) work() {
	defer p.workers.Done()
	for ex := range p.queue {
		p.validate(ex)
		p.pending.Add(-1)
	}
}

// Settle waits (up to timeout) until every exchange answered so far is validated; it
// reports whether none is left.
func (p *Proxy) Settle(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for p.pending.Load() > 0 {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

// Close waits for every exchange under way to be validated. The proxy still forwards
// afterwards, validating in line.
func (p *Proxy) Close() error {
	p.closeMu.Lock()
	if !p.closed {
		p.closed = true
		close(p.queue)
	}
	p.closeMu.Unlock()
	p.workers.Wait()
	return nil
}

type emptyBody struct{}

func (emptyBody) Read([]byte) (int, error) { return 0, io.EOF }
func (emptyBody) Close() error             { return nil }

// capture keeps the first max bytes written to it.
type capture struct {
	buf       bytes.Buffer
	max       int64
	total     int64
	truncated bool
}

func (c *capture) Write(b []byte) {
	c.total += int64(len(b))
	room := c.max - int64(c.buf.Len())
	if int64(len(b)) > room {
		c.truncated = true
		b = b[:max(room, 0)]
	}
	c.buf.Write(b)
}

// teeBody copies what is read through it into a capture; onClose sees whether the body was
// read to its end or failed.
type teeBody struct {
	rc      io.ReadCloser
	c       *capture
	eof     bool
	readErr error
	once    sync.Once
	onClose func(*teeBody)
}

func (t *teeBody) Read(b []byte) (int, error) {
	n, err := t.rc.Read(b)
	if n > 0 {
		t.c.Write(b[:n])
	}
	switch {
	case err == io.EOF:
		t.eof = true
	case err != nil && t.readErr == nil:
		t.readErr = err
	}
	return n, err
}

func (t *teeBody) Close() error {
	err := t.rc.Close()
	if t.onClose != nil {
		t.once.Do(func() { t.onClose(t) })
	}
	return err
}

// validate checks one exchange and records its findings.
func (p *Proxy) validate(ex *exchange) {
	p.learnSecrets(ex)
	src := p.api
	if strings.HasPrefix(ex.url.Path, "/__mock/") {
		src = p.control
	}
	var findings []Finding
	add := func(direction string, opID string, pr spec.Problem) {
		findings = append(findings, Finding{Seq: ex.seq, Time: ex.at.UTC(), Direction: direction,
			Method: ex.method, Path: ex.url.Path, Status: ex.status, OperationID: opID,
			Check: pr.Check, Pointer: pr.Pointer, SpecLocation: pr.SpecLocation,
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
		add("response", opID(route), spec.Problem{Check: CheckTransport, Expected: "a complete answer",
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

// learnSecrets teaches the redactor the request's bearer key and every secret-looking
// string field of the JSON bodies (webhook secrets, sandbox keys, tokens).
func (p *Proxy) learnSecrets(ex *exchange) {
	for _, v := range ex.header.Values("Authorization") {
		_, tok, ok := strings.Cut(v, " ")
		if !ok {
			tok = v
		}
		p.red.Add(strings.TrimSpace(tok))
	}
	for _, h := range []string{"X-Api-Key", "X-Webhook-Token", "Cookie"} {
		for _, v := range ex.header.Values(h) {
			p.red.Add(v)
		}
	}
	for _, c := range []*capture{ex.reqBody, ex.respBody} {
		if c == nil || c.truncated || c.buf.Len() == 0 {
			continue
		}
		var v any
		if json.Unmarshal(c.buf.Bytes(), &v) == nil {
			p.walkSecrets("", v)
		}
	}
}

func (p *Proxy) walkSecrets(name string, v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			p.walkSecrets(k, x)
		}
	case []any:
		for _, x := range t {
			p.walkSecrets(name, x)
		}
	case string:
		if len(t) >= 8 && looksSecret(name) {
			p.red.Add(t)
		}
	}
}

func looksSecret(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"secret", "token", "apikey", "api_key", "password"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}
