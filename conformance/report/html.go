package report

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"
)

//go:embed html.tmpl
var htmlTemplate string

// scriptHashSlot stands in for the CSP hash of the page's one inline script until the page
// is rendered (html/template rewrites script text, dropping comments, so the hash is taken
// from the output): the page runs that script and nothing else, whatever a report holds.
const scriptHashSlot = "sha256-SCRIPT-HASH-SLOT"

var htmlPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"ms":     millis,
	"checks": stepChecks,
	"pct":    func(f float64) string { return fmt.Sprintf("%.1f%%", f) },
	"lower":  func(s Status) string { return strings.ToLower(string(s)) },
}).Parse(htmlTemplate))

// htmlView is what the template renders: the redacted report and what it derives.
type htmlView struct {
	*Report
	Verdict    string // PASSED, FAILED, ERROR
	Class      string // passed, failed, error
	Checks     []string
	Matrices   []matrixView
	ScriptHash string
	Generated  string
}

type matrixView struct {
	Coverage
	Columns []string
	Rows    []matrixRow
}

type matrixRow struct {
	OperationCoverage
	Cells []matrixCell
}

type matrixCell struct {
	Status string
	State  string // covered, missing, none (not declared)
}

// WriteHTML writes the report as one self-contained HTML page (inline style and script, no
// network): the verdict and figures, every workflow and step with its findings, and the
// (operation, status) coverage matrix, with filters for failed steps and check codes.
func WriteHTML(w io.Writer, r *Report, red *Redactor) error {
	r = redacted(r, red)
	v := htmlView{Report: r, ScriptHash: scriptHashSlot, Generated: time.Now().UTC().Format(time.RFC3339)}
	switch {
	case r.ExitCode == ExitPassed:
		v.Verdict, v.Class = "PASSED", "passed"
	case r.ExitCode == ExitFailed:
		v.Verdict, v.Class = "FAILED", "failed"
	default:
		v.Verdict, v.Class = "ERROR", "error"
	}
	seen := map[string]bool{}
	for _, wf := range r.Workflows {
		for _, st := range wf.Steps {
			for _, f := range st.Findings {
				if !seen[f.Check] {
					seen[f.Check] = true
					v.Checks = append(v.Checks, f.Check)
				}
			}
		}
	}
	slices.Sort(v.Checks)
	for _, cv := range r.Coverage {
		v.Matrices = append(v.Matrices, matrix(cv))
	}
	var buf bytes.Buffer
	if err := htmlPage.Execute(&buf, v); err != nil {
		return err
	}
	page := buf.Bytes()
	start := bytes.Index(page, []byte("<script>"))
	end := bytes.LastIndex(page, []byte("</script>"))
	if start < 0 || end < start {
		return fmt.Errorf("report: the HTML template lost its script")
	}
	sum := sha256.Sum256(page[start+len("<script>") : end])
	page = bytes.Replace(page, []byte(scriptHashSlot), []byte("sha256-"+base64.StdEncoding.EncodeToString(sum[:])), 1)
	_, err := w.Write(page)
	return err
}

// matrix lays a source's coverage out as operations × declared statuses.
func matrix(cv Coverage) matrixView {
	m := matrixView{Coverage: cv}
	cols := map[string]bool{}
	for _, op := range cv.Matrix {
		for _, s := range op.Statuses {
			cols[s.Status] = true
		}
	}
	for c := range cols {
		m.Columns = append(m.Columns, c)
	}
	slices.Sort(m.Columns) // "200" < "2XX" < "404" < "4XX" < "default"
	for _, op := range cv.Matrix {
		row := matrixRow{OperationCoverage: op}
		for _, c := range m.Columns {
			cell := matrixCell{Status: c, State: "none"}
			for _, s := range op.Statuses {
				if s.Status == c {
					cell.State = "missing"
					if s.Covered {
						cell.State = "covered"
					}
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		m.Rows = append(m.Rows, row)
	}
	return m
}

func millis(d time.Duration) string {
	ms := float64(d.Microseconds()) / 1000
	switch {
	case ms >= 10000:
		return fmt.Sprintf("%.1f s", ms/1000)
	case ms >= 100:
		return fmt.Sprintf("%.0f ms", ms)
	default:
		return fmt.Sprintf("%.1f ms", ms)
	}
}

// stepChecks is the space-separated check codes of a step's or a workflow's findings (the
// filters read them).
func stepChecks(v any) string {
	var fs []Finding
	switch x := v.(type) {
	case StepResult:
		fs = x.Findings
	case WorkflowResult:
		for _, st := range x.Steps {
			fs = append(fs, st.Findings...)
		}
	}
	var out []string
	for _, f := range fs {
		if !slices.Contains(out, f.Check) {
			out = append(out, f.Check)
		}
	}
	return " " + strings.Join(out, " ") + " "
}
