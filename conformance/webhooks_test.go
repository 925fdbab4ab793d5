package conformance

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/internal/mocktest"
)

// webhookDoc configures a webhook for a new chatbot that points at the mock's sink
// "wh-test" with secret whsec_webhook_test_0001, then reads the sink: the runner checks every
// delivery the sink holds. The test puts the deliveries there itself, before the run.
const webhookDoc = `arazzo: 1.0.1
info: {title: webhook deliveries, version: "1"}
sourceDescriptions:
- {name: contextgpt, url: ../spec/contextgpt.yaml, type: openapi}
- {name: mock, url: ../spec/mock-admin.yaml, type: openapi}
workflows:
- workflowId: deliveries
  x-requires-mock: true
  inputs:
    type: object
    properties:
      apiKey: {type: string}
      mockUrl: {type: string}
  steps:
  - stepId: whoAmI
    operationId: $sourceDescriptions.contextgpt.getMyChatbots
    parameters:
    - {name: Authorization, in: header, value: 'Bearer {$inputs.apiKey}'}
    successCriteria:
    - condition: $statusCode == 200
    outputs:
      accountId: $response.body#/data/accounts/0/accountId
  - stepId: createChatbot
    operationId: $sourceDescriptions.contextgpt.createChatbotInAccount
    parameters:
    - {name: Authorization, in: header, value: 'Bearer {$inputs.apiKey}'}
    - {name: accountId, in: path, value: $steps.whoAmI.outputs.accountId}
    requestBody:
      contentType: application/json
      payload: {name: Webhook deliveries, description: Webhook delivery checks}
    successCriteria:
    - condition: $statusCode == 201
    outputs:
      chatbotId: $response.body#/data/chatbotId
  - stepId: configureWebhook
    operationId: $sourceDescriptions.contextgpt.putWebhookConfig
    parameters:
    - {name: Authorization, in: header, value: 'Bearer {$inputs.apiKey}'}
    - {name: chatbotId, in: path, value: $steps.createChatbot.outputs.chatbotId}
    requestBody:
      contentType: application/json
      payload:
        url: '{$inputs.mockUrl}/__mock/webhook-sink/wh-test'
        secret: whsec_webhook_test_0001
        events: [CONVERSATION_ESCALATED]
    successCriteria:
    - condition: $statusCode == 201
  - stepId: readSink
    operationId: $sourceDescriptions.mock.getWebhookSink
    parameters:
    - {name: name, in: path, value: wh-test}
    successCriteria:
    - condition: $statusCode == 200
`

const webhookSecret = "whsec_webhook_test_0001"

// escalation is a CONVERSATION_ESCALATED payload that follows the callback's schema.
const escalation = `{"event":"CONVERSATION_ESCALATED","data":{"chatbotId":"361628903185318904","threadId":"t-1",` +
	`"dashboardUrl":"https://app.contextgpt.example/threads/t-1","user":null,"leadInfo":null}}`

// delivery is what the test posts to the sink: the raw body and the headers.
type delivery struct {
	body                 string
	signature, token, ua string
}

// signed is a delivery as the API sends it: signed with secret, token and user agent set.
func signed(body, secret string) delivery {
	return delivery{body: body, signature: Signature(secret, []byte(body)), token: secret, ua: "ContextGPT-Webhooks/1.0"}
}

// runWebhookCase posts the deliveries to the mock's sink wh-test, then runs webhookDoc
// against the mock and returns the readSink step's findings.
func runWebhookCase(t *testing.T, deliveries ...delivery) []report.Finding {
	t.Helper()
	srv, _ := strictMock(t)
	for _, d := range deliveries {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/__mock/webhook-sink/wh-test", bytes.NewReader([]byte(d.body)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		for k, v := range map[string]string{"X-Signature": d.signature, "X-Webhook-Token": d.token, "User-Agent": d.ua} {
			if v != "" {
				req.Header.Set(k, v)
			}
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("the sink refused a delivery: %d", resp.StatusCode)
		}
	}
	doc, err := arazzo.Parse([]byte(webhookDoc), "scenarios/webhook-deliveries.arazzo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(Config{BaseURL: srv.URL + "/api", APIKey: superAdminKey}, []*arazzo.Document{doc})
	if err != nil {
		t.Fatal(err)
	}
	rep := r.Run(context.Background())
	w := workflowResult(t, rep, "deliveries")
	for _, s := range w.Steps {
		if s.StepID != "readSink" {
			if s.Status != report.Passed {
				t.Fatalf("step %s: %s %v", s.StepID, s.Status, s.Findings)
			}
			continue
		}
		return s.Findings
	}
	t.Fatalf("readSink did not run: %v", stepIDs(w))
	return nil
}

