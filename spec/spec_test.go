package spec

import (
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
)

// mustLoad loads a document once per test binary (Shared): the tests only read it.
func mustLoad(t testing.TB, doc []byte) *Spec {
	t.Helper()
	s, err := Shared(doc)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return s
}

func TestDocumentsLoadInBothLibraries(t *testing.T) {
	for name, doc := range map[string][]byte{"contextgpt.yaml": ContextGPTDocument(), "mock-admin.yaml": MockAdminDocument()} {
		t.Run(name, func(t *testing.T) {
			if _, err := Load(doc); err != nil { // kin-openapi: load + Validate (which also checks every `example`)
				t.Fatalf("Load: %v", err)
			}
			d, err := libopenapi.NewDocument(doc)
			if err != nil {
				t.Fatalf("libopenapi: %v", err)
			}
			v, errs := validator.NewValidator(d, config.WithFormatAssertions())
			if len(errs) > 0 {
				t.Fatalf("libopenapi-validator: %v", errs)
			}
			if ok, verrs := v.ValidateDocument(); !ok {
				for _, e := range verrs {
					t.Errorf("libopenapi-validator: %s: %s", e.Message, e.Reason)
				}
			}
		})
	}
}

// The 62 operations of the reference and the routes added from the overview page and the dashboard.
var wantOperations = []struct{ method, path, id, source string }{
	{"GET", "/v1/chatbots/my-chatbots", "getMyChatbots", ""},
	{"GET", "/v1/chatbots/account/{accountId}/all-chatbots", "getAllChatbotsInAccount", ""},
	{"GET", "/v1/chatbots/account/{accountId}/chatbot/{chatbotId}", "getChatbotById", ""},
	{"PATCH", "/v1/chatbots/account/{accountId}/chatbot/{chatbotId}", "updateChatbotById", ""},
	{"DELETE", "/v1/chatbots/account/{accountId}/chatbot/{chatbotId}", "deleteChatbotById", ""},
	{"POST", "/v1/chatbots/account/{accountId}/create-chatbot", "createChatbotInAccount", ""},
	{"GET", "/v1/chatbots/chatbot/{chatbotId}/appearance", "getAppearanceSettings", ""},
	{"POST", "/v1/chatbots/chatbot/{chatbotId}/appearance", "createAppearanceSettings", ""},
	{"PATCH", "/v1/chatbots/chatbot/{chatbotId}/appearance", "updateAppearanceSettings", ""},
	{"GET", "/v1/chatbots/chatbot/{chatbotId}/conversation-starters", "getConversationStarters", ""},
	{"POST", "/v1/chatbots/chatbot/{chatbotId}/conversation-starters", "createConversationStarter", ""},
	{"PATCH", "/v1/chatbots/chatbot/{chatbotId}/conversation-starters", "updateConversationStarter", ""},
	{"DELETE", "/v1/chatbots/chatbot/{chatbotId}/conversation-starters", "deleteConversationStarter", ""},
	{"PATCH", "/v1/chatbots/chatbot/{chatbotId}/conversation-starters/reorder", "reorderConversationStarters", ""},
	{"GET", "/v1/chatbots/chatbot/{chatbotId}/follow-up-prompts", "getFollowUpPrompts", ""},
	{"POST", "/v1/chatbots/chatbot/{chatbotId}/follow-up-prompts", "createFollowUpPrompt", ""},
	{"DELETE", "/v1/chatbots/chatbot/{chatbotId}/follow-up-prompts", "deleteFollowUpPrompt", ""},
	{"PATCH", "/v1/chatbots/chatbot/{chatbotId}/follow-up-prompts/reorder", "reorderFollowUpPrompts", ""},
	{"PATCH", "/v1/chatbots/chatbot/{chatbotId}/follow-up-prompts/{followUpPromptId}", "updateFollowUpPrompt", ""},
	{"GET", "/v1/chatbots/chatbot/{chatbotId}/instructions", "getInstructions", ""},
	{"POST", "/v1/chatbots/chatbot/{chatbotId}/instructions", "createInstruction", ""},
	{"DELETE", "/v1/chatbots/chatbot/{chatbotId}/instructions", "deleteInstruction", ""},
	{"POST", "/v1/chatbots/chatbot/{chatbotId}/instructions/select-instruction", "selectInstruction", ""},
	{"PATCH", "/v1/chatbots/chatbot/{chatbotId}/instructions/{instructionId}", "updateInstruction", ""},
	{"GET", "/v1/chatbots/chatbot/{chatbotId}/personas", "getPersonas", ""},
	{"POST", "/v1/chatbots/chatbot/{chatbotId}/personas", "createPersona", ""},
	{"DELETE", "/v1/chatbots/chatbot/{chatbotId}/personas", "deletePersona", ""},
	{"POST", "/v1/chatbots/chatbot/{chatbotId}/personas/select-persona", "selectPersona", ""},
	{"PATCH", "/v1/chatbots/chatbot/{chatbotId}/personas/{personaId}", "updatePersona", ""},
	{"GET", "/v1/chatbots/chatbot/{chatbotId}/localization", "getLocalizationTexts", ""},
	{"PATCH", "/v1/chatbots/chatbot/{chatbotId}/localization", "upsertLocalizationText", ""},
	{"DELETE", "/v1/chatbots/chatbot/{chatbotId}/localization", "deleteLocalizationText", ""},
	{"GET", "/v1/chatbots/chatbot/{chatbotId}/localization/by-locale", "getLocalizationByLocale", ""},
	{"GET", "/v1/chatbots/chatbot/{chatbotId}/lead-settings", "getLeadSettings", ""},
	{"POST", "/v1/chatbots/chatbot/{chatbotId}/lead-settings", "createLeadSettings", ""},
	{"PATCH", "/v1/chatbots/chatbot/{chatbotId}/lead-settings", "updateLeadSettings", ""},
	{"DELETE", "/v1/chatbots/chatbot/{chatbotId}/lead-settings", "deleteLeadSettings", ""},
	{"GET", "/v1/chatbots/chatbot/{chatbotId}/human-support-settings", "getHumanSupportSettings", ""},
	{"POST", "/v1/chatbots/chatbot/{chatbotId}/human-support-settings", "createHumanSupportSettings", ""},
	{"PATCH", "/v1/chatbots/chatbot/{chatbotId}/human-support-settings", "updateHumanSupportSettings", ""},
	{"GET", "/v1/chatbots/chatbot/{chatbotId}/settings", "getChatbotSettings", ""},
	{"PATCH", "/v1/chatbots/chatbot/{chatbotId}/settings", "updateChatbotSettings", ""},
	{"GET", "/v1/chatting/{chatbotId}/threads", "listThreads", ""},
	{"GET", "/v1/chatting/{chatbotId}/thread/{threadId}", "getThreadDetails", ""},
	{"GET", "/v1/chatting/{chatbotId}/thread/{threadId}/messages", "getThreadMessages", ""},
	{"PATCH", "/v1/chatting/{chatbotId}/thread/update-thread", "updateThreadStatus", ""},
	{"PATCH", "/v1/chatting/{chatbotId}/thread/{threadId}/escalate", "updateEscalatedToggle", ""},
	{"POST", "/v1/chatting/{chatbotId}/thread/{threadId}/message", "sendAgentMessage", ""},
	{"PATCH", "/v1/chatting/{chatbotId}/message/{messageId}", "editMessage", ""},
	{"POST", "/v1/chatting/{chatbotId}/thread/{threadId}/reset", "resetConversation", ""},
	{"GET", "/v1/chatbots/chatbot/{chatbotId}/text-snippet", "getTextSnippet", ""},
	{"POST", "/v1/chatbots/chatbot/{chatbotId}/text-snippet", "upsertTextSnippet", ""},
	{"GET", "/v1/chatbots/chatbot/{chatbotId}/settings/general", "getGeneralSettingsApi", ""},
	{"PATCH", "/v1/chatbots/chatbot/{chatbotId}/settings/general", "updateGeneralSettingsApi", ""},
	{"GET", "/v1/chatbots/chatbot/{chatbotId}/settings/advanced", "getAdvancedSettingsApi", ""},
	{"PATCH", "/v1/chatbots/chatbot/{chatbotId}/settings/advanced", "updateAdvancedSettingsApi", ""},
	{"GET", "/v1/chatbots/chatbot/{chatbotId}/settings/chat-mode", "getChatModeApi", ""},
	{"PATCH", "/v1/chatbots/chatbot/{chatbotId}/settings/chat-mode", "updateChatModeApi", ""},
	{"GET", "/v1/chatbots/chatbot/{chatbotId}/settings/user-data", "getUserDataApi", ""},
	{"PATCH", "/v1/chatbots/chatbot/{chatbotId}/settings/user-data", "updateUserDataApi", ""},
	{"GET", "/v1/chatbots/chatbot/{chatbotId}/settings/icons", "getIconsApi", ""},
	{"PATCH", "/v1/chatbots/chatbot/{chatbotId}/settings/icons", "updateIconsApi", ""},
	// Added routes.
	{"GET", "/v1/chatbots", "listChatbots", "overview"},
	{"POST", "/v1/chatbots", "createChatbot", "overview"},
	{"POST", "/v1/chatting/{chatbotId}/threads", "createThread", "overview"},
	{"GET", "/v1/webhooks/{chatbotId}", "getWebhookConfig", "dashboard"},
	{"PUT", "/v1/webhooks/{chatbotId}", "putWebhookConfig", "dashboard"},
	{"PATCH", "/v1/webhooks/{chatbotId}/toggle", "toggleWebhook", "dashboard"},
	{"DELETE", "/v1/webhooks/{chatbotId}", "deleteWebhookConfig", "dashboard"},
	{"GET", "/v1/webhooks/{chatbotId}/deliveries", "listWebhookDeliveries", "dashboard"},
	{"POST", "/v1/webhooks/{chatbotId}/deliveries/{deliveryId}/retry", "retryWebhookDelivery", "dashboard"},
	{"POST", "/v1/webhooks/{chatbotId}/test", "sendTestWebhook", "dashboard"},
}

