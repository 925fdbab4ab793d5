package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/internal/mockproc"

	"github.com/contextgpt/sandbox/internal/mocktest"

	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/mock"
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

// mustContain fails the test (and goes on) for each of wants that s, named what, lacks.
func mustContain(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s = %q, want it to contain %q", what, s, w)
		}
	}
}

func TestValidateConventionsExample(t *testing.T) {
	code, out, errOut := runMain(t, nil, "validate", conventions)
	if code != report.ExitPassed {
		t.Fatalf("%v: got %v, want %v", errOut, code, report.ExitPassed)
	}
	if out != "1 documents valid\n" {
		t.Errorf("out = %q, want %q", out, "1 documents valid\n")
	}
}

func TestValidateBuiltInSuiteAndPositiveCorpus(t *testing.T) {
	code, out, errOut := runMain(t, nil, "validate", "../../scenarios", "../../conformance/arazzo/testdata/positive")
	if code != report.ExitPassed {
		t.Fatalf("%v: got %v, want %v", errOut, code, report.ExitPassed)
	}
	if !strings.Contains(out, "documents valid") {
		t.Errorf("out = %q, want it to contain %q", out, "documents valid")
	}
}

// Every negative document of both corpora (the loader's and the runner's binding cases) is
// bad input: exit 2, and stderr says why.
func TestValidateNegativeCorporaExitTwo(t *testing.T) {
	var paths []string
	for _, dir := range []string{"../../conformance/arazzo/testdata/negative", "../../conformance/testdata/negative"} {
		found, err := filepath.Glob(filepath.Join(dir, "*.arazzo.yaml"))
		if err != nil {
			t.Fatalf("filepath.Glob: %v", err)
		}
		if len(found) == 0 {
			t.Fatalf("found is empty")
		}
		paths = append(paths, found...)
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			want, err := os.ReadFile(strings.TrimSuffix(p, ".arazzo.yaml") + ".err")
			if err != nil {
				t.Fatalf("os.ReadFile: %v", err)
			}
			code, _, errOut := runMain(t, nil, "validate", p)
			if code != report.ExitBadInput {
				t.Errorf("code = %v, want %v", code, report.ExitBadInput)
			}
			for _, line := range strings.Split(strings.TrimSpace(string(want)), "\n") {
				if !strings.Contains(errOut, line) {
					t.Errorf("errOut = %q, want it to contain %q", errOut, line)
				}
			}
		})
	}
}

func TestList(t *testing.T) {
	code, out, _ := runMain(t, nil, "list")
	if code != report.ExitPassed {
		t.Fatalf("code = %v, want %v", code, report.ExitPassed)
	}
	for _, id := range []string{"createAndConfigureChatbot", "sendingMessages", "managingConversations", "unauthenticated", "trialPlanRefused"} {
		if !strings.Contains(out, id+"\t") {
			t.Errorf("out = %q, want it to contain %q", out, id+"\t")
		}
	}
	if !strings.Contains(out, "[x-requires-mock]") {
		t.Errorf("out = %q, want it to contain %q", out, "[x-requires-mock]")
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"nope"}, {"validate"}, {"run", "--nope"}, {"run"},
		{"run", "--base-url", "http://127.0.0.1:1/api", "--min-coverage", "lots"},
		{"run", "--base-url", "http://127.0.0.1:1/api", "--spec", "/does/not/exist.yaml"},
		{"run", "--base-url", "http://127.0.0.1:1/api", "--input", "novalue"},
		{"run", "--base-url", "http://127.0.0.1:1/api", "../../conformance/arazzo/testdata/negative/duplicate-step-id.arazzo.yaml"}} {
		code, _, _ := runMain(t, nil, args...)
		if code != report.ExitBadInput {
			t.Errorf("%v: got %v, want %v", args, code, report.ExitBadInput)
		}
	}
}

// Bad input wins over an unreachable target: the port is closed, yet the exit is 2.
func TestBadInputBeforeUnreachable(t *testing.T) {
	code, _, errOut := runMain(t, nil, "run", "--base-url", "http://127.0.0.1:1/api", "--workflow", "nope")
	if code != report.ExitBadInput {
		t.Errorf("code = %v, want %v", code, report.ExitBadInput)
	}
	if !strings.Contains(errOut, `--workflow "nope"`) {
		t.Errorf("errOut = %q, want it to contain %q", errOut, `--workflow "nope"`)
	}
	code, _, _ = runMain(t, nil, "run", "--base-url", "http://127.0.0.1:1/api", "--api-key", "k-12345678")
	if code != report.ExitUnreachable {
		t.Errorf("code = %v, want %v", code, report.ExitUnreachable)
	}
}

