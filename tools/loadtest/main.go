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
// process; one run uses one generator for all three servers (see wrk.go).
//
// Everything it starts is stopped before it exits; Prism is installed with npm into a
// temporary folder (kept between runs under the user cache directory), never into the repo.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
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
	fs.IntVar(&o.conns, "conns", 32, "concurrent connections")
	fs.IntVar(&o.threads, "threads", 100000, "threads put into the mock's store for the last two rows")
	fs.StringVar(&o.prism, "prism", "", "prism executable (default: npm-install @stoplight/prism-cli@5 into -npm-dir)")
	fs.StringVar(&o.npmDir, "npm-dir", "", "folder for the npm install (default: <user cache>/contextgpt-loadtest-npm)")
	fs.BoolVar(&o.noPrism, "no-prism", false, "skip Prism (no mock/Prism ratio: the gate counts as missed)")
	fs.IntVar(&o.maxPerRun, "max-requests", 2_000_000, "stop a run after this many requests (bounds memory)")
	fs.Var(&o.mockEnv, "mock-env", "KEY=VALUE added to the mock's environment (repeatable; e.g. GOGC=200 to try a GC setting)")
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

// server is one process under test.
type server struct {
	name    string
	base    string // http://127.0.0.1:port
	prefix  string // path prefix of the API ("/api" for the mock and the bare server)
	cmd     *exec.Cmd
	start   time.Duration
	idleRSS int64
}

func (s *server) stop() {
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM) // its process group: whatever it started too
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}

func (s *server) rss() int64 {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return rssOf(s.cmd.Process.Pid)
}

