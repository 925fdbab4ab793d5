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
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/conformance/report"
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
	case "limited", "limitedextra": // limitedextra: its 429 has an undeclared property
		if n == 1 {
			w.Header().Set("Retry-After", "3")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(map[bool]string{false: `{}`, true: `{"hint":"later"}`}[id == "limitedextra"]))
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
	if err := os.WriteFile(filepath.Join(dir, "net.openapi.yaml"), []byte(netSpec), 0o600); err != nil {
		t.Fatalf("os.WriteFile: %v", err)
	}
	var doc strings.Builder
	doc.WriteString("arazzo: 1.0.1\ninfo: {title: net, version: \"1\"}\nsourceDescriptions:\n  - {name: net, url: net.openapi.yaml, type: openapi}\nworkflows:\n  - workflowId: w\n    steps:\n")
	for i, id := range ids {
		doc.WriteString("      - stepId: s" + string(rune('a'+i)) + "\n        operationId: getThing\n        parameters: [{name: id, in: path, value: " + id + "}]\n")
	}
	d, err := arazzo.Parse([]byte(doc.String()), filepath.Join(dir, "net.arazzo.yaml"))
	if err != nil {
		t.Fatalf("arazzo.Parse: %v", err)
	}
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
	if err != nil {
		t.Fatalf("New: %v", err)
	}
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
	if rep.ExitCode != report.ExitFailed {
		t.Errorf("a dropped connection on one step is exit 1, not unreachable: got %v, want %v", rep.ExitCode, report.ExitFailed)
	}
	if got := checksOf(findingsOf(rep, "sb")); !reflect.DeepEqual(got, []string{CheckTransport}) {
		t.Errorf(`checksOf(findingsOf(rep, "sb")) = %q, want %q`, got, []string{CheckTransport})
	}
	if got := s.count("drop"); got != 1 {
		t.Errorf("sent once, never retried: got %v, want %v", got, 1)
	}
	if rep.Workflows[0].Steps[0].Status != report.Passed {
		t.Errorf("rep.Workflows[0].Steps[0].Status = %q, want %q", rep.Workflows[0].Steps[0].Status, report.Passed)
	}
	if rep.Workflows[0].Steps[2].Status != report.Skipped {
		t.Errorf("rep.Workflows[0].Steps[2].Status = %q, want %q", rep.Workflows[0].Steps[2].Status, report.Skipped)
	}
	if rep.Error != "" {
		t.Errorf("rep.Error = %q, want empty", rep.Error)
	}
	if rep.Summary.RunFindings != 1 {
		t.Errorf("rep.Summary.RunFindings = %v, want %v", rep.Summary.RunFindings, 1)
	}

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
	if got := s2.count("drop"); got != 2 {
		t.Errorf("net/http retries a dropped GET on a reused connection: got %v, want %v", got, 2)
	}
}

// A 302 is a response checked against the spec, never followed.
func TestRedirectIsNotFollowed(t *testing.T) {
	rep, s := runNet(t, Config{}, "redirect")
	if rep.ExitCode != report.ExitFailed {
		t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitFailed)
	}
	fs := findingsOf(rep, "sa")
	if len(fs) == 0 {
		t.Fatalf("fs is empty")
	}
	if fs[0].Check != "status-declared" {
		t.Errorf("fs[0].Check = %q, want %q", fs[0].Check, "status-declared")
	}
	if fs[0].Actual != "302" {
		t.Errorf("fs[0].Actual = %q, want %q", fs[0].Actual, "302")
	}
	if got := s.count("one"); got != 0 {
		t.Errorf("the Location was not followed: got %v, want %v", got, 0)
	}
	if rep.Workflows[0].Steps[0].HTTPStatus != 302 {
		t.Errorf("rep.Workflows[0].Steps[0].HTTPStatus = %v, want %v", rep.Workflows[0].Steps[0].HTTPStatus, 302)
	}
}

