package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

func TestHTMLReport(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, WriteHTML(&out, htmlFixture(), nil))
	page := out.String()

	assert.Contains(t, page, `<p class="verdict failed" role="status">FAILED</p>`)
	assert.Contains(t, page, "<strong>1/3</strong> workflows passed, 1 failed, 1 skipped")
	for _, want := range []string{"body-schema", "/data/name", "paths./v1/chatbots/{chatbotId}.put", "after 2 attempts", "depends on breaks", "31.0 ms"} {
		assert.Contains(t, page, want)
	}
	// Data is text: the injected markup is escaped wherever it lands.
	assert.NotContains(t, page, "<script>alert")
	assert.NotContains(t, page, "<img src=x")
	assert.Contains(t, page, "&lt;script&gt;alert(1)&lt;/script&gt;")
	// Secrets shaped like keys are redacted.
	assert.NotContains(t, page, "sk_live_abcdefghijkl")
	assert.Contains(t, page, Redacted)

	// Self-contained: one inline script whose hash the CSP names, no external resource.
	scripts := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindAllStringSubmatch(page, -1)
	require.Len(t, scripts, 1)
	sum := sha256.Sum256([]byte(scripts[0][1]))
	assert.Contains(t, page, "script-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	for _, ext := range []string{"<script src", "<link", "@import", "url(", "src=\"http", "href=\"http"} {
		assert.NotContains(t, page, ext)
	}

	// The matrix: a row per operation, a column per declared status, a state per cell.
	assert.Contains(t, page, `<td class="covered" title="200: covered">`)
	assert.Contains(t, page, `<td class="missing" title="401: missing">`)
	assert.Contains(t, page, `<td class="none" title="401: none">`, "deleteChatbot declares no 401")
	// The failed step's exchange: request line and headers, bodies folded and indented.
	assert.Contains(t, page, "PUT http://127.0.0.1:8080/api/v1/chatbots/1?key=[REDACTED]\nAuthorization: [REDACTED]\nContent-Type: application/json</pre>")
	assert.Contains(t, page, "<details class=\"response-body\"><summary>Response body (20 bytes)</summary><pre>{\n  &#34;data&#34;: {\n    &#34;name&#34;: 42\n  }\n}</pre></details>")
	// The documented-pairs table of run and probe, with what covered each pair.
	assert.Contains(t, page, `<td class="covered" title="401: covered by probe">`)
	assert.Contains(t, page, `<td class="covered" title="200: covered by run, probe">`)
	assert.Contains(t, page, "Pair coverage is below --min-coverage 90.0%.")
	// Accessible structure: headings, captions, header cells with scope.
	for _, want := range []string{"<h1>", `<h2 id="h-workflows">`, `<h2 id="h-coverage">`, `<th scope="row">rename</th>`, "<caption", `<html lang="en">`} {
		assert.Contains(t, page, want)
	}
	// The filter offers each check code once.
	assert.Equal(t, 1, strings.Count(page, "<option>body-schema</option>"))
	assert.Equal(t, 1, strings.Count(page, "<option>criterion</option>"))
}

func TestHTMLReportVerdicts(t *testing.T) {
	for code, want := range map[int]string{ExitPassed: "PASSED", ExitFailed: "FAILED", ExitUnreachable: "ERROR"} {
		r := &Report{ExitCode: code, Error: map[bool]string{true: "target unreachable"}[code == ExitUnreachable]}
		var out bytes.Buffer
		require.NoError(t, WriteHTML(&out, r, nil))
		assert.Contains(t, out.String(), ">"+want+"</p>")
		assert.Contains(t, out.String(), "No workflow ran.")
	}
}
