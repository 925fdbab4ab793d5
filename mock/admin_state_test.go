package mock

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// getState reads the state document's bytes.
func (tm *testMock) getState(t testing.TB) []byte {
	t.Helper()
	return tm.do("GET", "/__mock/state", "", nil).must(t, 200).Raw
}

func TestStateRoundTrip(t *testing.T) {
	tm := newTestMock(t)
	sb := tm.do("POST", "/__mock/sandboxes", "", map[string]any{"plan": "growth"}).must(t, 201)
	bot := tm.do("POST", "/api/v1/chatbots/account/"+sb.str("accountId")+"/create-chatbot", sb.str("apiKey"),
		map[string]any{"name": "Exported", "description": "d"}).must(t, 201).str("data.chatbotId")
	tm.do("POST", "/api/v1/chatting/"+bot+"/threads", sb.str("apiKey"), map[string]any{"title": "kept"}).must(t, 201)
	before := tm.getState(t)

	tm.do("POST", "/__mock/reset", "", nil).must(t, 200)
	if bytes.Equal(tm.getState(t), before) {
		t.Fatal("reset left the state as it was")
	}
	tm.do("GET", "/api/v1/chatbots/my-chatbots", sb.str("apiKey"), nil).must(t, 401)
	imp := tm.do("PUT", "/__mock/state", "", before).must(t, 200)
	if imp.str("status") != "imported" || imp.num("counts.threads") < 1 {
		t.Fatalf("got %s", imp.Raw)
	}
	if after := tm.getState(t); !bytes.Equal(after, before) {
		t.Fatalf("export → reset → import → export differs:\n%s\n%s", before, after)
	}
	// The imported key works, and ids made after the import never collide.
	tm.do("GET", "/api/v1/chatbots/my-chatbots", sb.str("apiKey"), nil).must(t, 200)
	sb2 := tm.do("POST", "/__mock/sandboxes", "", map[string]any{"plan": "scale"}).must(t, 201)
	if strings.Contains(string(before), sb2.str("accountId")) || strings.Contains(string(before), sb2.str("userId")) {
		t.Fatalf("new ids %s/%s collide with imported ones", sb2.str("accountId"), sb2.str("userId"))
	}
}

func TestStateRoundTripAfterConcurrentWrites(t *testing.T) {
	tm := newControlMock(t, func(c *Config) { c.Limits = nil }, nil)
	var wg sync.WaitGroup
	snapshots := make(chan []byte, 64)
	for w := range 6 {
		wg.Go(func() {
			sb := tm.do("POST", "/__mock/sandboxes", "", map[string]any{"plan": "enterprise"}).must(t, 201)
			key, acc := sb.str("apiKey"), sb.str("accountId")
			for i := range 5 {
				bot := tm.do("POST", "/api/v1/chatbots/account/"+acc+"/create-chatbot", key,
					map[string]any{"name": fmt.Sprintf("w%d-%d", w, i), "description": "d"}).str("data.chatbotId")
				tm.do("POST", "/api/v1/chatting/"+bot+"/threads", key, map[string]any{"title": "t"})
				snapshots <- tm.getState(t) // exports while others write
			}
		})
	}
	wg.Wait()
	close(snapshots)
	final := tm.getState(t)
	// Each snapshot taken mid-writes is consistent: it imports and exports identically.
	other := newControlMock(t, func(c *Config) { c.Limits = nil }, nil)
	n := 0
	for snap := range snapshots {
		if n%10 == 0 {
			other.do("PUT", "/__mock/state", "", snap).must(t, 200)
			if got := other.getState(t); !bytes.Equal(got, snap) {
				t.Fatalf("snapshot %d does not round-trip", n)
			}
		}
		n++
	}
	tm.do("POST", "/__mock/reset", "", nil).must(t, 200)
	tm.do("PUT", "/__mock/state", "", final).must(t, 200)
	if got := tm.getState(t); !bytes.Equal(got, final) {
		t.Fatal("export → reset → import after concurrent writes differs")
	}
}

func TestStateImportRefusesBadDocuments(t *testing.T) {
	tm := newTestMock(t)
	before := tm.getState(t)
	good := string(before)
	cases := map[string]string{
		"version":           strings.Replace(good, `"version":1`, `"version":9`, 1),
		"dangling account":  strings.Replace(good, `"accountId":"`+accScale+`","accountName"`, `"accountId":"999","accountName"`, 1),
		"duplicate account": strings.Replace(good, `"accounts":[`, `"accounts":[{"accountId":"`+accScale+`","plan":"scale"},`, 1),
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			if doc == good {
				t.Fatal("the test document was not changed")
			}
			r := tm.do("PUT", "/__mock/state", "", doc).must(t, 400)
			if r.str("error.code") != "INVALID_STATE" {
				t.Fatalf("got %s; want INVALID_STATE", r.Raw)
			}
		})
	}
	if !bytes.Equal(tm.getState(t), before) {
		t.Fatal("a refused import changed the state")
	}
}

func TestStateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	first := newControlMock(t, func(c *Config) { c.StateFile = path }, nil)
	sb := first.do("POST", "/__mock/sandboxes", "", map[string]any{"plan": "scale"}).must(t, 201)
	want := first.getState(t)
	if err := first.m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	saved, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(saved, want) {
		t.Fatalf("saved state: %v; equal %v", err, bytes.Equal(saved, want))
	}
	if matches, _ := filepath.Glob(path + ".tmp-*"); len(matches) != 0 {
		t.Fatalf("temporary files left: %v", matches)
	}
	second := newControlMock(t, func(c *Config) { c.StateFile = path }, nil)
	second.do("GET", "/api/v1/chatbots/my-chatbots", sb.str("apiKey"), nil).must(t, 200)
	if !bytes.Equal(second.getState(t), want) {
		t.Fatal("the state file did not load as saved")
	}
	if err := os.WriteFile(path, []byte(`{"version":1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.StateFile = path
	if _, err := New(cfg); err == nil {
		t.Fatal("a bad state file was accepted")
	}
}
