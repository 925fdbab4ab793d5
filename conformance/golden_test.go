package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/conformance/report"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/golden")

// handlerTransport sends requests straight to a handler: no port, so the report of a run
// does not change from one run to the next.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// goldenRun runs testdata/golden/run.arazzo.yaml against the fake on a fixed clock and
// returns the console output and the report.
func goldenRun(t *testing.T) (string, *report.Report, *report.Redactor) {
	t.Helper()
	docs, err := arazzo.LoadPaths([]string{"testdata/golden/run.arazzo.yaml"})
	if err != nil {
		t.Fatalf("arazzo.LoadPaths: %v", err)
	}
	f := newFake()
	var console bytes.Buffer
	red := &report.Redactor{}
	c := &report.Console{W: &console, Red: red}
	fixed := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	r, err := New(Config{
		BaseURL:    "http://fake.test/api",
		APIKey:     "golden-key-0001",
		Inputs:     map[string]string{"runId": "run-1"},
		Client:     &http.Client{Transport: handlerTransport{f}},
		Sleep:      f.sleep,
		Now:        func() time.Time { return fixed },
		OnWorkflow: c.Workflow,
		Redactor:   red,
	}, docs)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	rep := r.Run(context.Background())
	c.Summary(rep)
	return console.String(), rep, red
}

func golden(t *testing.T, name string, got []byte) []byte {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("os.WriteFile: %v", err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("run go test -run Golden -update to write it: %v", err)
	}
	return want
}

func TestGoldenJSON(t *testing.T) {
	_, rep, red := goldenRun(t)
	var out bytes.Buffer
	if err := report.WriteJSON(&out, rep, red); err != nil {
		t.Fatalf("report.WriteJSON: %v", err)
	}
	var got, want any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("the report is not JSON: %v", err)
	}
	wantJSON := golden(t, "run.json", out.Bytes())
	if err := json.Unmarshal(wantJSON, &want); err != nil {
		t.Fatalf("testdata/golden/run.json is not JSON: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("the JSON report differs from testdata/golden/run.json (go test -run Golden -update rewrites it)\ngot:\n%s\nwant:\n%s", out.Bytes(), wantJSON)
	}
}

func TestGoldenJUnit(t *testing.T) {
	_, rep, red := goldenRun(t)
	var out bytes.Buffer
	if err := report.WriteJUnit(&out, rep, red); err != nil {
		t.Fatalf("report.WriteJUnit: %v", err)
	}
	want := golden(t, "run.junit.xml", out.Bytes())
	if !strings.HasPrefix(out.String(), xml.Header) {
		t.Errorf("want strings.HasPrefix(out.String(), xml.Header) to be true")
	}
	if got, want := xmlTree(t, out.Bytes()), xmlTree(t, want); !reflect.DeepEqual(got, want) {
		t.Errorf("xmlTree(t, out.Bytes()) = %+v, want %+v", got, want)
	}
}

func TestGoldenConsole(t *testing.T) {
	console, _, _ := goldenRun(t)
	if want := string(golden(t, "run.console.txt", []byte(console))); console != want {
		t.Errorf("console = %q, want %q", console, want)
	}
}

// xmlNode is an XML element for comparison by structure: attributes (times dropped, as
// they vary with the clock), children and trimmed text.
type xmlNode struct {
	Name     string
	Attrs    map[string]string
	Text     string
	Children []*xmlNode
}

func xmlTree(t *testing.T, data []byte) *xmlNode {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var stack []*xmlNode
	var root *xmlNode
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{Name: el.Name.Local, Attrs: map[string]string{}}
			for _, a := range el.Attr {
				if a.Name.Local != "time" {
					n.Attrs[a.Name.Local] = a.Value
				}
			}
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				parent.Children = append(parent.Children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += strings.TrimSpace(string(el))
			}
		}
	}
	if root == nil {
		t.Fatalf("no root element: root is nil")
	}
	return root
}

// The golden run shows each status; this pins what the golden files must hold, so an
// -update cannot silently bless a broken run.
func TestGoldenRunShape(t *testing.T) {
	_, rep, _ := goldenRun(t)
	if rep.ExitCode != report.ExitFailed {
		t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitFailed)
	}
	status := map[string]report.Status{}
	for _, w := range rep.Workflows {
		status[w.WorkflowID] = w.Status
	}
	if want := map[string]report.Status{"passes": report.Passed, "retried": report.Passed,
		"breaksContract": report.Failed, "dependent": report.Skipped, "mockOnly": report.Skipped}; !reflect.DeepEqual(status, want) {
		t.Errorf("status = %v, want %v", status, want)
	}
	bc := workflowResult(t, rep, "breaksContract")
	if got := len(bc.Steps); got != 2 {
		t.Fatalf("a contract finding fails the step, not the flow: the next step runs: got %d items, want %d: %+v", got, 2, bc.Steps)
	}
	if got := len(bc.Steps[0].Findings); got != 1 {
		t.Fatalf("len(bc.Steps[0].Findings) = %d, want %d: %+v", got, 1, bc.Steps[0].Findings)
	}
	if bc.Steps[0].Findings[0].Check != "body-schema" {
		t.Errorf("bc.Steps[0].Findings[0].Check = %q, want %q", bc.Steps[0].Findings[0].Check, "body-schema")
	}
	if bc.Steps[0].Findings[0].Pointer != "/count" {
		t.Errorf("bc.Steps[0].Findings[0].Pointer = %q, want %q", bc.Steps[0].Findings[0].Pointer, "/count")
	}
	if got := len(bc.Steps[1].Findings); got != 1 {
		t.Fatalf("len(bc.Steps[1].Findings) = %d, want %d: %+v", got, 1, bc.Steps[1].Findings)
	}
	if bc.Steps[1].Findings[0].Check != checkCriterion {
		t.Errorf("bc.Steps[1].Findings[0].Check = %q, want %q", bc.Steps[1].Findings[0].Check, checkCriterion)
	}
	if got := workflowResult(t, rep, "retried").Steps[0].Attempts; got != 2 {
		t.Errorf(`workflowResult(t, rep, "retried").Steps[0].Attempts = %v, want %v`, got, 2)
	}
	if got := len(rep.Coverage); got != 1 {
		t.Fatalf("len(rep.Coverage) = %d, want %d: %+v", got, 1, rep.Coverage)
	}
	if rep.Coverage[0].Source != "testdata/fake.openapi.yaml" {
		t.Errorf("rep.Coverage[0].Source = %q, want %q", rep.Coverage[0].Source, "testdata/fake.openapi.yaml")
	}
	if rep.Coverage[0].OperationsCovered != 5 {
		t.Errorf("every operation of the fake but none: got %v, want %v", rep.Coverage[0].OperationsCovered, 5)
	}
}
