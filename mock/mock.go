package mock

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/contextgpt/sandbox/mock/clock"
	"github.com/contextgpt/sandbox/mock/fake"
	"github.com/contextgpt/sandbox/mock/faults"
	"github.com/contextgpt/sandbox/mock/journal"
	"github.com/contextgpt/sandbox/mock/limits"
	"github.com/contextgpt/sandbox/mock/store"
	"github.com/contextgpt/sandbox/mock/ui"
	"github.com/contextgpt/sandbox/spec"
)

// Version is the mock's version, reported by GET /__mock/health.
const Version = "0.1.0"

// Config sets up a Mock. The zero value is not useful; start from DefaultConfig.
type Config struct {
	// Spec is the OpenAPI document served; nil means the embedded ContextGPT spec.
	// Another document is served from its schemas and examples alone.
	Spec []byte
	// Fixtures is the YAML of the initial state; nil means the embedded defaults,
	// an empty slice means an empty mock.
	Fixtures []byte
	// Seed makes ids and generated data reproducible.
	Seed int64
	// SeededKeys derives the API keys of new sandboxes from Seed too (reproducible keys, as
	// an explicit --seed asks for); false draws them from crypto/rand, so no tenant can
	// compute another's key.
	SeededKeys bool
	// Clock is the time source; nil means the real clock.
	Clock clock.Clock
	// Strict validates every response against the spec before it is written.
	Strict bool
	// OnViolation is called with each response that breaks the contract (strict mode).
	OnViolation func(r *http.Request, status int, problems []spec.Problem)
	// AdminToken, when set, lets non-loopback clients use the control plane with it
	// as a bearer token; loopback clients need none.
	AdminToken string
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
	// WebhookTimeout is how long a webhook receiver has to answer, in real time
	// (--webhook-timeout); 0 means 10 s.
	WebhookTimeout time.Duration
	// Limits are the rate limits and plan quotas (--limits); nil limits nothing (off).
	Limits *limits.Config
	// StateFile, when set, is loaded at start if it exists, saved atomically within
	// StateSaveInterval of every change while the mock runs, and saved by Close.
	StateFile string
	// StateSaveInterval is how long a change may wait before the state file is rewritten
	// (what a kill -9 can lose); 0 means 1 s.
	StateSaveInterval time.Duration
	// MyChatbotsTTL is how long GET /v1/chatbots/my-chatbots answers are cached per user on
	// the mock's clock, as the real API caches them (DefaultConfig: 10 minutes); 0 turns
	// the cache off (--my-chatbots-cache off).
	MyChatbotsTTL time.Duration
	// MaxMemory is the process-memory ceiling in bytes (--max-memory; memory.go): at or over
	// it, writes are refused with 403 STORE_LIMIT_REACHED. 0: no ceiling.
	MaxMemory uint64
	// memoryRead replaces the runtime's memory figure (tests).
	memoryRead func() uint64
}

// DefaultConfig is the mock as `make run` starts it.
func DefaultConfig() Config {
	return Config{Seed: 1, Limits: limits.Documented(), MyChatbotsTTL: DefaultMyChatbotsTTL}
}

// Mock is the mock server; it is an http.Handler.
type Mock struct {
	cfg       Config
	spec      *spec.Spec
	admin     *spec.Spec
	contract  bool // serving the ContextGPT contract (domain handlers on)
	store     *store.Store
	clock     clock.Clock
	log       *slog.Logger
	ops       map[string]operation
	adminOps  map[string]adminHandler
	validator *spec.ResponseValidator
	adminVal  *spec.ResponseValidator
	fixtures  []byte
	seq       atomic.Uint64
	instance  uint32 // random: the first part of generated X-Request-Ids (never the seed)
	closers   []func(context.Context) error
	visitors  *visitorRuntime      // reply engine, webhook dispatcher, webhook sinks (visitors.go)
	defaults  map[string]store.Doc // component schema → default document (defaults.go)
	fake      *fake.Generator      // answers operations without a handler (generated.go)

	limits         *limits.Set      // nil with --limits off (limits.go)
	faults         *faults.Set      // fault rules (faults.go)
	journal        *journal.Journal // request journal (journal.go)
	fixtureState   []byte           // the fixtures as a state document, for reset (admin_state.go)
	onReset        []func()         // what else POST /__mock/reset clears (webhook sinks, deliveries)
	onImport       []func()         // what runs after PUT /__mock/state imported a document
	chattingPrefix string           // /api/v1/chatting/: not under the per-IP limit
	saveMu         sync.Mutex       // one state-file save at a time
	myChatbots     *myChatbotsCache // GET /v1/chatbots/my-chatbots per user (mychatbots_cache.go)
	memory         *memoryGuard     // the --max-memory watch and the in-flight body budget (memory.go)
	ui             *ui.Handler      // the dashboard at /__mock/ui

	// mutation is a test's deliberate defect, nil otherwise (mutation.go).
	mutation atomic.Pointer[mutation]
}

