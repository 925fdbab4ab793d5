package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFindingLine(t *testing.T) {
	base := Finding{Workflow: "w", Step: "s", Check: "body-schema", Message: "bad"}
	tests := []struct {
		name string
		edit func(*Finding)
		want string
	}{
		{"bare", func(*Finding) {}, "w/s [body-schema]: bad"},
		{"operation and pointer", func(f *Finding) { f.OperationID, f.Pointer = "op", "/a/0" }, "w/s (op) [body-schema] at /a/0: bad"},
		{"expected and actual", func(f *Finding) { f.Expected, f.Actual = "200", "404" }, "w/s [body-schema]: bad (expected 200; got 404)"},
		{"expected only", func(f *Finding) { f.Expected = "type" }, "w/s [body-schema]: bad (expected type)"},
		{"actual only", func(f *Finding) { f.Actual = "418" }, "w/s [body-schema]: bad (got 418)"},
		{"spec location", func(f *Finding) { f.SpecLocation = "paths./x.get" }, "w/s [body-schema]: bad [spec: paths./x.get]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := base
			tc.edit(&f)
			assert.Equal(t, tc.want, FindingLine(f))
		})
	}
}

// A workflow can fail without a failed step (an output did not resolve): JUnit still shows
// a failure, so CI does not read the run as green.
func TestJUnitWorkflowFailureWithoutFailedStep(t *testing.T) {
	r := &Report{Workflows: []WorkflowResult{{WorkflowID: "w", Status: Failed, Reason: "output x: unresolved",
		Steps: []StepResult{{StepID: "s", Status: Passed}}}}}
	r.Summarize()
	var out bytes.Buffer
	require.NoError(t, WriteJUnit(&out, r, nil))
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(out.Bytes(), &suites))
	assert.Equal(t, 2, suites.Tests)
	assert.Equal(t, 1, suites.Failures)
	require.Len(t, suites.Suites[0].Cases, 2)
	require.NotNil(t, suites.Suites[0].Cases[1].Failure)
	assert.Equal(t, "output x: unresolved", suites.Suites[0].Cases[1].Failure.Message)
}

func TestSummarize(t *testing.T) {
	r := &Report{Workflows: []WorkflowResult{
		{Status: Passed, Steps: []StepResult{{Status: Passed}, {Status: Passed}}},
		{Status: Failed, Steps: []StepResult{{Status: Failed, Findings: []Finding{{Category: CategoryContract}, {Category: CategoryBehaviour}}}}},
		{Status: Skipped},
	}}
	r.Summarize()
	assert.Equal(t, Summary{Workflows: 3, WorkflowsPassed: 1, WorkflowsFailed: 1, WorkflowsSkipped: 1,
		Steps: 3, StepsPassed: 2, StepsFailed: 1, Findings: 2, ContractFindings: 1, BehaviourFindings: 1}, r.Summary)
}

func TestJSONKeepsCharactersAndRedacts(t *testing.T) {
	red := &Redactor{}
	red.Add("a&b<c>key")
	r := &Report{Error: "got a&b<c>key and <nil>"}
	var out bytes.Buffer
	require.NoError(t, WriteJSON(&out, r, red))
	assert.NotContains(t, out.String(), "a&b<c>key")
	var back Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &back))
	assert.Equal(t, "got [REDACTED] and <nil>", back.Error, "no HTML escaping hides a secret from the redactor")
}

func TestConsoleColour(t *testing.T) {
	var out bytes.Buffer
	c := &Console{W: &out, Color: true}
	c.Workflow(WorkflowResult{WorkflowID: "w", Status: Failed, Steps: []StepResult{{StepID: "s", Status: Passed, Attempts: 3}}})
	assert.Contains(t, out.String(), "\x1b[31mFAIL\x1b[0m w")
	assert.Contains(t, out.String(), "after 3 attempts")
	out.Reset()
	c.Color = false
	c.Summary(&Report{CoverageFailed: true, MinCoverage: 50, Error: "boom"})
	assert.False(t, strings.Contains(out.String(), "\x1b["))
	assert.Contains(t, out.String(), "FAIL operation coverage is below --min-coverage 50.0%")
	assert.Contains(t, out.String(), "ERROR boom")
}

// Regression: the writers redacted the encoded text, so a secret the encoder escapes (& in
// XML, " in JSON) leaked, and a secret that matched markup broke the document.
func TestRedactBeforeEncoding(t *testing.T) {
	tests := []struct{ name, secret string }{
		{"xml-escaped secret", "k&y<1>"},
		{"json-escaped secret", `k"y\1`},
		{"secret matching XML markup", "testsuite"},
		{"secret matching JSON literal", "true"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			red := &Redactor{}
			red.Add(tc.secret)
			r := &Report{Mock: true, Workflows: []WorkflowResult{{WorkflowID: "w", Status: Failed, Reason: "saw " + tc.secret,
				Steps: []StepResult{{StepID: "s", Status: Failed, Findings: []Finding{{Workflow: "w", Step: "s", Check: "criterion",
					Message: "header Bearer " + tc.secret, Actual: "control \x00\x1b chars ]]> " + tc.secret}}}}}}}
			var x bytes.Buffer
			require.NoError(t, WriteJUnit(&x, r, red))
			var anyXML struct{}
			require.NoError(t, xml.Unmarshal(x.Bytes(), &anyXML), x.String())
			var suites junitSuites
			require.NoError(t, xml.Unmarshal(x.Bytes(), &suites))
			assert.NotContains(t, suites.Suites[0].Cases[0].Failure.Text, tc.secret)
			assert.Contains(t, suites.Suites[0].Cases[0].Failure.Text, Redacted)
			var j bytes.Buffer
			require.NoError(t, WriteJSON(&j, r, red))
			var back Report
			require.NoError(t, json.Unmarshal(j.Bytes(), &back), j.String())
			assert.True(t, back.Mock)
			assert.NotContains(t, back.Workflows[0].Reason+back.Workflows[0].Steps[0].Findings[0].Message, tc.secret)
		})
	}
}

// A secret is replaced as a whole token, never inside a longer word; in URLs it is found
// escaped too.
func TestRedactWholeTokens(t *testing.T) {
	r := &Redactor{}
	r.Add("flow1234", "ctx.Live-Key~42+/=Zq9xY")
	for in, want := range map[string]string{
		"workflow1234s and flow1234":     "workflow1234s and [REDACTED]",
		"key=flow1234;":                  "key=[REDACTED];",
		"flow1234":                       "[REDACTED]",
		"(flow1234)":                     "([REDACTED])",
		"flow12345 xflow1234":            "flow12345 xflow1234",
		"Bearer ctx.Live-Key~42+/=Zq9xY": "Bearer [REDACTED]",
		"/items/Bearer%20ctx.Live-Key~42+%2F=Zq9xY?x=1": "/items/Bearer%20[REDACTED]?x=1",
	} {
		assert.Equal(t, want, r.String(in), in)
	}
}
