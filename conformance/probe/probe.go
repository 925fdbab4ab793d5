// Package probe generates requests from the OpenAPI contract and checks what a target
// answers: for every operation, the documented 401s (no key, a malformed one, an unknown
// one), the 403s (a plan without API access, another account's resource), the 404s or 403s
// of unknown ids, 405 with Allow for a method a path lacks, 400 with errors[].path for bodies
// and query parameters derived from the schemas (each required field missing, wrong types,
// enums, lengths and bounds, malformed JSON, the wrong content type, an empty body), 413 for
// an oversized body, the boundary values that must pass, and 429 once the target's rate
// limit is spent. Every response is checked as the conformance runner checks a step, plus
// the error code the contract documents for the status.
//
// It needs a base URL and an API key (against the mock it makes its own sandboxes). Writes
// expected to succeed run only on a chatbot the probe creates and deletes again; cases it
// cannot run safely are skipped and reported as skipped. Its outcome is a report.Report: a
// "workflow" per operation, a "step" per case, and the (operation, status) pair table.
package probe

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/contextgpt/sandbox/conformance"
	"github.com/contextgpt/sandbox/conformance/pairs"
	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/spec"
)

// Check codes the probe adds to the runner's (spec.Check*, conformance.CheckEnvelope*); all
// are in conformance.Checks with their category.
const (
	CheckStatus     conformance.Check = "expected-status" // the status is not the one the case must get
	CheckErrorCode  conformance.Check = "error-code"      // error.code is not the one documented for the status
	CheckErrorPath  conformance.Check = "error-path"      // a 400's errors[].path does not name the field at fault
	CheckAllow      conformance.Check = "allow-header"    // a 405 without Allow, or Allow not listing the path's methods
	CheckPagination conformance.Check = "pagination"      // page, limit, total and pages disagree with the items
	CheckTransport                    = conformance.CheckTransport
)

// Config configures a probe. BaseURL and, unless the target is the mock, APIKey are needed.
type Config struct {
	BaseURL string
	// APIKey is the key of the account probed; without it, against the mock, a sandbox is made.
	APIKey string
	// ChatbotID and ThreadID name an existing chatbot (and one of its threads) of the key's
	// account: reads run on them. Without them the probe reads its own chatbot.
	ChatbotID, ThreadID string
	// AccountID is the account of the key (default: the first my-chatbots lists).
	AccountID string
	// OtherKey is a key of another account, for the cross-account cases (default: a sandbox on
	// the mock; elsewhere those cases are skipped).
	OtherKey string
	// PlanKeys are keys of accounts whose plan has no API access, by plan name (default: a
	// trial sandbox on the mock).
	PlanKeys map[string]string
	// Operations selects operations by operationId glob (path.Match); empty selects all.
	Operations []string
	// Seed makes the generated values and the --max-cases sample reproducible.
	Seed int64
	// MaxCases bounds the cases run (a seeded sample keeps the spec order); 0: no bound.
	MaxCases int
	// RateLimit runs the 429 cases: "auto" (on against the mock when its limits are on),
	// "on" or "off". They spend the rate limit of their key, so they run last.
	RateLimit      string
	MockAdminToken string
	Plan           string        // sandbox plan of the probed account (default scale)
	SpecDocument   []byte        // the contract (default: the embedded contextgpt.yaml)
	Timeout        time.Duration // per request (default 30 s)
	MaxWait        time.Duration // longest Retry-After honoured on a 429 (default 60 s)
	MinCoverage    float64       // fail below this (operation, status) pair coverage, in percent
	Client         *http.Client
	Sleep          func(ctx context.Context, d time.Duration) error
	Now            func() time.Time
	OnOperation    func(report.WorkflowResult) // called as each operation's cases finish
	Redactor       *report.Redactor
	// Pairs is the coverage table to record into (share it with a suite run); default: new.
	Pairs *pairs.Table
}

// Probe runs the generated cases once; build it with New.
type Probe struct {
	cfg       Config
	base      *url.URL
	origin    string
	spec      *spec.Spec
	validator *spec.ResponseValidator
	routes    []*spec.Route // selected, in document order
	table     *pairs.Table
	rng       *rand.Rand
	red       *report.Redactor
}

// New validates the configuration; its errors are *conformance.BadInputError.
func New(cfg Config) (*Probe, error) {
	cfg, err := withDefaults(cfg)
	if err != nil {
		return nil, err
	}
	cfg.Redactor.Add(cfg.APIKey, cfg.OtherKey, cfg.MockAdminToken)
	for _, k := range cfg.PlanKeys {
		cfg.Redactor.Add(k)
	}
	p := &Probe{cfg: cfg, red: cfg.Redactor, rng: rand.New(rand.NewPCG(uint64(cfg.Seed), 0x70726f6265))}
	if p.base, p.origin, err = parseBaseURL(cfg.BaseURL); err != nil {
		return nil, &conformance.BadInputError{Err: err}
	}
	if p.spec, err = spec.Load(cfg.SpecDocument); err != nil {
		return nil, badInput("--spec: %v", err)
	}
	if p.validator, err = spec.NewResponseValidator(cfg.SpecDocument); err != nil {
		return nil, badInput("--spec: %v", err)
	}
	if err := p.selectRoutes(); err != nil {
		return nil, err
	}
	p.table = cfg.Pairs
	if p.table == nil {
		p.table = pairs.New(p.spec, p.selected)
	}
	return p, nil
}

