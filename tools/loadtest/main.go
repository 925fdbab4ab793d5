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
// The load generator is wrk when it is installed (Debian's package `wrk`; one thread,
// pinned to CPU 1 while the servers run on CPU 0), else Go's net/http client in this
// process; one run uses one generator for all three servers (see wrk.go). Every GET row
// lists a full page: the chatbot holds 20 threads for the first rows, and the bare server
// answers with the mock's bytes of each row (captured again after the 100,000 threads).
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
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/contextgpt/sandbox/internal/mockproc"
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
	warmStart time.Duration // each target on each server, once, before the first row
	conns     int
	threads   int
	prism     string
	npmDir    string
	noPrism   bool
	maxPerRun int
	mockEnv   envList
	mockLog   string // -mock-log: the mock's standard error is written there too
	profile   string // -profile: folder for the mock's CPU profile and trace (profile.go)
	rows      string
	generator string // auto, wrk or go (wrk.go)
	pin       string // auto, on or off
	gen       generator
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
	fs.DurationVar(&o.warmStart, "warm-start", 3*time.Second, "unmeasured load of each target on each server before the first row (Node's JIT warms Prism up over seconds)")
	fs.IntVar(&o.conns, "conns", 32, "concurrent connections")
	fs.IntVar(&o.threads, "threads", 100000, "threads put into the mock's store for the last two rows")
	fs.StringVar(&o.prism, "prism", "", "prism executable (default: npm-install @stoplight/prism-cli@5 into -npm-dir)")
	fs.StringVar(&o.npmDir, "npm-dir", "", "folder for the npm install (default: <user cache>/contextgpt-loadtest-npm)")
	fs.BoolVar(&o.noPrism, "no-prism", false, "skip Prism (no mock/Prism ratio: the gate counts as missed)")
	fs.IntVar(&o.maxPerRun, "max-requests", 2_000_000, "stop a run after this many requests (bounds memory)")
	fs.Var(&o.mockEnv, "mock-env", "KEY=VALUE added to the mock's environment (repeatable; e.g. GOGC=200 to try a GC setting)")
	fs.StringVar(&o.profile, "profile", "", "folder: take a CPU profile and an execution trace of the mock during its last round of each row, and report the GC's mark phases from the trace")
	fs.StringVar(&o.mockLog, "mock-log", "", "file that receives the mock's standard error (e.g. with -mock-env GODEBUG=gctrace=1)")
	fs.StringVar(&o.rows, "rows", "1234", "which rows to run: 1 GET, 2 POST, 3 GET and 4 POST with -threads stored")
	fs.StringVar(&o.generator, "generator", "auto", "load generator: wrk, go (net/http in this process), or auto (wrk when on the PATH)")
	fs.StringVar(&o.pin, "pin", "auto", "pin servers to CPU 0 and wrk to CPU 1 with taskset: on, off, or auto (when taskset and 2+ CPUs)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if o.rounds < 1 || o.conns < 1 || o.duration <= 0 || o.threads < 0 {
		fmt.Fprintln(os.Stderr, "loadtest: -rounds, -conns and -duration must be positive")
		os.Exit(2)
	}
	var err error
	if o.gen, err = chooseGenerator(o.generator, o.pin); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
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
	gc      *gcFigures             // the mock's last round, with -profile
}

type runResult struct {
	reqs     int
	errs     int
	rps      float64
	p50, p99 time.Duration
	rss      int64
	cpu      time.Duration // the server's CPU time (user + system) per request
}

func run(ctx context.Context, o options, out io.Writer) (bool, error) {
	root, err := mockproc.RepoRoot()
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
	root, tmp    string
	gen          generator
	initial      []byte // the mock's state at start
	key, bot     string
	list, create target
	closers      []io.Closer // files to close at stop (-mock-log)
	debugBase    string      // the mock's profiler, with -profile
}

