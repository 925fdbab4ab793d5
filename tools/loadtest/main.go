// Command loadtest is `make loadtest`: it builds and starts the mock (rate limits off, caps lifted), a bare
// net/http server that writes the mock's bytes, and Prism 5 mocking the same spec, all on
// 127.0.0.1, and drives each with the same load (a closed loop of N connections, the
// servers taken in turn over several rounds) for four rows: GET a page of threads, POST a
// thread, and both again with 100,000 threads in the mock's store. It prints req/s, p50,
// p99 and RSS per server and row (medians over the rounds), start-up times, the ratios
// mock/bare and mock/Prism, and exits 1 when a gate is missed:
//
//	mock/Prism ≥ 10× on every row, mock p99 < 5 ms on every row, mock start < 200 ms,
//	mock idle RSS < 50 MB.
//
// mock/bare is reported against its stretch target (≥ 0.5×) and does not gate.
//
// The load generator is Go's net/http client in this process, not wrk: it needs no
// install, keeps every latency so p50 and p99 are exact, and bounds each run by time and
// count. It costs more CPU per request than wrk, which caps the bare server's figure on a
// small machine (making mock/bare look better than wrk would) and matters little for the
// mock/Prism ratio.
//
// Everything it starts is stopped before it exits; Prism is installed with npm into a
// temporary folder (kept between runs under the user cache directory), never into the repo.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Gates.
const (
	gatePrismRatio = 10.0
	gateP99        = 5 * time.Millisecond
	gateStart      = 200 * time.Millisecond
	gateIdleRSS    = 50 << 20
	stretchBare    = 0.5
)

type options struct {
	rounds    int
	duration  time.Duration
	warmup    time.Duration
	conns     int
	threads   int
	prism     string
	npmDir    string
	noPrism   bool
	maxPerRun int
	mockEnv   envList
	rows      string
}

// envList is a repeatable KEY=VALUE flag.
type envList []string

