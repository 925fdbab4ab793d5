// Command contextgpt-mock serves the stateful ContextGPT API mock.
package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/contextgpt/sandbox/mock"
	"github.com/contextgpt/sandbox/mock/clock"
	"github.com/contextgpt/sandbox/mock/limits"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "contextgpt-mock:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError struct{ error }

// durationFlag is a positive time.Duration flag.
type durationFlag struct{ d *time.Duration }

func (f durationFlag) String() string {
	if f.d == nil {
		return ""
	}
	return f.d.String()
}

func (f durationFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	if d <= 0 {
		return fmt.Errorf("must be positive, not %s", s)
	}
	*f.d = d
	return nil
}

// options are the command's flags; each also reads CONTEXTGPT_MOCK_<NAME> from the environment.
type options struct {
	version    bool // --version: print the version and exit 0
	addr       string
	fixtures   string
	specFile   string
	seed       int64
	strict     bool
	adminToken string
	clockMode  string
	logLevel   string
	logFormat  string
	quiet      bool
	limits     string
	stateFile  string
	maxConns   int
	maxMemory  uint64 // --max-memory in bytes; 0: no ceiling
	debugAddr  string // --debug-addr: net/http/pprof on this loopback address; "" for none
	// seeded is true when --seed or CONTEXTGPT_MOCK_SEED was given: keys are reproducible.
	seeded bool
	// myChatbotsCache is "on" (10 minutes, as the real API), "off", or a duration.
	myChatbotsCache string
	// webhookTimeout is the webhook receivers' time to answer, in real time.
	webhookTimeout time.Duration
}

func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	var o options
	e := envReader{getenv: getenv}
	fs := flag.NewFlagSet("contextgpt-mock", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", e.str("ADDR", "127.0.0.1:8080"), "address to listen on (port 0 picks a free one)")
	fs.StringVar(&o.fixtures, "fixtures", e.str("FIXTURES", ""), "YAML file of the initial state (default: the embedded fixtures/default.yaml; \"none\" for an empty mock)")
	fs.StringVar(&o.specFile, "spec", e.str("SPEC", ""), "serve another OpenAPI 3.0 document from its schemas and examples (default: the embedded ContextGPT spec)")
	seed, seeded := e.int("SEED")
	fs.Int64Var(&o.seed, "seed", seed, "seed for ids and generated data; given, API keys of new sandboxes are reproducible too (default: random, keys from crypto/rand)")
	fs.BoolVar(&o.strict, "strict", e.bool("STRICT", false), "validate every response against the spec before writing it (tens of µs for a page of 20 threads)")
	fs.StringVar(&o.adminToken, "admin-token", e.str("ADMIN_TOKEN", ""), "bearer token that lets non-loopback clients use /__mock")
	fs.StringVar(&o.clockMode, "clock", e.str("CLOCK", "real"), "real, or manual: time moves only through POST /__mock/clock")
	fs.StringVar(&o.logLevel, "log-level", e.str("LOG_LEVEL", "info"), "debug, info, warn or error")
	fs.StringVar(&o.logFormat, "log-format", e.str("LOG_FORMAT", "text"), "text or json")
	fs.BoolVar(&o.quiet, "quiet", e.bool("QUIET", false), "do not print the fixture keys at start")
	o.webhookTimeout = e.duration("WEBHOOK_TIMEOUT", 10*time.Second)
	fs.Var(durationFlag{&o.webhookTimeout}, "webhook-timeout", "how long a webhook receiver has to answer, in real time")
	fs.StringVar(&o.limits, "limits", e.str("LIMITS", "documented"), "documented, off, or a YAML file that overrides any limit (see mock/limits)")
	fs.StringVar(&o.stateFile, "state-file", e.str("STATE_FILE", ""), "load the domain state from this file at start (if it exists), keep it current while running (within 1 s of a change) and save it on shutdown")
	fs.StringVar(&o.myChatbotsCache, "my-chatbots-cache", e.str("MY_CHATBOTS_CACHE", "on"), "GET /v1/chatbots/my-chatbots is cached per user for 10 minutes, as on the real API: on, off, or another duration (e.g. 30s)")
	conns, _ := e.int("MAX_CONNS")
	if conns == 0 {
		conns = defaultMaxConns
	}
	fs.IntVar(&o.maxConns, "max-conns", int(conns), "most connections open at once; more wait to be accepted")
	maxMemory := fs.String("max-memory", e.str("MAX_MEMORY", defaultMaxMemory), "process-memory ceiling: at it, writes are refused (403 STORE_LIMIT_REACHED) and reads keep working; GOMEMLIMIT goes to 80% of it; off for none")
	if e.err != nil {
		return o, usageError{e.err}
	}
	fs.StringVar(&o.debugAddr, "debug-addr", e.str("DEBUG_ADDR", ""), "serve Go's profiler (net/http/pprof) on this loopback address, e.g. 127.0.0.1:6060 (default: off)")
	fs.BoolVar(&o.version, "version", false, "print the mock's version and the spec's, then exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err // -h/--help: the usage is printed; run ends with exit 0
		}
		return o, usageError{err}
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "seed" {
			seeded = true
		}
	})
	o.seeded = seeded
	if fs.NArg() > 0 {
		return o, usageError{fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))}
	}
	if o.clockMode != "real" && o.clockMode != "manual" {
		return o, usageError{fmt.Errorf("--clock must be real or manual, not %q", o.clockMode)}
	}
	if o.maxConns < 1 {
		return o, usageError{fmt.Errorf("--max-conns must be at least 1, not %d", o.maxConns)}
	}
	if _, err := myChatbotsTTL(o.myChatbotsCache); err != nil {
		return o, usageError{err}
	}
	if err := checkDebugAddr(o.debugAddr); err != nil {
		return o, usageError{err}
	}
	mem, err := parseByteSize(*maxMemory)
	if err != nil {
		return o, usageError{err}
	}
	o.maxMemory = mem
	return o, nil
}

