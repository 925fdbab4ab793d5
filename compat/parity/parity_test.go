package parity

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/contextgpt/sandbox/internal/mocktest"

	"github.com/contextgpt/sandbox/conformance"
	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/mock"
)

func newMock(t *testing.T, seed ...int64) *httptest.Server {
	t.Helper()
	cfg := mock.DefaultConfig()
	cfg.Limits = nil
	if len(seed) > 0 {
		cfg.Seed = seed[0]
	}
	return mocktest.Start(t, cfg).Server
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
	if err != nil {
		t.Fatalf("http.Post: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("resp.StatusCode = %v, want %v", resp.StatusCode, 201)
	}
}

func loadDocs(t *testing.T, paths ...string) []*arazzo.Document {
	t.Helper()
	docs, err := arazzo.LoadPaths(paths)
	if err != nil {
		t.Fatalf("arazzo.LoadPaths: %v", err)
	}
	return docs
}

func TestMockAgainstItselfAgrees(t *testing.T) {
	a, b := newMock(t), newMock(t)
	res, err := Compare(context.Background(), target("A", a.URL), target("B", b.URL), loadDocs(t, "testdata/parity.arazzo.yaml"), Options{})
	if err != nil {
		t.Fatalf("Compare: %v", err)
	}
	if len(res.Differences) != 0 {
		t.Errorf("res.Differences = %+v, want empty", res.Differences)
	}
	if res.Steps != 2 {
		t.Errorf("res.Steps = %v, want %v", res.Steps, 2)
	}
	if got := len(res.Workflows); got != 1 {
		t.Fatalf("len(res.Workflows) = %d, want %d: %+v", got, 1, res.Workflows)
	}
	if res.Workflows[0].A != "passed" {
		t.Errorf("res.Workflows[0].A = %q, want %q", res.Workflows[0].A, "passed")
	}
	if res.Workflows[0].B != "passed" {
		t.Errorf("res.Workflows[0].B = %q, want %q", res.Workflows[0].B, "passed")
	}
}

func TestAFaultIsExactlyTheDifference(t *testing.T) {
	a, b := newMock(t), newMock(t)
	addFault(t, b.URL, `{"match":{"operationId":"listChatbots"},"action":{"status":500},"times":1}`)
	res, err := Compare(context.Background(), target("A", a.URL), target("B", b.URL), loadDocs(t, "testdata/parity.arazzo.yaml"), Options{})
	if err != nil {
		t.Fatalf("Compare: %v", err)
	}
	if len(res.Differences) == 0 {
		t.Fatalf("res.Differences is empty")
	}
	kinds := map[string]bool{}
	for _, d := range res.Differences {
		if d.Workflow != "reads" {
			t.Errorf("d.Workflow = %q, want %q", d.Workflow, "reads")
		}
		if d.Step != "chatbotPage" {
			t.Errorf("%+v: got %q, want %q", d, d.Step, "chatbotPage")
		}
		if d.OperationID != "listChatbots" {
			t.Errorf("d.OperationID = %q, want %q", d.OperationID, "listChatbots")
		}
		kinds[d.Kind] = true
	}
	if !slices.Contains(res.Differences, Difference{Workflow: "reads", Step: "chatbotPage", OperationID: "listChatbots",
		Kind: KindStatus, A: "200", B: "500"}) {
		t.Errorf("res.Differences = %+v, want it to contain %+v", res.Differences, Difference{Workflow: "reads", Step: "chatbotPage", OperationID: "listChatbots",
			Kind: KindStatus, A: "200", B: "500"})
	}
	if !slices.Contains(res.Differences, Difference{Workflow: "reads", Step: "chatbotPage", OperationID: "listChatbots",
		Kind: KindErrorCode, A: "(none)", B: "INTERNAL_SERVER_ERROR"}) {
		t.Errorf("res.Differences = %+v, want it to contain %+v", res.Differences, Difference{Workflow: "reads", Step: "chatbotPage", OperationID: "listChatbots",
			Kind: KindErrorCode, A: "(none)", B: "INTERNAL_SERVER_ERROR"})
	}
	// The 500's envelope has error and a null data: one difference per object, not per field.
	if !slices.Contains(res.Differences, Difference{Workflow: "reads", Step: "chatbotPage", OperationID: "listChatbots",
		Kind: KindField, Where: "/error", A: "absent", B: "present"}) {
		t.Errorf("res.Differences = %+v, want it to contain %+v", res.Differences, Difference{Workflow: "reads", Step: "chatbotPage", OperationID: "listChatbots",
			Kind: KindField, Where: "/error", A: "absent", B: "present"})
	}
	if !slices.Contains(res.Differences, Difference{Workflow: "reads", Step: "chatbotPage", OperationID: "listChatbots",
		Kind: KindFieldType, Where: "/data", A: "object", B: "null"}) {
		t.Errorf("res.Differences = %+v, want it to contain %+v", res.Differences, Difference{Workflow: "reads", Step: "chatbotPage", OperationID: "listChatbots",
			Kind: KindFieldType, Where: "/data", A: "object", B: "null"})
	}
	for _, d := range res.Differences {
		if strings.Contains(d.Where, "/error/") {
			t.Errorf("fields under a missing object are not listed one by one: got %q, want no %q", d.Where, "/error/")
		}
		if strings.Contains(d.Where, "/data/") {
			t.Errorf("fields under an object of another type are not listed one by one: got %q, want no %q", d.Where, "/data/")
		}
	}
	if kinds[KindStep] {
		t.Errorf("want kinds[KindStep] to be false")
	}
	if res.Workflows[0].B != "failed" {
		t.Errorf("res.Workflows[0].B = %q, want %q", res.Workflows[0].B, "failed")
	}
	if res.Workflows[0].A != "passed" {
		t.Errorf("res.Workflows[0].A = %q, want %q", res.Workflows[0].A, "passed")
	}
}

func TestObserveShapes(t *testing.T) {
	body := `{"id":"361628903185310001","at":"2026-01-02T03:04:05Z","u":"0b6a1c5e-8f2d-4a7b-9c3e-000000000004",
		"n":1,"f":1.5,"list":[{"x":1},{"x":"s","y":null}],"error":{"code":"NOPE"}}`
	o := observe(&exchange{status: 400, header: http.Header{"Content-Type": {"application/json; charset=utf-8"}, "X-A": {"1"}}, body: []byte(body)})
	if o.contentType != "application/json" {
		t.Errorf("o.contentType = %q, want %q", o.contentType, "application/json")
	}
	if o.errorCode != "NOPE" {
		t.Errorf("o.errorCode = %q, want %q", o.errorCode, "NOPE")
	}
	for _, c := range []struct {
		what string
		got  map[string]bool
		want string
	}{
		{"type of /list/*/x", o.fields["/list/*/x"], "integer|string"},
		{"type of /list/*/y", o.fields["/list/*/y"], "null"},
		{"type of /f", o.fields["/f"], "number"},
		{"format of /id", o.formats["/id"], "numeric-id"},
		{"format of /at", o.formats["/at"], "date-time"},
		{"format of /u", o.formats["/u"], "uuid"},
	} {
		if got := setString(c.got); got != c.want {
			t.Errorf("%s = %q, want %q", c.what, got, c.want)
		}
	}
	if !o.headers["X-A"] {
		t.Errorf(`want o.headers["X-A"] to be true`)
	}

	bad := observe(&exchange{status: 200, header: http.Header{"Content-Type": {"application/json"}}, body: []byte(`{"cut`)})
	if !bad.fields[""]["invalid-json"] {
		t.Errorf(`want bad.fields[""]["invalid-json"] to be true`)
	}
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
	if code != report.ExitFailed {
		t.Errorf("%v: got %v, want %v", errOut.String(), code, report.ExitFailed)
	}
	if got := out.String(); !strings.Contains(got, "WORKFLOW") {
		t.Errorf("out.String() = %q, want it to contain %q", got, "WORKFLOW")
	}
	if got := out.String(); !strings.Contains(got, "chatbotPage") {
		t.Errorf("out.String() = %q, want it to contain %q", got, "chatbotPage")
	}
	if got := out.String(); !strings.Contains(got, "INTERNAL_SERVER_ERROR") {
		t.Errorf("out.String() = %q, want it to contain %q", got, "INTERNAL_SERVER_ERROR")
	}
	if got := out.String(); !strings.Contains(got, "workflow reads: passed on A, failed on B") {
		t.Errorf("out.String() = %q, want it to contain %q", got, "workflow reads: passed on A, failed on B")
	}
	data, err := os.ReadFile(filepath.Join(dir, "parity.json"))
	if err != nil {
		t.Fatalf("os.ReadFile: %v", err)
	}
	var res struct {
		Differences []Difference `json:"differences"`
		ReportB     struct {
			Summary report.Summary `json:"summary"`
		} `json:"reportB"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatalf("json.Unmarshal: %v", err)
	}
	if len(res.Differences) == 0 {
		t.Errorf("res.Differences is empty")
	}
	if res.ReportB.Summary.WorkflowsFailed != 1 {
		t.Errorf("res.ReportB.Summary.WorkflowsFailed = %v, want %v", res.ReportB.Summary.WorkflowsFailed, 1)
	}

	// The same targets without the fault (spent): they agree.
	out.Reset()
	code = Command(context.Background(), []string{"--base-url", a.URL + "/api", "--compare-with", b.URL + "/api",
		"testdata/parity.arazzo.yaml"}, env, &out, &errOut)
	if code != report.ExitPassed {
		t.Errorf("%v: got %v, want %v", out.String(), code, report.ExitPassed)
	}

	for _, args := range [][]string{
		{}, {"--base-url", a.URL + "/api"}, {"--compare-with", b.URL + "/api"},
		{"--base-url", a.URL + "/api", "--compare-with", b.URL + "/api", "missing.arazzo.yaml"},
		{"--base-url", "ftp://x", "--compare-with", b.URL + "/api", "testdata/parity.arazzo.yaml"},
		{"--base-url", a.URL + "/api", "--compare-with", b.URL + "/api", "--json", filepath.Join(dir, "no", "x.json")},
	} {
		if got := Command(context.Background(), args, env, &out, &errOut); got != report.ExitBadInput {
			t.Errorf("%v: got %v, want %v", args, got, report.ExitBadInput)
		}
	}
	// A target down is exit 3.
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	if got := Command(context.Background(), []string{"--base-url", a.URL + "/api",
		"--compare-with", down.URL + "/api", "--api-key", "sk_test_scale_super_admin", "testdata/parity.arazzo.yaml"}, env, &out, &errOut); got != report.ExitUnreachable {
		t.Errorf("got %v, want %v", got, report.ExitUnreachable)
	}
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
	docs := mocktest.Suite(t)
	ta, tb := target("A", a.URL), target("B", b.URL)
	res, err := Compare(context.Background(), ta, tb, docs, Options{})
	if err != nil {
		t.Fatalf("Compare: %v", err)
	}
	if res.Steps <= 100 {
		t.Errorf("res.Steps = %v, want > %v", res.Steps, 100)
	}
	for _, d := range res.Differences {
		inFlight := d.OperationID == "listWebhookDeliveries" && d.Kind == KindFieldType && (d.A == "null" || d.B == "null")
		if !inFlight {
			t.Errorf("%+v", d)
		}
	}
	for _, w := range res.Workflows {
		if w.B != w.A {
			t.Errorf("%v: got %q, want %q", w.WorkflowID, w.B, w.A)
		}
	}
}