// start builds and starts the mock, picks the rows' key and chatbot from its state, and
// starts the bare server and Prism (installing it when no -prism is given). What it started
// stays in f for stop, even when it fails half way.
func (f *fleet) start(ctx context.Context, o options, root, tmp string, out io.Writer) error {
	fmt.Fprintln(out, "building the mock…")
	mockBin, err := mockproc.Build(ctx, root, tmp)
	if err != nil {
		return err
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
	var mockLog io.Writer
	if o.mockLog != "" {
		lf, err := os.Create(o.mockLog)
		if err != nil {
			return err
		}
		f.closers = append(f.closers, lf)
		mockLog = lf
	}
	mockArgs := []string{mockBin, "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--limits", f.limitsFile, "--quiet", "--log-level", "error"}
	if o.profile != "" {
		if err := os.MkdirAll(o.profile, 0o755); err != nil {
			return err
		}
		dport, err := freePort()
		if err != nil {
			return err
		}
		f.debugBase = fmt.Sprintf("http://127.0.0.1:%d", dport)
		mockArgs = append(mockArgs, "--debug-addr", fmt.Sprintf("127.0.0.1:%d", dport))
	}
	mock, err := startServer(ctx, "mock", port, "/__mock/health", o.gen.serverArgv(mockArgs), root, mockLog, o.mockEnv...)
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
	f.list = target{method: http.MethodGet, path: threads + "?page=1&limit=" + strconv.Itoa(pageThreads), want: http.StatusOK}
	f.create = target{method: http.MethodPost, path: threads, want: http.StatusCreated,
		body: []byte(`{"title":"Load test","visitorName":"Ada Lovelace","visitorEmail":"ada@example.com","platformSource":"api"}`)}

	// The GET rows list a full page (20 threads) with or without the 100,000 (the fixtures
	// hold a few threads per chatbot: a page of 2 would be a lighter answer than the rows
	// with 100,000 threads give, and the comparison would say little).
	if err := fillThreads(mock.base, f.initial, f.bot, pageThreads); err != nil {
		return err
	}
	f.root, f.tmp, f.gen = root, tmp, o.gen
	if err := f.startBare(ctx); err != nil {
		return err
	}
	if o.noPrism {
		return nil
	}
	return f.startPrism(ctx, root, prismBin)
}

// startBare starts the bare server, answering with the bytes the mock answers now; a bare
// server already running is stopped once the new one answers (its place in the order kept).
func (f *fleet) startBare(ctx context.Context) error {
	respDir := filepath.Join(f.tmp, "bare")
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
		f.gen.serverArgv([]string{self, "bare", "-addr", fmt.Sprintf("127.0.0.1:%d", port), "-responses", respDir}), f.root, nil)
	if err != nil {
		return err
	}
	bare.prefix = "/api"
	for i, s := range f.servers {
		if s.name == "bare" {
			s.stop()
			f.servers[i] = bare
			return nil
		}
	}
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
		f.gen.serverArgv([]string{prismBin, "mock", "-h", "127.0.0.1", "-p", strconv.Itoa(port), "-v", "error", filepath.Join(root, "spec", "contextgpt.yaml")}), root, nil)
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
	for _, c := range f.closers {
		c.Close()
	}
}

// measure runs the chosen rows (-rows): before the first row with -threads stored, the
// mock's store gets them; each row takes -rounds rounds, the servers in turn (who goes
// first rotates), each warmed up and then driven for -duration.
func measure(ctx context.Context, o options, f *fleet, rows []*row, out io.Writer) error {
	if err := f.warm(ctx, o, out); err != nil {
		return err
	}
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
			// The bare server answers with the mock's bytes of these rows.
			if err := f.startBare(ctx); err != nil {
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
				if s == f.mock && r.target.method == http.MethodPost {
					// Every round of a POST row starts from the store the row names (each adds
					// some 100,000 threads; without this the third round measured a store four
					// times the one in the row's name, and the rounds were not alike).
					stored := pageThreads
					if i >= 2 {
						stored = o.threads
					}
					if err := fillThreads(f.mock.base, f.initial, f.bot, stored); err != nil {
						return err
					}
				}
				if o.warmup > 0 {
					o.gen.drive(ctx, s, f.key, r.target, o.conns, o.warmup, o.maxPerRun)
				}
				var prof chan gcFigures
				if f.debugBase != "" && s == f.mock && round == o.rounds-1 {
					prof = make(chan gcFigures, 1)
					go func() {
						g, err := profileRun(ctx, f.debugBase, o.profile, fmt.Sprintf("row%d", i+1), o.duration)
						if err != nil {
							fmt.Fprintln(os.Stderr, "loadtest: -profile:", err)
						}
						prof <- g
					}()
				}
				cpu0 := s.cpu()
				res := o.gen.drive(ctx, s, f.key, r.target, o.conns, o.duration, o.maxPerRun)
				if prof != nil {
					g := <-prof
					r.gc = &g
					fmt.Fprintf(out, "  %-32s %s\n", "", g)
				}
				if res.reqs > 0 {
					res.cpu = (s.cpu() - cpu0) / time.Duration(res.reqs)
				}
				res.rss = s.rss()
				r.results[s.name] = append(r.results[s.name], res)
				fmt.Fprintf(out, "  %-32s round %d %-6s %8.0f req/s  p50 %-9s p99 %-9s CPU/req %-7s errors %d\n", r.name, round+1, s.name,
					res.rps, res.p50.Round(time.Microsecond), res.p99.Round(time.Microsecond), fmtDur(res.cpu), res.errs)
			}
		}
	}
	return nil
}

// warm runs each target on each server for -warm-start before anything is measured, so no
// server is measured cold in the first rows and warm in the last (Prism, on Node, ran twice
// as fast per request in the last rows as in the first without it), then puts the mock's
// store back as the first rows expect it.
func (f *fleet) warm(ctx context.Context, o options, out io.Writer) error {
	if o.warmStart <= 0 {
		return nil
	}
	fmt.Fprintf(out, "warming every server up (%s per target)…\n", o.warmStart)
	for _, s := range f.servers {
		for _, t := range []target{f.list, f.create} {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			o.gen.drive(ctx, s, f.key, t, o.conns, o.warmStart, o.maxPerRun)
		}
	}
	return fillThreads(f.mock.base, f.initial, f.bot, pageThreads)
}
