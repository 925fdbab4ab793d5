package probe

import (
	"context"
	"strings"
	"testing"

	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/mock"
	"github.com/contextgpt/sandbox/spec"
)

// TestProbeCatchesMockMutations switches deliberate defects on in the mock (mock.Mutate) and
// proves the probe fails on each, with the check code that names the fault.
func TestProbeCatchesMockMutations(t *testing.T) {
	cases := []struct {
		name       string
		mutation   mock.Mutation
		target     string   // MutationSkipValidation's operation
		operations []string // the probe's --operation
		step       string   // the case (prefix) that must fail
		check      string
	}{
		{"validation skipped on one operation", mock.MutationSkipValidation, "createPersona", []string{"createPersona"}, "body/", CheckStatus},
		{"a permission not enforced (API access of the plan)", mock.MutationAPIAccessNotEnforced, "", []string{"getMyChatbots"}, "auth/plan-", CheckStatus},
		{"a 404 answered as 200", mock.Mutation404As200, "", []string{"getChatbotById"}, "unknown-id/chatbotId", CheckStatus},
		{"a required field dropped from an error", mock.MutationErrorMessageDropped, "", []string{"getMyChatbots"}, "auth/unknown-key", spec.CheckBodySchema},
		{"the wrong error code", mock.MutationWrongErrorCode, "", []string{"getMyChatbots"}, "auth/unknown-key", CheckErrorCode},
		{"pagination totals off by one", mock.MutationPaginationTotalOffByOne, "", []string{"listChatbots"}, "boundary/limit=100", CheckPagination},
		{"Allow missing on a 405", mock.MutationAllowMissing, "", []string{"getMyChatbots"}, "method/", CheckAllow},
		{"a cross-account read allowed", mock.MutationCrossAccountRead, "", []string{"getConversationStarters"}, "cross-account", CheckStatus},
	}
	probeOnce := func(tt *testTarget, ops []string) *report.Report {
		p, err := New(Config{BaseURL: tt.url + "/api", Seed: 3, Sleep: tt.sleep, Operations: ops, RateLimit: "off"})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		return p.Run(context.Background())
	}
	// The control: without a mutation, none of the findings the mutations must cause.
	var all []string
	for _, tc := range cases {
		all = append(all, tc.operations...)
	}
	clean := probeOnce(mockTarget(t), all)
	for _, tc := range cases {
		if hasFinding(clean, tc.step, tc.check) {
			t.Errorf("without a mutation the probe already reports %s on %s", tc.check, tc.step)
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tt := mockTarget(t)
			tt.mock.Mutate(tc.mutation, tc.target)
			rep := probeOnce(tt, tc.operations)
			if rep.ExitCode != report.ExitFailed {
				t.Errorf("rep.ExitCode = %v, want %v", rep.ExitCode, report.ExitFailed)
			}
			if !hasFinding(rep, tc.step, tc.check) {
				t.Errorf("the probe missed the mutation: no %s finding on a %s case\n%s", tc.check, tc.step, consoleOf(rep))
			}
			for _, w := range rep.Workflows {
				for _, st := range w.Steps {
					if st.Status != report.Failed {
						continue
					}
					if st.Exchange == nil {
						t.Fatalf("a failed case keeps its exchange: %s: st.Exchange is nil", st.StepID)
					}
					if st.Exchange.Response == nil {
						t.Fatalf("st.Exchange.Response is nil")
					}
					if st.Exchange.Response.Status != st.HTTPStatus {
						t.Errorf("st.Exchange.Response.Status = %v, want %v", st.Exchange.Response.Status, st.HTTPStatus)
					}
					if strings.Contains(st.Exchange.Request.Header["Authorization"], "sk_") {
						t.Errorf("the key is redacted: got %q, want no %q", st.Exchange.Request.Header["Authorization"], "sk_")
					}
					if !strings.Contains(st.Exchange.Curl, "curl") {
						t.Errorf("st.Exchange.Curl = %q, want it to contain %q", st.Exchange.Curl, "curl")
					}
				}
			}
		})
	}
}

func hasFinding(rep *report.Report, stepPrefix, check string) bool {
	for _, w := range rep.Workflows {
		for _, st := range w.Steps {
			for _, f := range st.Findings {
				if strings.HasPrefix(st.StepID, stepPrefix) && f.Check == check {
					return true
				}
			}
		}
	}
	return false
}
