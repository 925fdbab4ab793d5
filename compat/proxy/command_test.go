package proxy

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/contextgpt/sandbox/internal/mocktest"

	"github.com/contextgpt/sandbox/conformance/report"
)

func TestProxyReportEndpoint(t *testing.T) {
	m := newMock(t)
	h := newProxy(t, m.URL)
	addFault(t, m.URL, map[string]any{"match": map[string]any{"operationId": "getMyChatbots"}, "action": map[string]any{"status": 502}, "times": 1})
	mocktest.Call(t, "GET", h.srv.URL+"/api/v1/chatbots/my-chatbots", keyScale, nil)

	status, body := mocktest.Call(t, "GET", h.srv.URL+ReportPath, "", nil)
	if status != 200 {
		t.Fatalf("status = %v, want %v", status, 200)
	}
	var rep Report
	if err := json.Unmarshal(body, &rep); err != nil {
		t.Fatalf("json.Unmarshal: %v", err)
	}
	if got := len(rep.Findings); got != 1 {
		t.Fatalf("len(rep.Findings) = %d, want %d: %+v", got, 1, rep.Findings)
	}
	if rep.Findings[0].Check != "status-declared" {
		t.Errorf("rep.Findings[0].Check = %q, want %q", rep.Findings[0].Check, "status-declared")
	}
	if rep.Findings[0].Category != report.CategoryContract {
		t.Errorf("rep.Findings[0].Category = %q, want %q", rep.Findings[0].Category, report.CategoryContract)
	}
	if rep.Findings[0].Status != 502 {
		t.Errorf("rep.Findings[0].Status = %v, want %v", rep.Findings[0].Status, 502)
	}

	status, body = mocktest.Call(t, "GET", h.srv.URL+ReportPath+"?format=junit", "", nil)
	if status != 200 {
		t.Fatalf("status = %v, want %v", status, 200)
	}
	if got := string(body); !strings.Contains(got, `<testcase name="getMyChatbots" classname="proxy">`) {
		t.Errorf("string(body) = %q, want it to contain %q", got, `<testcase name="getMyChatbots" classname="proxy">`)
	}
	if got := string(body); !strings.Contains(got, `type="status-declared"`) {
		t.Errorf("string(body) = %q, want it to contain %q", got, `type="status-declared"`)
	}
}

func TestCommandServesUntilStoppedThenWritesReports(t *testing.T) {
	m := newMock(t)
	addFault(t, m.URL, map[string]any{"match": map[string]any{"operationId": "getMyChatbots"}, "action": map[string]any{"status": 502}, "times": 1})
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan string, 1)
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Command(ctx, []string{"--upstream", m.URL, "--addr", "127.0.0.1:0",
			"--json", filepath.Join(dir, "proxy.json"), "--junit", filepath.Join(dir, "proxy.xml")},
			func(string) string { return "" }, &out, &errOut, func(a string) { addrc <- a })
	}()
	addr := <-addrc
	status, _ := mocktest.Call(t, "GET", "http://"+addr+"/api/v1/chatbots/my-chatbots", keyScale, nil)
	if status != 502 {
		t.Errorf("status = %v, want %v", status, 502)
	}
	cancel()
	if got := <-done; got != report.ExitFailed {
		t.Errorf("%v: got %v, want %v", errOut.String(), got, report.ExitFailed)
	}
	data, err := os.ReadFile(filepath.Join(dir, "proxy.json"))
	if err != nil {
		t.Fatalf("os.ReadFile: %v", err)
	}
	var rep Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("json.Unmarshal: %v", err)
	}
	if got := len(rep.Findings); got != 1 {
		t.Fatalf("len(rep.Findings) = %d, want %d: %+v", got, 1, rep.Findings)
	}
	data, err = os.ReadFile(filepath.Join(dir, "proxy.xml"))
	if err != nil {
		t.Fatalf("os.ReadFile: %v", err)
	}
	if got := string(data); !strings.Contains(got, "status-declared") {
		t.Errorf("string(data) = %q, want it to contain %q", got, "status-declared")
	}
	if got := out.String(); !strings.Contains(got, "1 violations") {
		t.Errorf("out.String() = %q, want it to contain %q", got, "1 violations")
	}
	if got := errOut.String(); !strings.Contains(got, "check=status-declared") {
		t.Errorf("errOut.String() = %q, want it to contain %q", got, "check=status-declared")
	}
	if got := out.String() + errOut.String(); strings.Contains(got, keyScale) {
		t.Errorf("out.String()+errOut.String() = %q, want no %q", got, keyScale)
	}

	for _, args := range [][]string{
		{}, {"--upstream", "ftp://x"}, {"--upstream", m.URL, "extra"}, {"--upstream", m.URL, "--max-body", "0"},
		{"--upstream", m.URL, "--json", filepath.Join(dir, "no", "such", "x.json")},
		{"--upstream", m.URL, "--spec", filepath.Join(dir, "missing.yaml")},
		{"--upstream", m.URL, "--addr", "256.0.0.1:1"},
	} {
		code := Command(context.Background(), args, func(string) string { return "" }, io.Discard, io.Discard, nil)
		if code != report.ExitBadInput {
			t.Errorf("%v: got %v, want %v", args, code, report.ExitBadInput)
		}
	}
}
