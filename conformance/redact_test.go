package conformance

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/conformance/report"
)

// echoDoc gets the key the runner sends back from the fake (in the body and in a header) and
// pushes it into every part of the report it can reach: a URL path, an output, a finding's
// message, a failing step.
const echoDoc = `workflows:
  - workflowId: echoes
    steps:
      - stepId: echo
        operationId: echo
        successCriteria: [{condition: $statusCode == 200}]
        outputs:
          seen: $response.body#/authorization
          header: $response.header.X-Echo
      - stepId: keyInPath
        operationId: getItem
        parameters: [{name: id, in: path, value: $steps.echo.outputs.header}]
        successCriteria: [{condition: $statusCode == 404}]
      - stepId: keyInFinding
        operationId: echo
        parameters: [{name: as, in: query, value: count}]
        successCriteria:
          - condition: $response.body#/authorization < true
          - condition: $response.body#/count == 'nope'
    outputs:
      seen: $steps.echo.outputs.seen
`

func TestKeysNeverInOutput(t *testing.T) {
	const apiKey = "ctx.Live-Key~42+/=Zq9xY" // not shaped like sk_..., so only the registry redacts it
	tests := []struct {
		name    string
		mock    bool
		cfg     Config
		secrets []string // what must not appear
	}{
		{name: "given key", cfg: Config{APIKey: apiKey, MockAdminToken: "admin-T0ken-secret"},
			secrets: []string{apiKey, "Live-Key~42", "admin-T0ken-secret"}},
		{name: "sandbox key", mock: true, cfg: Config{MockAdminToken: "admin-T0ken-secret"},
			secrets: []string{"sbx.1.S3cr3t-sandbox-key", "S3cr3t-sandbox-key", "admin-T0ken-secret"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			f.mock = tc.mock
			srv := httptest.NewServer(f)
			defer srv.Close()
			d, err := arazzo.Parse([]byte(fakeHead+echoDoc), "testdata/echo.arazzo.yaml")
			if err != nil {
				t.Fatalf("arazzo.Parse: %v", err)
			}
			var console, junit, js bytes.Buffer
			red := &report.Redactor{}
			c := &report.Console{W: &console, Red: red, Color: true}
			cfg := tc.cfg
			cfg.BaseURL, cfg.Redactor, cfg.OnWorkflow, cfg.Sleep = srv.URL+"/api", red, c.Workflow, f.sleep
			r, err := New(cfg, []*arazzo.Document{d})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			rep := r.Run(context.Background())
			c.Summary(rep)
			if err := report.WriteJUnit(&junit, rep, red); err != nil {
				t.Fatalf("report.WriteJUnit: %v", err)
			}
			if err := report.WriteJSON(&js, rep, red); err != nil {
				t.Fatalf("report.WriteJSON: %v", err)
			}

			// The key did reach the target and came back: the test proves something.
			auth := f.authOf("/api/v1/echo")
			if len(auth) == 0 {
				t.Fatalf("auth is empty")
			}
			if !strings.Contains(auth[0], tc.secrets[0]) {
				t.Errorf("auth[0] = %q, want it to contain %q", auth[0], tc.secrets[0])
			}
			if rep.ExitCode != report.ExitFailed {
				t.Errorf("keyInFinding fails: got %v, want %v", rep.ExitCode, report.ExitFailed)
			}
			for name, out := range map[string]string{"console": console.String(), "junit": junit.String(), "json": js.String()} {
				for _, s := range tc.secrets {
					if strings.Contains(out, s) {
						t.Errorf("%s output holds a secret: got %q, want no %q", name, out, s)
					}
				}
				if !strings.Contains(out, report.Redacted) {
					t.Errorf("%s output: the key was echoed into it, so it must show redacted: got %q, want it to contain %q", name, out, report.Redacted)
				}
			}
			if got := js.String(); !strings.Contains(got, `"path": "/api/v1/items/Bearer [REDACTED]"`) {
				t.Errorf("js.String() = %q, want it to contain %q", got, `"path": "/api/v1/items/Bearer [REDACTED]"`)
			}
			if got := js.String(); !strings.Contains(got, "cannot order Bearer [REDACTED] and true") {
				t.Errorf("js.String() = %q, want it to contain %q", got, "cannot order Bearer [REDACTED] and true")
			}
		})
	}
}

func TestRedactorShapes(t *testing.T) {
	red := &report.Redactor{}
	red.Add("", "my-secret")
	got := red.String("a my-secret b sk_test_scale_super_admin c sk_short")
	if got != "a [REDACTED] b [REDACTED] c sk_short" {
		t.Errorf("registered secrets and sk_ keys of 8+ characters: got %q, want %q", got, "a [REDACTED] b [REDACTED] c sk_short")
	}
	if strings.Contains((*report.Redactor)(nil).String("sk_0123456789"), "0123456789") {
		t.Errorf("a nil redactor still redacts key shapes")
	}
}