// Server limits (README "Limits and safety").
const (
	defaultMaxConns   = 1024
	readHeaderTimeout = 10 * time.Second
	// readTimeout bounds reading a whole request, body included (10 MiB uploads at 200 KB/s).
	readTimeout = 60 * time.Second
	// writeTimeout sits above the longest injected latency (mock.MaxLatency); requests held
	// on the manual clock lift it for themselves.
	writeTimeout = mock.MaxLatency + time.Minute
	idleTimeout  = 2 * time.Minute
	// maxHeaderBytes is net/http's own cap on the request line and headers (answered 431
	// in plain text by Go); the mock answers smaller caps in the envelope first.
	maxHeaderBytes = 256 << 10
	// shutdownGrace is how long shutdown waits for requests in flight (held ones are
	// cancelled at once) before it closes the connections; the state is saved either way.
	shutdownGrace = 10 * time.Second
)

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if o.version {
		fmt.Fprintf(stdout, "contextgpt-mock %s\n", version())
		return nil
	}
	logger, err := newLogger(o, stderr)
	if err != nil {
		return usageError{err}
	}
	cfg, err := mockConfig(o, logger, getenv)
	if err != nil {
		return err
	}
	m, err := mock.New(cfg)
	if err != nil {
		return err
	}
	return serve(ctx, m, o, logger, stdout)
}

