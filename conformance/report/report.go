// Package report holds the outcome of a conformance run and writes it as console text,
// JUnit XML or JSON. Every writer passes its output through a Redactor, so API keys never
// appear in a report.
package report

import (
	"time"
)

// Status of a workflow or step.
type Status string

// The statuses.
const (
	Passed  Status = "passed"
	Failed  Status = "failed"
	Skipped Status = "skipped"
)

// Exit codes of a run.
const (
	ExitPassed      = 0
	ExitFailed      = 1
	ExitBadInput    = 2
	ExitUnreachable = 3
)

// Report is the outcome of one run.
type Report struct {
	Target string `json:"target"`
	// HarnessVersion is the version of the runner; SpecTitle and SpecVersion are the info of
	// the API document the steps were checked against.
	HarnessVersion string           `json:"harnessVersion,omitempty"`
	SpecTitle      string           `json:"specTitle,omitempty"`
	SpecVersion    string           `json:"specVersion,omitempty"`
	Mock           bool             `json:"mock"`
	RunID          string           `json:"runId"`
	Started        time.Time        `json:"started"`
	Duration       time.Duration    `json:"durationNs"`
	Workflows      []WorkflowResult `json:"workflows"`
	Coverage       []Coverage       `json:"coverage"`
	Summary        Summary          `json:"summary"`
	// MinCoverage is the --min-coverage gate in percent (0: none); CoverageFailed is set when
	// the operation coverage of an API source is below it.
	MinCoverage    float64 `json:"minCoverage,omitempty"`
	CoverageFailed bool    `json:"coverageFailed,omitempty"`
	// PairCoverage is the table of (operation, documented status) pairs the run's responses
	// covered (the probe command fills it, over the suite's responses too with --with-suite).
	PairCoverage *PairCoverage `json:"pairCoverage,omitempty"`
	// Error is a run-level failure (the target unreachable, a sandbox not created).
	Error string `json:"error,omitempty"`
	// RunFailures are the failures of the run rather than of a step (coverage gate, target
	// unreachable, a sandbox not created or not deleted): JUnit shows each as a failed case.
	RunFailures []RunFailure `json:"runFailures,omitempty"`
	// Hint is said once when the run looks misconfigured (most calls answered 404, or the
	// first answer was not the API's).
	Hint     string `json:"hint,omitempty"`
	ExitCode int    `json:"exitCode"`
}

// WorkflowResult is one workflow's outcome.
type WorkflowResult struct {
	WorkflowID string        `json:"workflowId"`
	Document   string        `json:"document"`
	Summary    string        `json:"summary,omitempty"`
	Status     Status        `json:"status"`
	Reason     string        `json:"reason,omitempty"` // why it failed or was skipped
	Steps      []StepResult  `json:"steps"`
	Duration   time.Duration `json:"durationNs"`
}

// StepResult is one step's outcome (a step that runs again through goto or retry appears
// once per run).
type StepResult struct {
	StepID      string        `json:"stepId"`
	OperationID string        `json:"operationId,omitempty"`
	Source      string        `json:"source,omitempty"`
	Method      string        `json:"method,omitempty"`
	Path        string        `json:"path,omitempty"` // the URL path sent, without the query
	HTTPStatus  int           `json:"httpStatus,omitempty"`
	Attempts    int           `json:"attempts,omitempty"` // more than 1 after a 429 wait
	Status      Status        `json:"status"`
	Reason      string        `json:"reason,omitempty"` // why a step was skipped
	Findings    []Finding     `json:"findings,omitempty"`
	Duration    time.Duration `json:"durationNs"`
	// Latency is the network time of the last attempt: request sent to response read, the
	// validation excluded.
	Latency time.Duration `json:"latencyNs,omitempty"`
	// Waits are the 429 answers the runner waited on before sending again, in order.
	Waits []Wait `json:"waits,omitempty"`
	// Exchange is the last request and response of a failed step (of every step with -v).
	Exchange *Exchange `json:"exchange,omitempty"`
}

// Wait is one answer the runner waited on and sent the request again after (a 429).
type Wait struct {
	Status     int           `json:"status"`
	RetryAfter string        `json:"retryAfter,omitempty"` // the header as sent
	Waited     time.Duration `json:"waitedNs"`
	// Findings are what the checks found on this superseded answer: reported, but only the
	// final attempt decides the step.
	Findings []Finding `json:"findings,omitempty"`
}

// Exchange is one request and its response, secrets redacted, bodies cut at MaxBodyBytes.
type Exchange struct {
	Request  Message  `json:"request"`
	Response *Message `json:"response,omitempty"` // none after a transport failure
	// Curl reproduces the request; the key is read from $CONTEXTGPT_API_KEY.
	Curl string `json:"curl"`
}

// Message is a request or a response.
type Message struct {
	Method        string            `json:"method,omitempty"`
	URL           string            `json:"url,omitempty"`
	Status        int               `json:"status,omitempty"`
	Header        map[string]string `json:"headers,omitempty"`
	Body          string            `json:"body,omitempty"`
	BodyTruncated bool              `json:"bodyTruncated,omitempty"`
}

