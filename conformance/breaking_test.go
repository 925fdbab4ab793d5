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
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	require.NoError(t, err)
	var sawKey string
	srv := breakingServer(t, &sawKey)
	defer srv.Close()
	for _, tc := range tests {
		t.Run(tc.mode, func(t *testing.T) {
			var slept []time.Duration
			r, err := New(Config{BaseURL: srv.URL + "/api/v1", APIKey: "sk_secretsecretsecret", Inputs: map[string]string{"mode": tc.mode},
				Sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }}, []*arazzo.Document{doc})
			require.NoError(t, err)
			rep := r.Run(context.Background())
			assert.False(t, rep.Mock)
			assert.Equal(t, "Bearer sk_secretsecretsecret", sawKey)
			require.Len(t, rep.Workflows, 1)
			require.Len(t, rep.Workflows[0].Steps, 1)
			st := rep.Workflows[0].Steps[0]
			if tc.want == "" {
				assert.Empty(t, st.Findings)
				assert.Equal(t, report.ExitPassed, rep.ExitCode)
				return
			}
			assert.Equal(t, report.ExitFailed, rep.ExitCode)
			var codes []string
			found := false
			for _, f := range st.Findings {
				codes = append(codes, f.Check)
				if f.Check == tc.want && (tc.pointer == "" || f.Pointer == tc.pointer) {
					found = true
					assert.Equal(t, "breaking", f.Workflow)
					assert.Equal(t, "call", f.Step)
					assert.Equal(t, "getMyChatbots", f.OperationID)
					assert.NotEmpty(t, f.SpecLocation)
				}
			}
			assert.True(t, found, "got checks %v; want %s at %q", codes, tc.want, tc.pointer)
			if tc.mode == "429-no-retry-after" {
				assert.Len(t, slept, max429Attempts-1, "waits between 429 retries")
				assert.Equal(t, max429Attempts, st.Attempts)
			}
		})
	}
}

func TestNoKeyAgainstOtherTargetIsBadInput(t *testing.T) {
	doc, err := arazzo.Parse([]byte(breakingDoc), "testdata/breaking.arazzo.yaml")
	require.NoError(t, err)
	var saw string
	srv := breakingServer(t, &saw)
	defer srv.Close()
	r, err := New(Config{BaseURL: srv.URL + "/api"}, []*arazzo.Document{doc})
	require.NoError(t, err)
	assert.Equal(t, report.ExitBadInput, r.Run(context.Background()).ExitCode)
}

func TestUnreachableTarget(t *testing.T) {
	doc, err := arazzo.Parse([]byte(breakingDoc), "testdata/breaking.arazzo.yaml")
	require.NoError(t, err)
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	r, err := New(Config{BaseURL: url + "/api", APIKey: "k"}, []*arazzo.Document{doc})
	require.NoError(t, err)
	assert.Equal(t, report.ExitUnreachable, r.Run(context.Background()).ExitCode)
}
