package parity

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextgpt/sandbox/conformance"
	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/mock"
	"github.com/contextgpt/sandbox/scenarios"
)

func newMock(t *testing.T, seed ...int64) *httptest.Server {
	t.Helper()
	cfg := mock.DefaultConfig()
	cfg.Limits = nil
	if len(seed) > 0 {
		cfg.Seed = seed[0]
	}
	m, err := mock.New(cfg)
	require.NoError(t, err)
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	return srv
}

func target(name, url string) Target {
	cfg := conformance.DefaultConfig()
	cfg.BaseURL = url + "/api"
	cfg.Inputs = map[string]string{"runId": "parity1"}
	return Target{Name: name, Config: cfg}
}

func addFault(t *testing.T, mockURL string, rule string) {
	t.Helper()
	resp, err := http.Post(mockURL+"/__mock/faults", "application/json", strings.NewReader(rule))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 201, resp.StatusCode)
}

func loadDocs(t *testing.T, paths ...string) []*arazzo.Document {
	t.Helper()
	docs, err := arazzo.LoadPaths(paths)
	require.NoError(t, err)
	return docs
}

func TestMockAgainstItselfAgrees(t *testing.T) {
	a, b := newMock(t), newMock(t)
	res, err := Compare(context.Background(), target("A", a.URL), target("B", b.URL), loadDocs(t, "testdata/parity.arazzo.yaml"), Options{})
	require.NoError(t, err)
	assert.Empty(t, res.Differences)
	assert.Equal(t, 2, res.Steps)
	require.Len(t, res.Workflows, 1)
	assert.Equal(t, "passed", res.Workflows[0].A)
	assert.Equal(t, "passed", res.Workflows[0].B)
}

func TestAFaultIsExactlyTheDifference(t *testing.T) {
	a, b := newMock(t), newMock(t)
	addFault(t, b.URL, `{"match":{"operationId":"listChatbots"},"action":{"status":500},"times":1}`)
	res, err := Compare(context.Background(), target("A", a.URL), target("B", b.URL), loadDocs(t, "testdata/parity.arazzo.yaml"), Options{})
	require.NoError(t, err)
	require.NotEmpty(t, res.Differences)
	kinds := map[string]bool{}
	for _, d := range res.Differences {
		assert.Equal(t, "reads", d.Workflow)
		assert.Equal(t, "chatbotPage", d.Step, "%+v", d)
		assert.Equal(t, "listChatbots", d.OperationID)
		kinds[d.Kind] = true
	}
	assert.Contains(t, res.Differences, Difference{Workflow: "reads", Step: "chatbotPage", OperationID: "listChatbots",
		Kind: KindStatus, A: "200", B: "500"})
	assert.Contains(t, res.Differences, Difference{Workflow: "reads", Step: "chatbotPage", OperationID: "listChatbots",
		Kind: KindErrorCode, A: "(none)", B: "INTERNAL_SERVER_ERROR"})
	// The 500's envelope has error and a null data: one difference per object, not per field.
	assert.Contains(t, res.Differences, Difference{Workflow: "reads", Step: "chatbotPage", OperationID: "listChatbots",
		Kind: KindField, Where: "/error", A: "absent", B: "present"})
	assert.Contains(t, res.Differences, Difference{Workflow: "reads", Step: "chatbotPage", OperationID: "listChatbots",
		Kind: KindFieldType, Where: "/data", A: "object", B: "null"})
	for _, d := range res.Differences {
		assert.NotContains(t, d.Where, "/error/", "fields under a missing object are not listed one by one")
		assert.NotContains(t, d.Where, "/data/", "fields under an object of another type are not listed one by one")
	}
	assert.False(t, kinds[KindStep])
	assert.Equal(t, "failed", res.Workflows[0].B)
	assert.Equal(t, "passed", res.Workflows[0].A)
}

