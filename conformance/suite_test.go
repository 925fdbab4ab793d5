package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/mock"
	"github.com/contextgpt/sandbox/scenarios"
	"github.com/contextgpt/sandbox/spec"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	var mu sync.Mutex
	var violations []string
	cfg.OnViolation = func(r *http.Request, status int, problems []spec.Problem) {
		mu.Lock()
		defer mu.Unlock()
		for _, p := range problems {
			violations = append(violations, fmt.Sprintf("%s %s -> %d: %s", r.Method, r.URL.Path, status, p))
		}
	}
	m, err := mock.New(cfg)
	require.NoError(tb, err)
	srv := httptest.NewServer(m)
	tb.Cleanup(func() {
		srv.Close()
		_ = m.Close(context.Background())
	})
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(violations)
	}
}

func builtInSuite(tb testing.TB) []*arazzo.Document {
	tb.Helper()
	docs, err := arazzo.LoadFS(scenarios.FS, ".", "scenarios")
	require.NoError(tb, err)
	return docs
}

// runSuite runs the built-in suite and fails the test with the console output when the run
// does not pass.
func runSuite(t *testing.T, baseURL, apiKey string) *report.Report {
	t.Helper()
	var out strings.Builder
	red := &report.Redactor{}
	c := &report.Console{W: &out, Red: red}
	r, err := New(Config{BaseURL: baseURL, APIKey: apiKey, Redactor: red, OnWorkflow: c.Workflow, Jobs: 2}, builtInSuite(t))
	require.NoError(t, err)
	rep := r.Run(context.Background())
	c.Summary(rep)
	require.Equal(t, report.ExitPassed, rep.ExitCode, "the built-in suite failed (a finding \"status-declared\" on a 501 is a mock handler still missing):\n%s", out.String())
	assert.Zero(t, rep.Summary.WorkflowsSkipped, "against the mock nothing is skipped")
	assert.Zero(t, rep.Summary.Findings)
	return rep
}

// chatbotsOf lists the chatbot ids of the key's accounts: the accounts from GET my-chatbots,
// the chatbots from each account's all-chatbots, which is not cached (my-chatbots is, for
// 10 minutes, and a sandbox deleted mid-run lets a run's own chatbots into that cache).
func chatbotsOf(t *testing.T, base, key string) []string {
	t.Helper()
	get := func(path string, v any) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode)
		require.NoError(t, json.NewDecoder(res.Body).Decode(v))
	}
	var mine struct {
		Data struct {
			Accounts []struct {
				AccountID string `json:"accountId"`
			} `json:"accounts"`
		} `json:"data"`
	}
	get("/api/v1/chatbots/my-chatbots", &mine)
	var ids []string
	for _, a := range mine.Data.Accounts {
		var all struct {
			Data struct {
				Chatbots []struct {
					ChatbotID string `json:"chatbotId"`
				} `json:"chatbots"`
			} `json:"data"`
		}
		get("/api/v1/chatbots/account/"+a.AccountID+"/all-chatbots", &all)
		for _, c := range all.Data.Chatbots {
			ids = append(ids, c.ChatbotID)
		}
	}
	slices.Sort(ids)
	return ids
}

// accountCount counts the mock's accounts (sandboxes included) through GET /__mock/state.
func accountCount(t *testing.T, base string) int {
	t.Helper()
	res, err := http.Get(base + "/__mock/state")
	require.NoError(t, err)
	defer res.Body.Close()
	var state struct {
		Accounts []json.RawMessage `json:"accounts"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&state))
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
	assert.NotEqual(t, first.RunID, second.RunID, "each run has its own run id")
	assert.True(t, first.Mock)
	assert.Equal(t, before, chatbotsOf(t, srv.URL, superAdminKey), "the runs left no chatbot behind")

	sandboxed := runSuite(t, base, "")
	assert.Equal(t, len(first.Workflows), len(sandboxed.Workflows))
	assert.Equal(t, accounts, accountCount(t, srv.URL), "every sandbox (and the Trial one a step made) is deleted")
	assert.Equal(t, before, chatbotsOf(t, srv.URL, superAdminKey), "sandbox mode does not touch the fixture accounts")

	assert.Empty(t, violations(), "strict mode: the mock's own responses honour the contract")
	for _, c := range first.Coverage {
		if c.Source == "contextgpt.yaml" {
			assert.Greater(t, c.OperationsCovered, 10)
		}
	}
}

// BenchmarkSuite runs the whole built-in suite on one key against the in-process strict
// mock (rate limits off, so no 429 waits): "run" is Runner.Run alone, "new+run" includes
// loading the spec and building the validators, as a command run does.
func BenchmarkSuite(b *testing.B) {
	srv, _ := strictMock(b, func(c *mock.Config) { c.Limits = nil })
	docs := builtInSuite(b)
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
