package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// startMain runs the command in-process on a free loopback port and returns its base URL.
func startMain(t *testing.T, args ...string) (string, context.CancelFunc, <-chan error) {
	return startMainEnv(t, noEnv, args...)
}

func noEnv(string) string { return "" }

func startMainEnv(t *testing.T, getenv func(string) string, args ...string) (string, context.CancelFunc, <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), getenv, pw, io.Discard)
		pw.Close()
		done <- err
	}()
	lines := bufio.NewScanner(pr)
	base := ""
	deadline := time.After(10 * time.Second)
	found := make(chan string, 1)
	go func() {
		for lines.Scan() {
			if _, after, ok := strings.Cut(lines.Text(), "listening on "); ok {
				found <- strings.TrimSpace(after)
				break
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	select {
	case base = <-found:
	case err := <-done:
		t.Fatalf("mock exited before listening: %v", err)
	case <-deadline:
		t.Fatal("mock did not print its address within 10 s")
	}
	t.Cleanup(cancel)
	return base, cancel, done
}

func TestMainServesAndShutsDown(t *testing.T) {
	base, cancel, done := startMain(t, "--strict")
	res, err := http.Get(base + "/__mock/health")
	if err != nil {
		t.Fatal(err)
	}
	var health map[string]any
	if err := json.NewDecoder(res.Body).Decode(&health); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if health["service"] != "contextgpt-mock" {
		t.Fatalf("got service %v; want contextgpt-mock", health["service"])
	}
	req, _ := http.NewRequest("GET", base+"/api/v1/chatbots/my-chatbots", nil)
	req.Header.Set("Authorization", "Bearer sk_test_scale_super_admin")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("got %d; want 200", res.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("mock did not shut down")
	}
}

func TestMainRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--clock", "sometimes"}, {"--log-format", "xml"}, {"--nope"}, {"extra"}, {"--fixtures", "/does/not/exist.yaml"}, {"--max-conns", "0"}} {
		err := run(context.Background(), args, noEnv, io.Discard, io.Discard)
		var ue usageError
		if err == nil || !asUsage(err, &ue) {
			t.Errorf("%v: got %v; want a usage error (exit 2)", args, err)
		}
	}
}

func asUsage(err error, target *usageError) bool {
	u, ok := err.(usageError)
	if ok {
		*target = u
	}
	return ok
}

// -h/--help prints the usage and ends with exit 0 (run returns nil), --version prints the
// version on stdout, as Go tools do; an unknown flag is still a usage error (exit 2).
func TestMainHelpAndVersion(t *testing.T) {
	for _, arg := range []string{"-h", "--help"} {
		var stderr strings.Builder
		if err := run(context.Background(), []string{arg}, noEnv, io.Discard, &stderr); err != nil {
			t.Errorf("%s: run = %v, want nil (exit 0)", arg, err)
		}
		if !strings.Contains(stderr.String(), "-addr") {
			t.Errorf("%s: usage not printed: %q", arg, stderr.String())
		}
	}
	var stdout strings.Builder
	if err := run(context.Background(), []string{"--version"}, noEnv, &stdout, io.Discard); err != nil {
		t.Fatalf("--version: run = %v", err)
	}
	if !strings.HasPrefix(stdout.String(), "contextgpt-mock ") || len(strings.TrimSpace(stdout.String())) <= len("contextgpt-mock ") {
		t.Errorf("--version printed %q", stdout.String())
	}
	var ue usageError
	if err := run(context.Background(), []string{"--bogus"}, noEnv, io.Discard, io.Discard); !errors.As(err, &ue) {
		t.Errorf("--bogus: run = %v, want a usage error (exit 2)", err)
	}
}
