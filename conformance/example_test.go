package conformance_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/contextgpt/sandbox/conformance"
	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/mock"
)

// A workflow runs against a base URL (here an in-process mock); every response is checked
// against the spec, and the report says what passed.
func Example() {
	m, err := mock.New(mock.DefaultConfig())
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(m)
	defer srv.Close()
	defer m.Close(context.Background())

	doc, err := arazzo.Parse([]byte(`arazzo: 1.0.1
info: {title: example, version: "1"}
sourceDescriptions:
  - {name: contextgpt, url: ../spec/contextgpt.yaml, type: openapi}
workflows:
  - workflowId: listMyChatbots
    steps:
      - stepId: whoAmI
        operationId: getMyChatbots
        successCriteria:
          - condition: $statusCode == 200
        outputs:
          accounts: $response.body#/data/accounts
`), "example.arazzo.yaml")
	if err != nil {
		panic(err)
	}
	r, err := conformance.New(conformance.Config{BaseURL: srv.URL + "/api", APIKey: "sk_test_scale_super_admin"}, []*arazzo.Document{doc})
	if err != nil {
		panic(err)
	}
	rep := r.Run(context.Background())
	s := rep.Summary
	fmt.Printf("exit %d: %d/%d workflows, %d/%d steps passed, %d findings\n",
		rep.ExitCode, s.WorkflowsPassed, s.Workflows, s.StepsPassed, s.Steps, s.Findings)
	// Output:
	// exit 0: 1/1 workflows, 1/1 steps passed, 0 findings
}