// rssOf reads VmRSS of a process (Linux); 0 when it cannot.
func rssOf(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startServer starts a process and waits until probe answers (any HTTP status), timing it.
func startServer(ctx context.Context, name string, port int, probe string, argv []string, dir string, env ...string) (*server, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdout = io.Discard
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	s := &server{name: name, base: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd}
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	client := &http.Client{Timeout: time.Second}
	deadline := began.Add(60 * time.Second)
	for {
		resp, err := client.Get(s.base + probe)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			s.start = time.Since(began)
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			s.stop()
			return nil, fmt.Errorf("%s did not answer within 60 s: %s", name, strings.TrimSpace(stderr.String()))
		}
		time.Sleep(2 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // let start-up garbage settle before the idle reading
	s.idleRSS = s.rss()
	return s, nil
}

// repoRoot is the module root (where go.mod is), found from the working directory.
func repoRoot() (string, error) {
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
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
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

	fmt.Fprintln(out, "building the mock…")
	mockBin := filepath.Join(tmp, "contextgpt-mock")
	build := exec.CommandContext(ctx, "go", "build", "-o", mockBin, "./cmd/contextgpt-mock")
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return false, fmt.Errorf("go build: %w", err)
	}

	prismBin := o.prism
	if !o.noPrism && prismBin == "" {
		if prismBin, err = installPrism(ctx, o.npmDir, out); err != nil {
			return false, err
		}
	}

	var servers []*server
	defer func() {
		for _, s := range servers {
			s.stop()
		}
	}()

	port, err := freePort()
	if err != nil {
		return false, err
	}
	limitsFile, err := writeLimitsFile()
	if err != nil {
		return false, err
	}
	defer os.Remove(limitsFile)
	mock, err := startServer(ctx, "mock", port, "/__mock/health",
		o.gen.serverArgv([]string{mockBin, "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--limits", limitsFile, "--quiet", "--log-level", "error"}), root, o.mockEnv...)
	if err != nil {
		return false, err
	}
	mock.prefix = "/api"
	servers = append(servers, mock)

	initial, err := getState(mock.base)
	if err != nil {
		return false, err
	}
	key, bot, err := pickKeyAndChatbot(initial)
	if err != nil {
		return false, err
	}
	threads := "/v1/chatting/" + bot + "/threads"
	list := target{method: http.MethodGet, path: threads + "?page=1&limit=20", want: http.StatusOK}
	create := target{method: http.MethodPost, path: threads, want: http.StatusCreated,
		body: []byte(`{"title":"Load test","visitorName":"Ada Lovelace","visitorEmail":"ada@example.com","platformSource":"api"}`)}

	// The bare server answers with the bytes the mock answers now.
	respDir := filepath.Join(tmp, "bare")
	if err := os.MkdirAll(respDir, 0o700); err != nil {
		return false, err
	}
	for _, t := range []target{list, create} {
		if err := captureResponse(mock, key, t, filepath.Join(respDir, t.method)); err != nil {
			return false, err
		}
	}
	self, err := os.Executable()
	if err != nil {
		return false, err
	}
	if port, err = freePort(); err != nil {
		return false, err
	}
	bare, err := startServer(ctx, "bare", port, "/health",
		o.gen.serverArgv([]string{self, "bare", "-addr", fmt.Sprintf("127.0.0.1:%d", port), "-responses", respDir}), root)
	if err != nil {
		return false, err
	}
	bare.prefix = "/api"
	servers = append(servers, bare)

	var prism *server
	if !o.noPrism {
		if port, err = freePort(); err != nil {
			return false, err
		}
		prism, err = startServer(ctx, "prism", port, "/",
			o.gen.serverArgv([]string{prismBin, "mock", "-h", "127.0.0.1", "-p", strconv.Itoa(port), "-v", "error", filepath.Join(root, "spec", "contextgpt.yaml")}), root)
		if err != nil {
			return false, err
		}
		prism.prefix = ""
		servers = append(servers, prism)
		// Prism must answer the same requests with the same statuses, or its figures mean
		// nothing.
		for _, t := range []target{list, create} {
			if err := checkTarget(prism, key, t); err != nil {
				return false, fmt.Errorf("prism: %w", err)
			}
		}
	}

	rows := []*row{
		{name: "GET list page", target: list},
		{name: "POST create", target: create},
		{name: fmt.Sprintf("GET list page, %d threads", o.threads), target: list},
		{name: fmt.Sprintf("POST create, %d threads", o.threads), target: create},
	}
	var chosen []*row
	for i, r := range rows {
		if strings.ContainsRune(o.rows, rune('1'+i)) {
			chosen = append(chosen, r)
		}
	}
	filled := false
	for i, r := range rows {
		if !strings.ContainsRune(o.rows, rune('1'+i)) {
			continue
		}
		if i >= 2 && !filled {
			filled = true
			fmt.Fprintf(out, "putting %d threads into the mock's store…\n", o.threads)
			if err := fillThreads(mock.base, initial, bot, o.threads); err != nil {
				return false, err
			}
			runtime.GC()
		}
		r.results = map[string][]runResult{}
		for round := 0; round < o.rounds; round++ {
			order := slices.Clone(servers)
			// Rotate who goes first, so no server always follows the same neighbour.
			k := round % len(order)
			order = append(order[k:], order[:k]...)
			for _, s := range order {
				if ctx.Err() != nil {
					return false, ctx.Err()
				}
				if o.warmup > 0 {
					o.gen.drive(ctx, s, key, r.target, o.conns, o.warmup, o.maxPerRun)
				}
				res := o.gen.drive(ctx, s, key, r.target, o.conns, o.duration, o.maxPerRun)
				res.rss = s.rss()
				r.results[s.name] = append(r.results[s.name], res)
				fmt.Fprintf(out, "  %-32s round %d %-6s %8.0f req/s  p50 %-9s p99 %-9s errors %d\n", r.name, round+1, s.name,
					res.rps, res.p50.Round(time.Microsecond), res.p99.Round(time.Microsecond), res.errs)
			}
		}
	}
	return report(out, o, servers, chosen), nil
}

// report prints the table and the gates, and tells whether every gate passed.
func report(out io.Writer, o options, servers []*server, rows []*row) bool {
	ok := true
	host, _ := os.Hostname()
	fmt.Fprintf(out, "\n%d connections, %d rounds of %s per server and row (medians), %d CPUs (%s/%s), host %s, %s\n\n",
		o.conns, o.rounds, o.duration, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, host, time.Now().UTC().Format(time.RFC3339))
	fmt.Fprintf(out, "load generator: %s\n\n", o.gen)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "row\tserver\treq/s\tp50\tp99\tRSS MB\terrors\tmock/server\t\n")
	for _, r := range rows {
		mockRPS := median(r.results["mock"], func(x runResult) float64 { return x.rps })
		for _, s := range servers {
			res := r.results[s.name]
			rps := median(res, func(x runResult) float64 { return x.rps })
			p50 := time.Duration(median(res, func(x runResult) float64 { return float64(x.p50) }))
			p99 := time.Duration(median(res, func(x runResult) float64 { return float64(x.p99) }))
			rss := median(res, func(x runResult) float64 { return float64(x.rss) })
			errs := 0
			for _, x := range res {
				errs += x.errs
			}
			ratio := "-"
			if s.name != "mock" && rps > 0 {
				ratio = fmt.Sprintf("%.2fx", mockRPS/rps)
			}
			fmt.Fprintf(tw, "%s\t%s\t%.0f\t%s\t%s\t%.1f\t%d\t%s\t\n", r.name, s.name, rps, fmtDur(p50), fmtDur(p99), rss/(1<<20), errs, ratio)
		}
	}
	tw.Flush()
	fmt.Fprintln(out)
	for _, s := range servers {
		fmt.Fprintf(out, "%-6s start %-8s idle RSS %.1f MB\n", s.name, fmtDur(s.start), float64(s.idleRSS)/(1<<20))
	}
	fmt.Fprintln(out)
	gate := func(pass bool, format string, args ...any) {
		mark := "PASS"
		if !pass {
			mark, ok = "FAIL", false
		}
		fmt.Fprintf(out, "%s  %s\n", mark, fmt.Sprintf(format, args...))
	}
	var mock *server
	for _, s := range servers {
		if s.name == "mock" {
			mock = s
		}
	}
	for _, r := range rows {
		m := r.results["mock"]
		mockRPS := median(m, func(x runResult) float64 { return x.rps })
		p99 := time.Duration(median(m, func(x runResult) float64 { return float64(x.p99) }))
		if p, has := r.results["prism"]; has {
			prismRPS := median(p, func(x runResult) float64 { return x.rps })
			gate(prismRPS > 0 && mockRPS >= gatePrismRatio*prismRPS, "%s: mock/Prism %.1fx (gate >= %.0fx)", r.name, mockRPS/prismRPS, gatePrismRatio)
		} else {
			gate(false, "%s: mock/Prism not measured (-no-prism)", r.name)
		}
		gate(p99 < gateP99, "%s: mock p99 %s (gate < %s)", r.name, fmtDur(p99), gateP99)
		errs := 0
		for _, x := range m {
			errs += x.errs
		}
		gate(errs == 0, "%s: mock answered every request as wanted (%d errors)", r.name, errs)
		if b, has := r.results["bare"]; has {
			bareRPS := median(b, func(x runResult) float64 { return x.rps })
			mark := "met"
			if mockRPS < stretchBare*bareRPS {
				mark = "not met"
			}
			fmt.Fprintf(out, "      %s: mock/bare %.2fx (stretch >= %.1fx: %s)\n", r.name, mockRPS/bareRPS, stretchBare, mark)
		}
	}
	gate(mock.start < gateStart, "mock start %s (gate < %s)", fmtDur(mock.start), gateStart)
	gate(mock.idleRSS < gateIdleRSS, "mock idle RSS %.1f MB (gate < %d MB)", float64(mock.idleRSS)/(1<<20), gateIdleRSS>>20)
	return ok
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%dus", d.Microseconds())
	}
}

