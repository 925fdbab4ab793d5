package proxy

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/spec"
)

// Report is what the proxy saw: every exchange counted, every violation kept (up to the cap).
type Report struct {
	Upstream string    `json:"upstream"`
	Started  time.Time `json:"started"`
	// Exchanges counts the requests forwarded (answered or not); Validated those whose answer
	// was checked; Unvalidated those whose answer was not (body over the cap, an encoding
	// other than gzip, the client stopped reading).
	Exchanges   int64 `json:"exchanges"`
	Validated   int64 `json:"validated"`
	Unvalidated int64 `json:"unvalidated"`
	// Findings are the violations in the order the exchanges came in.
	Findings []Finding `json:"findings"`
	// FindingsDropped counts violations past the cap (kept out of memory, logged all the same).
	FindingsDropped int64            `json:"findingsDropped,omitempty"`
	Operations      []OperationStats `json:"operations"`
}

// Finding is one violation of the contract in one exchange.
type Finding struct {
	Seq          int64     `json:"seq"` // the exchange's number, from 1
	Time         time.Time `json:"time"`
	Direction    string    `json:"direction"` // "request" or "response"
	Method       string    `json:"method"`
	Path         string    `json:"path"`
	Status       int       `json:"status,omitempty"`
	OperationID  string    `json:"operationId,omitempty"`
	Check        string    `json:"check"`
	Pointer      string    `json:"pointer"`
	SpecLocation string    `json:"specLocation,omitempty"`
	Expected     string    `json:"expected,omitempty"`
	Actual       string    `json:"actual,omitempty"`
	Message      string    `json:"message"`
}

// OperationStats counts the exchanges of one operation (or of one undeclared method and path).
type OperationStats struct {
	Operation string `json:"operation"`
	Exchanges int64  `json:"exchanges"`
	Findings  int64  `json:"findings"`
}

func (p *Proxy) record(ex *exchange, opKey string, route *spec.Route, validated bool, findings []Finding) {
	for i := range findings {
		findings[i] = redactFinding(findings[i], p.red)
		f := findings[i]
		p.log.Warn("violation", "seq", f.Seq, "operation", cmpOr(f.OperationID, f.Method+" "+f.Path), "status", f.Status,
			"check", f.Check, "pointer", f.Pointer, "expected", f.Expected, "actual", f.Actual, "message", f.Message)
	}
	if route == nil {
		opKey = p.red.String(opKey)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rep.Exchanges++
	if validated {
		p.rep.Validated++
	}
	st := p.ops[opKey]
	if st == nil {
		if len(p.ops) >= 10000 {
			opKey = "(other)" // undeclared paths must not grow the table without bound
			st = p.ops[opKey]
		}
		if st == nil {
			st = &OperationStats{Operation: opKey}
			p.ops[opKey] = st
		}
	}
	st.Exchanges++
	st.Findings += int64(len(findings))
	room := p.cfg.MaxFindings - len(p.rep.Findings)
	if len(findings) > room {
		p.rep.FindingsDropped += int64(len(findings) - max(room, 0))
		findings = findings[:max(room, 0)]
	}
	p.rep.Findings = append(p.rep.Findings, findings...)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func redactFinding(f Finding, red *report.Redactor) Finding {
	for _, s := range []*string{&f.Path, &f.OperationID, &f.Check, &f.Pointer, &f.SpecLocation, &f.Expected, &f.Actual, &f.Message} {
		*s = red.String(*s)
	}
	return f
}

// Snapshot returns the report so far, findings sorted by exchange. Findings are redacted
// when recorded; the redactor runs again here, as it may have learned a secret since.
func (p *Proxy) Snapshot() Report {
	p.mu.Lock()
	rep := p.rep
	rep.Findings = slices.Clone(p.rep.Findings)
	rep.Operations = make([]OperationStats, 0, len(p.ops))
	for _, st := range p.ops {
		rep.Operations = append(rep.Operations, *st)
	}
	p.mu.Unlock()
	for i := range rep.Findings {
		rep.Findings[i] = redactFinding(rep.Findings[i], p.red)
	}
	if rep.Findings == nil {
		rep.Findings = []Finding{}
	}
	slices.SortStableFunc(rep.Findings, func(a, b Finding) int { return int(a.Seq - b.Seq) })
	slices.SortFunc(rep.Operations, func(a, b OperationStats) int { return strings.Compare(a.Operation, b.Operation) })
	return rep
}

// WriteJSON writes the report as indented JSON.
func WriteJSON(w io.Writer, rep Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string         `xml:"name,attr"`
	ClassName string         `xml:"classname,attr"`
	Failures  []junitFailure `xml:"failure"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML: one test case per operation seen, failed with
// one failure per violation.
func WriteJUnit(w io.Writer, rep Report) error {
	byOp := map[string][]Finding{}
	for _, f := range rep.Findings {
		key := f.OperationID
		if key == "" {
			key = f.Method + " " + f.Path
		}
		byOp[key] = append(byOp[key], f)
	}
	suite := junitSuite{Name: "contextgpt-proxy " + rep.Upstream}
	for _, op := range rep.Operations {
		c := junitCase{Name: op.Operation, ClassName: "proxy"}
		for _, f := range byOp[op.Operation] {
			c.Failures = append(c.Failures, junitFailure{Message: f.Check + " " + f.Pointer, Type: f.Check,
				Text: fmt.Sprintf("#%d %s %s -> %d\n%s\nexpected: %s\nactual: %s\nspec: %s", f.Seq, f.Method, f.Path,
					f.Status, f.Message, f.Expected, f.Actual, f.SpecLocation)})
		}
		suite.Tests++
		if len(c.Failures) > 0 {
			suite.Failures++
		}
		suite.Cases = append(suite.Cases, c)
	}
	doc := junitSuites{Name: "contextgpt-conformance proxy", Tests: suite.Tests, Failures: suite.Failures, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func (p *Proxy) serveReport(w http.ResponseWriter, r *http.Request) {
	p.Settle(5 * time.Second) // the exchanges just answered are in the report
	rep := p.Snapshot()
	if r.URL.Query().Get("format") == "junit" {
		w.Header().Set("Content-Type", "application/xml")
		_ = WriteJUnit(w, rep)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = WriteJSON(w, rep)
}
