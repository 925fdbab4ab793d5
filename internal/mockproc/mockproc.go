// Package mockproc holds what the tools and tests that run contextgpt-mock as a process
// share (the load test, the memory attacks, the interop run, the binaries' end-to-end test):
// finding the repository, building the binary, and reading the address it listens on.
package mockproc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// RepoRoot is the module root (where go.mod is) above the working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory: run from the repository")
		}
		dir = parent
	}
}

// Build builds ./cmd/contextgpt-mock of the module at root into dir and returns the
// binary's path; the compiler's output goes to stderr.
func Build(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "contextgpt-mock")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/contextgpt-mock")
	cmd.Dir, cmd.Stdout, cmd.Stderr = root, os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build: %w", err)
	}
	return bin, nil
}

// ListenAddr reads the mock's standard output and sends on the returned channel the address
// of its "listening on ADDR" line (e.g. http://127.0.0.1:41234); the rest of the output is
// read and dropped, so the mock never blocks on a full pipe. Nothing is sent when the output
// ends without that line.
func ListenAddr(stdout io.Reader) <-chan string {
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if _, after, ok := strings.Cut(sc.Text(), "listening on "); ok {
				found <- strings.TrimSpace(after)
				break
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	return found
}
