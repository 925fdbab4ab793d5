package conformance

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/internal/mocktest"
	"github.com/contextgpt/sandbox/mock"
)

// superAdminKey is a fixture key of the mock: SUPER_ADMIN of a Scale account.
const superAdminKey = "sk_test_scale_super_admin"

// strictMock serves mock.DefaultConfig() with Strict on behind an httptest server (with
// tune, if given, changing the configuration first); the returned func lists the responses
// the mock found breaking the contract itself.
func strictMock(tb testing.TB, tune ...func(*mock.Config)) (*httptest.Server, func() []string) {
	tb.Helper()
	cfg := mock.DefaultConfig()
	cfg.Strict = true
	for _, f := range tune {
		f(&cfg)
	}
	s := mocktest.Start(tb, cfg)
	return s.Server, s.Violations
}

// runSuite runs the built-in suite and fails the test with the console output when the run
// does not pass.
func runSuite(t *testing.T, baseURL, apiKey string) *report.Report {
	t.Helper()
	var out strings.Builder
	red := &report.Redactor{}
	c := &report.Console{W: &out, Red: red}
	r, err := New(Config{BaseURL: baseURL, APIKey: apiKey, Redactor: red, OnWorkflow: c.Workflow, Jobs: 2}, mocktest.Suite(t))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	rep := r.Run(context.Background())
	c.Summary(rep)
	if rep.ExitCode != report.ExitPassed {
		t.Fatalf("the built-in suite failed (a finding \"status-declared\" on a 501 is a mock handler still missing):\n%s: got %v, want %v", out.String(), rep.ExitCode, report.ExitPassed)
	}
	if rep.Summary.WorkflowsSkipped != 0 {
		t.Errorf("against the mock nothing is skipped: got %v, want the zero value", rep.Summary.WorkflowsSkipped)
	}
	if rep.Summary.Findings != 0 {
		t.Errorf("rep.Summary.Findings = %v, want the zero value", rep.Summary.Findings)
	}
	return rep
}

// chatbotsOf lists, sorted, the chatbot ids of the key's accounts (mocktest.ChatbotIDs: not cached).
func chatbotsOf(t *testing.T, base, key string) []string {
	t.Helper()
	ids := mocktest.ChatbotIDs(t, base, key)
	slices.Sort(ids)
	return ids
}

// accountCount counts the mock's accounts (sandboxes included) through GET /__mock/state.
func accountCount(t *testing.T, base string) int {
	t.Helper()
	res, err := http.Get(base + "/__mock/state")
	if err != nil {
		t.Fatalf("http.Get: %v", err)
	}
	defer res.Body.Close()
	var state struct {
		Accounts []json.RawMessage `json:"accounts"`
	}
	if err := json.NewDecoder(res.Body).Decode(&state); err != nil {
		t.Fatalf("json.NewDecoder(res.Body).Decode: %v", err)
	}
	return len(state.Accounts)
}

// The built-in suite passes against the mock twice in a row on the same key (its names
// are run-unique and every workflow deletes what it created), and once in sandbox mode.
func TestBuiltInSuiteAgainstMock(t *testing.T) {
	srv, violations := strictMock(t)
	base := srv.URL + "/api"
	before := chatbotsOf(t, srv.URL, superAdminKey)
	accounts := accountCount(t, srv.URL)

	first := runSuite(t, base, superAdminKey)
	second := runSuite(t, base, superAdminKey)
	if second.RunID == first.RunID {
		t.Errorf("each run has its own run id: second.RunID = %q, want anything else", second.RunID)
	}
	if !first.Mock {
		t.Errorf("want first.Mock to be true")
	}
	if got := chatbotsOf(t, srv.URL, superAdminKey); !reflect.DeepEqual(got, before) {
		t.Errorf("the runs left no chatbot behind: got %q, want %q", got, before)
	}

	sandboxed := runSuite(t, base, "")
	if got, want := len(sandboxed.Workflows), len(first.Workflows); got != want {
		t.Errorf("len(sandboxed.Workflows) = %v, want %v", got, want)
	}
	if got := accountCount(t, srv.URL); got != accounts {
		t.Errorf("every sandbox (and the Trial one a step made) is deleted: got %v, want %v", got, accounts)
	}
	if got := chatbotsOf(t, srv.URL, superAdminKey); !reflect.DeepEqual(got, before) {
		t.Errorf("sandbox mode does not touch the fixture accounts: got %q, want %q", got, before)
	}

	if got := violations(); len(got) != 0 {
		t.Errorf("strict mode: the mock's own responses honour the contract: got %q, want empty", got)
	}
	for _, c := range first.Coverage {
		if c.Source == "contextgpt.yaml" {
			if c.OperationsCovered <= 10 {
				t.Errorf("c.OperationsCovered = %v, want > %v", c.OperationsCovered, 10)
			}
		}
	}
}

// BenchmarkSuite runs the whole built-in suite on one key against the in-process strict
// mock (rate limits off, so no 429 waits): "run" is Runner.Run alone, "new+run" includes
// loading the spec and building the validators, as a command run does.
func BenchmarkSuite(b *testing.B) {
	srv, _ := strictMock(b, func(c *mock.Config) { c.Limits = nil })
	docs := mocktest.Suite(b)
	cfg := Config{BaseURL: srv.URL + "/api", APIKey: superAdminKey}
	run := func(b *testing.B, r *Runner) {
		if rep := r.Run(context.Background()); rep.ExitCode != report.ExitPassed {
			b.Fatalf("the suite does not pass (exit %d)", rep.ExitCode)
		}
	}
	newRunner := func(b *testing.B) *Runner {
		r, err := New(cfg, docs)
		if err != nil {
			b.Fatal(err)
		}
		return r
	}
	b.Run("run", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			r := newRunner(b)
			b.StartTimer()
			run(b, r)
		}
	})
	b.Run("new+run", func(b *testing.B) {
		for b.Loop() {
			run(b, newRunner(b))
		}
	})
}
