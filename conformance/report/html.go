package report

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
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
	"pretty": prettyBody,
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
	Title   string // the source document, or the documented-pairs table
	Summary string
	Columns []string
	Rows    []matrixRow
	Legend  string // what "covered" means here
}

type matrixRow struct {
	OperationCoverage
	Cells []matrixCell
}

type matrixCell struct {
	Status string
	State  string // covered, missing, none (not declared)
	By     string // what covered it (run, probe), when known
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
	if r.PairCoverage != nil {
		v.Matrices = append(v.Matrices, pairMatrix(r.PairCoverage))
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
	m := matrixView{Title: cv.Source, Legend: "declared, not seen",
		Summary: fmt.Sprintf("%d/%d operations (%.1f%%), %d/%d (operation, status) pairs (%.1f%%)",
			cv.OperationsCovered, cv.Operations, cv.OperationPercent, cv.PairsCovered, cv.Pairs, cv.PairPercent)}
	return m.fill(cv.Matrix, nil)
}

// pairMatrix lays the documented-pairs table (run and probe) out the same way.
func pairMatrix(pc *PairCoverage) matrixView {
	m := matrixView{Title: "documented (operation, status) pairs", Legend: "documented, not seen",
		Summary: fmt.Sprintf("%d/%d pairs (%.1f%%) covered by the run and the probe", pc.Covered, pc.Pairs, pc.Percent)}
	var ops []OperationCoverage
	at := map[string]int{}
	by := map[[2]string]string{}
	for _, r := range pc.Rows {
		i, ok := at[r.OperationID]
		if !ok {
			i = len(ops)
			at[r.OperationID] = i
			ops = append(ops, OperationCoverage{OperationID: r.OperationID})
		}
		ops[i].Statuses = append(ops[i].Statuses, StatusCoverage{Status: r.Status, Covered: r.Covered})
		by[[2]string{r.OperationID, r.Status}] = strings.Join(r.By, ", ")
	}
	return m.fill(ops, by)
}

func (m matrixView) fill(ops []OperationCoverage, by map[[2]string]string) matrixView {
	cols := map[string]bool{}
	for _, op := range ops {
		for _, s := range op.Statuses {
			cols[s.Status] = true
		}
	}
	for c := range cols {
		m.Columns = append(m.Columns, c)
	}
	slices.Sort(m.Columns) // "200" < "2XX" < "404" < "4XX" < "default"
	for _, op := range ops {
		row := matrixRow{OperationCoverage: op}
		for _, c := range m.Columns {
			cell := matrixCell{Status: c, State: "none"}
			for _, s := range op.Statuses {
				if s.Status == c {
					cell.State = "missing"
					if s.Covered {
						cell.State, cell.By = "covered", by[[2]string{op.OperationID, c}]
					}
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		m.Rows = append(m.Rows, row)
	}
	return m
}

// prettyBody indents a JSON body; anything else is shown as it is.
func prettyBody(s string) string {
	var out bytes.Buffer
	if json.Indent(&out, []byte(s), "", "  ") == nil {
		return out.String()
	}
	return s
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
