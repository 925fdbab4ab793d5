package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
)

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
			for _, f := range w.Findings {
				fmt.Fprintf(&b, "        superseded, not counted: %s\n", FindingLine(f))
			}
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