func median(rs []runResult, f func(runResult) float64) float64 {
	if len(rs) == 0 {
		return 0
	}
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// drive runs a closed loop of conns connections against one server for d (or until max
// requests), and returns the rate and the exact p50 and p99 of every latency.
func drive(ctx context.Context, s *server, key string, t target, conns int, d time.Duration, maxReqs int) runResult {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	url := s.base + s.prefix + t.path
	var (
		mu    sync.Mutex
		lats  []time.Duration
		errs  int
		count int
	)
	per := maxReqs/conns + 1
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	began := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < conns; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			bad := 0
			for len(local) < per && ctx.Err() == nil {
				var body io.Reader
				if t.body != nil {
					body = bytes.NewReader(t.body)
				}
				req, _ := http.NewRequest(t.method, url, body)
				req.Header.Set("Authorization", "Bearer "+key)
				if t.body != nil {
					req.Header.Set("Content-Type", "application/json")
				}
				start := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != t.want {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				if ctx.Err() != nil {
					break // cut off by the end of the run: not counted
				}
				local = append(local, time.Since(start))
				if err != nil {
					bad++
				}
			}
			mu.Lock()
			lats = append(lats, local...)
			errs += bad
			count += len(local)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(began)
	res := runResult{reqs: count, errs: errs}
	if count == 0 {
		return res
	}
	res.rps = float64(count) / elapsed.Seconds()
	slices.Sort(lats)
	res.p50 = lats[(len(lats)-1)*50/100]
	res.p99 = lats[(len(lats)-1)*99/100]
	return res
}

// getState exports the mock's state document.
func getState(base string) ([]byte, error) {
	resp, err := http.Get(base + "/__mock/state")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET /__mock/state: status %d: %.300s", resp.StatusCode, b)
	}
	return b, err
}

// pickKeyAndChatbot picks from a state document an active key of an enterprise or scale
// account holding a chatbot, and that chatbot.
func pickKeyAndChatbot(state []byte) (key, bot string, err error) {
	var doc struct {
		Accounts []struct {
			ID   string `json:"accountId"`
			Plan string `json:"plan"`
		} `json:"accounts"`
		APIKeys []struct {
			Key       string `json:"apiKey"`
			AccountID string `json:"accountId"`
			IsActive  bool   `json:"isActive"`
		} `json:"apiKeys"`
		Chatbots []struct {
			ID        string `json:"chatbotId"`
			AccountID string `json:"accountId"`
		} `json:"chatbots"`
	}
	if err := json.Unmarshal(state, &doc); err != nil {
		return "", "", fmt.Errorf("reading the mock's state: %w", err)
	}
	for _, plan := range []string{"enterprise", "scale"} {
		for _, a := range doc.Accounts {
			if a.Plan != plan {
				continue
			}
			for _, c := range doc.Chatbots {
				if c.AccountID != a.ID {
					continue
				}
				for _, k := range doc.APIKeys {
					if k.AccountID == a.ID && k.IsActive {
						return k.Key, c.ID, nil
					}
				}
			}
		}
	}
	return "", "", errors.New("the mock's fixtures hold no enterprise or scale account with a chatbot and a key")
}

func send(s *server, key string, t target) (*http.Response, []byte, error) {
	var body io.Reader
	if t.body != nil {
		body = bytes.NewReader(t.body)
	}
	req, err := http.NewRequest(t.method, s.base+s.prefix+t.path, body)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	if t.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func checkTarget(s *server, key string, t target) error {
	resp, b, err := send(s, key, t)
	if err != nil {
		return err
	}
	if resp.StatusCode != t.want {
		return fmt.Errorf("%s %s: status %d, want %d: %.300s", t.method, t.path, resp.StatusCode, t.want, b)
	}
	return nil
}

// captureResponse saves the mock's answer to t (status line, headers, body) for the bare
// server: <file>.status, <file>.headers (JSON), <file>.body.
func captureResponse(s *server, key string, t target, file string) error {
	resp, b, err := send(s, key, t)
	if err != nil {
		return err
	}
	if resp.StatusCode != t.want {
		return fmt.Errorf("mock: %s %s: status %d, want %d: %.300s", t.method, t.path, resp.StatusCode, t.want, b)
	}
	h := map[string]string{}
	for k := range resp.Header {
		if k != "Date" && k != "Content-Length" {
			h[k] = resp.Header.Get(k)
		}
	}
	hb, _ := json.Marshal(h)
	if err := os.WriteFile(file+".status", []byte(strconv.Itoa(resp.StatusCode)), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(file+".headers", hb, 0o600); err != nil {
		return err
	}
	return os.WriteFile(file+".body", b, 0o600)
}

// fillThreads replaces the mock's state with initial (its state at start) plus n threads on
// one chatbot, through PUT /__mock/state: seconds, where n POSTs would take a minute on a
// busy machine, and exactly n more threads than at start, whatever earlier rows created.
func fillThreads(base string, initial []byte, bot string, n int) error {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(initial, &doc); err != nil {
		return err
	}
	var threads []json.RawMessage
	var err error
	if err = json.Unmarshal(doc["threads"], &threads); err != nil {
		return err
	}
	var seq uint64
	if err := json.Unmarshal(doc["idSequence"], &seq); err != nil {
		return err
	}
	at := time.Now().UTC().Add(-time.Duration(n) * time.Millisecond)
	for i := 0; i < n; i++ {
		ts := at.Add(time.Duration(i) * time.Millisecond).Format(time.RFC3339Nano)
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		visitor := fmt.Sprintf("10000000-0000-4000-8000-%012d", i)
		seq++
		threads = append(threads, json.RawMessage(fmt.Sprintf(`{"id":%q,"chatbotId":%q,"visitorId":%q,"title":"Seeded %d",`+
			`"mode":"AI","anonymous":true,"unreadMessagesCount":0,"escalated":false,"important":false,"resolved":false,"archived":false,`+
			`"tags":[],"positiveCount":0,"negativeCount":0,"platformSource":"api","startedAt":%q,"updatedAt":%q,"endedAt":null,`+
			`"visitorName":null,"visitorEmail":null,"visitorPhone":null,"botIconSrc":null,"userIconSrc":null,"agentIconSrc":null,`+
			`"bubbleIconSrc":null,"llmModel":null,"internalNotes":null,"lastActivityAt":%q,"seq":%d}`, id, bot, visitor, i, ts, ts, ts, seq)))
	}
	if doc["threads"], err = json.Marshal(threads); err != nil {
		return err
	}
	if doc["idSequence"], err = json.Marshal(seq); err != nil {
		return err
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPut, base+"/__mock/state", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("PUT /__mock/state: status %d: %.300s", resp.StatusCode, b)
	}
	return nil
}

// installPrism installs @stoplight/prism-cli 5 with npm into dir (once) and returns its
// executable.
func installPrism(ctx context.Context, dir string, out io.Writer) (string, error) {
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir()
		}
		dir = filepath.Join(cache, "contextgpt-loadtest-npm")
	}
	bin := filepath.Join(dir, "node_modules", ".bin", "prism")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return "", errors.New("npm not found: install Node.js, pass -prism, or -no-prism")
	}
	fmt.Fprintf(out, "installing @stoplight/prism-cli@5 into %s…\n", dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "--silent", "@stoplight/prism-cli@5")
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("npm install @stoplight/prism-cli@5: %w", err)
	}
	return bin, nil
}

