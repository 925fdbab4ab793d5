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
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/spec"
)

// Check codes the proxy adds to those of the harness (spec.Check*, conformance.Check*); all
// are in conformance.Checks. An upstream that gives no (complete) answer is
// conformance.CheckTransport.
const (
	// CheckRequestSchema: a request's parameters or body break the operation's contract.
	CheckRequestSchema = "request-schema"
	// CheckRequestMethod: the path is declared, the method is not.
	CheckRequestMethod = "request-method"
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
	// What the client sent is learned here, in the order exchanges end, so a secret a client
	// sends is known before any later exchange is checked and logged.
	p.learnRequestSecrets(ex)
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