// mockConfig turns the flags into the mock's configuration, reading the files they name.
func mockConfig(o options, logger *slog.Logger, getenv func(string) string) (mock.Config, error) {
	cfg := mock.DefaultConfig()
	cfg.Seed = o.seed
	cfg.SeededKeys = o.seeded
	if !o.seeded {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return cfg, err
		}
		cfg.Seed = int64(binary.BigEndian.Uint64(b[:]) >> 1)
	}
	cfg.Strict = o.strict
	cfg.AdminToken = o.adminToken
	cfg.Logger = logger
	cfg.StateFile = o.stateFile
	cfg.WebhookTimeout = o.webhookTimeout
	cfg.MyChatbotsTTL, _ = myChatbotsTTL(o.myChatbotsCache) // checked by parseFlags
	cfg.MaxMemory = o.maxMemory
	setSoftLimit(o.maxMemory, getenv)
	var err error
	if cfg.Limits, err = limits.Load(o.limits); err != nil {
		return cfg, usageError{fmt.Errorf("--limits: %w", err)}
	}
	if o.clockMode == "manual" {
		cfg.Clock = clock.NewManual(time.Now().UTC().Truncate(time.Second))
	}
	switch o.fixtures {
	case "":
	case "none":
		cfg.Fixtures = []byte{}
	default:
		if cfg.Fixtures, err = os.ReadFile(o.fixtures); err != nil {
			return cfg, usageError{fmt.Errorf("--fixtures: %w", err)}
		}
	}
	if o.specFile != "" {
		if cfg.Spec, err = os.ReadFile(o.specFile); err != nil {
			return cfg, usageError{fmt.Errorf("--spec: %w", err)}
		}
	}
	return cfg, nil
}

// serve listens on --addr, prints the banner and serves until ctx ends; then it shuts down,
// which always saves: held and faulted requests are cancelled, requests in flight get
// shutdownGrace, connections are closed, and the mock's Close writes --state-file.
func serve(ctx context.Context, m *mock.Mock, o options, logger *slog.Logger, stdout io.Writer) error {
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	// Cancelled at shutdown: requests held by injected latency end at once.
	baseCtx, cancelRequests := context.WithCancel(context.Background())
	defer cancelRequests()
	srv := &http.Server{
		Handler:           m,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		BaseContext:       func(net.Listener) context.Context { return baseCtx },
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	base := "http://" + ln.Addr().String()
	if o.debugAddr != "" {
		if err := serveDebug(ctx, o.debugAddr, logger); err != nil {
			ln.Close()
			return err
		}
	}
	// net/http's own plain-text answers (malformed requests, 417, 431, 501, 505) come out
	// in the documented envelope.
	ln = newLimitListener(mock.ProtocolErrors(ln, maxHeaderBytes), o.maxConns)
	fmt.Fprintf(stdout, "contextgpt-mock %s listening on %s\n", mock.Version, base)
	if o.specFile == "" {
		fmt.Fprintf(stdout, "API: %s/api/v1/...   control plane: %s/__mock/health\n", base, base)
		if !o.quiet {
			printKeys(stdout, m, base)
		}
	} else {
		fmt.Fprintf(stdout, "API (%s): %s%s/...   control plane: %s/__mock/health\n", o.specFile, base, m.Spec().BasePath(), base)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var serveErr error
	select {
	case serveErr = <-errc:
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	cancelRequests()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		logger.Warn("requests still running at shutdown were cut off", "err", err)
		_ = srv.Close()
	}
	closeCtx, cancelClose := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancelClose()
	if err := m.Close(closeCtx); err != nil {
		return err
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return nil
}

func printKeys(w io.Writer, m *mock.Mock, base string) {
	keys := m.Store().Keys()
	if len(keys) == 0 {
		return
	}
	fmt.Fprintln(w, "\nFixture API keys:")
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PLAN\tROLE\tACCOUNT\tUSER\tKEY")
	for _, k := range keys {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.Plan, k.Role, k.AccountID, k.UserName, k.Key)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "\nTry: curl -H 'Authorization: Bearer sk_test_scale_super_admin' %s/api/v1/chatbots/my-chatbots\n\n", base)
}

func newLogger(o options, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	hopts := &slog.HandlerOptions{Level: level}
	switch o.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, hopts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, hopts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", o.logFormat)
}

// myChatbotsTTL reads --my-chatbots-cache: on (the real API's 10 minutes), off, or a duration.
func myChatbotsTTL(v string) (time.Duration, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on", "true", "":
		return mock.DefaultMyChatbotsTTL, nil
	case "off", "false", "0":
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("--my-chatbots-cache must be on, off or a duration such as 30s, not %q", v)
	}
	return d, nil
}

// version is the build's version: the module version when installed with go install
// module@version, else the mock's own (mock.Version).
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return mock.Version
}
