package mock

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Attack 8 (issue 10): Prefer: latency had no upper bound; fault rules neither.
func TestAttackPreferLatencyUnbounded(t *testing.T) {
	tm := newTestMock(t)
	res, body, err := tm.rawH("GET", "/api/v1/chatbots/my-chatbots", keyScale, map[string]string{"Prefer": "latency=11m"})
	if err != nil || res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "longer than 10m0s") {
		t.Fatalf("Prefer: latency=11m: %v %v %s", err, res, body)
	}
	r := tm.do("POST", "/__mock/faults", "", map[string]any{"action": map[string]any{"latency": "240h"}})
	if r.Status != http.StatusBadRequest || r.code() != "INVALID_FAULT" {
		t.Fatalf("fault latency 240h: %d %s", r.Status, r.Raw)
	}
	tm.do("POST", "/__mock/faults", "", map[string]any{"action": map[string]any{"latency": "10m"}}).must(t, http.StatusCreated)
}

// Attack 3 (issue 10): a kill -9 lost every write since start (the state file was written
// only at shutdown). The file follows the store within the save interval, without Close.
func TestAttackKillLosesAtMostTheSaveInterval(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	tm := newTestMock(t, func(c *Config) { c.StateFile = state; c.StateSaveInterval = 20 * time.Millisecond })
	for i := 0; i < 3; i++ {
		acc := tm.do("POST", "/__mock/sandboxes", "", map[string]any{"plan": "scale"}).must(t, http.StatusCreated).str("accountId")
		deadline := time.Now().Add(5 * time.Second)
		for {
			b, _ := os.ReadFile(state)
			if strings.Contains(string(b), acc) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("sandbox %d not in the state file within 5 s", i)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	// Idle: nothing changes, nothing is rewritten.
	st1, _ := os.Stat(state)
	time.Sleep(100 * time.Millisecond)
	if st2, _ := os.Stat(state); !st2.ModTime().Equal(st1.ModTime()) {
		t.Fatal("the state file is rewritten while nothing changes")
	}
}

// rawH sends a request with headers and no contract check (for answers outside the spec).
func (tm *testMock) rawH(method, path, key string, hdr map[string]string) (*http.Response, []byte, error) {
	req, err := http.NewRequest(method, tm.srv.URL+path, nil)
	if err != nil {
		return nil, nil, err
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := tm.srv.Client().Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res, b, err
}
