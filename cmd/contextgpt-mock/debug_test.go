package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// --debug-addr serves Go's profiler on a loopback address of its own, and only there.
func TestDebugAddrServesTheProfilerOnLoopback(t *testing.T) {
	for _, bad := range []string{"0.0.0.0:6060", "192.0.2.1:6060", ":6060", "example.com:6060", "127.0.0.1"} {
		err := run(context.Background(), []string{"--debug-addr", bad}, noEnv, io.Discard, io.Discard)
		var ue usageError
		if err == nil || !asUsage(err, &ue) || !strings.Contains(err.Error(), "debug-addr") {
			t.Errorf("--debug-addr %s: got %v; want a usage error naming the flag", bad, err)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	base, _, _ := startMain(t, "--debug-addr", addr)
	res, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/heap?debug=1", addr))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "heap profile") {
		t.Fatalf("profiler: %d %.200s", res.StatusCode, body)
	}
	// The API's port does not serve it.
	res, err = http.Get(base + "/debug/pprof/heap")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode == 200 {
		t.Fatalf("the API's port answered /debug/pprof/heap with 200")
	}
}