// MaxBodyBytes is where an exchange's body is cut.
const MaxBodyBytes = 4 << 10

// Finding is one failed check or criterion.
type Finding struct {
	Workflow    string `json:"workflow"`
	Step        string `json:"step"`
	OperationID string `json:"operationId,omitempty"`
	Check       string `json:"check"`
	// Category is contract (status, content type, schema, headers, envelope), behaviour
	// (criteria, outputs) or run (transport, request, timing): see conformance.Checks.
	Category     string `json:"category,omitempty"`
	Pointer      string `json:"pointer"`
	SpecLocation string `json:"specLocation,omitempty"`
	Expected     string `json:"expected,omitempty"`
	Actual       string `json:"actual,omitempty"`
	Message      string `json:"message"`
}

// Coverage of one source description's operations.
type Coverage struct {
	Source             string   `json:"source"`
	Operations         int      `json:"operations"`
	OperationsCovered  int      `json:"operationsCovered"`
	Pairs              int      `json:"pairs"` // (operation, declared status)
	PairsCovered       int      `json:"pairsCovered"`
	OperationPercent   float64  `json:"operationPercent"`
	PairPercent        float64  `json:"pairPercent"`
	UncoveredOperation []string `json:"uncoveredOperations,omitempty"`
	// Matrix is every operation with each status it declares and whether the run saw it,
	// in the document's order. The HTML report draws it; the JSON report leaves it out.
	Matrix []OperationCoverage `json:"-"`
}

// OperationCoverage is one operation's row of the coverage matrix.
type OperationCoverage struct {
	OperationID string           `json:"operationId"`
	Method      string           `json:"method,omitempty"`
	Path        string           `json:"path,omitempty"`
	Statuses    []StatusCoverage `json:"statuses"`
}

// StatusCoverage is one declared response of an operation ("200", "4XX", "default").
type StatusCoverage struct {
	Status  string `json:"status"`
	Covered bool   `json:"covered"`
}

// Summary counts a run.
type Summary struct {
	Workflows        int `json:"workflows"`
	WorkflowsPassed  int `json:"workflowsPassed"`
	WorkflowsFailed  int `json:"workflowsFailed"`
	WorkflowsSkipped int `json:"workflowsSkipped"`
	Steps            int `json:"steps"`
	StepsPassed      int `json:"stepsPassed"`
	StepsFailed      int `json:"stepsFailed"`
	StepsSkipped     int `json:"stepsSkipped,omitempty"`
	Findings         int `json:"findings"`
	// The findings by category: the contract (what any response must be), the behaviour
	// (what the workflow expects), the run (transport, timing).
	ContractFindings  int `json:"contractFindings"`
	BehaviourFindings int `json:"behaviourFindings"`
	RunFindings       int `json:"runFindings"`
}

// RunFailure is a failure of the run as a whole.
type RunFailure struct {
	Check   string `json:"check"` // coverage, unreachable, sandbox, bad-input
	Message string `json:"message"`
}

// Finding categories.
const (
	CategoryContract  = "contract"
	CategoryBehaviour = "behaviour"
	CategoryRun       = "run"
)

// Summarize counts the workflows, steps and findings of r.
func (r *Report) Summarize() {
	s := Summary{Workflows: len(r.Workflows)}
	for _, w := range r.Workflows {
		switch w.Status {
		case Passed:
			s.WorkflowsPassed++
		case Failed:
			s.WorkflowsFailed++
		case Skipped:
			s.WorkflowsSkipped++
		}
		for _, st := range w.Steps {
			s.Steps++
			if st.Status == Passed {
				s.StepsPassed++
			} else if st.Status == Failed {
				s.StepsFailed++
			} else if st.Status == Skipped {
				s.StepsSkipped++
			}
			s.Findings += len(st.Findings)
			for _, f := range st.Findings {
				switch f.Category {
				case CategoryContract:
					s.ContractFindings++
				case CategoryBehaviour:
					s.BehaviourFindings++
				default:
					s.RunFindings++
				}
			}
		}
	}
	r.Summary = s
}

// PairCoverage is the table of (operation, documented status) pairs: which of the statuses the
// reference documents for each operation (plus those the contract adds where input or ids are
// taken) a response covered. Answers produced by a fault rule or a Prefer header never count.
type PairCoverage struct {
	Pairs   int     `json:"pairs"`
	Covered int     `json:"covered"`
	Percent float64 `json:"percent"`
	// MinPercent is the --min-coverage gate (0: none); Failed is set when Percent is below it.
	MinPercent float64 `json:"minPercent,omitempty"`
	Failed     bool    `json:"failed,omitempty"`
	// Unreached lists the operations no response came from.
	Unreached []string  `json:"unreachedOperations,omitempty"`
	Rows      []PairRow `json:"rows"`
}

// PairRow is one (operation, documented status) pair.
type PairRow struct {
	OperationID string   `json:"operationId"`
	Status      string   `json:"status"`
	Covered     bool     `json:"covered"`
	By          []string `json:"by,omitempty"` // what covered it: run, probe
}
