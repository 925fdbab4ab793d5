package report

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteJSON writes the report as indented JSON, HTML characters unescaped.
func WriteJSON(w io.Writer, r *Report, red *Redactor) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(redacted(r, red))
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	File     string      `xml:"file,attr,omitempty"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// WriteJUnit writes the report as JUnit XML: a testsuite per workflow, a testcase per step;
// a failed step's findings make its failure. A skipped workflow is one skipped testcase.
func WriteJUnit(w io.Writer, r *Report, red *Redactor) error {
	r = redacted(r, red)
	out := junitSuites{Name: "contextgpt-conformance", Time: seconds(r.Duration)}
	for _, wf := range r.Workflows {
		s := junitSuite{Name: wf.WorkflowID, Time: seconds(wf.Duration), File: wf.Document}
		if wf.Status == Skipped {
			s.Cases = append(s.Cases, junitCase{Name: wf.WorkflowID, Classname: wf.WorkflowID,
				Time: seconds(0), Skipped: &junitSkipped{Message: wf.Reason}})
			s.Skipped++
		}
		for _, st := range wf.Steps {
			c := junitCase{Name: st.StepID, Classname: wf.WorkflowID, Time: seconds(st.Duration)}
			if st.Status == Skipped {
				c.Skipped = &junitSkipped{Message: st.Reason}
				s.Skipped++
			}
			if st.Status == Failed {
				lines := make([]string, 0, len(st.Findings))
				for _, f := range st.Findings {
					lines = append(lines, FindingLine(f))
				}
				msg := fmt.Sprintf("%d finding(s)", len(st.Findings))
				if len(st.Findings) > 0 {
					msg = st.Findings[0].Check + ": " + st.Findings[0].Message
				}
				if x := st.Exchange; x != nil {
					lines = append(lines, "", ExchangeText(x))
				}
				c.Failure = &junitFailure{Message: msg, Type: "conformance", Text: strings.Join(lines, "\n")}
				s.Failures++
			}
			s.Cases = append(s.Cases, c)
		}
		if wf.Status == Failed && s.Failures == 0 {
			// A workflow can fail without a failed step (a dependency failed, an expression
			// did not resolve): say so in a case of its own.
			s.Cases = append(s.Cases, junitCase{Name: wf.WorkflowID, Classname: wf.WorkflowID, Time: seconds(0),
				Failure: &junitFailure{Message: wf.Reason, Type: "workflow"}})
			s.Failures++
		}
		s.Tests = len(s.Cases)
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Skipped += s.Skipped
		out.Suites = append(out.Suites, s)
	}
	if len(r.RunFailures) > 0 {
		// Failures of the run itself are failed cases, so a CI test tab shows them red.
		s := junitSuite{Name: "run", Time: seconds(0)}
		for _, f := range r.RunFailures {
			s.Cases = append(s.Cases, junitCase{Name: f.Check, Classname: "run", Time: seconds(0),
				Failure: &junitFailure{Message: f.Message, Type: f.Check, Text: f.Message}})
		}
		s.Tests, s.Failures = len(s.Cases), len(s.Cases)
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Suites = append(out.Suites, s)
	}
	if pc := r.PairCoverage; pc != nil && pc.Failed {
		out.Suites = append(out.Suites, junitSuite{Name: "coverage", Tests: 1, Failures: 1, Time: seconds(0),
			Cases: []junitCase{{Name: "pair-coverage", Classname: "coverage", Time: seconds(0), Failure: &junitFailure{
				Message: fmt.Sprintf("%d/%d documented (operation, status) pairs (%.1f%%) is below --min-coverage %.1f%%", pc.Covered, pc.Pairs, pc.Percent, pc.MinPercent),
				Type:    "coverage", Text: strings.Join(uncoveredLines(pc), "\n")}}}})
		out.Tests++
		out.Failures++
	}
	b, err := xml.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, xml.Header+string(b)+"\n")
	return err
}

// FindingLine renders a finding on one line.
func FindingLine(f Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s/%s", f.Workflow, f.Step)
	if f.OperationID != "" {
		fmt.Fprintf(&b, " (%s)", f.OperationID)
	}
	fmt.Fprintf(&b, " [%s]", f.Check)
	if f.Pointer != "" {
		fmt.Fprintf(&b, " at %s", f.Pointer)
	}
	fmt.Fprintf(&b, ": %s", f.Message)
	switch {
	case f.Expected != "" && f.Actual != "":
		fmt.Fprintf(&b, " (expected %s; got %s)", f.Expected, f.Actual)
	case f.Expected != "":
		fmt.Fprintf(&b, " (expected %s)", f.Expected)
	case f.Actual != "":
		fmt.Fprintf(&b, " (got %s)", f.Actual)
	}
	if f.SpecLocation != "" {
		fmt.Fprintf(&b, " [spec: %s]", f.SpecLocation)
	}
	return b.String()
}
