package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
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
			if got := FindingLine(f); got != tc.want {
				t.Errorf("FindingLine(f) = %q, want %q", got, tc.want)
			}
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
	if err := WriteJUnit(&out, r, nil); err != nil {
		t.Fatalf("WriteJUnit: %v", err)
	}
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
	if err := xml.Unmarshal(out.Bytes(), &suites); err != nil {
		t.Fatalf("xml.Unmarshal: %v", err)
	}
	if suites.Tests != 2 {
		t.Errorf("suites.Tests = %v, want %v", suites.Tests, 2)
	}
	if suites.Failures != 1 {
		t.Errorf("suites.Failures = %v, want %v", suites.Failures, 1)
	}
	if got := len(suites.Suites[0].Cases); got != 2 {
		t.Fatalf("len(suites.Suites[0].Cases) = %d, want %d: %+v", got, 2, suites.Suites[0].Cases)
	}
	if suites.Suites[0].Cases[1].Failure == nil {
		t.Fatalf("suites.Suites[0].Cases[1].Failure is nil")
	}
	if suites.Suites[0].Cases[1].Failure.Message != "output x: unresolved" {
		t.Errorf("suites.Suites[0].Cases[1].Failure.Message = %q, want %q", suites.Suites[0].Cases[1].Failure.Message, "output x: unresolved")
	}
}

func TestSummarize(t *testing.T) {
	r := &Report{Workflows: []WorkflowResult{
		{Status: Passed, Steps: []StepResult{{Status: Passed}, {Status: Passed}}},
		{Status: Failed, Steps: []StepResult{{Status: Failed, Findings: []Finding{{Category: CategoryContract}, {Category: CategoryBehaviour}}}}},
		{Status: Skipped},
	}}
	r.Summarize()
	if want := (Summary{Workflows: 3, WorkflowsPassed: 1, WorkflowsFailed: 1, WorkflowsSkipped: 1,
		Steps: 3, StepsPassed: 2, StepsFailed: 1, Findings: 2, ContractFindings: 1, BehaviourFindings: 1}); r.Summary != want {
		t.Errorf("r.Summary = %+v, want %+v", r.Summary, want)
	}
}

func TestJSONKeepsCharactersAndRedacts(t *testing.T) {
	red := &Redactor{}
	red.Add("a&b<c>key")
	r := &Report{Error: "got a&b<c>key and <nil>"}
	var out bytes.Buffer
	if err := WriteJSON(&out, r, red); err != nil {
		t.Fatalf("WriteJSON: %v", err)
	}
	if got := out.String(); strings.Contains(got, "a&b<c>key") {
		t.Errorf("out.String() = %q, want no %q", got, "a&b<c>key")
	}
	var back Report
	if err := json.Unmarshal(out.Bytes(), &back); err != nil {
		t.Fatalf("json.Unmarshal: %v", err)
	}
	if back.Error != "got [REDACTED] and <nil>" {
		t.Errorf("no HTML escaping hides a secret from the redactor: got %q, want %q", back.Error, "got [REDACTED] and <nil>")
	}
}

func TestConsoleColour(t *testing.T) {
	var out bytes.Buffer
	c := &Console{W: &out, Color: true}
	c.Workflow(WorkflowResult{WorkflowID: "w", Status: Failed, Steps: []StepResult{{StepID: "s", Status: Passed, Attempts: 3}}})
	if got := out.String(); !strings.Contains(got, "\x1b[31mFAIL\x1b[0m w") {
		t.Errorf("out.String() = %q, want it to contain %q", got, "\x1b[31mFAIL\x1b[0m w")
	}
	if got := out.String(); !strings.Contains(got, "after 3 attempts") {
		t.Errorf("out.String() = %q, want it to contain %q", got, "after 3 attempts")
	}
	out.Reset()
	c.Color = false
	c.Summary(&Report{CoverageFailed: true, MinCoverage: 50, Error: "boom"})
	if strings.Contains(out.String(), "\x1b[") {
		t.Errorf("want strings.Contains(out.String(), \"\\x1b[\") to be false")
	}
	if got := out.String(); !strings.Contains(got, "FAIL operation coverage is below --min-coverage 50.0%") {
		t.Errorf("out.String() = %q, want it to contain %q", got, "FAIL operation coverage is below --min-coverage 50.0%")
	}
	if got := out.String(); !strings.Contains(got, "ERROR boom") {
		t.Errorf("out.String() = %q, want it to contain %q", got, "ERROR boom")
	}
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
			if err := WriteJUnit(&x, r, red); err != nil {
				t.Fatalf("WriteJUnit: %v", err)
			}
			var anyXML struct{}
			if err := xml.Unmarshal(x.Bytes(), &anyXML); err != nil {
				t.Fatalf("%v: %v", x.String(), err)
			}
			var suites junitSuites
			if err := xml.Unmarshal(x.Bytes(), &suites); err != nil {
				t.Fatalf("xml.Unmarshal: %v", err)
			}
			if strings.Contains(suites.Suites[0].Cases[0].Failure.Text, tc.secret) {
				t.Errorf("suites.Suites[0].Cases[0].Failure.Text = %q, want no %q", suites.Suites[0].Cases[0].Failure.Text, tc.secret)
			}
			if !strings.Contains(suites.Suites[0].Cases[0].Failure.Text, Redacted) {
				t.Errorf("suites.Suites[0].Cases[0].Failure.Text = %q, want it to contain %q", suites.Suites[0].Cases[0].Failure.Text, Redacted)
			}
			var j bytes.Buffer
			if err := WriteJSON(&j, r, red); err != nil {
				t.Fatalf("WriteJSON: %v", err)
			}
			var back Report
			if err := json.Unmarshal(j.Bytes(), &back); err != nil {
				t.Fatalf("%v: %v", j.String(), err)
			}
			if !back.Mock {
				t.Errorf("want back.Mock to be true")
			}
			if got := back.Workflows[0].Reason + back.Workflows[0].Steps[0].Findings[0].Message; strings.Contains(got, tc.secret) {
				t.Errorf("got %q, want no %q", got, tc.secret)
			}
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
		if got := r.String(in); got != want {
			t.Errorf("%v: got %q, want %q", in, got, want)
		}
	}
}
