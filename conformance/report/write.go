package report

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Redactor replaces secrets (API keys, admin tokens) in text. Secrets are added as the run
// learns them (a sandbox's key); anything shaped like a ContextGPT key (sk_...) is redacted
// too. It is safe for concurrent use.
type Redactor struct {
	mu      sync.RWMutex
	secrets []string
}

// Redacted stands in for a secret.
const Redacted = "[REDACTED]"

var keyShape = regexp.MustCompile(`sk_[A-Za-z0-9_\-]{8,}`)

// Add registers secrets; empty strings are ignored.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		if s == "" {
			continue
		}
		// Also as it appears in a URL's path or query.
		for _, v := range []string{s, url.PathEscape(s), url.QueryEscape(s)} {
			if !slices.Contains(r.secrets, v) {
				r.secrets = append(r.secrets, v)
			}
		}
	}
}

// String redacts s. A secret is replaced where it stands as a whole token, never inside a
// longer word: a key "flow" leaves "workflows" alone (the CLI refuses keys under 8
// characters, so this matters for secrets a run learns).
func (r *Redactor) String(s string) string {
	if r != nil {
		r.mu.RLock()
		for _, secret := range r.secrets {
			s = replaceToken(s, secret)
		}
		r.mu.RUnlock()
	}
	return keyShape.ReplaceAllString(s, Redacted)
}

// replaceToken replaces each occurrence of secret in s whose neighbours are not word
// characters (letters, digits, _ and -).
func replaceToken(s, secret string) string {
	if !strings.Contains(s, secret) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, secret)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(secret)
		if (i > 0 && isWordByte(s[i-1]) && !afterEscape(s, i)) || (end < len(s) && isWordByte(s[end])) {
			b.WriteString(s[:i+1])
			s = s[i+1:]
			continue
		}
		b.WriteString(s[:i])
		b.WriteString(Redacted)
		s = s[end:]
	}
}