func (e *envList) String() string { return strings.Join(*e, ",") }
func (e *envList) Set(v string) error {
	if !strings.Contains(v, "=") {
		return fmt.Errorf("%q is not KEY=VALUE", v)
	}
	*e = append(*e, v)
	return nil
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "bare" {
		if err := runBare(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest bare:", err)
			os.Exit(2)
		}
		return
	}
	var o options
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.IntVar(&o.rounds, "rounds", 3, "rounds per row (servers alternate within each)")
	fs.DurationVar(&o.duration, "duration", 4*time.Second, "measured time per server per round")
	fs.DurationVar(&o.warmup, "warmup", 500*time.Millisecond, "unmeasured load before each measured run")
	fs.IntVar(&o.conns, "conns", 32, "concurrent connections")
	fs.IntVar(&o.threads, "threads", 100000, "threads put into the mock's store for the last two rows")
	fs.StringVar(&o.prism, "prism", "", "prism executable (default: npm-install @stoplight/prism-cli@5 into -npm-dir)")
	fs.StringVar(&o.npmDir, "npm-dir", "", "folder for the npm install (default: <user cache>/contextgpt-loadtest-npm)")
	fs.BoolVar(&o.noPrism, "no-prism", false, "skip Prism (no mock/Prism ratio: the gate counts as missed)")
	fs.IntVar(&o.maxPerRun, "max-requests", 2_000_000, "stop a run after this many requests (bounds memory)")
	fs.Var(&o.mockEnv, "mock-env", "KEY=VALUE added to the mock's environment (repeatable; e.g. GOGC=200 to try a GC setting)")
	fs.StringVar(&o.rows, "rows", "1234", "which rows to run: 1 GET, 2 POST, 3 GET and 4 POST with -threads stored")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if o.rounds < 1 || o.conns < 1 || o.duration <= 0 || o.threads < 0 {
		fmt.Fprintln(os.Stderr, "loadtest: -rounds, -conns and -duration must be positive")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ok, err := run(ctx, o, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

// target is what a row sends: method, path after the prefix, body, and the status wanted.
type target struct {
	method string
	path   string
	body   []byte
	want   int
}

// row is one line of the table.
type row struct {
	name    string
	target  target
	results map[string][]runResult // per server, one per round
}

type runResult struct {
	reqs     int
	errs     int
	rps      float64
	p50, p99 time.Duration
	rss      int64
}

func run(ctx context.Context, o options, out io.Writer) (bool, error) {
	root, err := repoRoot()
	if err != nil {
		return false, err
	}
	tmp, err := os.MkdirTemp("", "contextgpt-loadtest-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(tmp)
	f := &fleet{}
	defer f.stop()
	if err := f.start(ctx, o, root, tmp, out); err != nil {
		return false, err
	}
	rows := []*row{
		{name: "GET list page", target: f.list},
		{name: "POST create", target: f.create},
		{name: fmt.Sprintf("GET list page, %d threads", o.threads), target: f.list},
		{name: fmt.Sprintf("POST create, %d threads", o.threads), target: f.create},
	}
	var chosen []*row
	for i, r := range rows {
		if strings.ContainsRune(o.rows, rune('1'+i)) {
			chosen = append(chosen, r)
		}
	}
	if err := measure(ctx, o, f, rows, out); err != nil {
		return false, err
	}
	return report(out, o, f.servers, chosen), nil
}

// fleet is what run starts: the servers under test, and what the rows address on them.
type fleet struct {
	servers      []*server // mock, bare, prism (without -no-prism)
	mock         *server
	limitsFile   string
	initial      []byte // the mock's state at start
	key, bot     string
	list, create target
}

// start builds and starts the mock, picks the rows' key and chatbot from its state, and
// starts the bare server and Prism (installing it when no -prism is given). What it started
// stays in f for stop, even when it fails half way.
func (f *fleet) start(ctx context.Context, o options, root, tmp string, out io.Writer) error {
	fmt.Fprintln(out, "building the mock…")
	mockBin := filepath.Join(tmp, "contextgpt-mock")
	build := exec.CommandContext(ctx, "go", "build", "-o", mockBin, "./cmd/contextgpt-mock")
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build: %w", err)
	}
	prismBin := o.prism
	if !o.noPrism && prismBin == "" {
		var err error
		if prismBin, err = installPrism(ctx, o.npmDir, out); err != nil {
			return err
		}
	}

	port, err := freePort()
	if err != nil {
		return err
	}
	if f.limitsFile, err = writeLimitsFile(); err != nil {
		return err
	}
	mock, err := startServer(ctx, "mock", port, "/__mock/health",
		[]string{mockBin, "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--limits", f.limitsFile, "--quiet", "--log-level", "error"}, root, o.mockEnv...)
	if err != nil {
		return err
	}
	mock.prefix = "/api"
	f.mock = mock
	f.servers = append(f.servers, mock)

	if f.initial, err = getState(mock.base); err != nil {
		return err
	}
	if f.key, f.bot, err = pickKeyAndChatbot(f.initial); err != nil {
		return err
	}
	threads := "/v1/chatting/" + f.bot + "/threads"
	f.list = target{method: http.MethodGet, path: threads + "?page=1&limit=20", want: http.StatusOK}
	f.create = target{method: http.MethodPost, path: threads, want: http.StatusCreated,
		body: []byte(`{"title":"Load test","visitorName":"Ada Lovelace","visitorEmail":"ada@example.com","platformSource":"api"}`)}

	if err := f.startBare(ctx, root, tmp); err != nil {
		return err
	}
	if o.noPrism {
		return nil
	}
	return f.startPrism(ctx, root, prismBin)
}

// startBare starts the bare server, answering with the bytes the mock answers now.
func (f *fleet) startBare(ctx context.Context, root, tmp string) error {
	respDir := filepath.Join(tmp, "bare")
	if err := os.MkdirAll(respDir, 0o700); err != nil {
		return err
	}
	for _, t := range []target{f.list, f.create} {
		if err := captureResponse(f.mock, f.key, t, filepath.Join(respDir, t.method)); err != nil {
			return err
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	bare, err := startServer(ctx, "bare", port, "/health",
		[]string{self, "bare", "-addr", fmt.Sprintf("127.0.0.1:%d", port), "-responses", respDir}, root)
	if err != nil {
		return err
	}
	bare.prefix = "/api"
	f.servers = append(f.servers, bare)
	return nil
}

// startPrism starts Prism mocking the spec and checks that it answers the rows' requests
// with the statuses the mock does, or its figures would mean nothing.
func (f *fleet) startPrism(ctx context.Context, root, prismBin string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	prism, err := startServer(ctx, "prism", port, "/",
		[]string{prismBin, "mock", "-h", "127.0.0.1", "-p", strconv.Itoa(port), "-v", "error", filepath.Join(root, "spec", "contextgpt.yaml")}, root)
	if err != nil {
		return err
	}
	prism.prefix = ""
	f.servers = append(f.servers, prism)
	for _, t := range []target{f.list, f.create} {
		if err := checkTarget(prism, f.key, t); err != nil {
			return fmt.Errorf("prism: %w", err)
		}
	}
	return nil
}

// stop stops every server started and removes the limits file.
func (f *fleet) stop() {
	for _, s := range f.servers {
		s.stop()
	}
	if f.limitsFile != "" {
		os.Remove(f.limitsFile)
	}
}

// measure runs the chosen rows (-rows): before the first row with -threads stored, the
// mock's store gets them; each row takes -rounds rounds, the servers in turn (who goes
// first rotates), each warmed up and then driven for -duration.
func measure(ctx context.Context, o options, f *fleet, rows []*row, out io.Writer) error {
	filled := false
	for i, r := range rows {
		if !strings.ContainsRune(o.rows, rune('1'+i)) {
			continue
		}
		if i >= 2 && !filled {
			filled = true
			fmt.Fprintf(out, "putting %d threads into the mock's store…\n", o.threads)
			if err := fillThreads(f.mock.base, f.initial, f.bot, o.threads); err != nil {
				return err
			}
			runtime.GC()
		}
		r.results = map[string][]runResult{}
		for round := 0; round < o.rounds; round++ {
			order := slices.Clone(f.servers)
			// Rotate who goes first, so no server always follows the same neighbour.
			k := round % len(order)
			order = append(order[k:], order[:k]...)
			for _, s := range order {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				if o.warmup > 0 {
					drive(ctx, s, f.key, r.target, o.conns, o.warmup, o.maxPerRun)
				}
				res := drive(ctx, s, f.key, r.target, o.conns, o.duration, o.maxPerRun)
				res.rss = s.rss()
				r.results[s.name] = append(r.results[s.name], res)
				fmt.Fprintf(out, "  %-32s round %d %-6s %8.0f req/s  p50 %-9s p99 %-9s errors %d\n", r.name, round+1, s.name,
					res.rps, res.p50.Round(time.Microsecond), res.p99.Round(time.Microsecond), res.errs)
			}
		}
	}
	return nil
}
