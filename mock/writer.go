package mock

import (
	"bytes"
	"net/http"
)

// recorder remembers the status written through it, and the start of an error body (for
// the journal).
type recorder struct {
	http.ResponseWriter
	status  int
	errBody []byte
}

// maxJournalErrorBody is how much of an error response the journal reads its error from.
const maxJournalErrorBody = 16 << 10

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status >= 400 && len(r.errBody) < maxJournalErrorBody {
		n := min(len(b), maxJournalErrorBody-len(r.errBody))
		r.errBody = append(r.errBody, b[:n]...)
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (hijack for dropped connections).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// bufferedWriter holds a whole response so strict mode can validate it before it is sent.
type bufferedWriter struct {
	header    http.Header
	status    int
	body      bytes.Buffer
	wrote     bool
	unmatched bool // no operation matched (404/405): nothing in the spec to check against
}

func newBufferedWriter() *bufferedWriter {
	return &bufferedWriter{header: http.Header{}, status: http.StatusOK}
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(code int) {
	if b.wrote {
		return
	}
	b.status = code
	b.wrote = true
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	b.wrote = true
	return b.body.Write(p)
}

func (b *bufferedWriter) reset() {
	b.header = http.Header{}
	b.status = http.StatusOK
	b.body.Reset()
	b.wrote = false
}

func (b *bufferedWriter) flushTo(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body.Bytes())
}

// markUnmatched tells strict mode that the response belongs to no operation.
func markUnmatched(w http.ResponseWriter) {
	if b, ok := w.(*bufferedWriter); ok {
		b.unmatched = true
	}
}