// An undeclared property fails under --strict-schema and passes without it.
func TestStrictSchema(t *testing.T) {
	rep, _ := runNet(t, Config{}, "extra")
	if rep.ExitCode != report.ExitPassed {
		t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitPassed)
	}
	rep, _ = runNet(t, Config{StrictSchema: true}, "extra")
	if rep.ExitCode != report.ExitFailed {
		t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitFailed)
	}
	fs := findingsOf(rep, "sa")
	var pointers []string
	for _, f := range fs {
		if f.Check != "body-undeclared" {
			t.Errorf("f.Check = %q, want %q", f.Check, "body-undeclared")
		}
		pointers = append(pointers, f.Pointer)
	}
	if got, want := slices.Sorted(slices.Values(pointers)), slices.Sorted(slices.Values([]string{"/extra", "/secretToken"})); !slices.Equal(got, want) {
		t.Errorf("%+v: got %q, want %q in any order", fs, got, want)
	}
}

// A header that breaks its schema is header-schema, with the header's name as the pointer.
func TestHeaderSchemaFindingNamesTheHeader(t *testing.T) {
	rep, _ := runNet(t, Config{}, "badheader")
	fs := findingsOf(rep, "sa")
	if got := len(fs); got != 1 {
		t.Fatalf("len(fs) = %d, want %d: %+v", got, 1, fs)
	}
	if fs[0].Check != "header-schema" {
		t.Errorf("fs[0].Check = %q, want %q", fs[0].Check, "header-schema")
	}
	if fs[0].Pointer != "X-Count" {
		t.Errorf("fs[0].Pointer = %q, want %q", fs[0].Pointer, "X-Count")
	}
	if fs[0].Actual != `"abc"` {
		t.Errorf("fs[0].Actual = %q, want %q", fs[0].Actual, `"abc"`)
	}
	if fs[0].Category != report.CategoryContract {
		t.Errorf("fs[0].Category = %q, want %q", fs[0].Category, report.CategoryContract)
	}
}

func TestMaxResponseTime(t *testing.T) {
	rep, _ := runNet(t, Config{MaxResponseTime: 50 * time.Millisecond}, "slow", "one")
	if got := checksOf(findingsOf(rep, "sa")); !reflect.DeepEqual(got, []string{CheckResponseTime}) {
		t.Errorf(`checksOf(findingsOf(rep, "sa")) = %q, want %q`, got, []string{CheckResponseTime})
	}
	if got := findingsOf(rep, "sb"); len(got) != 0 {
		t.Errorf(`findingsOf(rep, "sb") = %+v, want empty`, got)
	}
	if rep.Workflows[0].Steps[0].Latency < 150*time.Millisecond {
		t.Errorf("rep.Workflows[0].Steps[0].Latency = %v, want >= %v", rep.Workflows[0].Steps[0].Latency, 150*time.Millisecond)
	}
}

// Each 429 the runner waited on is in the report: its Retry-After and the wait.
func TestRateLimitWaitsRecorded(t *testing.T) {
	var slept []time.Duration
	rep, s := runNet(t, Config{Sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }}, "limited")
	if rep.ExitCode != report.ExitPassed {
		t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitPassed)
	}
	st := rep.Workflows[0].Steps[0]
	if st.Attempts != 2 {
		t.Errorf("st.Attempts = %v, want %v", st.Attempts, 2)
	}
	if got := len(st.Waits); got != 1 {
		t.Fatalf("len(st.Waits) = %d, want %d: %+v", got, 1, st.Waits)
	}
	if !reflect.DeepEqual(st.Waits[0], report.Wait{Status: 429, RetryAfter: "3", Waited: 3 * time.Second}) {
		t.Errorf("st.Waits[0] = %+v, want %+v", st.Waits[0], report.Wait{Status: 429, RetryAfter: "3", Waited: 3 * time.Second})
	}
	if !reflect.DeepEqual(slept, []time.Duration{3 * time.Second}) {
		t.Errorf("slept = %v, want %v", slept, []time.Duration{3 * time.Second})
	}
	if got := s.count("limited"); got != 2 {
		t.Errorf(`s.count("limited") = %v, want %v`, got, 2)
	}
}

