package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const wrkSample = `Running 4s test @ http://127.0.0.1:40000/api/v1/chatting/1/threads
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.52ms  403.10us  12.01ms   88.00%
    Req/Sec    21.10k     1.02k   22.95k    75.00%
  Latency Distribution
     50%    1.43ms
     75%    1.69ms
     90%    1.98ms
     99%  812.00us
  84015 requests in 4.00s, 210.30MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 7
Requests/sec:  20998.47
Transfer/sec:     52.56MB
`

func TestParseWrk(t *testing.T) {
	res, err := parseWrk(wrkSample)
	if err != nil {
		t.Fatal(err)
	}
	want := runResult{reqs: 84015, errs: 10, rps: 20998.47, p50: 1430 * time.Microsecond, p99: 812 * time.Microsecond}
	if res != want {
		t.Fatalf("got %+v, want %+v", res, want)
	}
	if _, err := parseWrk("wrk: connection refused"); err == nil {
		t.Fatal("unreadable output accepted")
	}
	noLatency := strings.Replace(wrkSample, "     99%  812.00us\n", "", 1)
	if _, err := parseWrk(noLatency); err == nil {
		t.Fatal("output without p99 accepted")
	}
}

func TestWrkScript(t *testing.T) {
	got := wrkScript("k1", target{method: "POST", body: []byte(`{"a":"]]x]=]"}`)})
	for _, want := range []string{`wrk.method = "POST"`, `wrk.headers["Authorization"] = "Bearer k1"`,
		`wrk.headers["Content-Type"] = "application/json"`, `wrk.body = [==[{"a":"]]x]=]"}]==]`} {
		if !strings.Contains(got, want) {
			t.Fatalf("script lacks %s:\n%s", want, got)
		}
	}
	if strings.Contains(wrkScript("k", target{method: "GET"}), "wrk.body") {
		t.Fatal("a GET has a body")
	}
}

// TestDriveWrk runs wrk (when installed) for a second against a local server that answers
// one request in ten with the wrong status: the requests and errors wrk counts are the
// server's, and the server saw the target's method, headers and body.
func TestDriveWrk(t *testing.T) {
	path, err := exec.LookPath("wrk")
	if err != nil {
		t.Skip("wrk not installed (Debian: apt-get install wrk)")
	}
	var n, bad atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || string(b) != `{"x":1}` || r.Header.Get("Authorization") != "Bearer key" ||
			r.Header.Get("Content-Type") != "application/json" {
			bad.Add(1)
		}
		if n.Add(1)%10 == 0 {
			w.WriteHeader(http.StatusTeapot)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	g := generator{wrk: path}
	res, err := g.driveWrk(context.Background(), &server{base: srv.URL, prefix: "/api"}, "key",
		target{method: http.MethodPost, path: "/x", body: []byte(`{"x":1}`), want: http.StatusCreated}, 4, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if bad.Load() != 0 {
		t.Fatalf("%d requests were not the target's", bad.Load())
	}
	served := n.Load()
	if res.reqs == 0 || int64(res.reqs) > served || served-int64(res.reqs) > 8 {
		t.Fatalf("wrk counted %d requests, the server answered %d", res.reqs, served)
	}
	if wantErrs := res.reqs / 10; res.errs < wantErrs-2 || res.errs > wantErrs+2 {
		t.Fatalf("wrk counted %d errors of %d requests, want about %d", res.errs, res.reqs, wantErrs)
	}
	if res.p50 <= 0 || res.p99 < res.p50 || res.rps <= 0 {
		t.Fatalf("figures out of order: %+v", res)
	}
}

// TestCPUOf reads this process's CPU time, which a busy loop must raise (bounded at 20 s of
// wall time: on a busy machine the loop gets a fraction of a core).
func TestCPUOf(t *testing.T) {
	before := cpuOf(os.Getpid())
	if before <= 0 {
		t.Fatal("no CPU time read for this process")
	}
	deadline := time.Now().Add(20 * time.Second)
	for x := 0; cpuOf(os.Getpid())-before < 100*time.Millisecond; x++ {
		if time.Now().After(deadline) {
			t.Fatalf("CPU time stuck at %v after 20 s of busy loop", cpuOf(os.Getpid()))
		}
		for i := 0; i < 1e5; i++ {
			x ^= i * x
		}
	}
}

func TestCPURatios(t *testing.T) {
	r := &row{name: "x", results: map[string][]runResult{
		"mock":  {{cpu: 40 * time.Microsecond}},
		"bare":  {{cpu: 20 * time.Microsecond}},
		"prism": {{cpu: 600 * time.Microsecond}},
	}}
	got := cpuRatios(r)
	for _, want := range []string{"mock 40us", "bare 20us (mock/bare by CPU 0.50x)", "prism 600us (mock/prism by CPU 15.00x)"} {
		if !strings.Contains(got, want) {
			t.Fatalf("%q lacks %q", got, want)
		}
	}
}
