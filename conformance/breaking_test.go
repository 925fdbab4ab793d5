package conformance

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/conformance/report"
)

// breakingDoc calls getMyChatbots once per way the target breaks the contract; the server
// picks its answer from the X-Break header.
const breakingDoc = `arazzo: 1.0.1
info: {title: breaking, version: "1"}
sourceDescriptions:
  - {name: contextgpt, url: ../spec/contextgpt.yaml, type: openapi}
workflows:
  - workflowId: breaking
    steps:
      - stepId: call
        operationId: getMyChatbots
        parameters:
          - {name: X-Break, in: header, value: $inputs.mode}
        successCriteria:
          - condition: $statusCode != 0
    inputs:
      type: object
      properties:
        mode: {type: string}
`

const goodBody = `{"statusCode":200,"success":true,"message":"Success","data":{"accounts":[],"totalCount":0}}`

func breakingServer(t *testing.T, sawKey *string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/__mock/health" {
			http.NotFound(w, r)
			return
		}
		*sawKey = r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		switch r.Header.Get("X-Break") {
		case "good":
			w.Write([]byte(goodBody))
		case "wrong-type":
			w.Write([]byte(strings.Replace(goodBody, `"totalCount":0`, `"totalCount":"zero"`, 1)))
		case "missing-required":
			w.Write([]byte(`{"statusCode":200,"success":true,"message":"Success","data":{"totalCount":0}}`))
		case "undeclared-status":
			w.WriteHeader(http.StatusTeapot)
			w.Write([]byte(goodBody))
		case "content-type":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html></html>"))
		case "429-no-retry-after":
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"statusCode":429,"success":false,"message":"Too many","data":null,"error":{"code":"RATE_LIMIT_EXCEEDED","message":"slow down","details":null}}`))
		case "success-on-4xx":
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"statusCode":401,"success":true,"message":"no","data":null,"error":{"code":"API_KEY_NOT_VALID","message":"no","details":null}}`))
		case "status-code-mismatch":
			w.Write([]byte(strings.Replace(goodBody, `"statusCode":200`, `"statusCode":201`, 1)))
		}
	}))
}

// TestChecksAgainstBreakingServer runs the breaking document against the breaking server and
// checks each check code it must raise. Long on purpose: one run, then one check per rule.
func TestChecksAgainstBreakingServer(t *testing.T) {
	tests := []struct {
		mode    string
		want    string // check code expected among the findings; "" for none
		pointer string
	}{
		{mode: "good"},
		{mode: "wrong-type", want: "body-schema", pointer: "/data/totalCount"},
		{mode: "missing-required", want: "body-schema", pointer: "/data/accounts"},
		{mode: "undeclared-status", want: "status-declared"},
		{mode: "content-type", want: "content-type"},
		{mode: "429-no-retry-after", want: "header-required", pointer: "Retry-After"},
		{mode: "success-on-4xx", want: CheckEnvelopeSuccess, pointer: "/success"},
		{mode: "status-code-mismatch", want: CheckEnvelopeStatusCode, pointer: "/statusCode"},
	}
	doc, err := arazzo.Parse([]byte(breakingDoc), "testdata/breaking.arazzo.yaml")
	if err != nil {
		t.Fatalf("arazzo.Parse: %v", err)
	}
	var sawKey string
	srv := breakingServer(t, &sawKey)
	defer srv.Close()
	for _, tc := range tests {
		t.Run(tc.mode, func(t *testing.T) {
			var slept []time.Duration
			r, err := New(Config{BaseURL: srv.URL + "/api/v1", APIKey: "sk_secretsecretsecret", Inputs: map[string]string{"mode": tc.mode},
				Sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }}, []*arazzo.Document{doc})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			rep := r.Run(context.Background())
			if rep.Mock {
				t.Errorf("want rep.Mock to be false")
			}
			if sawKey != "Bearer sk_secretsecretsecret" {
				t.Errorf("sawKey = %q, want %q", sawKey, "Bearer sk_secretsecretsecret")
			}
			if got := len(rep.Workflows); got != 1 {
				t.Fatalf("len(rep.Workflows) = %d, want %d: %+v", got, 1, rep.Workflows)
			}
			if got := len(rep.Workflows[0].Steps); got != 1 {
				t.Fatalf("len(rep.Workflows[0].Steps) = %d, want %d: %+v", got, 1, rep.Workflows[0].Steps)
			}
			st := rep.Workflows[0].Steps[0]
			if tc.want == "" {
				if len(st.Findings) != 0 {
					t.Errorf("st.Findings = %+v, want empty", st.Findings)
				}
				if rep.ExitCode != report.ExitPassed {
					t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitPassed)
				}
				return
			}
			if rep.ExitCode != report.ExitFailed {
				t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitFailed)
			}
			var codes []string
			found := false
			for _, f := range st.Findings {
				codes = append(codes, f.Check)
				if f.Check == tc.want && (tc.pointer == "" || f.Pointer == tc.pointer) {
					found = true
					if f.Workflow != "breaking" {
						t.Errorf("f.Workflow = %q, want %q", f.Workflow, "breaking")
					}
					if f.Step != "call" {
						t.Errorf("f.Step = %q, want %q", f.Step, "call")
					}
					if f.OperationID != "getMyChatbots" {
						t.Errorf("f.OperationID = %q, want %q", f.OperationID, "getMyChatbots")
					}
					if f.SpecLocation == "" {
						t.Errorf("f.SpecLocation is empty")
					}
				}
			}
			if !found {
				t.Errorf("got checks %v; want %s at %q", codes, tc.want, tc.pointer)
			}
			if tc.mode == "429-no-retry-after" {
				if got := len(slept); got != max429Attempts-1 {
					t.Errorf("waits between 429 retries: got %d items, want %d: %v", got, max429Attempts-1, slept)
				}
				if st.Attempts != max429Attempts {
					t.Errorf("st.Attempts = %v, want %v", st.Attempts, max429Attempts)
				}
			}
		})
	}
}

func TestNoKeyAgainstOtherTargetIsBadInput(t *testing.T) {
	doc, err := arazzo.Parse([]byte(breakingDoc), "testdata/breaking.arazzo.yaml")
	if err != nil {
		t.Fatalf("arazzo.Parse: %v", err)
	}
	var saw string
	srv := breakingServer(t, &saw)
	defer srv.Close()
	r, err := New(Config{BaseURL: srv.URL + "/api"}, []*arazzo.Document{doc})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if got := r.Run(context.Background()).ExitCode; got != report.ExitBadInput {
		t.Errorf("r.Run(context.Background()).ExitCode = %v, want %v", got, report.ExitBadInput)
	}
}

func TestUnreachableTarget(t *testing.T) {
	doc, err := arazzo.Parse([]byte(breakingDoc), "testdata/breaking.arazzo.yaml")
	if err != nil {
		t.Fatalf("arazzo.Parse: %v", err)
	}
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	r, err := New(Config{BaseURL: url + "/api", APIKey: "k"}, []*arazzo.Document{doc})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if got := r.Run(context.Background()).ExitCode; got != report.ExitUnreachable {
		t.Errorf("r.Run(context.Background()).ExitCode = %v, want %v", got, report.ExitUnreachable)
	}
}