// badInput is a configuration error (exit 2).
func badInput(format string, args ...any) error {
	return &conformance.BadInputError{Err: fmt.Errorf(format, args...)}
}

// withDefaults fills what cfg leaves out and refuses what is out of range.
func withDefaults(cfg Config) (Config, error) {
	if cfg.SpecDocument == nil {
		cfg.SpecDocument = spec.ContextGPTDocument()
	}
	if cfg.Plan == "" {
		cfg.Plan = "scale"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = 60 * time.Second
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: cfg.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // a redirect is an answer to check, not to follow
		}}
	}
	if cfg.Sleep == nil {
		cfg.Sleep = conformance.Sleep
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Redactor == nil {
		cfg.Redactor = &report.Redactor{}
	}
	if cfg.MaxCases < 0 {
		return cfg, badInput("--max-cases %d: not negative", cfg.MaxCases)
	}
	if cfg.MinCoverage < 0 || cfg.MinCoverage > 100 {
		return cfg, badInput("--min-coverage %v is not a percentage", cfg.MinCoverage)
	}
	switch cfg.RateLimit {
	case "":
		cfg.RateLimit = "auto"
	case "auto", "on", "off":
	default:
		return cfg, badInput("--rate-limit %q: auto, on or off", cfg.RateLimit)
	}
	return cfg, nil
}

// selectRoutes keeps the routes --operation selects (all without it); a glob that is not
// one, or that matches no operation, is an error.
func (p *Probe) selectRoutes() error {
	for _, g := range p.cfg.Operations {
		if _, err := path.Match(g, ""); err != nil {
			return badInput("--operation %q: %v", g, err)
		}
	}
	for _, g := range p.cfg.Operations {
		hit := false
		for _, rt := range p.spec.Routes() {
			if ok, _ := path.Match(g, rt.OperationID); ok {
				hit = true
			}
		}
		if !hit {
			return badInput("--operation %q matches no operation of the contract", g)
		}
	}
	for _, rt := range p.spec.Routes() {
		if p.selected(rt.OperationID) {
			p.routes = append(p.routes, rt)
		}
	}
	return nil
}

func (p *Probe) selected(op string) bool { return Selector(p.cfg.Operations)(op) }

// Pairs is the coverage table the probe records into.
func (p *Probe) Pairs() *pairs.Table { return p.table }

// Selector reports whether an operationId matches the globs (all when there are none): the
// operations a shared coverage table should hold.
func Selector(globs []string) func(operationID string) bool {
	return func(op string) bool {
		if len(globs) == 0 {
			return true
		}
		for _, g := range globs {
			if ok, _ := path.Match(g, op); ok {
				return true
			}
		}
		return false
	}
}

func parseBaseURL(raw string) (*url.URL, string, error) {
	if raw == "" {
		return nil, "", fmt.Errorf("--base-url is required (e.g. http://127.0.0.1:8080/api)")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, "", fmt.Errorf("--base-url %q: expected http(s)://host[:port]/api", raw)
	}
	u.Path = strings.TrimRight(strings.TrimSuffix(strings.TrimRight(u.Path, "/"), "/v1"), "/")
	u.RawPath = ""
	return u, u.Scheme + "://" + u.Host, nil
}

// Run probes the target and returns the report; its ExitCode follows the run command's.
func (p *Probe) Run(ctx context.Context) *report.Report {
	start := p.cfg.Now()
	rep := &report.Report{Target: p.base.Redacted(), RunID: fmt.Sprintf("probe-seed-%d", p.cfg.Seed), Started: start}
	s := &session{p: p, rep: rep}
	code := s.run(ctx)
	rep.PairCoverage = p.table.Report(p.cfg.MinCoverage)
	if rep.PairCoverage.Failed && code == report.ExitPassed {
		code = report.ExitFailed
	}
	rep.Duration = p.cfg.Now().Sub(start)
	conformance.Categorize(rep) // each finding gets its check's category; counts the report
	rep.ExitCode = code
	return rep
}

// statusIn reports whether the operation declares status.
func declares(rt *spec.Route, status int) bool {
	return rt.Operation.Responses != nil && rt.Operation.Responses.Value(fmt.Sprint(status)) != nil
}

func declaredAmong(rt *spec.Route, statuses ...int) []int {
	var out []int
	for _, s := range statuses {
		if declares(rt, s) {
			out = append(out, s)
		}
	}
	return out
}

func successStatuses(rt *spec.Route) []int {
	var out []int
	for s := 200; s < 300; s++ {
		if declares(rt, s) {
			out = append(out, s)
		}
	}
	return out
}

func pathParams(rt *spec.Route) []string { return pathParamsOf(rt.SpecPath) }

func pathParamsOf(template string) []string {
	var out []string
	rest := template
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return out
		}
		out = append(out, rest[i+1:i+j])
		rest = rest[i+j+1:]
	}
}

var allMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