func TestObserveShapes(t *testing.T) {
	body := `{"id":"361628903185310001","at":"2026-01-02T03:04:05Z","u":"0b6a1c5e-8f2d-4a7b-9c3e-000000000004",
		"n":1,"f":1.5,"list":[{"x":1},{"x":"s","y":null}],"error":{"code":"NOPE"}}`
	o := observe(&exchange{status: 400, header: http.Header{"Content-Type": {"application/json; charset=utf-8"}, "X-A": {"1"}}, body: []byte(body)})
	assert.Equal(t, "application/json", o.contentType)
	assert.Equal(t, "NOPE", o.errorCode)
	assert.Equal(t, "integer|string", setString(o.fields["/list/*/x"]))
	assert.Equal(t, "null", setString(o.fields["/list/*/y"]))
	assert.Equal(t, "number", setString(o.fields["/f"]))
	assert.Equal(t, "numeric-id", setString(o.formats["/id"]))
	assert.Equal(t, "date-time", setString(o.formats["/at"]))
	assert.Equal(t, "uuid", setString(o.formats["/u"]))
	assert.True(t, o.headers["X-A"])

	bad := observe(&exchange{status: 200, header: http.Header{"Content-Type": {"application/json"}}, body: []byte(`{"cut`)})
	assert.True(t, bad.fields[""]["invalid-json"])
	deep := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	observe(&exchange{status: 200, header: http.Header{"Content-Type": {"application/json"}}, body: []byte(deep)})
}

func TestCommand(t *testing.T) {
	a, b := newMock(t), newMock(t)
	addFault(t, b.URL, `{"match":{"operationId":"listChatbots"},"action":{"status":500},"times":1}`)
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	env := func(string) string { return "" }
	code := Command(context.Background(), []string{"--base-url", a.URL + "/api", "--compare-with", b.URL + "/api",
		"--json", filepath.Join(dir, "parity.json"), "testdata/parity.arazzo.yaml"}, env, &out, &errOut)
	assert.Equal(t, report.ExitFailed, code, errOut.String())
	assert.Contains(t, out.String(), "WORKFLOW")
	assert.Contains(t, out.String(), "chatbotPage")
	assert.Contains(t, out.String(), "INTERNAL_SERVER_ERROR")
	assert.Contains(t, out.String(), "workflow reads: passed on A, failed on B")
	data, err := os.ReadFile(filepath.Join(dir, "parity.json"))
	require.NoError(t, err)
	var res struct {
		Differences []Difference `json:"differences"`
		ReportB     struct {
			Summary report.Summary `json:"summary"`
		} `json:"reportB"`
	}
	require.NoError(t, json.Unmarshal(data, &res))
	assert.NotEmpty(t, res.Differences)
	assert.Equal(t, 1, res.ReportB.Summary.WorkflowsFailed)

	// The same targets without the fault (spent): they agree.
	out.Reset()
	code = Command(context.Background(), []string{"--base-url", a.URL + "/api", "--compare-with", b.URL + "/api",
		"testdata/parity.arazzo.yaml"}, env, &out, &errOut)
	assert.Equal(t, report.ExitPassed, code, out.String())

	for _, args := range [][]string{
		{}, {"--base-url", a.URL + "/api"}, {"--compare-with", b.URL + "/api"},
		{"--base-url", a.URL + "/api", "--compare-with", b.URL + "/api", "missing.arazzo.yaml"},
		{"--base-url", "ftp://x", "--compare-with", b.URL + "/api", "testdata/parity.arazzo.yaml"},
		{"--base-url", a.URL + "/api", "--compare-with", b.URL + "/api", "--json", filepath.Join(dir, "no", "x.json")},
	} {
		assert.Equal(t, report.ExitBadInput, Command(context.Background(), args, env, &out, &errOut), "%v", args)
	}
	// A target down is exit 3.
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	assert.Equal(t, report.ExitUnreachable, Command(context.Background(), []string{"--base-url", a.URL + "/api",
		"--compare-with", down.URL + "/api", "--api-key", "sk_test_scale_super_admin", "testdata/parity.arazzo.yaml"}, env, &out, &errOut))
}

// The built-in suite against two mocks of different seeds: ids, times and keys differ, and
// none of it may show as a difference. One place may, and is a true difference between two
// runs: the visitor workflow lists webhook deliveries while the mock may still be sending
// them, so a delivery's response fields are null on one side and set on the other.
func TestBuiltInSuiteMockAgainstMockAgrees(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite twice")
	}
	a, b := newMock(t, 1), newMock(t, 2)
	docs, err := arazzo.LoadFS(scenarios.FS, ".", "scenarios")
	require.NoError(t, err)
	ta, tb := target("A", a.URL), target("B", b.URL)
	res, err := Compare(context.Background(), ta, tb, docs, Options{})
	require.NoError(t, err)
	assert.Greater(t, res.Steps, 100)
	for _, d := range res.Differences {
		inFlight := d.OperationID == "listWebhookDeliveries" && d.Kind == KindFieldType && (d.A == "null" || d.B == "null")
		assert.True(t, inFlight, "%+v", d)
	}
	for _, w := range res.Workflows {
		assert.Equal(t, w.A, w.B, w.WorkflowID)
	}
}
