package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
	"time"
)

const xss = `<script>alert(1)</script><img src=x onerror=alert(2)>`

func htmlFixture() *Report {
	r := &Report{
		Target: "http://127.0.0.1:8080/api", Mock: true, RunID: "run-" + xss, Started: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Duration: 1500 * time.Millisecond, ExitCode: ExitFailed,
		Workflows: []WorkflowResult{
			{WorkflowID: "passes", Document: "suite.arazzo.yaml", Status: Passed, Duration: 12 * time.Millisecond,
				Steps: []StepResult{{StepID: "list", OperationID: "getMyChatbots", Method: "GET", Path: "/api/v1/chatbots/my-chatbots", HTTPStatus: 200, Status: Passed, Duration: 3 * time.Millisecond}}},
			{WorkflowID: "breaks", Document: "suite.arazzo.yaml", Status: Failed, Duration: 40 * time.Millisecond, Reason: "step rename failed",
				Steps: []StepResult{
					{StepID: "create", OperationID: "createChatbotInAccount", Method: "POST", Path: "/api/v1/chatbots/account/1/create-chatbot", HTTPStatus: 201, Status: Passed, Duration: 9 * time.Millisecond},
					{StepID: "rename", OperationID: "updateChatbot", Method: "PUT", Path: "/api/v1/chatbots/1", HTTPStatus: 200, Attempts: 2, Status: Failed, Duration: 31 * time.Millisecond,
						Findings: []Finding{
							{Workflow: "breaks", Step: "rename", Check: "body-schema", Pointer: "/data/name", Expected: "string", Actual: "42", Message: "name " + xss, SpecLocation: "paths./v1/chatbots/{chatbotId}.put"},
							{Workflow: "breaks", Step: "rename", Check: "criterion", Pointer: "/data", Expected: "$statusCode == 200", Actual: "sk_live_abcdefghijkl", Message: "a success criterion failed"},
						},
						Exchange: &Exchange{
							Request: Message{Method: "PUT", URL: "http://127.0.0.1:8080/api/v1/chatbots/1?key=sk_live_abcdefghijkl",
								Header: map[string]string{"Authorization": Redacted, "Content-Type": "application/json"},
								Body:   `{"name":"` + strings.ReplaceAll(xss, `"`, `\"`) + `"}`},
							Response: &Message{Status: 200, Header: map[string]string{"Content-Type": "application/json"}, Body: `{"data":{"name":42}}`},
							Curl:     "curl -X PUT 'http://127.0.0.1:8080/api/v1/chatbots/1'",
						}},
				}},
			{WorkflowID: "later", Status: Skipped, Reason: "depends on breaks"},
		},
		Coverage: []Coverage{{Source: "contextgpt.yaml", Operations: 2, OperationsCovered: 1, Pairs: 4, PairsCovered: 1, OperationPercent: 50, PairPercent: 25,
			Matrix: []OperationCoverage{
				{OperationID: "getMyChatbots", Method: "GET", Path: "/v1/chatbots/my-chatbots", Statuses: []StatusCoverage{{"200", true}, {"401", false}}},
				{OperationID: "deleteChatbot", Method: "DELETE", Path: "/v1/chatbots/{id}", Statuses: []StatusCoverage{{"200", false}, {"404", false}}},
			}}},
	}
	r.PairCoverage = &PairCoverage{Pairs: 3, Covered: 2, Percent: 66.7, MinPercent: 90, Failed: true, Rows: []PairRow{
		{OperationID: "getMyChatbots", Status: "200", Covered: true, By: []string{"run", "probe"}},
		{OperationID: "getMyChatbots", Status: "401", Covered: true, By: []string{"probe"}},
		{OperationID: "deleteChatbot", Status: "404", Covered: false},
	}}
	r.Summarize()
	return r
}

