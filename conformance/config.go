package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/contextgpt/sandbox/conformance/report"
)

// Config configures a run. The zero value of each field has a useful default (DefaultConfig
// spells them out), except BaseURL.
type Config struct {
	// BaseURL replaces the API's server URL, e.g. http://127.0.0.1:8080/api; a trailing /v1
	// is tolerated. The control plane resolves against its origin.
	BaseURL string
	// APIKey is sent on every API step that does not set its own Authorization. Without it,
	// against the mock, each workflow group gets a sandbox of Plan.
	APIKey string
	Plan   string
	// MockAdminToken is sent as a bearer token to the control plane.
	MockAdminToken string
	// Inputs are given to every workflow that declares them; runId is generated when absent.
	Inputs map[string]string
	// SpecDocument is the contract (default: the embedded contextgpt.yaml).
	SpecDocument []byte
	// Workflows selects workflows by id (and what they depend on); empty runs all.
	Workflows []string
	// Shard runs one part of the selected workflows (Count 0: all).
	Shard   Shard
	Jobs    int           // workflow groups run in parallel (default 1)
	Timeout time.Duration // per request (default 30 s)
	MaxWait time.Duration // longest Retry-After honoured on a 429 (default 60 s)
	// MinCoverage fails the run when an API source's operation coverage is below it (percent).
	MinCoverage float64
	Client      *http.Client
	// Sleep waits; tests inject one that does not.
	Sleep func(ctx context.Context, d time.Duration) error
	Now   func() time.Time
	// OnWorkflow is called as each workflow finishes (the console prints it).
	OnWorkflow func(report.WorkflowResult)
	// Redactor learns every key the run uses; the report writers use it.
	Redactor *report.Redactor
	// OnResponse, when set, sees every response a step gets (the probe command's
	// (operation, status) coverage table counts them). It may be called concurrently.
	OnResponse func(Response)
	// Version is the harness's version, recorded in the report.
	Version string
	// Verbose keeps every step's exchange (request, response, curl line) in the report, not
	// only a failed step's.
	Verbose bool
	// StrictSchema flags body properties the spec does not declare (body-undeclared).
	StrictSchema bool
	// MaxResponseTime flags a response slower than this (response-time); 0: no limit.
	MaxResponseTime time.Duration
	// OnHint is called once, as soon as the run looks misconfigured (the base URL).
	OnHint func(string)
}

// Plans are the sandbox plans the mock hands out (Config.Plan).
var Plans = []string{"trial", "starter", "growth", "scale", "enterprise"}

// DefaultConfig returns the defaults of every field but BaseURL.
func DefaultConfig() Config {
	return Config{
		Plan:    "scale",
		Jobs:    1,
		Timeout: 30 * time.Second,
		MaxWait: 60 * time.Second,
	}
}

// withDefaults fills the zero fields and refuses values no run can use.
func (cfg Config) withDefaults() (Config, error) {
	def := DefaultConfig()
	if cfg.Plan == "" {
		cfg.Plan = def.Plan
	}
	if !slices.Contains(Plans, strings.ToLower(cfg.Plan)) {
		return cfg, badInput("--plan %q: one of %s", cfg.Plan, strings.Join(Plans, ", "))
	}
	cfg.Plan = strings.ToLower(cfg.Plan)
	if cfg.Jobs <= 0 {
		cfg.Jobs = def.Jobs
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = def.Timeout
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = def.MaxWait
	}
	if cfg.Client == nil {
		cfg.Client = newClient(cfg.Timeout)
	}
	if cfg.Sleep == nil {
		cfg.Sleep = Sleep
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Redactor == nil {
		cfg.Redactor = &report.Redactor{}
	}
	if cfg.Shard.Count > 0 && (cfg.Shard.Index < 1 || cfg.Shard.Index > cfg.Shard.Count) {
		return cfg, badInput("--shard %d/%d: expected i/n with 1 <= i <= n", cfg.Shard.Index, cfg.Shard.Count)
	}
	if cfg.MinCoverage < 0 || cfg.MinCoverage > 100 {
		return cfg, badInput("--min-coverage %v is not a percentage", cfg.MinCoverage)
	}
	cfg.Redactor.Add(cfg.APIKey, cfg.MockAdminToken)
	return cfg, nil
}

// BadInputError is a problem with flags, the spec or the documents: exit code 2.
type BadInputError struct{ Err error }

func (e *BadInputError) Error() string { return e.Err.Error() }

func (e *BadInputError) Unwrap() error { return e.Err }

func badInput(format string, args ...any) error {
	return &BadInputError{Err: fmt.Errorf(format, args...)}
}

func parseBaseURL(raw string) (*url.URL, string, error) {
	if raw == "" {
		return nil, "", fmt.Errorf("--base-url is required (e.g. http://127.0.0.1:8080/api)")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, "", fmt.Errorf("--base-url %q: expected http(s)://host[:port]/api", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, "", fmt.Errorf("--base-url %q: no query or fragment", raw)
	}
	u.Path = strings.TrimSuffix(strings.TrimRight(u.Path, "/"), "/v1")
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, u.Scheme + "://" + u.Host, nil
}

// buildInputs converts --input values by the declared input types, and refuses names no
// selected workflow declares and required inputs nobody gives.
func (r *Runner) buildInputs() (map[string]any, error) {
	out := map[string]any{}
	declared := map[string]string{} // name -> type
	var errs []error
	for _, id := range r.order {
		w := r.workflows[id]
		props, _ := w.Inputs["properties"].(map[string]any)
		for name, p := range props {
			schema, _ := p.(map[string]any) // not an object (null, say): no type to convert by
			typ, _ := schema["type"].(string)
			declared[name] = typ
		}
	}
	for name, raw := range r.cfg.Inputs {
		typ, ok := declared[name]
		if !ok && name != "runId" && name != apiKeyInput {
			errs = append(errs, fmt.Errorf("--input %s: no selected workflow declares this input", name))
			continue
		}
		v, err := convertInput(raw, typ)
		if err != nil {
			errs = append(errs, fmt.Errorf("--input %s: %w", name, err))
			continue
		}
		out[name] = v
		if name == apiKeyInput {
			r.red.Add(raw)
		}
	}
	out["runId"] = r.runID
	for _, id := range r.order {
		w := r.workflows[id]
		req, _ := w.Inputs["required"].([]any)
		for _, n := range req {
			name, _ := n.(string)
			if _, ok := out[name]; !ok && !r.called[id] && name != apiKeyInput {
				errs = append(errs, fmt.Errorf("workflow %s: input %q is required (--input %s=...)", id, name, name))
			}
		}
	}
	return out, errors.Join(errs...)
}

func convertInput(raw, typ string) (any, error) {
	switch typ {
	case "integer":
		n, err := strconv.ParseInt(raw, 10, 64)
		return float64(n), err
	case "number":
		return strconv.ParseFloat(raw, 64)
	case "boolean":
		return strconv.ParseBool(raw)
	case "object", "array":
		var v any
		err := json.Unmarshal([]byte(raw), &v)
		return v, err
	}
	return raw, nil
}

// Response is one response a step got, as Config.OnResponse sees it.
type Response struct {
	Source        string // the source's key: contextgpt.yaml, mock-admin.yaml or a path
	Control       bool   // the mock's control plane
	OperationID   string
	Status        int
	RequestHeader http.Header
	Body          []byte
}
