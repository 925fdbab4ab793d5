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
	"strconv"
	"strings"
	"syscall"
	"time"
)

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
// The process's standard error goes to errLog too when it is not nil.
func startServer(ctx context.Context, name string, port int, probe string, argv []string, dir string, errLog io.Writer, env ...string) (*server, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdout = io.Discard
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if errLog != nil {
		cmd.Stderr = io.MultiWriter(&stderr, errLog)
	}
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
