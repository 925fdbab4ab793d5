package conformance

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
			require.NoError(t, err)
			var console, junit, js bytes.Buffer
			red := &report.Redactor{}
			c := &report.Console{W: &console, Red: red, Color: true}
			cfg := tc.cfg
			cfg.BaseURL, cfg.Redactor, cfg.OnWorkflow, cfg.Sleep = srv.URL+"/api", red, c.Workflow, f.sleep
			r, err := New(cfg, []*arazzo.Document{d})
			require.NoError(t, err)
			rep := r.Run(context.Background())
			c.Summary(rep)
			require.NoError(t, report.WriteJUnit(&junit, rep, red))
			require.NoError(t, report.WriteJSON(&js, rep, red))

			// The key did reach the target and came back: the test proves something.
			auth := f.authOf("/api/v1/echo")
			require.NotEmpty(t, auth)
			assert.Contains(t, auth[0], tc.secrets[0])
			assert.Equal(t, report.ExitFailed, rep.ExitCode, "keyInFinding fails")
			for name, out := range map[string]string{"console": console.String(), "junit": junit.String(), "json": js.String()} {
				for _, s := range tc.secrets {
					assert.NotContains(t, out, s, "%s output holds a secret", name)
				}
				assert.Contains(t, out, report.Redacted, "%s output: the key was echoed into it, so it must show redacted", name)
			}
			assert.Contains(t, js.String(), `"path": "/api/v1/items/Bearer [REDACTED]"`)
			assert.Contains(t, js.String(), "cannot order Bearer [REDACTED] and true")
		})
	}
}

func TestRedactorShapes(t *testing.T) {
	red := &report.Redactor{}
	red.Add("", "my-secret")
	got := red.String("a my-secret b sk_test_scale_super_admin c sk_short")
	assert.Equal(t, "a [REDACTED] b [REDACTED] c sk_short", got, "registered secrets and sk_ keys of 8+ characters")
	assert.False(t, strings.Contains((*report.Redactor)(nil).String("sk_0123456789"), "0123456789"), "a nil redactor still redacts key shapes")
}
