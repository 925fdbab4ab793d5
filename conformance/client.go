package conformance

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"
)

// errDropped is a request that was sent but got no answer because the connection closed.
// Go's transport would send a GET again on a fresh connection and hide the drop; the
// harness reports it instead.
var errDropped = errors.New("the connection closed after the request was sent, before a response (not retried)")

// newClient returns the harness's HTTP client: it never follows a redirect (a 3xx is a
// response, checked against the spec like any other) and never sends a request twice.
func newClient(timeout time.Duration) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	return &http.Client{
		Timeout:   timeout,
		Transport: noRetryTransport{next: tr},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// noRetryTransport stops net/http's silent retry: when a request on a reused connection was
// written and the connection then closed, the transport asks for a new connection to send
// it again (GET, HEAD, OPTIONS, TRACE). The trace sees that second GetConn after a written
// request and cancels it, so the drop comes back as errDropped. A connection found closed
// before anything was written (the idle keep-alive race) is still replaced: nothing was sent.
type noRetryTransport struct{ next http.RoundTripper }

func (t noRetryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(req.Context())
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				wrote.Store(true)
			}
		},
		GetConn: func(string) {
			if wrote.Load() {
				cancel(errDropped)
			}
		},
	}
	resp, err := t.next.RoundTrip(req.WithContext(httptrace.WithClientTrace(ctx, trace)))
	if err != nil {
		cause := context.Cause(ctx)
		cancel(nil)
		if errors.Is(cause, errDropped) {
			return nil, errDropped
		}
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: func() { cancel(nil) }}
	return resp, nil
}

// cancelOnClose releases the request's context once the body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel func()
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// NewClient returns the harness's HTTP client (no redirect followed, no request sent twice)
// for tools that run the harness with a transport of their own around it (the parity report
// records each exchange).
func NewClient(timeout time.Duration) *http.Client { return newClient(timeout) }
