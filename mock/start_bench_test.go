package mock

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkStart measures the DESIGN start-up budget (under 200 ms): the spec and the
// fixtures loaded, every validator built, and the first request answered 200.
func BenchmarkStart(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		m, err := New(DefaultConfig())
		if err != nil {
			b.Fatal(err)
		}
		req := httptest.NewRequest("GET", "/api/v1/chatbots/my-chatbots", nil)
		req.Header.Set("Authorization", "Bearer "+keyScale)
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("got %d; want 200", rec.Code)
		}
	}
}