// A failed step keeps its exchange (redacted) and a curl line; a passed one does not.
func TestFailedStepKeepsItsExchange(t *testing.T) {
	rep, _ := runNet(t, Config{StrictSchema: true}, "one", "extra")
	steps := rep.Workflows[0].Steps
	if steps[0].Exchange != nil {
		t.Errorf("steps[0].Exchange = %+v, want nil", steps[0].Exchange)
	}
	x := steps[1].Exchange
	if x == nil {
		t.Fatalf("x is nil")
	}
	if x.Request.Method != "GET" {
		t.Errorf("x.Request.Method = %q, want %q", x.Request.Method, "GET")
	}
	if x.Request.Header["Authorization"] != "Bearer [REDACTED]" {
		t.Errorf(`x.Request.Header["Authorization"] = %q, want %q`, x.Request.Header["Authorization"], "Bearer [REDACTED]")
	}
	if x.Response == nil {
		t.Fatalf("x.Response is nil")
	}
	if x.Response.Status != 200 {
		t.Errorf("x.Response.Status = %v, want %v", x.Response.Status, 200)
	}
	if !strings.Contains(x.Response.Body, `"secretToken":"[REDACTED]"`) {
		t.Errorf("x.Response.Body = %q, want it to contain %q", x.Response.Body, `"secretToken":"[REDACTED]"`)
	}
	if !strings.Contains(x.Curl, `-H "Authorization: Bearer $CONTEXTGPT_API_KEY"`) {
		t.Errorf("x.Curl = %q, want it to contain %q", x.Curl, `-H "Authorization: Bearer $CONTEXTGPT_API_KEY"`)
	}
	if !strings.Contains(x.Curl, "/api/v1/things/extra") {
		t.Errorf("x.Curl = %q, want it to contain %q", x.Curl, "/api/v1/things/extra")
	}
	var b bytes.Buffer
	if err := report.WriteJSON(&b, rep, &report.Redactor{}); err != nil {
		t.Fatalf("report.WriteJSON: %v", err)
	}
	if got := b.String(); strings.Contains(got, "k-secret-12345") {
		t.Errorf("b.String() = %q, want no %q", got, "k-secret-12345")
	}
	if got := b.String(); strings.Contains(got, "tok-very-secret-1") {
		t.Errorf("b.String() = %q, want no %q", got, "tok-very-secret-1")
	}
	b.Reset()
	if err := report.WriteJUnit(&b, rep, &report.Redactor{}); err != nil {
		t.Fatalf("report.WriteJUnit: %v", err)
	}
	if got := b.String(); !strings.Contains(got, "reproduce: curl") {
		t.Errorf("b.String() = %q, want it to contain %q", got, "reproduce: curl")
	}

	rep, _ = runNet(t, Config{Verbose: true}, "one")
	if rep.Workflows[0].Steps[0].Exchange == nil {
		t.Errorf("-v keeps every exchange: rep.Workflows[0].Steps[0].Exchange is nil")
	}
}

// Nothing answered: exit 3, a failed case in JUnit. Something answered: transport is exit 1.
func TestUnreachableOnlyWhenNothingAnswered(t *testing.T) {
	d, err := arazzo.Parse([]byte(fakeHead+`workflows:
  - workflowId: w
    steps:
      - {stepId: a, operationId: getItem, parameters: [{name: id, in: path, value: x}]}
`), "testdata/t.arazzo.yaml")
	if err != nil {
		t.Fatalf("arazzo.Parse: %v", err)
	}
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	r, err := New(Config{BaseURL: url + "/api", APIKey: "k-secret-12345"}, []*arazzo.Document{d})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	rep := r.Run(context.Background())
	if rep.ExitCode != report.ExitUnreachable {
		t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitUnreachable)
	}
	if len(rep.RunFailures) == 0 {
		t.Fatalf("rep.RunFailures is empty")
	}
	if rep.RunFailures[0].Check != "unreachable" {
		t.Errorf("rep.RunFailures[0].Check = %q, want %q", rep.RunFailures[0].Check, "unreachable")
	}
	if !strings.Contains(rep.Error, strings.TrimPrefix(url, "http://")) {
		t.Errorf("the message names the target: got %q, want it to contain %q", rep.Error, strings.TrimPrefix(url, "http://"))
	}
	var b bytes.Buffer
	if err := report.WriteJUnit(&b, rep, &report.Redactor{}); err != nil {
		t.Fatalf("report.WriteJUnit: %v", err)
	}
	if got := b.String(); !strings.Contains(got, `failures="1"`) {
		t.Errorf("b.String() = %q, want it to contain %q", got, `failures="1"`)
	}
	if got := b.String(); !strings.Contains(got, `<testsuite name="run"`) {
		t.Errorf("b.String() = %q, want it to contain %q", got, `<testsuite name="run"`)
	}
}

