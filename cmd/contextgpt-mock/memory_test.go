package main

import (
	"net/http"
	"runtime/debug"
	"strings"
	"testing"
)

func TestParseByteSize(t *testing.T) {
	for in, want := range map[string]uint64{"2GiB": 2 << 30, "512MiB": 512 << 20, "1.5g": 3 << 29, "off": 0, "0": 0, "64 MB": 64 << 20, "17000000": 17000000} {
		if got, err := parseByteSize(in); err != nil || got != want {
			t.Errorf("%q: %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "lots", "-1G", "2XB", "1MiB"} {
		if _, err := parseByteSize(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

// GOMEMLIMIT goes to 80% of the ceiling unless the environment sets it.
func TestSoftLimitBelowCeiling(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	ceiling := uint64(1 << 30)
	if got := setSoftLimit(ceiling, noEnv); got != int64(float64(ceiling)*softLimitShare) {
		t.Fatalf("soft limit %d", got)
	}
	debug.SetMemoryLimit(prev)
	if got := setSoftLimit(1<<30, func(k string) string { return map[string]string{"GOMEMLIMIT": "3GiB"}[k] }); got != prev {
		t.Fatalf("GOMEMLIMIT from the environment overridden: %d", got)
	}
}

// Through the command: a ceiling below what the process already uses refuses writes at
// once (403 STORE_LIMIT_REACHED), while reads answer. GOMEMLIMIT is left to the
// environment here, so the test process keeps its own.
func TestMaxMemoryThroughTheCommand(t *testing.T) {
	env := func(k string) string { return map[string]string{"GOMEMLIMIT": "off"}[k] }
	base, _, _ := startMainEnv(t, env, "--quiet", "--max-memory", "16MiB")
	res, err := http.Post(base+"/__mock/sandboxes", "application/json", strings.NewReader(`{"plan":"scale"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("a sandbox over the ceiling: %d", res.StatusCode)
	}
	res, err = http.Get(base + "/__mock/health")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("health over the ceiling: %d", res.StatusCode)
	}
	if _, err := parseFlags([]string{"--max-memory", "lots"}, noEnv, nil); err == nil {
		t.Fatal("--max-memory lots accepted")
	}
}
