// Command interop runs every scenario file through Redocly respect (the reference Arazzo
// runner) and through contextgpt-conformance against one mock, with the same runId and key,
// and fails when a workflow's verdict differs. It then times both runners on one workflow
// (wall time and peak memory, side by side). make interop installs a pinned @redocly/cli
// into a temporary folder, builds the binaries and runs it:
//
//	go run ./conformance/interop --redocly DIR/node_modules/.bin/redocly \
//	    --mock bin/contextgpt-mock --conformance bin/contextgpt-conformance scenarios/*.arazzo.yaml
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/contextgpt/sandbox/conformance"
	"github.com/contextgpt/sandbox/internal/mockproc"

	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/conformance/report"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "interop:", err)
		os.Exit(1)
	}
}

type options struct {
	redocly, mock, conformance string
	speedWorkflow              string
	speedRuns                  int
	maxWallRatio, maxMemRatio  float64
	files                      []string
	expected                   map[string]string // workflow id -> why its verdicts are known to differ
}

// parseOptions reads the command line.
func parseOptions(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("interop", flag.ContinueOnError)
	fs.StringVar(&o.redocly, "redocly", "", "the redocly command (@redocly/cli)")
	fs.StringVar(&o.mock, "mock", "bin/contextgpt-mock", "the contextgpt-mock binary")
	fs.StringVar(&o.conformance, "conformance", "bin/contextgpt-conformance", "the contextgpt-conformance binary")
	fs.StringVar(&o.speedWorkflow, "speed-workflow", "createAndConfigureChatbot", "the workflow both runners are timed on")
	fs.IntVar(&o.speedRuns, "speed-runs", 3, "timed runs of each runner (the median is printed)")
	fs.Float64Var(&o.maxWallRatio, "max-wall-ratio", 0, "fail when our wall time exceeds this fraction of respect's (0: report only)")
	fs.Float64Var(&o.maxMemRatio, "max-memory-ratio", 0, "fail when our peak memory exceeds this fraction of respect's (0: report only)")
	o.expected = map[string]string{}
	fs.Func("known-difference", "`workflowId=reason`: a difference that is known and explained (repeatable); reported, not failed", func(v string) error {
		id, why, ok := strings.Cut(v, "=")
		if !ok || id == "" || why == "" {
			return errors.New("expected workflowId=reason")
		}
		o.expected[id] = why
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.files = fs.Args()
	if o.redocly == "" || len(o.files) == 0 {
		return o, errors.New("usage: interop --redocly PATH [--mock PATH] [--conformance PATH] FILE…")
	}
	return o, nil
}

// run starts one mock and one sandbox, compares the verdicts of both runners file by file,
// then times them.
func run(args []string, out io.Writer) error {
	o, err := parseOptions(args)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "contextgpt-interop-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	base, stop, err := startMock(o.mock)
	if err != nil {
		return err
	}
	defer stop()
	origin := strings.TrimSuffix(base, "/api")
	key, err := sandboxKey(origin)
	if err != nil {
		return err
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	runID := "interop" + hex.EncodeToString(b)
	fmt.Fprintf(out, "mock %s, runId %s, one sandbox key for both runners\n\n", base, runID)
	fmt.Fprintf(out, "%-32s %-40s %-10s %-10s\n", "file", "workflow", "respect", "ours")

	differ := 0
	for _, file := range o.files {
		n, err := compareFile(o, file, base, origin, key, runID, tmp, out)
		if err != nil {
			return err
		}
		differ += n
	}
	fmt.Fprintln(out)
	if differ > 0 {
		fmt.Fprintf(out, "%d workflow verdicts differ between respect and contextgpt-conformance, or fail under both\n", differ)
	} else {
		fmt.Fprintf(out, "every workflow has the same verdict under respect and contextgpt-conformance (%d known differences, explained above)\n", len(o.expected))
	}

	speedErr := speed(o, base, origin, key, runID, tmp, out)
	if differ > 0 {
		return fmt.Errorf("%d verdicts differ", differ)
	}
	return speedErr
}

// compareFile runs one scenario file under both runners, prints each workflow's two
// verdicts (and both outputs' tails when they differ) and returns how many differ
// unexpectedly (a listed difference whose verdicts agree counts too: the list is stale).
func compareFile(o options, file, base, origin, key, runID, tmp string, out io.Writer) (int, error) {
	docs, err := arazzo.LoadPaths([]string{file})
	if err != nil {
		return 0, err
	}
	called := calledWorkflows(docs[0])
	settle()
	theirs, err := runRespect(o.redocly, file, base, origin, key, runID, called, filepath.Join(tmp, "respect.json"), nil)
	if err != nil {
		return 0, fmt.Errorf("%s: respect: %w", file, err)
	}
	settle()
	ours, err := runOurs(o.conformance, file, base, key, runID, filepath.Join(tmp, "ours.json"), nil)
	if err != nil {
		return 0, fmt.Errorf("%s: ours: %w", file, err)
	}
	ids := map[string]bool{}
	for id := range theirs.verdicts {
		ids[id] = true
	}
	for id := range ours.verdicts {
		ids[id] = true
	}
	sorted := make([]string, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	sort.Strings(sorted)
	differ, bothFailed := 0, false
	for _, id := range sorted {
		tv, ov := theirs.verdicts[id], ours.verdicts[id]
		mark := ""
		switch why, known := o.expected[id]; {
		case tv != ov && known:
			mark = "  known difference: " + why
		case tv != ov:
			mark = "  DIFFERENT"
			differ++
		case known:
			mark = "  (listed as a known difference, but the verdicts agree: drop it)"
			differ++
		case tv != "passed":
			// The same verdict, but the built-in suite must pass against the mock: a
			// workflow both runners fail is a broken scenario or spec (e.g. a schema one
			// runner's validator cannot read), not an agreement.
			mark = "  FAILED UNDER BOTH"
			differ++
			bothFailed = true
		}
		fmt.Fprintf(out, "%-32s %-40s %-10s %-10s%s\n", filepath.Base(file), id, orNone(tv), orNone(ov), mark)
	}
	if bothFailed || differs(theirs, ours, o.expected) {
		fmt.Fprintf(out, "--- respect on %s:\n%s\n--- contextgpt-conformance on %s:\n%s\n", file, tail(theirs.output), file, tail(ours.output))
	}
	return differ, nil
}

// differs reports a verdict that differs and is not a known difference.
func differs(a, b *result, known map[string]string) bool {
	for _, m := range []map[string]string{a.verdicts, b.verdicts} {
		for id := range m {
			if _, ok := known[id]; !ok && a.verdicts[id] != b.verdicts[id] {
				return true
			}
		}
	}
	return false
}

func orNone(s string) string {
	if s == "" {
		return "(not run)"
	}
	return s
}

// rateWindow is the mock's per-IP limit window (100 requests in any second, documented).
const rateWindow = time.Second

// settle waits out the per-IP window before a runner starts. Both runners reach the mock
// from the same loopback address and share its per-IP limit; ours runs a file in tens of
// milliseconds, so without the pause the next runner's first steps met 429s the previous
// one had left (respect retries none of them), and a verdict depended on the order.
func settle() { time.Sleep(rateWindow + 100*time.Millisecond) }

// calledWorkflows are the document's building blocks: workflows other workflows' steps run.
// This runner runs them through their callers only; respect is told to skip them on their own.
func calledWorkflows(d *arazzo.Document) []string {
	var out []string
	for _, w := range d.Workflows {
		for _, s := range w.Steps {
			if s.WorkflowID != "" && !slices.Contains(out, s.WorkflowID) {
				out = append(out, s.WorkflowID)
			}
		}
	}
	return out
}

// result is one runner's verdicts by workflow id, its wall time and peak memory.
type result struct {
	verdicts map[string]string
	wall     time.Duration
	maxRSS   int64 // bytes
	output   string
}

func runRespect(redocly, file, base, origin, key, runID string, skip []string, jsonPath string, only []string) (*result, error) {
	args := []string{"respect", file, "--input", "apiKey=" + key, "--input", "runId=" + runID,
		"--input", "mockUrl=" + origin, "-S", "contextgpt=" + base, "-S", "mock=" + origin, "-J", jsonPath}
	for _, s := range skip {
		args = append(args, "--skip", s)
	}
	for _, w := range only {
		args = append(args, "--workflow", w)
	}
	_ = os.Remove(jsonPath)
	res, output, err := timed(redocly, args, nil)
	res.output = output
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
		return nil, fmt.Errorf("%v:\n%s", err, tail(output))
	}
	data, rerr := os.ReadFile(jsonPath)
	if rerr != nil {
		return nil, fmt.Errorf("no JSON output (%v):\n%s", rerr, tail(output))
	}
	var doc struct {
		Files map[string]struct {
			ExecutedWorkflows []struct {
				WorkflowID string `json:"workflowId"`
				Status     string `json:"status"`
			} `json:"executedWorkflows"`
		} `json:"files"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	res.verdicts = map[string]string{}
	for _, f := range doc.Files {
		for _, w := range f.ExecutedWorkflows {
			v := "failed"
			if w.Status == "success" {
				v = "passed"
			}
			res.verdicts[w.WorkflowID] = v
		}
	}
	return res, nil
}

func runOurs(bin, file, base, key, runID, jsonPath string, only []string) (*result, error) {
	args := []string{"run", file, "--base-url", base, "--api-key", key, "--input", "runId=" + runID, "--json", jsonPath}
	for _, w := range only {
		args = append(args, "--workflow", w)
	}
	_ = os.Remove(jsonPath)
	res, output, err := timed(bin, args, []string{"NO_COLOR=1"})
	res.output = output
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != report.ExitFailed {
			return nil, fmt.Errorf("%v:\n%s", err, tail(output))
		}
	}
	data, rerr := os.ReadFile(jsonPath)
	if rerr != nil {
		return nil, fmt.Errorf("no JSON report (%v):\n%s", rerr, tail(output))
	}
	var rep report.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, err
	}
	res.verdicts = map[string]string{}
	for _, w := range rep.Workflows {
		res.verdicts[w.WorkflowID] = string(w.Status)
	}
	return res, nil
}

// timed runs a command and measures its wall time and peak resident memory (the largest of
// the process and the children it waited for).
func timed(name string, args, env []string) (*result, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	start := time.Now()
	err := cmd.Run()
	res := &result{wall: time.Since(start)}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			res.maxRSS = ru.Maxrss * 1024 // kilobytes on Linux
		}
	}
	return res, buf.String(), err
}

func tail(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	return strings.Join(lines, "\n")
}

// speed times both runners on one workflow, the median of a few runs each.
func speed(o options, base, origin, key, runID, tmp string, out io.Writer) error {
	var file string
	steps := 0
	for _, f := range o.files {
		docs, err := arazzo.LoadPaths([]string{f})
		if err != nil {
			return err
		}
		for _, w := range docs[0].Workflows {
			if w.WorkflowID == o.speedWorkflow {
				file, steps = f, len(w.Steps)
			}
		}
	}
	if file == "" {
		return fmt.Errorf("--speed-workflow %s is in none of the files", o.speedWorkflow)
	}
	var theirs, ours []*result
	for range o.speedRuns {
		settle()
		t, err := runRespect(o.redocly, file, base, origin, key, runID, nil, filepath.Join(tmp, "speed-respect.json"), []string{o.speedWorkflow})
		if err != nil {
			return err
		}
		settle()
		u, err := runOurs(o.conformance, file, base, key, runID, filepath.Join(tmp, "speed-ours.json"), []string{o.speedWorkflow})
		if err != nil {
			return err
		}
		theirs, ours = append(theirs, t), append(ours, u)
	}
	t, u := median(theirs), median(ours)
	fmt.Fprintf(out, "\nspeed on %s (%d steps, median of %d runs each, same mock and key):\n", o.speedWorkflow, steps, o.speedRuns)
	fmt.Fprintf(out, "  %-24s %10s %12s\n", "", "wall", "peak memory")
	fmt.Fprintf(out, "  %-24s %10s %9.1f MiB\n", "redocly respect", t.wall.Round(time.Millisecond), mib(t.maxRSS))
	fmt.Fprintf(out, "  %-24s %10s %9.1f MiB\n", "contextgpt-conformance", u.wall.Round(time.Millisecond), mib(u.maxRSS))
	wallRatio := float64(u.wall) / float64(t.wall)
	memRatio := float64(u.maxRSS) / float64(max(t.maxRSS, 1))
	fmt.Fprintf(out, "  ours / respect: wall %.2f, memory %.2f\n", wallRatio, memRatio)
	var errs []error
	if o.maxWallRatio > 0 && wallRatio > o.maxWallRatio {
		errs = append(errs, fmt.Errorf("wall time %.2f of respect's, above the %.2f target", wallRatio, o.maxWallRatio))
	}
	if o.maxMemRatio > 0 && memRatio > o.maxMemRatio {
		errs = append(errs, fmt.Errorf("peak memory %.2f of respect's, above the %.2f target", memRatio, o.maxMemRatio))
	}
	return errors.Join(errs...)
}

func median(rs []*result) *result {
	walls := make([]*result, len(rs))
	copy(walls, rs)
	sort.Slice(walls, func(i, j int) bool { return walls[i].wall < walls[j].wall })
	mems := make([]*result, len(rs))
	copy(mems, rs)
	sort.Slice(mems, func(i, j int) bool { return mems[i].maxRSS < mems[j].maxRSS })
	return &result{wall: walls[len(walls)/2].wall, maxRSS: mems[len(mems)/2].maxRSS}
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// startMock starts the mock on a free loopback port and returns its API base URL.
func startMock(bin string) (string, func(), error) {
	cmd := exec.Command(bin, "--addr", "127.0.0.1:0", "--quiet")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
	}
	found := mockproc.ListenAddr(stdout)
	select {
	case addr := <-found:
		return strings.TrimRight(addr, "/") + "/api", stop, nil
	case <-time.After(30 * time.Second):
		stop()
		return "", nil, fmt.Errorf("the mock printed no address in 30 s: %s", stderr.String())
	}
}

// sandboxKey asks the mock for a sandbox of the scale plan and returns its key.
func sandboxKey(origin string) (string, error) {
	cp := conformance.ControlPlane{Client: http.DefaultClient, Origin: origin, Red: &report.Redactor{}}
	sb, err := cp.CreateSandbox(context.Background(), "scale", "")
	if err != nil {
		return "", err
	}
	return sb.APIKey, nil
}