// TestHTMLReport renders a report and reads the page as a user would: self-contained, the
// matrix, the failed step's exchange, the pair table, accessible structure, redaction. Long
// on purpose: one page, each of its parts checked in the order it shows them.
func TestHTMLReport(t *testing.T) {
	var out bytes.Buffer
	if err := WriteHTML(&out, htmlFixture(), nil); err != nil {
		t.Fatalf("WriteHTML: %v", err)
	}
	page := out.String()

	if !strings.Contains(page, `<p class="verdict failed" role="status">FAILED</p>`) {
		t.Errorf("page = %q, want it to contain %q", page, `<p class="verdict failed" role="status">FAILED</p>`)
	}
	if !strings.Contains(page, "<strong>1/3</strong> workflows passed, 1 failed, 1 skipped") {
		t.Errorf("page = %q, want it to contain %q", page, "<strong>1/3</strong> workflows passed, 1 failed, 1 skipped")
	}
	for _, want := range []string{"body-schema", "/data/name", "paths./v1/chatbots/{chatbotId}.put", "after 2 attempts", "depends on breaks", "31.0 ms"} {
		if !strings.Contains(page, want) {
			t.Errorf("page = %q, want it to contain %q", page, want)
		}
	}
	// Data is text: the injected markup is escaped wherever it lands.
	if strings.Contains(page, "<script>alert") {
		t.Errorf("page = %q, want no %q", page, "<script>alert")
	}
	if strings.Contains(page, "<img src=x") {
		t.Errorf("page = %q, want no %q", page, "<img src=x")
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("page = %q, want it to contain %q", page, "&lt;script&gt;alert(1)&lt;/script&gt;")
	}
	// Secrets shaped like keys are redacted.
	if strings.Contains(page, "sk_live_abcdefghijkl") {
		t.Errorf("page = %q, want no %q", page, "sk_live_abcdefghijkl")
	}
	if !strings.Contains(page, Redacted) {
		t.Errorf("page = %q, want it to contain %q", page, Redacted)
	}

	// Self-contained: one inline script whose hash the CSP names, no external resource.
	scripts := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindAllStringSubmatch(page, -1)
	if got := len(scripts); got != 1 {
		t.Fatalf("len(scripts) = %d, want %d: %v", got, 1, scripts)
	}
	sum := sha256.Sum256([]byte(scripts[0][1]))
	if !strings.Contains(page, "script-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
		t.Errorf("page = %q, want it to contain %q", page, "script-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	for _, ext := range []string{"<script src", "<link", "@import", "url(", "src=\"http", "href=\"http"} {
		if strings.Contains(page, ext) {
			t.Errorf("page = %q, want no %q", page, ext)
		}
	}

	for _, want := range []string{
		// The matrix: a row per operation, a column per declared status, a state per cell
		// (deleteChatbot declares no 401).
		`<td class="covered" title="200: covered">`,
		`<td class="missing" title="401: missing">`,
		`<td class="none" title="401: none">`,
		// The failed step's exchange: request line and headers, bodies folded and indented.
		"PUT http://127.0.0.1:8080/api/v1/chatbots/1?key=[REDACTED]\nAuthorization: [REDACTED]\nContent-Type: application/json</pre>",
		"<details class=\"response-body\"><summary>Response body (20 bytes)</summary><pre>{\n  &#34;data&#34;: {\n    &#34;name&#34;: 42\n  }\n}</pre></details>",
		// The documented-pairs table of run and probe, with what covered each pair.
		`<td class="covered" title="401: covered by probe">`,
		`<td class="covered" title="200: covered by run, probe">`,
		"Pair coverage is below --min-coverage 90.0%.",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// Accessible structure: headings, captions, header cells with scope.
	for _, want := range []string{"<h1>", `<h2 id="h-workflows">`, `<h2 id="h-coverage">`, `<th scope="row">rename</th>`, "<caption", `<html lang="en">`} {
		if !strings.Contains(page, want) {
			t.Errorf("page = %q, want it to contain %q", page, want)
		}
	}
	// The filter offers each check code once.
	if got := strings.Count(page, "<option>body-schema</option>"); got != 1 {
		t.Errorf(`strings.Count(page, "<option>body-schema</option>") = %v, want %v`, got, 1)
	}
	if got := strings.Count(page, "<option>criterion</option>"); got != 1 {
		t.Errorf(`strings.Count(page, "<option>criterion</option>") = %v, want %v`, got, 1)
	}
}

func TestHTMLReportVerdicts(t *testing.T) {
	for code, want := range map[int]string{ExitPassed: "PASSED", ExitFailed: "FAILED", ExitUnreachable: "ERROR"} {
		r := &Report{ExitCode: code, Error: map[bool]string{true: "target unreachable"}[code == ExitUnreachable]}
		var out bytes.Buffer
		if err := WriteHTML(&out, r, nil); err != nil {
			t.Fatalf("WriteHTML: %v", err)
		}
		if got := out.String(); !strings.Contains(got, ">"+want+"</p>") {
			t.Errorf("out.String() = %q, want it to contain %q", got, ">"+want+"</p>")
		}
		if got := out.String(); !strings.Contains(got, "No workflow ran.") {
			t.Errorf("out.String() = %q, want it to contain %q", got, "No workflow ran.")
		}
	}
}
