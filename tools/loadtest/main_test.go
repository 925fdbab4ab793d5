package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	rs := []runResult{{rps: 3}, {rps: 1}, {rps: 2}}
	if got := median(rs, func(r runResult) float64 { return r.rps }); got != 2 {
		t.Fatalf("median of 3,1,2 = %v", got)
	}
	rs = append(rs, runResult{rps: 10})
	if got := median(rs, func(r runResult) float64 { return r.rps }); got != 2.5 {
		t.Fatalf("median of 3,1,2,10 = %v", got)
	}
	if got := median(nil, func(r runResult) float64 { return r.rps }); got != 0 {
		t.Fatalf("median of nothing = %v", got)
	}
}

// TestDrive runs the load loop for a moment against a local server that answers one request
// in ten with the wrong status: every request is counted, errors are the wrong answers, the
// body and headers the server saw are the target's, and the percentiles are ordered.
func TestDrive(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer k" || r.Header.Get("Content-Type") != "application/json" || r.Method != http.MethodPost {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if n.Add(1)%10 == 0 {
			w.WriteHeader(http.StatusTeapot)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	s := &server{name: "test", base: srv.URL, prefix: "/api"}
	res := drive(context.Background(), s, "k", target{method: http.MethodPost, path: "/x", body: []byte(`{}`), want: http.StatusCreated},
		4, 300*time.Millisecond, 100000)
	if res.reqs == 0 || res.rps <= 0 {
		t.Fatalf("no requests: %+v", res)
	}
	if res.errs < res.reqs/20 || res.errs > res.reqs/5 {
		t.Fatalf("%d errors of %d requests; want about a tenth", res.errs, res.reqs)
	}
	if res.p50 <= 0 || res.p99 < res.p50 {
		t.Fatalf("percentiles p50 %v p99 %v", res.p50, res.p99)
	}
	capped := drive(context.Background(), s, "k", target{method: http.MethodPost, path: "/x", body: []byte(`{}`), want: http.StatusCreated},
		2, 5*time.Second, 50)
	if capped.reqs > 60 {
		t.Fatalf("-max-requests 50 made %d requests", capped.reqs)
	}
}
