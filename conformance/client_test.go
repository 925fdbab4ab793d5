package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const netSpec = `openapi: 3.0.3
info: {title: Net, version: "1"}
servers: [{url: /api}]
paths:
  /v1/things/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get:
      operationId: getThing
      responses:
        "200":
          description: A thing.
          headers:
            X-Count: {schema: {type: integer}}
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties:
                  id: {type: string}
        "429":
          description: Slow down.
          headers:
            Retry-After: {required: true, schema: {type: integer}}
          content:
            application/json:
              schema: {type: object}
`

// netServer answers getThing by id: one (200), drop (the connection closes after the
// request, once), redirect (302), extra (an undeclared property), badheader (X-Count: abc),
// slow (150 ms), limited (429 with Retry-After: 3 once, then 200), html (a 404 page).
type netServer struct {
	mu   sync.Mutex
	hits map[string]int
}

func (s *netServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/api/v1/things/")
	s.mu.Lock()
	s.hits[id]++
	n := s.hits[id]
	s.mu.Unlock()
	if !strings.HasPrefix(r.URL.Path, "/api/v1/things/") {
		http.NotFound(w, r)
		return
	}
	body := map[string]any{"id": id}
	switch id {
	case "drop":
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	case "redirect":
		http.Redirect(w, r, "/api/v1/things/one", http.StatusFound)
		return
	case "extra":
		body["secretToken"] = "tok-very-secret-1"
		body["extra"] = true
	case "badheader":
		w.Header().Set("X-Count", "abc")
	case "slow":
		time.Sleep(150 * time.Millisecond)
	case "limited":
		if n == 1 {
			w.Header().Set("Retry-After", "3")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{}`))
			return
		}
	case "html":
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("<html>Not Found</html>"))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

func (s *netServer) count(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[id]
}

// runNet runs one workflow whose steps get the given ids, against a netServer.
func runNet(t *testing.T, cfg Config, ids ...string) (*report.Report, *netServer) {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "net.openapi.yaml"), []byte(netSpec), 0o600))
	var doc strings.Builder
	doc.WriteString("arazzo: 1.0.1\ninfo: {title: net, version: \"1\"}\nsourceDescriptions:\n  - {name: net, url: net.openapi.yaml, type: openapi}\nworkflows:\n  - workflowId: w\n    steps:\n")
	for i, id := range ids {
		doc.WriteString("      - stepId: s" + string(rune('a'+i)) + "\n        operationId: getThing\n        parameters: [{name: id, in: path, value: " + id + "}]\n")
	}
	d, err := arazzo.Parse([]byte(doc.String()), filepath.Join(dir, "net.arazzo.yaml"))
	require.NoError(t, err)
	s := &netServer{hits: map[string]int{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	cfg.BaseURL = srv.URL + "/api"
	if cfg.APIKey == "" {
		cfg.APIKey = "k-secret-12345"
	}
	if cfg.Sleep == nil {
		cfg.Sleep = func(context.Context, time.Duration) error { return nil }
	}
	r, err := New(cfg, []*arazzo.Document{d})
	require.NoError(t, err)
	return r.Run(context.Background()), s
}

func findingsOf(rep *report.Report, step string) []report.Finding {
	for _, w := range rep.Workflows {
		for _, s := range w.Steps {
			if s.StepID == step {
				return s.Findings
			}
		}
	}
	return nil
}

func checksOf(fs []report.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Check)
	}
	return out
}

// A GET whose connection drops after the request was sent fails with transport; Go's
// transport would have sent it again on a new connection and passed. The earlier step keeps
// the connection alive, so the drop happens on a reused one (where the retry happens).
func TestDroppedGETIsATransportFinding(t *testing.T) {
	rep, s := runNet(t, Config{}, "one", "drop", "one")
	assert.Equal(t, report.ExitFailed, rep.ExitCode, "a dropped connection on one step is exit 1, not unreachable")
	assert.Equal(t, []string{CheckTransport}, checksOf(findingsOf(rep, "sb")))
	assert.Equal(t, 1, s.count("drop"), "sent once, never retried")
	assert.Equal(t, report.Passed, rep.Workflows[0].Steps[0].Status)
	assert.Equal(t, report.Skipped, rep.Workflows[0].Steps[2].Status)
	assert.Empty(t, rep.Error)
	assert.Equal(t, 1, rep.Summary.RunFindings)

	// The control: Go's own client, on a reused connection, sends the dropped GET twice.
	s2 := &netServer{hits: map[string]int{}}
	srv := httptest.NewServer(s2)
	defer srv.Close()
	c := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	for _, id := range []string{"one", "drop"} {
		if resp, err := c.Get(srv.URL + "/api/v1/things/" + id); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body) // read to the end: the connection is reused
			resp.Body.Close()
		}
	}
	assert.Equal(t, 2, s2.count("drop"), "net/http retries a dropped GET on a reused connection")
}

// A 302 is a response checked against the spec, never followed.
func TestRedirectIsNotFollowed(t *testing.T) {
	rep, s := runNet(t, Config{}, "redirect")
	assert.Equal(t, report.ExitFailed, rep.ExitCode)
	fs := findingsOf(rep, "sa")
	require.NotEmpty(t, fs)
	assert.Equal(t, "status-declared", fs[0].Check)
	assert.Equal(t, "302", fs[0].Actual)
	assert.Equal(t, 0, s.count("one"), "the Location was not followed")
	assert.Equal(t, 302, rep.Workflows[0].Steps[0].HTTPStatus)
}

// An undeclared property fails under --strict-schema and passes without it.
func TestStrictSchema(t *testing.T) {
	rep, _ := runNet(t, Config{}, "extra")
	assert.Equal(t, report.ExitPassed, rep.ExitCode)
	rep, _ = runNet(t, Config{StrictSchema: true}, "extra")
	assert.Equal(t, report.ExitFailed, rep.ExitCode)
	fs := findingsOf(rep, "sa")
	var pointers []string
	for _, f := range fs {
		assert.Equal(t, "body-undeclared", f.Check)
		pointers = append(pointers, f.Pointer)
	}
	assert.ElementsMatch(t, []string{"/extra", "/secretToken"}, pointers, "%+v", fs)
}

// A header that breaks its schema is header-schema, with the header's name as the pointer.
func TestHeaderSchemaFindingNamesTheHeader(t *testing.T) {
	rep, _ := runNet(t, Config{}, "badheader")
	fs := findingsOf(rep, "sa")
	require.Len(t, fs, 1)
	assert.Equal(t, "header-schema", fs[0].Check)
	assert.Equal(t, "X-Count", fs[0].Pointer)
	assert.Equal(t, `"abc"`, fs[0].Actual)
	assert.Equal(t, report.CategoryContract, fs[0].Category)
}

func TestMaxResponseTime(t *testing.T) {
	rep, _ := runNet(t, Config{MaxResponseTime: 50 * time.Millisecond}, "slow", "one")
	assert.Equal(t, []string{CheckResponseTime}, checksOf(findingsOf(rep, "sa")))
	assert.Empty(t, findingsOf(rep, "sb"))
	assert.GreaterOrEqual(t, rep.Workflows[0].Steps[0].Latency, 150*time.Millisecond)
}

// Each 429 the runner waited on is in the report: its Retry-After and the wait.
func TestRateLimitWaitsRecorded(t *testing.T) {
	var slept []time.Duration
	rep, s := runNet(t, Config{Sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }}, "limited")
	assert.Equal(t, report.ExitPassed, rep.ExitCode)
	st := rep.Workflows[0].Steps[0]
	assert.Equal(t, 2, st.Attempts)
	require.Len(t, st.Waits, 1)
	assert.Equal(t, report.Wait{Status: 429, RetryAfter: "3", Waited: 3 * time.Second}, st.Waits[0])
	assert.Equal(t, []time.Duration{3 * time.Second}, slept)
	assert.Equal(t, 2, s.count("limited"))
}

// A failed step keeps its exchange (redacted) and a curl line; a passed one does not.
func TestFailedStepKeepsItsExchange(t *testing.T) {
	rep, _ := runNet(t, Config{StrictSchema: true}, "one", "extra")
	steps := rep.Workflows[0].Steps
	assert.Nil(t, steps[0].Exchange)
	x := steps[1].Exchange
	require.NotNil(t, x)
	assert.Equal(t, "GET", x.Request.Method)
	assert.Equal(t, "Bearer [REDACTED]", x.Request.Header["Authorization"])
	require.NotNil(t, x.Response)
	assert.Equal(t, 200, x.Response.Status)
	assert.Contains(t, x.Response.Body, `"secretToken":"[REDACTED]"`)
	assert.Contains(t, x.Curl, `-H "Authorization: Bearer $CONTEXTGPT_API_KEY"`)
	assert.Contains(t, x.Curl, "/api/v1/things/extra")
	var b bytes.Buffer
	require.NoError(t, report.WriteJSON(&b, rep, &report.Redactor{}))
	assert.NotContains(t, b.String(), "k-secret-12345")
	assert.NotContains(t, b.String(), "tok-very-secret-1")
	b.Reset()
	require.NoError(t, report.WriteJUnit(&b, rep, &report.Redactor{}))
	assert.Contains(t, b.String(), "reproduce: curl")

	rep, _ = runNet(t, Config{Verbose: true}, "one")
	assert.NotNil(t, rep.Workflows[0].Steps[0].Exchange, "-v keeps every exchange")
}

// Nothing answered: exit 3, a failed case in JUnit. Something answered: transport is exit 1.
func TestUnreachableOnlyWhenNothingAnswered(t *testing.T) {
	d, err := arazzo.Parse([]byte(fakeHead+`workflows:
  - workflowId: w
    steps:
      - {stepId: a, operationId: getItem, parameters: [{name: id, in: path, value: x}]}
`), "testdata/t.arazzo.yaml")
	require.NoError(t, err)
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	r, err := New(Config{BaseURL: url + "/api", APIKey: "k-secret-12345"}, []*arazzo.Document{d})
	require.NoError(t, err)
	rep := r.Run(context.Background())
	assert.Equal(t, report.ExitUnreachable, rep.ExitCode)
	require.NotEmpty(t, rep.RunFailures)
	assert.Equal(t, "unreachable", rep.RunFailures[0].Check)
	assert.Contains(t, rep.Error, strings.TrimPrefix(url, "http://"), "the message names the target")
	var b bytes.Buffer
	require.NoError(t, report.WriteJUnit(&b, rep, &report.Redactor{}))
	assert.Contains(t, b.String(), `failures="1"`)
	assert.Contains(t, b.String(), `<testsuite name="run"`)
}

// When the first API answer is not the API's, the hint says the base URL looks wrong, once.
func TestBaseURLHint(t *testing.T) {
	var hints []string
	rep, _ := runNet(t, Config{OnHint: func(h string) { hints = append(hints, h) }}, "html", "html", "one")
	require.Len(t, hints, 1)
	assert.Contains(t, hints[0], "base URL looks wrong")
	assert.Equal(t, hints[0], rep.Hint)
}

// The coverage gate is a failed JUnit case and a run failure in JSON.
func TestCoverageGateIsAFailedCase(t *testing.T) {
	rep, _ := runNet(t, Config{MinCoverage: 100}, "one")
	assert.Equal(t, report.ExitPassed, rep.ExitCode, "one operation, covered")
	f := newFake()
	rep = runFake(t, f, `workflows:
  - workflowId: w
    steps:
      - {stepId: a, operationId: getItem, parameters: [{name: id, in: path, value: x}], successCriteria: [{condition: $statusCode == 404}]}
`, Config{APIKey: "k-secret-12345", MinCoverage: 90})
	assert.Equal(t, report.ExitFailed, rep.ExitCode)
	require.Len(t, rep.RunFailures, 1)
	assert.Equal(t, "coverage", rep.RunFailures[0].Check)
	var b bytes.Buffer
	require.NoError(t, report.WriteJUnit(&b, rep, &report.Redactor{}))
	assert.Contains(t, b.String(), `failures="1"`)
	assert.Contains(t, b.String(), "below --min-coverage")
}

// Every check code the runner can produce is in the one list, with a category.
func TestEveryCheckIsListed(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Checks {
		assert.False(t, seen[c.Code], "listed twice: %s", c.Code)
		seen[c.Code] = true
		assert.Contains(t, []string{report.CategoryContract, report.CategoryBehaviour, report.CategoryRun}, c.Category)
	}
	for _, code := range []string{"operation-declared", "status-declared", "content-type", "body-json", "body-schema", "body-undeclared",
		"header-required", "header-schema", CheckEnvelopeSuccess, CheckEnvelopeStatusCode, CheckCriterion, CheckOutput, CheckRequest,
		CheckTransport, CheckWorkflow, CheckResponseTime} {
		assert.True(t, seen[code], "not listed: %s", code)
	}
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	for _, c := range Checks {
		assert.True(t, strings.Contains(string(readme), "| `"+c.Code+"` |"), "the README's table of checks documents %s", c.Code)
	}
}
