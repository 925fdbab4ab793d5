package mock

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/contextgpt/sandbox/mock/limits"
	"github.com/contextgpt/sandbox/mock/store"
)

// newBenchMock is the mock as served without --strict and with the load test's limits file
// (loadtestLimits: rate limits off, or the per-user limit would refuse all but 500 requests
// a minute; the store's caps lifted, or a create benchmark that ran long enough would meet
// the cap of 200,000 threads an account): the whole request chain (match, auth, body,
// request validation, scope, handler, envelope), validators built once, here.
func newBenchMock(b *testing.B) *Mock {
	b.Helper()
	lim, err := limits.Parse("loadtest", []byte(loadtestLimits))
	if err != nil {
		b.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Strict = false
	cfg.Limits = lim
	m, err := New(cfg)
	if err != nil {
		b.Fatalf("mock.New: %v", err)
	}
	return m
}

// chainSizes are the numbers of threads already on the chatbot in the chain benchmarks.
var chainSizes = []int{10, 1000, 100000}

// benchMockWithThreads is newBenchMock with n threads on botShipping.
func benchMockWithThreads(b *testing.B, n int) *Mock {
	b.Helper()
	m := newBenchMock(b)
	for i := 0; i < n; i++ {
		if _, err := m.Store().CreateThread(botShipping, storeThreadTitled("bench")); err != nil {
			b.Fatal(err)
		}
	}
	return m
}

// BenchmarkListThreads is GET /v1/chatting/{chatbotId}/threads (page 3 of 20) through
// Mock.ServeHTTP, with no network, with 10, 1,000 and 100,000 threads on the chatbot.
func BenchmarkListThreads(b *testing.B) {
	for _, n := range chainSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			m := benchMockWithThreads(b, n)
			req := httptest.NewRequest(http.MethodGet, threadsPath(botShipping)+"?page=1&limit=20", nil)
			req.Header.Set("Authorization", "Bearer "+keyScale)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				m.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("got status %d: %s", w.Code, w.Body.Bytes())
				}
			}
		})
	}
}

// BenchmarkCreateThread is POST /v1/chatting/{chatbotId}/threads with a small JSON body
// through Mock.ServeHTTP, with no network, on a chatbot holding 10, 1,000 and 100,000
// threads. Threads accumulate, as they would in a server.
func BenchmarkCreateThread(b *testing.B) {
	body := []byte(`{"title":"Imported from e-mail","visitorName":"Ada Lovelace","visitorEmail":"ada@example.com","platformSource":"api"}`)
	for _, n := range chainSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			m := benchMockWithThreads(b, n)
			rd := bytes.NewReader(body)
			req := httptest.NewRequest(http.MethodPost, threadsPath(botShipping), nil)
			req.Header.Set("Authorization", "Bearer "+keyScale)
			req.Header.Set("Content-Type", "application/json")
			req.ContentLength = int64(len(body))
			b.ReportAllocs()
			for b.Loop() {
				rd.Reset(body)
				req.Body = io.NopCloser(rd)
				w := httptest.NewRecorder()
				m.ServeHTTP(w, req)
				if w.Code != http.StatusCreated {
					b.Fatalf("got status %d: %s", w.Code, w.Body.Bytes())
				}
			}
		})
	}
}

func storeThreadTitled(title string) store.NewThread { return store.NewThread{Title: &title} }