func TestEveryOperationIsPresent(t *testing.T) {
	s := mustLoad(t, ContextGPTDocument())
	reference := 0
	for _, w := range wantOperations {
		if w.source == "" {
			reference++
		}
		t.Run(w.method+" "+w.path, func(t *testing.T) {
			item := s.Doc().Paths.Value(w.path)
			if item == nil {
				t.Fatalf("path %s is missing", w.path)
			}
			op := item.GetOperation(w.method)
			if op == nil {
				t.Fatalf("%s %s is missing", w.method, w.path)
			}
			if op.OperationID != w.id {
				t.Fatalf("got operationId %q; want %q", op.OperationID, w.id)
			}
			got, _ := op.Extensions["x-contextgpt-source"].(string)
			if got != w.source {
				t.Fatalf("got x-contextgpt-source %q; want %q", got, w.source)
			}
		})
	}
	if reference != 62 {
		t.Fatalf("the table lists %d reference operations; want 62", reference)
	}
	if got, want := len(s.Routes()), len(wantOperations); got != want {
		t.Fatalf("the spec has %d operations; want %d (update the table when adding one)", got, want)
	}
}

// unknownIDIs403 are the operations with an id in their path for which the reference
// documents no 404: an unknown chatbot (or account) there is its 403 ("missing permission or
// chatbot not found"), so they declare none.
var unknownIDIs403 = map[string]bool{
	"getAllChatbotsInAccount": true, "createChatbotInAccount": true, "createAppearanceSettings": true,
	"getConversationStarters": true, "createConversationStarter": true, "reorderConversationStarters": true,
	"getFollowUpPrompts": true, "createFollowUpPrompt": true, "reorderFollowUpPrompts": true,
	"createInstruction": true, "selectInstruction": true, "createPersona": true,
	"getLocalizationTexts": true, "upsertLocalizationText": true, "createLeadSettings": true,
	"createHumanSupportSettings": true, "upsertTextSnippet": true, "getAdvancedSettingsApi": true,
	"updateAdvancedSettingsApi": true,
}

