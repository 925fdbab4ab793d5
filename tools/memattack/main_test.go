package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestParseStatus(t *testing.T) {
	st, err := parseStatus([]byte("Name:\tcontextgpt-mock\nVmHWM:\t  583680 kB\nVmRSS:\t  401408 kB\nThreads:\t9\n"))
	if err != nil || st.peak != 583680<<10 || st.rss != 401408<<10 {
		t.Fatalf("%+v %v", st, err)
	}
	if _, err := parseStatus([]byte("VmRSS:\t1 kB\n")); err == nil {
		t.Fatal("a status without VmHWM accepted")
	}
	if _, err := parseStatus([]byte("VmRSS:\t1 MB\nVmHWM:\t1 kB\n")); err == nil {
		t.Fatal("an unknown unit accepted")
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]uint64{"512MiB": 512 << 20, "2GiB": 2 << 30, "64m": 64 << 20, "1G": 1 << 30} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("%q: %d %v", in, got, err)
		}
	}
	for _, in := range []string{"", "off", "0MiB", "12", "1.5GiB"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

// The verdict: the peak over the figure, a 5xx, a dead mock or a ceiling never reached
// each fail the run; otherwise it passes.
func TestReportVerdict(t *testing.T) {
	ok := &phase{name: "bulk", sent: 3, statuses: map[int]int{201: 2, 403: 1},
		codes: map[string]int{"STORE_LIMIT_REACHED/memory": 1}, dur: time.Second}
	st := procStatus{peak: 600 << 20}
	for _, tc := range []struct {
		name   string
		phases []*phase
		peak   uint64
		died   bool
		want   int
		says   string
	}{
		{"pass", []*phase{ok}, 600 << 20, false, 0, "PASS: 1 writes refused"},
		{"over the figure", []*phase{ok}, 800 << 20, false, 1, "passed the stated figure"},
		{"5xx", []*phase{ok, {name: "x", statuses: map[int]int{500: 1}, codes: map[string]int{}}}, 600 << 20, false, 1, "5xx"},
		{"died", []*phase{ok}, 600 << 20, true, 1, "exited"},
		{"never reached", []*phase{{name: "x", statuses: map[int]int{201: 1}, codes: map[string]int{}}}, 600 << 20, false, 1, "never refused"},
	} {
		var out bytes.Buffer
		st.peak = tc.peak
		if got := report(&out, tc.phases, st, 512<<20, 256<<20, tc.died); got != tc.want || !strings.Contains(out.String(), tc.says) {
			t.Errorf("%s: exit %d\n%s", tc.name, got, out.String())
		}
	}
	if s := answers(ok); s != "201×2 403×1 (STORE_LIMIT_REACHED/memory×1)" {
		t.Fatalf("answers: %q", s)
	}
}

func TestFlags(t *testing.T) {
	o, err := parseFlags([]string{"--scale", "0.1", "--allowance-mib", "128"}, &bytes.Buffer{})
	if err != nil || o.scale != 0.1 || o.allowance != 128<<20 || o.maxMemory != "512MiB" {
		t.Fatalf("%+v %v", o, err)
	}
	for _, args := range [][]string{{"--scale", "2"}, {"--workers", "0"}, {"extra"}} {
		if _, err := parseFlags(args, &bytes.Buffer{}); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
