package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/mock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const conventions = "../../conformance/arazzo/testdata/positive/conventions.arazzo.yaml"

func runMain(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, &stdout, &stderr)
	if err != nil && err.Error() != "" {
		fmt.Fprintln(&stderr, err)
	}
	return exitCode(err), stdout.String(), stderr.String()
}

func TestValidateConventionsExample(t *testing.T) {
	code, out, errOut := runMain(t, nil, "validate", conventions)
	require.Equal(t, report.ExitPassed, code, errOut)
	assert.Equal(t, "1 documents valid\n", out)
}

func TestValidateBuiltInSuiteAndPositiveCorpus(t *testing.T) {
	code, out, errOut := runMain(t, nil, "validate", "../../scenarios", "../../conformance/arazzo/testdata/positive")
	require.Equal(t, report.ExitPassed, code, errOut)
	assert.Contains(t, out, "documents valid")
}

// Every negative document of both corpora (the loader's and the runner's binding cases) is
// bad input: exit 2, and stderr says why.
func TestValidateNegativeCorporaExitTwo(t *testing.T) {
	var paths []string
	for _, dir := range []string{"../../conformance/arazzo/testdata/negative", "../../conformance/testdata/negative"} {
		found, err := filepath.Glob(filepath.Join(dir, "*.arazzo.yaml"))
		require.NoError(t, err)
		require.NotEmpty(t, found)
		paths = append(paths, found...)
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			want, err := os.ReadFile(strings.TrimSuffix(p, ".arazzo.yaml") + ".err")
			require.NoError(t, err)
			code, _, errOut := runMain(t, nil, "validate", p)
			assert.Equal(t, report.ExitBadInput, code)
			for _, line := range strings.Split(strings.TrimSpace(string(want)), "\n") {
				assert.Contains(t, errOut, line)
			}
		})
	}
}

func TestList(t *testing.T) {
	code, out, _ := runMain(t, nil, "list")
	require.Equal(t, report.ExitPassed, code)
	for _, id := range []string{"createAndConfigureChatbot", "sendingMessages", "managingConversations", "unauthenticated", "trialPlanRefused"} {
		assert.Contains(t, out, id+"\t")
	}
	assert.Contains(t, out, "[x-requires-mock]")
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"nope"}, {"validate"}, {"run", "--nope"}, {"run"},
		{"run", "--base-url", "http://127.0.0.1:1/api", "--min-coverage", "lots"},
		{"run", "--base-url", "http://127.0.0.1:1/api", "--spec", "/does/not/exist.yaml"},
		{"run", "--base-url", "http://127.0.0.1:1/api", "--input", "novalue"},
		{"run", "--base-url", "http://127.0.0.1:1/api", "../../conformance/arazzo/testdata/negative/duplicate-step-id.arazzo.yaml"}} {
		code, _, _ := runMain(t, nil, args...)
		assert.Equal(t, report.ExitBadInput, code, "%v", args)
	}
}

// Bad input wins over an unreachable target: the port is closed, yet the exit is 2.
func TestBadInputBeforeUnreachable(t *testing.T) {
	code, _, errOut := runMain(t, nil, "run", "--base-url", "http://127.0.0.1:1/api", "--workflow", "nope")
	assert.Equal(t, report.ExitBadInput, code)
	assert.Contains(t, errOut, `--workflow "nope"`)
	code, _, _ = runMain(t, nil, "run", "--base-url", "http://127.0.0.1:1/api", "--api-key", "k-12345678")
	assert.Equal(t, report.ExitUnreachable, code)
}

// In-process: the command against the in-process mock, flags from the environment.
func TestRunAgainstInProcessMock(t *testing.T) {
	m, err := mock.New(mock.DefaultConfig())
	require.NoError(t, err)
	srv := httptest.NewServer(m)
	defer srv.Close()
	dir := t.TempDir()
	env := map[string]string{"CONTEXTGPT_BASE_URL": srv.URL + "/api/v1", "CONTEXTGPT_API_KEY": "sk_test_scale_super_admin",
		"CONTEXTGPT_JSON": filepath.Join(dir, "r.json"), "CONTEXTGPT_REPORT_HTML": filepath.Join(dir, "r.html"), "NO_COLOR": "1"}
	code, out, errOut := runMain(t, env, "run", "--workflow", "unauthenticated", "--min-coverage", "1%")
	require.Equal(t, report.ExitPassed, code, out+errOut)
	assert.NotContains(t, out, "sk_test_scale_super_admin")
	assert.NotContains(t, out, "\x1b[", "NO_COLOR")
	var rep report.Report
	data, err := os.ReadFile(env["CONTEXTGPT_JSON"])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &rep))
	assert.Equal(t, 1, rep.Summary.Workflows)
	assert.Equal(t, srv.URL+"/api", rep.Target, "a trailing /v1 is tolerated")
	page, err := os.ReadFile(env["CONTEXTGPT_REPORT_HTML"])
	require.NoError(t, err)
	assert.Contains(t, string(page), `<p class="verdict passed" role="status">PASSED</p>`)
	assert.Contains(t, string(page), "unauthenticated")
	assert.NotContains(t, string(page), "sk_test_scale_super_admin")

	code, out, _ = runMain(t, env, "run", "--workflow", "unauthenticated", "--min-coverage", "90")
	assert.Equal(t, report.ExitFailed, code, "coverage below --min-coverage fails the run")
	assert.Contains(t, out, "below --min-coverage")
}