// afterEscape reports whether s[:i] ends with a percent escape (%20): a boundary in a URL.
func afterEscape(s string, i int) bool {
	return i >= 3 && s[i-3] == '%' && isHex(s[i-2]) && isHex(s[i-1])
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isWordByte(c byte) bool {
	return c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// redacted returns a copy of r with every text field redacted. The writers redact before
// encoding: after it, a secret is escaped (& as &amp; in XML, " as \" in JSON) and slips
// through, and a secret that matches markup ("testsuite", "true") breaks the document.
func redacted(r *Report, red *Redactor) *Report {
	out := *r
	out.Target, out.RunID, out.Error, out.Hint = red.String(r.Target), red.String(r.RunID), red.String(r.Error), red.String(r.Hint)
	out.RunFailures = nil
	for _, f := range r.RunFailures {
		out.RunFailures = append(out.RunFailures, RunFailure{Check: f.Check, Message: red.String(f.Message)})
	}
	out.Workflows = make([]WorkflowResult, len(r.Workflows))
	for i, w := range r.Workflows {
		w.WorkflowID, w.Document, w.Summary, w.Reason = red.String(w.WorkflowID), red.String(w.Document), red.String(w.Summary), red.String(w.Reason)
		steps := make([]StepResult, len(w.Steps))
		for j, st := range w.Steps {
			st.StepID, st.OperationID, st.Source, st.Path = red.String(st.StepID), red.String(st.OperationID), red.String(st.Source), red.String(st.Path)
			st.Reason = red.String(st.Reason)
			if st.Exchange != nil {
				x := *st.Exchange
				x.Curl = red.String(x.Curl)
				x.Request = redactMessage(x.Request, red)
				if x.Response != nil {
					resp := redactMessage(*x.Response, red)
					x.Response = &resp
				}
				st.Exchange = &x
			}
			fs := make([]Finding, len(st.Findings))
			for k, f := range st.Findings {
				for _, s := range []*string{&f.Workflow, &f.Step, &f.OperationID, &f.Check, &f.Pointer, &f.SpecLocation, &f.Expected, &f.Actual, &f.Message} {
					*s = red.String(*s)
				}
				fs[k] = f
			}
			if st.Findings == nil {
				fs = nil
			}
			st.Findings = fs
			steps[j] = st
		}
		if w.Steps == nil {
			steps = nil
		}
		w.Steps = steps
		out.Workflows[i] = w
	}
	if r.Workflows == nil {
		out.Workflows = nil
	}
	return &out
}

func redactMessage(m Message, red *Redactor) Message {
	m.URL, m.Body = red.String(m.URL), red.String(m.Body)
	if m.Header != nil {
		h := make(map[string]string, len(m.Header))
		for k, v := range m.Header {
			h[k] = red.String(v)
		}
		m.Header = h
	}
	return m
}

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

// Console writes the run as it goes: a line per step, then a summary. Colour is optional.
type Console struct {
	W     io.Writer
	Color bool
	Red   *Redactor
	// Verbose prints every step's exchange, not only a failed step's curl line.
	Verbose bool
	mu      sync.Mutex
	hinted  bool
}

// ExchangeText renders an exchange for a person: the curl line, the request body, the
// response status, headers and body.
func ExchangeText(x *Exchange) string {
	var b strings.Builder
	fmt.Fprintf(&b, "reproduce: %s\n", x.Curl)
	fmt.Fprintf(&b, "> %s %s\n", x.Request.Method, x.Request.URL)
	writeHeaders(&b, "> ", x.Request.Header)
	if x.Request.Body != "" {
		fmt.Fprintf(&b, "> %s%s\n", x.Request.Body, truncMark(x.Request.BodyTruncated))
	}
	if r := x.Response; r != nil {
		fmt.Fprintf(&b, "< %d\n", r.Status)
		writeHeaders(&b, "< ", r.Header)
		if r.Body != "" {
			fmt.Fprintf(&b, "< %s%s\n", r.Body, truncMark(r.BodyTruncated))
		}
	} else {
		b.WriteString("< (no response)\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func writeHeaders(b *strings.Builder, prefix string, h map[string]string) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(b, "%s%s: %s\n", prefix, k, h[k])
	}
}

func truncMark(cut bool) string {
	if cut {
		return fmt.Sprintf(" ... (cut at %d bytes)", MaxBodyBytes)
	}
	return ""
}

// Hint prints a hint about the run's set-up, before what follows.
func (c *Console) Hint(h string) {
	c.mu.Lock()
	c.hinted = true
	c.mu.Unlock()
	c.print("%s %s\n", c.paint("33", "HINT"), h)
}

func (c *Console) paint(code, s string) string {
	if !c.Color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (c *Console) mark(s Status) string {
	switch s {
	case Passed:
		return c.paint("32", "PASS")
	case Failed:
		return c.paint("31", "FAIL")
	default:
		return c.paint("33", "SKIP")
	}
}

func (c *Console) print(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	io.WriteString(c.W, c.Red.String(fmt.Sprintf(format, args...))) //nolint:errcheck // console output is best effort
}

// Workflow prints a finished workflow: one line per step and its findings.
func (c *Console) Workflow(wf WorkflowResult) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s (%s)", c.mark(wf.Status), wf.WorkflowID, wf.Duration.Round(time.Millisecond))
	if wf.Reason != "" {
		fmt.Fprintf(&b, ": %s", wf.Reason)
	}
	b.WriteByte('\n')
	for _, st := range wf.Steps {
		fmt.Fprintf(&b, "  %s %s", c.mark(st.Status), st.StepID)
		if st.Method != "" {
			fmt.Fprintf(&b, " %s %s", st.Method, st.Path)
		}
		if st.HTTPStatus != 0 {
			fmt.Fprintf(&b, " -> %d", st.HTTPStatus)
		}
		if st.Attempts > 1 {
			fmt.Fprintf(&b, " after %d attempts", st.Attempts)
		}
		fmt.Fprintf(&b, " (%s)", st.Duration.Round(time.Millisecond))
		if st.Reason != "" {
			fmt.Fprintf(&b, ": %s", st.Reason)
		}
		b.WriteByte('\n')
		for _, f := range st.Findings {
			fmt.Fprintf(&b, "      %s\n", FindingLine(f))
		}
		for _, w := range st.Waits {
			fmt.Fprintf(&b, "      waited %s after a %d (Retry-After %q)\n", w.Waited.Round(time.Millisecond), w.Status, w.RetryAfter)
		}
		if x := st.Exchange; x != nil {
			if c.Verbose {
				for _, l := range strings.Split(ExchangeText(x), "\n") {
					fmt.Fprintf(&b, "      %s\n", l)
				}
			} else if st.Status == Failed {
				fmt.Fprintf(&b, "      reproduce: %s\n", x.Curl)
			}
		}
	}
	c.print("%s", b.String())
}

// Summary prints coverage and the totals.
func (c *Console) Summary(r *Report) {
	var b strings.Builder
	for _, cv := range r.Coverage {
		fmt.Fprintf(&b, "coverage %s: %d/%d operations (%.1f%%), %d/%d (operation, status) pairs (%.1f%%)\n",
			cv.Source, cv.OperationsCovered, cv.Operations, cv.OperationPercent, cv.PairsCovered, cv.Pairs, cv.PairPercent)
	}
	if pc := r.PairCoverage; pc != nil {
		fmt.Fprintf(&b, "documented (operation, status) pairs: %d/%d (%.1f%%)\n", pc.Covered, pc.Pairs, pc.Percent)
		if len(pc.Unreached) > 0 {
			fmt.Fprintf(&b, "  operations not reached: %s\n", strings.Join(pc.Unreached, ", "))
		}
		for _, l := range uncoveredLines(pc) {
			fmt.Fprintf(&b, "  uncovered %s\n", l)
		}
		if pc.Failed {
			fmt.Fprintf(&b, "%s pair coverage is below --min-coverage %.1f%%\n", c.paint("31", "FAIL"), pc.MinPercent)
		}
	}
	if r.CoverageFailed {
		fmt.Fprintf(&b, "%s operation coverage is below --min-coverage %.1f%%\n", c.paint("31", "FAIL"), r.MinCoverage)
	}
	if r.Error != "" {
		fmt.Fprintf(&b, "%s %s\n", c.paint("31", "ERROR"), r.Error)
	}
	for _, f := range r.RunFailures {
		if f.Message != r.Error && f.Check != "coverage" {
			fmt.Fprintf(&b, "%s %s: %s\n", c.paint("31", "FAIL"), f.Check, f.Message)
		}
	}
	c.mu.Lock()
	hinted := c.hinted
	c.mu.Unlock()
	if r.Hint != "" && !hinted {
		fmt.Fprintf(&b, "%s %s\n", c.paint("33", "HINT"), r.Hint)
	}
	s := r.Summary
	skipped := ""
	if s.StepsSkipped > 0 {
		skipped = fmt.Sprintf(", %d skipped", s.StepsSkipped)
	}
	fmt.Fprintf(&b, "%d workflows: %d passed, %d failed, %d skipped; %d steps: %d passed, %d failed%s; %d findings; %s\n",
		s.Workflows, s.WorkflowsPassed, s.WorkflowsFailed, s.WorkflowsSkipped,
		s.Steps, s.StepsPassed, s.StepsFailed, skipped, s.Findings, r.Duration.Round(time.Millisecond))
	if s.Findings > 0 {
		fmt.Fprintf(&b, "findings: %d contract (status, content type, schema, headers, envelope), %d behaviour (criteria, outputs), %d run (transport, timing, request)\n",
			s.ContractFindings, s.BehaviourFindings, s.RunFindings)
	}
	c.print("%s", b.String())
}

// uncoveredLines lists the uncovered pairs, one line per operation: "getX: 404, 429".
func uncoveredLines(pc *PairCoverage) []string {
	var out []string
	var op string
	var sts []string
	flush := func() {
		if len(sts) > 0 {
			out = append(out, op+": "+strings.Join(sts, ", "))
		}
	}
	for _, row := range pc.Rows {
		if row.OperationID != op {
			flush()
			op, sts = row.OperationID, nil
		}
		if !row.Covered {
			sts = append(sts, row.Status)
		}
	}
	flush()
	return out
}