// When the first API answer is not the API's, the hint says the base URL looks wrong, once.
func TestBaseURLHint(t *testing.T) {
	var hints []string
	rep, _ := runNet(t, Config{OnHint: func(h string) { hints = append(hints, h) }}, "html", "html", "one")
	if got := len(hints); got != 1 {
		t.Fatalf("len(hints) = %d, want %d: %q", got, 1, hints)
	}
	if !strings.Contains(hints[0], "base URL looks wrong") {
		t.Errorf("hints[0] = %q, want it to contain %q", hints[0], "base URL looks wrong")
	}
	if rep.Hint != hints[0] {
		t.Errorf("rep.Hint = %q, want %q", rep.Hint, hints[0])
	}
}

// The coverage gate is a failed JUnit case and a run failure in JSON.
func TestCoverageGateIsAFailedCase(t *testing.T) {
	rep, _ := runNet(t, Config{MinCoverage: 100}, "one")
	if rep.ExitCode != report.ExitPassed {
		t.Errorf("one operation, covered: got %v, want %v", rep.ExitCode, report.ExitPassed)
	}
	f := newFake()
	rep = runFake(t, f, `workflows:
  - workflowId: w
    steps:
      - {stepId: a, operationId: getItem, parameters: [{name: id, in: path, value: x}], successCriteria: [{condition: $statusCode == 404}]}
`, Config{APIKey: "k-secret-12345", MinCoverage: 90})
	if rep.ExitCode != report.ExitFailed {
		t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitFailed)
	}
	if got := len(rep.RunFailures); got != 1 {
		t.Fatalf("len(rep.RunFailures) = %d, want %d: %+v", got, 1, rep.RunFailures)
	}
	if rep.RunFailures[0].Check != "coverage" {
		t.Errorf("rep.RunFailures[0].Check = %q, want %q", rep.RunFailures[0].Check, "coverage")
	}
	var b bytes.Buffer
	if err := report.WriteJUnit(&b, rep, &report.Redactor{}); err != nil {
		t.Fatalf("report.WriteJUnit: %v", err)
	}
	if got := b.String(); !strings.Contains(got, `failures="1"`) {
		t.Errorf("b.String() = %q, want it to contain %q", got, `failures="1"`)
	}
	if got := b.String(); !strings.Contains(got, "below --min-coverage") {
		t.Errorf("b.String() = %q, want it to contain %q", got, "below --min-coverage")
	}
}

// Every check code the runner can produce is in the one list, with a category.
func TestEveryCheckIsListed(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Checks {
		if seen[c.Code] {
			t.Errorf("listed twice: %s", c.Code)
		}
		seen[c.Code] = true
		if got := []string{report.CategoryContract, report.CategoryBehaviour, report.CategoryRun}; !slices.Contains(got, c.Category) {
			t.Errorf("got %q, want it to contain %q", got, c.Category)
		}
	}
	for _, code := range []string{"operation-declared", "status-declared", "content-type", "body-json", "body-schema", "body-undeclared",
		"header-required", "header-schema", CheckEnvelopeSuccess, CheckEnvelopeStatusCode, CheckCriterion, CheckOutput, CheckRequest,
		CheckTransport, CheckWorkflow, CheckResponseTime} {
		if !seen[code] {
			t.Errorf("not listed: %s", code)
		}
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatalf("os.ReadFile: %v", err)
	}
	for _, c := range Checks {
		if !strings.Contains(string(readme), "| `"+c.Code+"` |") {
			t.Errorf("the README's table of checks documents %s", c.Code)
		}
	}
}