// New builds a mock: it loads the spec and fixtures once and builds every validator once.
func New(cfg Config) (*Mock, error) {
	m := &Mock{cfg: cfg, clock: cfg.Clock, log: cfg.Logger}
	var inst [4]byte
	_, _ = rand.Read(inst[:])
	m.instance = binary.BigEndian.Uint32(inst[:])
	if m.clock == nil {
		m.clock = clock.Real{}
	}
	if m.log == nil {
		m.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	doc := cfg.Spec
	m.contract = doc == nil
	if doc == nil {
		doc = spec.ContextGPTDocument()
	}
	// The two documents load in parallel: parsing the YAML is most of the start-up time.
	// They load once per process (spec.Shared): a second mock starts in milliseconds.
	adminc := make(chan error, 1)
	go func() {
		var err error
		m.admin, err = spec.Shared(spec.MockAdminDocument())
		adminc <- err
	}()
	var err error
	m.spec, err = spec.Shared(doc)
	if aerr := <-adminc; aerr != nil {
		return nil, fmt.Errorf("mock: control-plane spec: %w", aerr)
	}
	if err != nil {
		return nil, err
	}
	m.defaults = m.spec.Defaults()
	m.fake = fake.New(cfg.Seed)
	if cfg.Strict {
		if m.validator, err = spec.SharedResponseValidator(doc); err != nil {
			return nil, fmt.Errorf("mock: response validator: %w", err)
		}
		if m.adminVal, err = spec.SharedResponseValidator(spec.MockAdminDocument()); err != nil {
			return nil, fmt.Errorf("mock: control-plane validator: %w", err)
		}
	}
	m.memory = newMemoryGuard(cfg.MaxMemory, cfg.memoryRead)
	m.closers = append(m.closers, m.memory.close)
	m.store = store.New(store.Config{Seed: cfg.Seed, RandomKeys: !cfg.SeededKeys, Now: m.clock.Now, Plans: planTable(cfg.Limits), Caps: storeCaps(cfg.Limits)})
	m.myChatbots = newMyChatbotsCache(cfg.MyChatbotsTTL)
	m.onReset = append(m.onReset, m.myChatbots.clear)
	m.onImport = append(m.onImport, m.myChatbots.clear)
	m.fixtures = cfg.Fixtures
	if m.fixtures == nil && m.contract {
		m.fixtures = defaultFixtures()
	}
	if err := m.loadFixtures(); err != nil {
		return nil, err
	}
	if err := m.initControl(); err != nil {
		return nil, err
	}
	m.startVisitors()
	m.registerRoutes()
	m.ui = ui.New(ui.Config{AdminToken: cfg.AdminToken, Store: m.store, Journal: m.journal,
		Control: http.HandlerFunc(m.serveAdminRoute), Sinks: m.visitors.sinks.names})
	return m, nil
}

// Store exposes the domain state (tests and the command use it).
func (m *Mock) Store() *store.Store { return m.store }

// Spec is the loaded document the mock serves.
func (m *Mock) Spec() *spec.Spec { return m.spec }

// ServeHTTP runs the request chain.
func (m *Mock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	st := getRequestState()
	defer putRequestState(st) // registered first, so it runs last: nothing reads st after
	w, finishMutation := m.mutateResponse(w, r)
	defer finishMutation()
	start := time.Now()
	rec := &st.rec
	*rec = recorder{ResponseWriter: w, status: http.StatusOK, errBody: rec.errBody}
	var out http.ResponseWriter = rec
	var buf *bufferedWriter
	if m.cfg.Strict {
		buf = newBufferedWriter()
		out = buf
	}
	path := r.URL.EscapedPath()
	admin := path == "/__mock" || strings.HasPrefix(path, "/__mock/")
	if r.Method == http.MethodHead && !admin {
		// HEAD on a GET route answers like GET (as the frameworks such APIs run on do);
		// net/http, which still sees HEAD, sends the headers without the body.
		if _, err := m.spec.Match(http.MethodGet, path); err == nil {
			r = r.Clone(r.Context())
			r.Method = http.MethodGet
		}
	}
	var info *reqInfo
	if !admin {
		info = &st.info
		m.beginAPI(info, out, r)
		info.raw = w
		if info.api {
			defer m.endAPI(info, rec) // registered before the recovery, so it runs after it: after a drop's re-panic too
		}
	}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			m.log.Error("panic in handler", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
			if buf != nil {
				buf.reset()
			}
			opID := ""
			if info != nil {
				opID = info.operationID
			}
			writeOpError(out, opID, internalError(fmt.Errorf("panic: %v", v)))
		}
		if buf != nil {
			m.checkContract(r, buf)
			buf.flushTo(rec)
		}
		if m.log.Enabled(r.Context(), slog.LevelDebug) { // the arguments alone cost four allocations
			m.log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", rec.status, "duration", time.Since(start))
		}
	}()
	if e := requestTooLarge(r); e != nil {
		markUnmatched(out) // answered before routing
		if admin {
			writeAdminErr(out, e)
		} else {
			if info.api {
				m.peekIP(out, r, info) // X-RateLimit-* as on every /api answer
			}
			writeError(out, e)
		}
		return
	}
	if admin {
		m.serveAdmin(out, r)
		return
	}
	m.serveChain(out, r, st)
}

// checkContract validates a buffered response (strict mode) and reports violations.
func (m *Mock) checkContract(r *http.Request, b *bufferedWriter) {
	v := m.validator
	if strings.HasPrefix(r.URL.Path, "/__mock/") {
		v = m.adminVal
		if strings.HasPrefix(r.URL.Path, "/__mock/webhook-sink/") && r.Method == http.MethodPost {
			// The sink answers whatever a test configured it to.
			return
		}
	}
	if v == nil || b.unmatched {
		return
	}
	problems := v.ValidateResponse(r, b.status, b.Header(), b.body.Bytes())
	if len(problems) == 0 {
		return
	}
	m.log.Error("CONTRACT VIOLATION: response does not match the spec", "method", r.Method, "path", r.URL.Path, "status", b.status, "problems", fmt.Sprint(problems))
	if m.cfg.OnViolation != nil {
		m.cfg.OnViolation(r, b.status, problems)
	}
}

// Close stops background work (webhook deliveries) within ctx, then saves --state-file.
// Every step runs even when an earlier one failed or ctx is done: the state is always saved.
func (m *Mock) Close(ctx context.Context) error {
	var errs []error
	for _, f := range m.closers {
		if err := f(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