// In-process: the command against the in-process mock, flags from the environment.
func TestRunAgainstInProcessMock(t *testing.T) {
	srv := mocktest.Start(t, mock.DefaultConfig())
	dir := t.TempDir()
	env := map[string]string{"CONTEXTGPT_BASE_URL": srv.URL + "/api/v1", "CONTEXTGPT_API_KEY": "sk_test_scale_super_admin",
		"CONTEXTGPT_JSON": filepath.Join(dir, "r.json"), "CONTEXTGPT_REPORT_HTML": filepath.Join(dir, "r.html"), "NO_COLOR": "1"}
	code, out, errOut := runMain(t, env, "run", "--workflow", "unauthenticated", "--min-coverage", "1%")
	if code != report.ExitPassed {
		t.Fatalf("%v: got %v, want %v", out+errOut, code, report.ExitPassed)
	}
	if strings.Contains(out, "sk_test_scale_super_admin") {
		t.Errorf("out = %q, want no %q", out, "sk_test_scale_super_admin")
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("NO_COLOR: got %q, want no %q", out, "\x1b[")
	}
	var rep report.Report
	data, err := os.ReadFile(env["CONTEXTGPT_JSON"])
	if err != nil {
		t.Fatalf("os.ReadFile: %v", err)
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("json.Unmarshal: %v", err)
	}
	if rep.Summary.Workflows != 1 {
		t.Errorf("rep.Summary.Workflows = %v, want %v", rep.Summary.Workflows, 1)
	}
	if want := srv.URL + "/api"; rep.Target != want {
		t.Errorf("a trailing /v1 is tolerated: got %q, want %q", rep.Target, want)
	}
	page, err := os.ReadFile(env["CONTEXTGPT_REPORT_HTML"])
	if err != nil {
		t.Fatalf("os.ReadFile: %v", err)
	}
	if got := string(page); !strings.Contains(got, `<p class="verdict passed" role="status">PASSED</p>`) {
		t.Errorf("string(page) = %q, want it to contain %q", got, `<p class="verdict passed" role="status">PASSED</p>`)
	}
	if got := string(page); !strings.Contains(got, "unauthenticated") {
		t.Errorf("string(page) = %q, want it to contain %q", got, "unauthenticated")
	}
	if got := string(page); strings.Contains(got, "sk_test_scale_super_admin") {
		t.Errorf("string(page) = %q, want no %q", got, "sk_test_scale_super_admin")
	}

	code, out, _ = runMain(t, env, "run", "--workflow", "unauthenticated", "--min-coverage", "90")
	if code != report.ExitFailed {
		t.Errorf("coverage below --min-coverage fails the run: got %v, want %v", code, report.ExitFailed)
	}
	if !strings.Contains(out, "below --min-coverage") {
		t.Errorf("out = %q, want it to contain %q", out, "below --min-coverage")
	}
}

// TestBinariesRunSuite builds both commands, starts contextgpt-mock on a free loopback port
// and runs the built-in suite through contextgpt-conformance: make test runs the suite
// against the mock through the real binaries. Long on purpose: one end-to-end session (build,
// start, run, reports, shutdown) read top to bottom.
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
		if err != nil {
			t.Fatalf("go build %s: %s: %v", pkg, out, err)
		}
	}

	mockCmd := exec.Command(mockBin, "--addr", "127.0.0.1:0", "--quiet")
	stdout, err := mockCmd.StdoutPipe()
	if err != nil {
		t.Fatalf("mockCmd.StdoutPipe: %v", err)
	}
	var mockErr bytes.Buffer
	mockCmd.Stderr = &mockErr
	if err := mockCmd.Start(); err != nil {
		t.Fatalf("mockCmd.Start: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- mockCmd.Wait() }()
	t.Cleanup(func() {
		_ = mockCmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("the mock stops cleanly on SIGTERM; stderr: %s: %v", mockErr.String(), err)
			}
		case <-time.After(15 * time.Second):
			_ = mockCmd.Process.Kill()
			t.Error("the mock did not stop within 15 s of SIGTERM")
		}
	})
	found := mockproc.ListenAddr(stdout)
	var base string
	select {
	case base = <-found:
	case err := <-exited:
		t.Fatalf("the mock exited before listening: %v; stderr: %s", err, mockErr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("the mock did not print its address within 30 s")
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("loopback only: %s", base)
	}

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
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}

			var suites struct {
				Tests    int `xml:"tests,attr"`
				Failures int `xml:"failures,attr"`
				Suites   []struct {
					Name string `xml:"name,attr"`
				} `xml:"testsuite"`
			}
			data, err := os.ReadFile(junit)
			if err != nil {
				t.Fatalf("os.ReadFile: %v", err)
			}
			if err := xml.Unmarshal(data, &suites); err != nil {
				t.Fatalf("xml.Unmarshal: %v", err)
			}
			if suites.Failures != 0 {
				t.Errorf("suites.Failures = %v, want the zero value", suites.Failures)
			}
			if suites.Tests <= 20 {
				t.Errorf("suites.Tests = %v, want > %v", suites.Tests, 20)
			}
			if got := len(suites.Suites); got != 18 {
				t.Errorf("len(suites.Suites) = %d, want %d: %+v", got, 18, suites.Suites)
			}

			var rep report.Report
			data2, err := os.ReadFile(js)
			if err != nil {
				t.Fatalf("os.ReadFile: %v", err)
			}
			if err := json.Unmarshal(data2, &rep); err != nil {
				t.Fatalf("json.Unmarshal: %v", err)
			}
			if rep.ExitCode != report.ExitPassed {
				t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitPassed)
			}
			if !rep.Mock {
				t.Errorf("want rep.Mock to be true")
			}
			if rep.Summary.WorkflowsPassed != 18 {
				t.Errorf("rep.Summary.WorkflowsPassed = %v, want %v", rep.Summary.WorkflowsPassed, 18)
			}
			for name, s := range map[string]string{"console": out.String(), "junit": string(data), "json": string(data2)} {
				if strings.Contains(s, "sk_test_scale_super_admin") {
					t.Errorf("%v: got %q, want no %q", name, s, "sk_test_scale_super_admin")
				}
				if regexp.MustCompile(`sk_[0-9a-f]{16}`).MatchString(s) {
					t.Errorf("%s: a sandbox key (sk_ and 64 hex digits): got = %q, want no match for %s", name, s, `sk_[0-9a-f]{16}`)
				}
			}
		})
	}
}
