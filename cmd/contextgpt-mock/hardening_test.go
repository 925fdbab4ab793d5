package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Attack (issue 10, item 9): a bad environment value was silently ignored; it is a usage
// error (exit 2) naming the variable.
func TestAttackBadEnvironmentValuesAreUsageErrors(t *testing.T) {
	for name, val := range map[string]string{"STRICT": "yes", "SEED": "abc", "QUIET": "maybe", "WEBHOOK_TIMEOUT": "soon", "MAX_CONNS": "many"} {
		getenv := func(k string) string {
			if k == envPrefix+name {
				return val
			}
			return ""
		}
		err := run(context.Background(), []string{"--addr", "127.0.0.1:0"}, getenv, io.Discard, io.Discard)
		var ue usageError
		if err == nil || !asUsage(err, &ue) || !strings.Contains(err.Error(), envPrefix+name) {
			t.Errorf("%s=%s: got %v; want a usage error naming the variable", name, val, err)
		}
	}
}

func post(t *testing.T, url string, body string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// Attack 3 (issue 10): SIGTERM with a request held by Prefer: latency=1h timed out after
// 10 s, exited 1 and never wrote --state-file. Shutdown cancels the held request, saves the
// state and returns nil (exit 0); leftover temp files of an interrupted save are removed at
// start, and the file is kept current while running.
func TestAttackShutdownWithHeldRequestSavesState(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	stale := state + ".tmp-12345"
	if err := os.WriteFile(stale, []byte("half a save"), 0o600); err != nil {
		t.Fatal(err)
	}
	base, cancel, done := startMain(t, "--state-file", state, "--quiet")
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatalf("the stale temp file is still there: %v", err)
	}
	res, body := post(t, base+"/__mock/sandboxes", `{"plan":"scale"}`, nil)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("sandbox: %d %s", res.StatusCode, body)
	}
	var sb struct {
		AccountID string `json:"accountId"`
	}
	_ = json.Unmarshal(body, &sb)
	// Kept current while running (what a kill -9 would leave).
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, _ := os.ReadFile(state)
		if strings.Contains(string(b), sb.AccountID) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the state file was not written within 5 s of a change")
		}
		time.Sleep(50 * time.Millisecond)
	}
	res, body = post(t, base+"/__mock/sandboxes", `{"plan":"growth"}`, nil)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("sandbox: %d %s", res.StatusCode, body)
	}
	var second struct {
		AccountID string `json:"accountId"`
	}
	_ = json.Unmarshal(body, &second)
	held := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest("GET", base+"/api/v1/chatbots/my-chatbots", nil)
		req.Header.Set("Authorization", "Bearer sk_test_scale_super_admin")
		req.Header.Set("Prefer", "latency=1h")
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
		}
		held <- err
	}()
	time.Sleep(200 * time.Millisecond) // the request is held
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v; want nil (exit 0)", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no shutdown within 20 s")
	}
	if d := time.Since(start); d > 8*time.Second {
		t.Errorf("shutdown took %s with a held request; it should cancel it", d)
	}
	<-held
	b, err := os.ReadFile(state)
	if err != nil || !strings.Contains(string(b), second.AccountID) {
		t.Fatalf("state file after shutdown lacks the last sandbox (err %v)", err)
	}
	if m, _ := filepath.Glob(state + ".tmp-*"); len(m) != 0 {
		t.Fatalf("temp files left: %v", m)
	}
}

// Attack 4 (issue 10): a fresh mock's first sandbox key was always the same, and the seed
// showed in every X-Request-Id. Without --seed, keys come from crypto/rand; with it, they
// are reproducible (documented), and the request id never carries the seed.
func TestAttackPredictableKeys(t *testing.T) {
	firstKey := func(args ...string) (string, string) {
		base, cancel, done := startMain(t, append([]string{"--quiet"}, args...)...)
		defer func() { cancel(); <-done }()
		res, body := post(t, base+"/__mock/sandboxes", `{"plan":"scale"}`, nil)
		var sb struct {
			APIKey string `json:"apiKey"`
		}
		_ = json.Unmarshal(body, &sb)
		req, _ := http.NewRequest("GET", base+"/api/v1/chatbots/my-chatbots", nil)
		r2, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r2.Body.Close()
		if res.StatusCode != http.StatusCreated || sb.APIKey == "" {
			t.Fatalf("sandbox: %d %s", res.StatusCode, body)
		}
		return sb.APIKey, r2.Header.Get("X-Request-Id")
	}
	a, ida := firstKey()
	b, idb := firstKey()
	if a == b {
		t.Fatalf("two fresh mocks gave the same first key %s", a)
	}
	c, idc := firstKey("--seed", "305419896") // 0x12345678
	d, idd := firstKey("--seed", "305419896")
	if c != d {
		t.Fatalf("--seed keys are not reproducible: %s, %s", c, d)
	}
	for _, id := range []string{ida, idb, idc, idd} {
		if strings.Contains(id, "12345678") {
			t.Fatalf("X-Request-Id %s shows the seed", id)
		}
	}
}
