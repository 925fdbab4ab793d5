package mockproc

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestListenAddr(t *testing.T) {
	r, w := io.Pipe()
	found := ListenAddr(r)
	go func() {
		_, _ = io.WriteString(w, "starting\ncontextgpt-mock listening on http://127.0.0.1:4242 \nlistening on http://other\n"+strings.Repeat("more output\n", 1000))
		_ = w.Close()
	}()
	select {
	case got := <-found:
		if got != "http://127.0.0.1:4242" {
			t.Errorf("got %q, want http://127.0.0.1:4242", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no address within 10 s")
	}
}

func TestRepoRoot(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatalf("RepoRoot: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Errorf("%s holds no go.mod: %v", root, err)
	}
}
