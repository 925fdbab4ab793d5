// Command memattack is `make memattack` (and part of `make loadtest`): it builds the mock,
// starts it on 127.0.0.1 with a memory ceiling (--max-memory, default 512MiB here) and the
// default store caps, runs the full-size memory attacks of issue 10 against it, and prints
// the mock's peak resident memory (VmHWM, Linux /proc) against the stated figure: the
// ceiling plus an allowance for transient memory (README "Limits and safety"). It exits 1
// when the peak passes the figure, when the mock answers a 5xx or dies, or when the
// ceiling never refused a write; 2 when it cannot run or measure.
//
// The attacks, each bounded in count and time (concurrency --workers):
//
//	paths      500 requests with 1 MB paths (net/http's 431, in the envelope)
//	journal    10,000 requests with 7 KiB paths fill the journal, then 200 reads of
//	           GET /__mock/requests?limit=1000
//	sink       2,000 webhook-sink records of 256 KiB over 1,000 sink names
//	sandboxes  sandboxes until the accounts cap (403 STORE_LIMIT_REACHED)
//	threads    thread creates until a cap: threads per account, or the memory ceiling
//	bulk       chatbots with instruction sets of ~900 KiB until the memory ceiling
//	after      reads still answer over the ceiling; POST /__mock/reset makes room and
//	           writes resume
//
// Only loopback; rate limits are lifted through a limits file (the attacks would
// otherwise measure the rate limiter), the store caps stay at their defaults.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/contextgpt/sandbox/internal/mockproc"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	code, err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "memattack:", err)
	}
	os.Exit(code)
}

type options struct {
	mockBin   string
	maxMemory string
	allowance uint64
	workers   int
	scale     float64
	timeout   time.Duration
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("memattack", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.mockBin, "mock", "", "the mock binary (default: go build ./cmd/contextgpt-mock into a temporary folder)")
	fs.StringVar(&o.maxMemory, "max-memory", "512MiB", "the mock's --max-memory for the run")
	allowance := fs.Uint64("allowance-mib", 256, "MiB above the ceiling the peak RSS may reach (transient memory)")
	fs.IntVar(&o.workers, "workers", 16, "concurrent connections")
	fs.Float64Var(&o.scale, "scale", 1, "multiplies every attack's count (0.01 for a quick look)")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "the whole run's bound")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 || o.workers < 1 || o.scale <= 0 || o.scale > 1 {
		return o, fmt.Errorf("usage: memattack [--mock BIN] [--max-memory SIZE] [--allowance-mib N] [--workers N] [--scale (0,1]] [--timeout D]")
	}
	o.allowance = *allowance << 20
	return o, nil
}

func run(ctx context.Context, args []string, out, stderr io.Writer) (int, error) {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0, nil
	}
	if err != nil {
		return 2, err
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	ceiling, err := parseSize(o.maxMemory)
	if err != nil {
		return 2, err
	}
	tmp, err := os.MkdirTemp("", "contextgpt-memattack-")
	if err != nil {
		return 2, err
	}
	defer os.RemoveAll(tmp)
	if o.mockBin == "" {
		if o.mockBin, err = buildMock(ctx, tmp, out); err != nil {
			return 2, err
		}
	}
	limitsFile := filepath.Join(tmp, "limits.yaml")
	if err := os.WriteFile(limitsFile, []byte(attackLimits), 0o600); err != nil {
		return 2, err
	}
	m, err := startMock(ctx, o.mockBin, "--max-memory", o.maxMemory, "--limits", limitsFile)
	if err != nil {
		return 2, err
	}
	defer m.stop()
	if _, err := m.status(); err != nil {
		return 2, fmt.Errorf("the peak resident memory cannot be read on this system: %w", err)
	}
	a := &attack{base: m.base, workers: o.workers, scale: o.scale, mon: m, out: out}
	results := a.all(ctx)
	st, err := m.status()
	if err != nil {
		return 1, fmt.Errorf("the mock is gone: %w", err)
	}
	st.runtimePeak, _ = a.runtimePeak(ctx) // 0 when the health answer lacks it
	return report(out, results, st, ceiling, o.allowance, m.exited()), nil
}

// attackLimits lifts the rate limits and the plans' quotas; the store caps keep their
// defaults (they are part of what is attacked).
const attackLimits = `perIP: {requests: -1}
perUser: {requests: -1}
uploadConcurrency: -1
plans:
  enterprise: {chatbots: -1, messagesPerMinute: -1, aiRepliesPerMinute: -1, messagesPerMonth: -1}
  scale: {chatbots: -1, messagesPerMinute: -1, aiRepliesPerMinute: -1, messagesPerMonth: -1}
`

func buildMock(ctx context.Context, dir string, out io.Writer) (string, error) {
	root, err := mockproc.RepoRoot()
	if err != nil {
		return "", err
	}
	fmt.Fprintln(out, "memattack: building the mock…")
	return mockproc.Build(ctx, root, dir)
}

// mockProcess is the started mock.
type mockProcess struct {
	cmd  *exec.Cmd
	base string
	done chan struct{}
}

func startMock(ctx context.Context, bin string, args ...string) (*mockProcess, error) {
	argv := append([]string{"--addr", "127.0.0.1:0", "--quiet", "--log-level", "error"}, args...)
	cmd := exec.CommandContext(ctx, bin, argv...)
	var env []string
	for _, kv := range os.Environ() { // the mock sets its own soft limit below the ceiling
		if !strings.HasPrefix(kv, "GOMEMLIMIT=") && !strings.HasPrefix(kv, "CONTEXTGPT_MOCK_") {
			env = append(env, kv)
		}
	}
	cmd.Env, cmd.Stderr = env, os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	m := &mockProcess{cmd: cmd, done: make(chan struct{})}
	found := mockproc.ListenAddr(stdout)
	go func() { _ = cmd.Wait(); close(m.done) }()
	select {
	case m.base = <-found:
		return m, nil
	case <-m.done:
		return nil, errors.New("the mock exited before listening")
	case <-time.After(30 * time.Second):
		m.stop()
		return nil, errors.New("the mock did not listen within 30 s")
	}
}

func (m *mockProcess) exited() bool {
	select {
	case <-m.done:
		return true
	default:
		return false
	}
}

func (m *mockProcess) stop() {
	if m.exited() {
		return
	}
	_ = m.cmd.Process.Signal(os.Interrupt)
	select {
	case <-m.done:
	case <-time.After(15 * time.Second):
		_ = m.cmd.Process.Kill()
		<-m.done
	}
}