func findingCodes(fs []report.Finding) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.Check+" "+f.Pointer)
	}
	return out
}

func TestWebhookDeliveryValid(t *testing.T) {
	fs := runWebhookCase(t, signed(escalation, webhookSecret))
	if len(fs) != 0 {
		t.Fatalf("a delivery that follows the callback, signed with the configured secret, got findings: %v", fs)
	}
}

func TestWebhookDeliveryBadPayload(t *testing.T) {
	// threadId missing and user of the wrong type: the signature is right, the body is not.
	bad := `{"event":"CONVERSATION_ESCALATED","data":{"chatbotId":"1","dashboardUrl":"https://x","user":"ada","leadInfo":null}}`
	fs := runWebhookCase(t, signed(escalation, webhookSecret), signed(bad, webhookSecret))
	got := findingCodes(fs)
	want := []string{CheckWebhookPayload + " /deliveries/1/body/data/threadId", CheckWebhookPayload + " /deliveries/1/body/data/user"}
	for _, w := range want {
		if !contains(got, w) {
			t.Errorf("missing finding %q; got %q", w, got)
		}
	}
	for _, f := range fs {
		if f.Check != CheckWebhookPayload || !strings.HasPrefix(f.Pointer, "/deliveries/1/") {
			t.Errorf("unexpected finding %s at %s: %s", f.Check, f.Pointer, f.Message)
		}
		if f.Category != report.CategoryContract || !strings.Contains(f.SpecLocation, ".callbacks.CONVERSATION_ESCALATED.") {
			t.Errorf("finding %s: category %q, spec location %q", f.Check, f.Category, f.SpecLocation)
		}
	}
}

func TestWebhookDeliveryUnknownEvent(t *testing.T) {
	body := `{"event":"PIZZA_ORDERED","data":{}}`
	got := findingCodes(runWebhookCase(t, signed(body, webhookSecret)))
	if len(got) != 1 || got[0] != CheckWebhookPayload+" /deliveries/0/body/event" {
		t.Fatalf("findings %q; want one %s at /deliveries/0/body/event", got, CheckWebhookPayload)
	}
}

func TestWebhookDeliveryBadSignature(t *testing.T) {
	wrongKey := signed(escalation, "whsec_someone_else_0002")
	wrongKey.token = webhookSecret // the token is right, the HMAC was made with another key
	tampered := signed(escalation, webhookSecret)
	tampered.body = strings.Replace(escalation, "t-1", "t-2", 2) // signed, then changed
	fs := runWebhookCase(t, signed(escalation, webhookSecret), wrongKey, tampered)
	got := findingCodes(fs)
	want := []string{CheckWebhookSignature + " /deliveries/1/headers/X-Signature", CheckWebhookSignature + " /deliveries/2/headers/X-Signature"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("findings %q; want %q", got, want)
	}
	for _, f := range fs {
		if strings.Contains(f.Message+f.Expected+f.Actual, webhookSecret) {
			t.Errorf("a finding shows the secret: %+v", f)
		}
	}
}

func TestWebhookDeliveryMissingHeaders(t *testing.T) {
	d := signed(escalation, webhookSecret)
	d.signature, d.token = "", ""
	got := findingCodes(runWebhookCase(t, d))
	for _, w := range []string{
		CheckWebhookHeader + " /deliveries/0/headers/X-Webhook-Token",
		CheckWebhookHeader + " /deliveries/0/headers/X-Signature",
		CheckWebhookSignature + " /deliveries/0/headers/X-Signature",
		CheckWebhookSignature + " /deliveries/0/headers/X-Webhook-Token",
	} {
		if !contains(got, w) {
			t.Errorf("missing finding %q; got %q", w, got)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The built-in suite's webhook workflow has the runner check real deliveries: the mock's own
// escalation events, signed with the secret the workflow configured, pass every check.
func TestBuiltInWebhookWorkflowChecksDeliveries(t *testing.T) {
	srv, _ := strictMock(t)
	r, err := New(Config{BaseURL: srv.URL + "/api", APIKey: superAdminKey, Workflows: []string{"visitorConversation"}}, mocktest.Suite(t))
	if err != nil {
		t.Fatal(err)
	}
	rep := r.Run(context.Background())
	if w := workflowResult(t, rep, "visitorConversation"); w.Status != report.Passed {
		t.Fatalf("visitorConversation: %s %s", w.Status, w.Reason)
	}
	if r.deliveriesChecked.Load() == 0 || r.signaturesChecked.Load() == 0 {
		t.Fatalf("deliveries checked %d, signatures checked %d: the sink read checked nothing",
			r.deliveriesChecked.Load(), r.signaturesChecked.Load())
	}
	t.Logf("deliveries checked %d, signatures %d", r.deliveriesChecked.Load(), r.signaturesChecked.Load())
}
