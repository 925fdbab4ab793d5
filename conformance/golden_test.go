package conformance

import (
	"bytes"
	"context"
	"encoding/xml"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	require.NoError(t, err)
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
	require.NoError(t, err)
	rep := r.Run(context.Background())
	c.Summary(rep)
	return console.String(), rep, red
}

func golden(t *testing.T, name string, got []byte) []byte {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -run Golden -update to write it")
	return want
}

func TestGoldenJSON(t *testing.T) {
	_, rep, red := goldenRun(t)
	var out bytes.Buffer
	require.NoError(t, report.WriteJSON(&out, rep, red))
	require.JSONEq(t, string(golden(t, "run.json", out.Bytes())), out.String())
}

func TestGoldenJUnit(t *testing.T) {
	_, rep, red := goldenRun(t)
	var out bytes.Buffer
	require.NoError(t, report.WriteJUnit(&out, rep, red))
	want := golden(t, "run.junit.xml", out.Bytes())
	assert.True(t, strings.HasPrefix(out.String(), xml.Header))
	assert.Equal(t, xmlTree(t, want), xmlTree(t, out.Bytes()))
}

func TestGoldenConsole(t *testing.T) {
	console, _, _ := goldenRun(t)
	assert.Equal(t, string(golden(t, "run.console.txt", []byte(console))), console)
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
		require.NoError(t, err)
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
	require.NotNil(t, root, "no root element")
	return root
}

// The golden run shows each status; this pins what the golden files must hold, so an
// -update cannot silently bless a broken run.
func TestGoldenRunShape(t *testing.T) {
	_, rep, _ := goldenRun(t)
	assert.Equal(t, report.ExitFailed, rep.ExitCode)
	status := map[string]report.Status{}
	for _, w := range rep.Workflows {
		status[w.WorkflowID] = w.Status
	}
	assert.Equal(t, map[string]report.Status{"passes": report.Passed, "retried": report.Passed,
		"breaksContract": report.Failed, "dependent": report.Skipped, "mockOnly": report.Skipped}, status)
	bc := workflowResult(t, rep, "breaksContract")
	require.Len(t, bc.Steps, 2, "a contract finding fails the step, not the flow: the next step runs")
	require.Len(t, bc.Steps[0].Findings, 1)
	assert.Equal(t, "body-schema", bc.Steps[0].Findings[0].Check)
	assert.Equal(t, "/count", bc.Steps[0].Findings[0].Pointer)
	require.Len(t, bc.Steps[1].Findings, 1)
	assert.Equal(t, checkCriterion, bc.Steps[1].Findings[0].Check)
	assert.Equal(t, 2, workflowResult(t, rep, "retried").Steps[0].Attempts)
	require.Len(t, rep.Coverage, 1)
	assert.Equal(t, "testdata/fake.openapi.yaml", rep.Coverage[0].Source)
	assert.Equal(t, 5, rep.Coverage[0].OperationsCovered, "every operation of the fake but none")
}
