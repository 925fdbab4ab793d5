package main

import (
	"bytes"
	"runtime"
	"runtime/trace"
	"strings"
	"testing"
)

// readGC finds the mark phases of a trace this process takes of its own collections.
func TestReadGCFromATrace(t *testing.T) {
	var buf bytes.Buffer
	if err := trace.Start(&buf); err != nil {
		t.Skipf("a trace is already running: %v", err)
	}
	var keep [][]byte
	for i := 0; i < 3; i++ {
		for j := 0; j < 1000; j++ {
			keep = append(keep, make([]byte, 1024))
		}
		runtime.GC()
	}
	trace.Stop()
	runtime.KeepAlive(keep)
	g, err := readGC(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if g.phases < 3 || g.window <= 0 || g.markTime <= 0 || g.longestMark <= 0 || g.longestMark > g.window {
		t.Fatalf("figures %+v; want at least the 3 collections forced", g)
	}
	if s := g.String(); !strings.Contains(s, "mark phases") {
		t.Fatalf("String: %q", s)
	}
}