func TestEveryOperationDeclaresAuthAndCommonErrors(t *testing.T) {
	s := mustLoad(t, ContextGPTDocument())
	if len(s.Doc().Security) != 1 || s.Doc().Security[0]["bearerAuth"] == nil {
		t.Fatalf("global security is %v; want bearerAuth", s.Doc().Security)
	}
	for _, r := range s.Routes() {
		t.Run(r.OperationID, func(t *testing.T) {
			op := r.Operation
			if op.Security != nil {
				t.Fatalf("operation overrides the global security: %v", *op.Security)
			}
			want := []string{"401", "403", "414", "429", "431", "500"}
			if op.RequestBody != nil || hasQuery(op) {
				want = append(want, "400")
			}
			if op.RequestBody != nil {
				want = append(want, "413")
			}
			if strings.Contains(r.SpecPath, "{") && !unknownIDIs403[r.OperationID] {
				want = append(want, "404")
			}
			for _, code := range want {
				if op.Responses.Value(code) == nil {
					t.Errorf("status %s is not declared", code)
				}
			}
			tooMany := op.Responses.Value("429").Value
			if h := tooMany.Headers["Retry-After"]; h == nil || !h.Value.Required {
				t.Errorf("429 does not declare a required Retry-After header")
			}
			success := 0
			for code := range op.Responses.Map() {
				if strings.HasPrefix(code, "2") {
					success++
				}
			}
			if success == 0 && r.OperationID != "updateAdvancedSettingsApi" {
				t.Errorf("no 2xx response declared")
			}
		})
	}
}

func hasQuery(op *openapi3.Operation) bool {
	for _, p := range op.Parameters {
		if p.Value != nil && p.Value.In == "query" {
			return true
		}
	}
	return false
}
