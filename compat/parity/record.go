package parity

import (
	"bytes"
	"io"
	"net/http"
	"sync"
)

// exchange is one request and answer recorded by the transport.
type exchange struct {
	method, path string
	status       int
	header       http.Header
	body         []byte
	err          error
}

// recorder is an http.RoundTripper that keeps every exchange in order.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	log  []*exchange
}

const maxBody = 10 << 20 // as the harness reads

func (rec *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	ex := &exchange{method: req.Method, path: req.URL.Path}
	resp, err := rec.next.RoundTrip(req)
	if err != nil {
		ex.err = err
		rec.add(ex)
		return nil, err
	}
	ex.status, ex.header = resp.StatusCode, resp.Header.Clone()
	data, rerr := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	ex.body = data
	if rerr != nil {
		ex.err = rerr
	}
	rec.add(ex)
	resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(data), errReader{rerr}))
	return resp, nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return 0, io.EOF
}

func (rec *recorder) add(ex *exchange) {
	rec.mu.Lock()
	rec.log = append(rec.log, ex)
	rec.mu.Unlock()
}

// take returns the exchanges recorded since the last take.
func (rec *recorder) take() []*exchange {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	out := rec.log
	rec.log = nil
	return out
}

// stepKey names a step's n-th run within a workflow (goto and retry run a step again).
