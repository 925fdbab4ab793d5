// Command contextgpt-mock serves the stateful ContextGPT API mock.
package main

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
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
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
	// myChatbotsCache is "on" (10 minutes, as the real API), "off", or a duration.
	myChatbotsCache string
	// webhookTimeout is the webhook receivers' time to answer, in real time.
	webhookTimeout time.Duration
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("contextgpt-mock", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", env("ADDR", "127.0.0.1:8080"), "address to listen on (port 0 picks a free one)")
	fs.StringVar(&o.fixtures, "fixtures", env("FIXTURES", ""), "YAML file of the initial state (default: the embedded fixtures/default.yaml; \"none\" for an empty mock)")
	fs.StringVar(&o.specFile, "spec", env("SPEC", ""), "serve another OpenAPI 3.0 document from its schemas and examples (default: the embedded ContextGPT spec)")
	fs.Int64Var(&o.seed, "seed", envInt("SEED", 1), "seed for ids and generated data")
	fs.BoolVar(&o.strict, "strict", envBool("STRICT", false), "validate every response against the spec before writing it (~0.2 ms a response)")
	fs.StringVar(&o.adminToken, "admin-token", env("ADMIN_TOKEN", ""), "bearer token that lets non-loopback clients use /__mock")
	fs.StringVar(&o.clockMode, "clock", env("CLOCK", "real"), "real, or manual: time moves only through POST /__mock/clock")
	fs.StringVar(&o.logLevel, "log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error")
	fs.StringVar(&o.logFormat, "log-format", env("LOG_FORMAT", "text"), "text or json")
	fs.BoolVar(&o.quiet, "quiet", envBool("QUIET", false), "do not print the fixture keys at start")
	if err := (durationFlag{&o.webhookTimeout}).Set(env("WEBHOOK_TIMEOUT", "10s")); err != nil {
		return o, usageError{fmt.Errorf("CONTEXTGPT_MOCK_WEBHOOK_TIMEOUT: %w", err)}
	}
	fs.Var(durationFlag{&o.webhookTimeout}, "webhook-timeout", "how long a webhook receiver has to answer, in real time")
	fs.StringVar(&o.limits, "limits", env("LIMITS", "documented"), "documented, off, or a YAML file that overrides any limit (see mock/limits)")
	fs.StringVar(&o.stateFile, "state-file", env("STATE_FILE", ""), "load the domain state from this file at start (if it exists) and save it there atomically on shutdown")
	fs.StringVar(&o.myChatbotsCache, "my-chatbots-cache", env("MY_CHATBOTS_CACHE", "on"), "GET /v1/chatbots/my-chatbots is cached per user for 10 minutes, as on the real API: on, off, or another duration (e.g. 30s)")
	if err := fs.Parse(args); err != nil {
		return o, usageError{err}
	}
	if fs.NArg() > 0 {
		return o, usageError{fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))}
	}
	if o.clockMode != "real" && o.clockMode != "manual" {
		return o, usageError{fmt.Errorf("--clock must be real or manual, not %q", o.clockMode)}
	}
	if _, err := myChatbotsTTL(o.myChatbotsCache); err != nil {
		return o, usageError{err}
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	logger, err := newLogger(o, stderr)
	if err != nil {
		return usageError{err}
	}
	cfg := mock.DefaultConfig()
	cfg.Seed = o.seed
	cfg.Strict = o.strict
	cfg.AdminToken = o.adminToken
	cfg.Logger = logger
	cfg.StateFile = o.stateFile
	cfg.WebhookTimeout = o.webhookTimeout
	cfg.MyChatbotsTTL, _ = myChatbotsTTL(o.myChatbotsCache) // checked by parseFlags
	if cfg.Limits, err = limits.Load(o.limits); err != nil {
		return usageError{fmt.Errorf("--limits: %w", err)}
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
			return usageError{fmt.Errorf("--fixtures: %w", err)}
		}
	}
	if o.specFile != "" {
		if cfg.Spec, err = os.ReadFile(o.specFile); err != nil {
			return usageError{fmt.Errorf("--spec: %w", err)}
		}
	}
	m, err := mock.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: m, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "contextgpt-mock %s listening on %s\n", mock.Version, base)
	fmt.Fprintf(stdout, "API: %s/api/v1/...   control plane: %s/__mock/health\n", base, base)
	if !o.quiet && cfg.Spec == nil {
		printKeys(stdout, m, base)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	return m.Close(shutdownCtx)
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
