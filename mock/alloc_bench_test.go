package mock

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// The two requests of `make loadtest` (tools/loadtest), through Mock.ServeHTTP with the
// load test's limits file, written to a writer that keeps nothing (discardWriter): the
// bytes and allocations a request costs the mock itself, what the server's garbage
// collector has to clear at ~30,000 requests a second. BenchmarkListThreads and
// BenchmarkCreateThread answer into an httptest.ResponseRecorder, whose growing body
// buffer is most of what they allocate.

// discardWriter is a ResponseWriter as net/http's gives a handler: a fresh header map for
// each request (reset), a body written to a buffer that is reused (net/http's bufio.Writer).
type discardWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *discardWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.n += len(b)
	return len(b), nil
}

func (w *discardWriter) reset() { *w = discardWriter{h: make(http.Header)} }

// loadtestLimits is tools/loadtest's limits file (loadLimits): rate limits off, caps lifted.
const loadtestLimits = `perIP: {requests: -1}
perUser: {requests: -1}
uploadConcurrency: -1
caps: {accounts: -1, chatbotsPerAccount: -1, chatbots: -1, threadsPerAccount: -1, threads: -1,
  messagesPerAccount: -1, messages: -1, deliveriesPerChatbot: -1, deliveries: -1}
`

// newLoadtestMock is the mock as `make loadtest` starts it (not strict, its limits file),
// with n threads on botShipping: benchMockWithThreads.
func newLoadtestMock(b *testing.B, n int) *Mock { return benchMockWithThreads(b, n) }

// BenchmarkLoadtestRequests: list is GET .../threads?page=1&limit=20 with 20 threads on the
// chatbot; create is POST .../threads with the load test's body (threads accumulate).
func BenchmarkLoadtestRequests(b *testing.B) {
	b.Run("list", func(b *testing.B) {
		m := newLoadtestMock(b, 20)
		req := httptest.NewRequest(http.MethodGet, threadsPath(botShipping)+"?page=1&limit=20", nil)
		req.Header.Set("Authorization", "Bearer "+keyScale)
		w := &discardWriter{}
		b.ReportAllocs()
		for b.Loop() {
			w.reset()
			m.ServeHTTP(w, req)
			if w.status != http.StatusOK {
				b.Fatalf("got status %d", w.status)
			}
		}
	})
	b.Run("create", func(b *testing.B) {
		body := []byte(`{"title":"Load test","visitorName":"Ada Lovelace","visitorEmail":"ada@example.com","platformSource":"api"}`)
		m := newLoadtestMock(b, 20)
		rd := bytes.NewReader(body)
		req := httptest.NewRequest(http.MethodPost, threadsPath(botShipping), nil)
		req.Header.Set("Authorization", "Bearer "+keyScale)
		req.Header.Set("Content-Type", "application/json")
		req.ContentLength = int64(len(body))
		w := &discardWriter{}
		b.ReportAllocs()
		for b.Loop() {
			rd.Reset(body)
			req.Body = io.NopCloser(rd)
			w.reset()
			m.ServeHTTP(w, req)
			if w.status != http.StatusCreated {
				b.Fatalf("got status %d", w.status)
			}
		}
	})
}

// BenchmarkLoadtestRequestsHTTP is BenchmarkLoadtestRequests through a real net/http server
// on loopback, one keep-alive connection, the client writing the request's bytes and
// reading the answer by its Content-Length (it allocates next to nothing): B/op is what
// the whole server allocates for a request, net/http's share included.
func BenchmarkLoadtestRequestsHTTP(b *testing.B) {
	body := `{"title":"Load test","visitorName":"Ada Lovelace","visitorEmail":"ada@example.com","platformSource":"api"}`
	for _, tc := range []struct {
		name, raw string
		status    string
	}{
		{"list", "GET " + threadsPath(botShipping) + "?page=1&limit=20 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + keyScale + "\r\n\r\n", "200"},
		{"create", "POST " + threadsPath(botShipping) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + keyScale +
			"\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body, "201"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			m := newLoadtestMock(b, 20)
			srv := httptest.NewServer(m)
			defer srv.Close()
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			br := bufio.NewReaderSize(conn, 64<<10)
			req := []byte(tc.raw)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := conn.Write(req); err != nil {
					b.Fatal(err)
				}
				n := -1
				for {
					line, err := br.ReadSlice('\n')
					if err != nil {
						b.Fatal(err)
					}
					if len(line) >= 12 && string(line[:9]) == "HTTP/1.1 " && string(line[9:12]) != tc.status {
						b.Fatalf("status line %q", line)
					}
					if k := "Content-Length: "; len(line) > len(k) && string(line[:len(k)]) == k {
						n, _ = strconv.Atoi(string(bytes.TrimSpace(line[len(k):])))
					}
					if len(line) == 2 {
						break
					}
				}
				if n < 0 {
					b.Fatal("no Content-Length")
				}
				if _, err := br.Discard(n); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