// runBare is the bare server: net/http with one handler that writes the captured answer
// for the request's method (GET: the list page, POST: the created thread), whatever the
// path, and 200 on /health.
func runBare(args []string) error {
	fs := flag.NewFlagSet("bare", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "address")
	dir := fs.String("responses", "", "folder of captured answers")
	if err := fs.Parse(args); err != nil {
		return err
	}
	type answer struct {
		status int
		header map[string]string
		body   []byte
	}
	answers := map[string]answer{}
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		base := filepath.Join(*dir, m)
		st, err := os.ReadFile(base + ".status")
		if err != nil {
			return err
		}
		hb, err := os.ReadFile(base + ".headers")
		if err != nil {
			return err
		}
		body, err := os.ReadFile(base + ".body")
		if err != nil {
			return err
		}
		var a answer
		a.status, _ = strconv.Atoi(string(st))
		if err := json.Unmarshal(hb, &a.header); err != nil {
			return err
		}
		a.body = body
		answers[m] = a
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		a, ok := answers[r.Method]
		if !ok {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		for k, v := range a.header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(a.body)))
		w.WriteHeader(a.status)
		_, _ = w.Write(a.body)
	})
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// loadLimits turns the rate limits off and lifts the store's caps: the load test creates far
// more threads than the default caps allow (README "Limits and safety"), and --limits off
// keeps the caps, since they guard memory.
const loadLimits = `perIP: {requests: -1}
perUser: {requests: -1}
uploadConcurrency: -1
caps: {accounts: -1, chatbotsPerAccount: -1, chatbots: -1, threadsPerAccount: -1, threads: -1,
  messagesPerAccount: -1, messages: -1, deliveriesPerChatbot: -1, deliveries: -1}
`

// writeLimitsFile writes loadLimits to a temporary file and returns its path.
func writeLimitsFile() (string, error) {
	f, err := os.CreateTemp("", "contextgpt-loadtest-limits-*.yaml")
	if err != nil {
		return "", err
	}
	if _, err := f.WriteString(loadLimits); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), f.Close()
}
