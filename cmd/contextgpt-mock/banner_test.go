package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while run writes to it.
type syncBuffer struct {
	mu  chan struct{}
	buf bytes.Buffer
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{mu: make(chan struct{}, 1)} }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.String()
}

// bannerOf starts the command with args and returns what it printed once it is listening.
func bannerOf(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := newSyncBuffer()
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), noEnv, out, io.Discard) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "control plane:") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	return out.String()
}

// Issue 12: with --spec of another document the banner shows that document's base path
// (from its first server URL), not ContextGPT's /api/v1, and lists no ContextGPT keys.
func TestBannerShowsTheServedDocumentsBasePath(t *testing.T) {
	doc := filepath.Join(t.TempDir(), "pets.yaml")
	const pets = `openapi: 3.0.3
info: {title: pets, version: "1"}
servers: [{url: "http://pets.example/v2"}]
paths:
  /pets:
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: array, items: {type: string}}, example: ["a"]}}}
`
	if err := os.WriteFile(doc, []byte(pets), 0o600); err != nil {
		t.Fatal(err)
	}
	other := bannerOf(t, "--spec", doc)
	if !strings.Contains(other, "/v2/...") || strings.Contains(other, "/api/v1") || strings.Contains(other, "sk_") {
		t.Fatalf("banner with --spec:\n%s", other)
	}
	own := bannerOf(t)
	if !strings.Contains(own, "/api/v1/...") || !strings.Contains(own, "sk_") {
		t.Fatalf("banner with the ContextGPT spec:\n%s", own)
	}
}
