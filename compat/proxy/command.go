package proxy

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/internal/cli"
)

// Usage of the proxy command.
const Usage = `usage:
  contextgpt-conformance proxy --upstream URL [--addr 127.0.0.1:8081] [--spec FILE] [--json FILE] [--junit FILE] [--max-body BYTES]
      forwards every request to URL unchanged and checks requests and answers against the
      spec; one log line per violation; the findings at GET /__proxy/report (?format=junit)
      and, at shutdown (Ctrl-C), in --json and --junit. Exit 1 when anything was found.
`

// Command is the proxy subcommand: it serves until ctx ends, then writes the reports. ready,
// when not nil, receives the address it listens on (tests listen on port 0).
func Command(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, ready func(addr string)) int {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM) // a CI job's stop writes the reports too
	defer stop()
	fs := cli.FlagSet("proxy", Usage, args, stdout, stderr) // usage on stdout when asked for (-h), else stderr
	env := cli.Env(getenv)
	upstream := fs.String("upstream", env("CONTEXTGPT_UPSTREAM", ""), "where requests go, e.g. http://127.0.0.1:8080 ($CONTEXTGPT_UPSTREAM)")
	addr := fs.String("addr", "127.0.0.1:8081", "address to listen on")
	specPath := fs.String("spec", env("CONTEXTGPT_SPEC", ""), "OpenAPI document of the API (default: the embedded contextgpt.yaml)")
	jsonOut := fs.String("json", "", "write the JSON report to FILE at shutdown")
	junitOut := fs.String("junit", "", "write the JUnit report to FILE at shutdown")
	maxBody := fs.Int64("max-body", 10<<20, "bytes of each body kept for validation; longer ones stream unchecked")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return report.ExitBadInput
	}
	bad := func(err error) int {
		fmt.Fprintln(stderr, "bad input:", err)
		return report.ExitBadInput
	}
	if fs.NArg() > 0 {
		return bad(fmt.Errorf("unexpected arguments %v", fs.Args()))
	}
	if *maxBody <= 0 {
		return bad(fmt.Errorf("--max-body %d: must be positive", *maxBody))
	}
	for _, p := range []string{*jsonOut, *junitOut} {
		if info, err := os.Stat(filepath.Dir(p)); p != "" && (err != nil || !info.IsDir()) {
			return bad(fmt.Errorf("report %s: its folder does not exist", p))
		}
	}
	cfg := Config{Upstream: *upstream, MaxBody: *maxBody, Redactor: &report.Redactor{},
		Log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if *specPath != "" {
		data, err := os.ReadFile(*specPath)
		if err != nil {
			return bad(err)
		}
		cfg.Spec = data
	}
	p, err := New(cfg)
	if err != nil {
		return bad(err)
	}
	if err := serve(ctx, p, *addr, stdout, stderr, ready); err != nil {
		return bad(err)
	}
	return finish(p, *jsonOut, *junitOut, stdout, stderr)
}

// serve listens on addr and serves p until ctx ends (or the server fails), then shuts the
// server down and closes p, which finishes the checks still queued.
func serve(ctx context.Context, p *Proxy, addr string, stdout, stderr io.Writer, ready func(addr string)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: p, ReadHeaderTimeout: 30 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "proxy on http://%s -> %s (report: http://%s%s)\n", ln.Addr(), p.rep.Upstream, ln.Addr(), ReportPath)
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case <-ctx.Done():
	case err := <-served:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(stderr, "proxy:", err)
		}
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	_ = srv.Shutdown(shutdownCtx)
	cancel()
	_ = p.Close()
	return nil
}

// finish prints the totals, writes the reports and returns the exit code: 1 when anything
// was found.
func finish(p *Proxy, jsonOut, junitOut string, stdout, stderr io.Writer) int {
	rep := p.Snapshot()
	fmt.Fprintf(stdout, "proxy: %d exchanges, %d validated, %d not validated, %d violations\n",
		rep.Exchanges, rep.Validated, rep.Unvalidated, int64(len(rep.Findings))+rep.FindingsDropped)
	for _, out := range []struct {
		path  string
		write func(io.Writer, Report) error
	}{{jsonOut, WriteJSON}, {junitOut, WriteJUnit}} {
		if out.path == "" {
			continue
		}
		if err := writeFile(out.path, rep, out.write); err != nil {
			fmt.Fprintln(stderr, "proxy:", err)
			return report.ExitBadInput
		}
	}
	if len(rep.Findings) > 0 || rep.FindingsDropped > 0 {
		return report.ExitFailed
	}
	return report.ExitPassed
}

func writeFile(path string, rep Report, write func(io.Writer, Report) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f, rep); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