// TestBinariesRunSuite builds both commands, starts contextgpt-mock on a free loopback port
// and runs the built-in suite through contextgpt-conformance: make test runs the suite
// against the mock through the real binaries.
func TestBinariesRunSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries and runs the whole suite")
	}
	dir := t.TempDir()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command on PATH: %v", err)
	}
	mockBin, confBin := filepath.Join(dir, "contextgpt-mock"), filepath.Join(dir, "contextgpt-conformance")
	for bin, pkg := range map[string]string{mockBin: "../contextgpt-mock", confBin: "."} {
		out, err := exec.Command(goBin, "build", "-o", bin, pkg).CombinedOutput()
		require.NoError(t, err, "go build %s: %s", pkg, out)
	}

	mockCmd := exec.Command(mockBin, "--addr", "127.0.0.1:0", "--quiet")
	stdout, err := mockCmd.StdoutPipe()
	require.NoError(t, err)
	var mockErr bytes.Buffer
	mockCmd.Stderr = &mockErr
	require.NoError(t, mockCmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- mockCmd.Wait() }()
	t.Cleanup(func() {
		_ = mockCmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			assert.NoError(t, err, "the mock stops cleanly on SIGTERM; stderr: %s", mockErr.String())
		case <-time.After(15 * time.Second):
			_ = mockCmd.Process.Kill()
			t.Error("the mock did not stop within 15 s of SIGTERM")
		}
	})
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
	var base string
	select {
	case base = <-found:
	case err := <-exited:
		t.Fatalf("the mock exited before listening: %v; stderr: %s", err, mockErr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("the mock did not print its address within 30 s")
	}
	require.True(t, strings.HasPrefix(base, "http://127.0.0.1:"), "loopback only: %s", base)

	for _, tc := range []struct{ name, key string }{{"sandbox", ""}, {"key", "sk_test_scale_super_admin"}, {"key again", "sk_test_scale_super_admin"}} {
		t.Run(tc.name, func(t *testing.T) {
			junit, js := filepath.Join(dir, "junit.xml"), filepath.Join(dir, "report.json")
			args := []string{"run", "--base-url", base + "/api", "--junit", junit, "--json", js, "--no-color"}
			if tc.key != "" {
				args = append(args, "--api-key", tc.key)
			}
			cmd := exec.Command(confBin, args...)
			cmd.Env = append(os.Environ(), "CONTEXTGPT_API_KEY=", "CONTEXTGPT_BASE_URL=")
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			var exitErr *exec.ExitError
			if errors.As(err, &exitErr) {
				t.Fatalf("contextgpt-conformance exited %d (a \"status-declared\" finding on a 501 is a mock handler still missing):\n%s",
					exitErr.ExitCode(), out.String())
			}
			require.NoError(t, err)

			var suites struct {
				Tests    int `xml:"tests,attr"`
				Failures int `xml:"failures,attr"`
				Suites   []struct {
					Name string `xml:"name,attr"`
				} `xml:"testsuite"`
			}
			data, err := os.ReadFile(junit)
			require.NoError(t, err)
			require.NoError(t, xml.Unmarshal(data, &suites))
			assert.Zero(t, suites.Failures)
			assert.Greater(t, suites.Tests, 20)
			assert.Len(t, suites.Suites, 18)

			var rep report.Report
			data2, err := os.ReadFile(js)
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(data2, &rep))
			assert.Equal(t, report.ExitPassed, rep.ExitCode)
			assert.True(t, rep.Mock)
			assert.Equal(t, 18, rep.Summary.WorkflowsPassed)
			for name, s := range map[string]string{"console": out.String(), "junit": string(data), "json": string(data2)} {
				assert.NotContains(t, s, "sk_test_scale_super_admin", name)
				assert.NotRegexp(t, `sk_[0-9a-f]{16}`, s, "%s: a sandbox key (sk_ and 64 hex digits)", name)
			}
		})
	}
}
