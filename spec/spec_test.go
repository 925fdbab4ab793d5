package spec

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/orderedmap"
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

// TestExamplesValidateInLibopenapi walks every example of both documents and validates it
// with libopenapi-validator (kin-openapi validates them already when the document loads).
func TestExamplesValidateInLibopenapi(t *testing.T) {
	for name, doc := range map[string][]byte{"contextgpt.yaml": ContextGPTDocument(), "mock-admin.yaml": MockAdminDocument()} {
		t.Run(name, func(t *testing.T) {
			d, err := libopenapi.NewDocument(doc)
			if err != nil {
				t.Fatal(err)
			}
			m, err := d.BuildV3Model()
			if err != nil {
				t.Fatal(err)
			}
			sv := schema_validation.NewSchemaValidator(config.WithFormatAssertions())
			checked := 0
			check := func(where string, schema *base.SchemaProxy, example any) {
				if schema == nil || example == nil {
					return
				}
				b, err := json.Marshal(example)
				if err != nil {
					t.Errorf("%s: example does not encode: %v", where, err)
					return
				}
				checked++
				if ok, errs := sv.ValidateSchemaBytesWithVersion(schema.Schema(), b, 3.0); !ok {
					for _, e := range errs {
						for _, f := range e.SchemaValidationErrors {
							t.Errorf("%s: example: %s: %s", where, f.FieldPath, f.Reason)
						}
						if len(e.SchemaValidationErrors) == 0 {
							t.Errorf("%s: example: %s", where, e.Message)
						}
					}
				}
			}
			for name, sp := range m.Model.Components.Schemas.FromOldest() {
				walkSchemaExamples("#/components/schemas/"+name, sp, check, map[*base.Schema]bool{})
			}
			for path, item := range m.Model.Paths.PathItems.FromOldest() {
				for method, op := range item.GetOperations().FromOldest() {
					where := method + " " + path
					if op.RequestBody != nil {
						mediaExamples(where+" request", op.RequestBody.Content, check)
					}
					for code, r := range op.Responses.Codes.FromOldest() {
						mediaExamples(where+" "+code, r.Content, check)
					}
				}
			}
			if checked < 20 {
				t.Fatalf("checked only %d examples; the walk is broken", checked)
			}
			t.Logf("%d examples valid", checked)
		})
	}
}

func mediaExamples(where string, content *orderedmap.Map[string, *v3.MediaType], check func(string, *base.SchemaProxy, any)) {
	if content == nil {
		return
	}
	for ct, mt := range content.FromOldest() {
		if mt.Example != nil && strings.Contains(ct, "json") {
			var v any
			if err := mt.Example.Decode(&v); err == nil {
				check(where+" "+ct, mt.Schema, v)
			}
		}
	}
}

func walkSchemaExamples(where string, sp *base.SchemaProxy, check func(string, *base.SchemaProxy, any), seen map[*base.Schema]bool) {
	if sp == nil {
		return
	}
	s := sp.Schema()
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	if s.Example != nil {
		var v any
		if err := s.Example.Decode(&v); err == nil {
			check(where, sp, v)
		}
	}
	if s.Properties != nil {
		for name, p := range s.Properties.FromOldest() {
			walkSchemaExamples(where+"/properties/"+name, p, check, seen)
		}
	}
	if s.Items != nil && s.Items.IsA() {
		walkSchemaExamples(where+"/items", s.Items.A, check, seen)
	}
	for i, p := range s.AllOf {
		walkSchemaExamples(fmt.Sprintf("%s/allOf/%d", where, i), p, check, seen)
	}
}

func TestMatch(t *testing.T) {
	s := mustLoad(t, ContextGPTDocument())
	cases := []struct {
		method, path string
		want         string
		params       map[string]string
		allow        string // for 405
		notFound     bool
	}{
		{method: "GET", path: "/api/v1/chatbots/my-chatbots", want: "getMyChatbots", params: map[string]string{}},
		{method: "GET", path: "/api/v1/chatbots", want: "listChatbots"},
		{method: "POST", path: "/api/v1/chatbots", want: "createChatbot"},
		{method: "PATCH", path: "/api/v1/chatbots/account/42/chatbot/7", want: "updateChatbotById", params: map[string]string{"accountId": "42", "chatbotId": "7"}},
		{method: "PATCH", path: "/api/v1/chatting/7/thread/update-thread", want: "updateThreadStatus", params: map[string]string{"chatbotId": "7"}},
		{method: "GET", path: "/api/v1/chatting/7/thread/update-thread", want: "getThreadDetails", params: map[string]string{"chatbotId": "7", "threadId": "update-thread"}},
		{method: "GET", path: "/api/v1/chatting/7/thread/t1/messages", want: "getThreadMessages", params: map[string]string{"chatbotId": "7", "threadId": "t1"}},
		{method: "PATCH", path: "/api/v1/chatting/7/message/m%2F1", want: "editMessage", params: map[string]string{"chatbotId": "7", "messageId": "m/1"}},
		{method: "PATCH", path: "/api/v1/chatbots/chatbot/7/follow-up-prompts/reorder", want: "reorderFollowUpPrompts"},
		{method: "PATCH", path: "/api/v1/chatbots/chatbot/7/follow-up-prompts/p9", want: "updateFollowUpPrompt", params: map[string]string{"chatbotId": "7", "followUpPromptId": "p9"}},
		{method: "GET", path: "/api/v1/chatbots/chatbot/7/localization/by-locale", want: "getLocalizationByLocale"},
		{method: "POST", path: "/api/v1/webhooks/7/deliveries/d1/retry", want: "retryWebhookDelivery"},
		{method: "PUT", path: "/api/v1/chatting/7/message/m1", allow: "PATCH"},
		{method: "PUT", path: "/api/v1/chatting/7/thread/t1/message", allow: "POST"},
		{method: "DELETE", path: "/api/v1/chatbots/my-chatbots", allow: "GET"},
		{method: "PUT", path: "/api/v1/chatbots/chatbot/7/appearance", allow: "GET, PATCH, POST"},
		{method: "GET", path: "/api/v1/nope", notFound: true},
		{method: "GET", path: "/v1/chatbots/my-chatbots", notFound: true},
		{method: "GET", path: "/api/v1/chatbots/chatbot//appearance", notFound: true},
		{method: "GET", path: "/api/v1/chatbots/my-chatbots/extra", notFound: true},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r, err := s.Match(tc.method, tc.path)
			switch {
			case tc.notFound:
				if !errors.Is(err, ErrPathNotFound) {
					t.Fatalf("got %v, %v; want ErrPathNotFound", r, err)
				}
			case tc.allow != "":
				var mna *MethodNotAllowedError
				if !errors.As(err, &mna) {
					t.Fatalf("got %v; want MethodNotAllowedError", err)
				}
				if got := strings.Join(mna.Allow, ", "); got != tc.allow {
					t.Fatalf("got Allow %q; want %q", got, tc.allow)
				}
			default:
				if err != nil {
					t.Fatalf("got error %v; want %s", err, tc.want)
				}
				if r.OperationID != tc.want {
					t.Fatalf("got %s; want %s", r.OperationID, tc.want)
				}
				for k, v := range tc.params {
					if r.PathParams[k] != v {
						t.Fatalf("got param %s=%q; want %q", k, r.PathParams[k], v)
					}
				}
			}
		})
	}
}

func TestValidateRequestMapsErrorsToFieldPaths(t *testing.T) {
	s := mustLoad(t, ContextGPTDocument())
	cases := []struct {
		name, method, path, body string
		wantPaths                []string
		missing                  bool
	}{
		{"missing required", "POST", "/api/v1/chatbots/account/1/create-chatbot", `{"description":"x"}`, []string{"[name]"}, true},
		{"too long", "POST", "/api/v1/chatbots/account/1/create-chatbot", `{"name":"n","description":"` + strings.Repeat("x", 51) + `"}`, []string{"[description]"}, false},
		{"nested array item", "POST", "/api/v1/chatbots/chatbot/1/lead-settings", `{"customerFormField":[{"display_label":"Name","field_name":"name","field_type":"nope","required":true}]}`, []string{"[customerFormField 0 field_type]"}, false},
		{"query out of range", "GET", "/api/v1/chatting/1/threads?limit=101", "", []string{"[limit]"}, false},
		{"malformed json", "POST", "/api/v1/chatbots/account/1/create-chatbot", `{"name":`, []string{"[]"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			route, err := s.Match(tc.method, req.URL.EscapedPath())
			if err != nil {
				t.Fatal(err)
			}
			err = s.ValidateRequest(context.Background(), req, route)
			var re *RequestError
			if !errors.As(err, &re) {
				t.Fatalf("got %v; want *RequestError", err)
			}
			var got []string
			for _, f := range re.Fields {
				got = append(got, fmt.Sprint(f.Path))
			}
			sort.Strings(got)
			if strings.Join(got, ",") != strings.Join(tc.wantPaths, ",") {
				t.Fatalf("got paths %v; want %v (%v)", got, tc.wantPaths, re)
			}
			if re.MissingRequired != tc.missing {
				t.Fatalf("got MissingRequired %v; want %v", re.MissingRequired, tc.missing)
			}
		})
	}
}

func FuzzMatch(f *testing.F) {
	s := mustLoad(f, ContextGPTDocument())
	for _, seed := range []string{"/api/v1/chatbots/my-chatbots", "/api/v1/chatting/1/thread/update-thread", "//", "/api/v1/chatting/%zz/thread/x", ""} {
		f.Add("GET", seed)
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		r, err := s.Match(method, path)
		if err == nil && r.OperationID == "" {
			t.Fatalf("matched an operation without id for %q", path)
		}
	})
}

func BenchmarkMatch(b *testing.B) {
	s := mustLoad(b, ContextGPTDocument())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Match("PATCH", "/api/v1/chatbots/chatbot/361628903185310001/follow-up-prompts/0b8e5a52"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestBodyFieldsComeFromTheRequestSchema(t *testing.T) {
	s := mustLoad(t, ContextGPTDocument())
	r, ok := s.OperationByID("updateLeadSettings")
	if !ok {
		t.Fatal("updateLeadSettings missing")
	}
	for _, f := range []string{"enableLeadCollection", "customerFormField", "leadNotificationEmail"} {
		if _, ok := r.BodyFields[f]; !ok {
			t.Errorf("BodyFields lacks %q", f)
		}
	}
	for _, f := range []string{"id", "chatbotId", "createdAt"} { // response-only fields
		if _, ok := r.BodyFields[f]; ok {
			t.Errorf("BodyFields has response-only field %q", f)
		}
	}
	if r, _ := s.OperationByID("getMyChatbots"); len(r.BodyFields) != 0 {
		t.Errorf("an operation without a body has BodyFields %v", r.BodyFields)
	}
}

func TestMissingFieldCodeIsReadFromTheExtension(t *testing.T) {
	s := mustLoad(t, ContextGPTDocument())
	if r, _ := s.OperationByID("createPersona"); r.MissingFieldCode != "MISSING_REQUIRED_FIELD" {
		t.Errorf("createPersona: MissingFieldCode %q, want MISSING_REQUIRED_FIELD", r.MissingFieldCode)
	}
	if r, _ := s.OperationByID("updateChatbotById"); r.MissingFieldCode != "" {
		t.Errorf("updateChatbotById: MissingFieldCode %q, want none", r.MissingFieldCode)
	}
	// The extension and the operation's "Errors:" prose say the same thing.
	for _, r := range s.Routes() {
		inProse := strings.Contains(r.Operation.Description, "MISSING_REQUIRED_FIELD")
		if inProse != (r.MissingFieldCode != "") {
			t.Errorf("%s: description lists MISSING_REQUIRED_FIELD: %v, %s: %q", r.OperationID, inProse, ExtMissingFieldCode, r.MissingFieldCode)
		}
	}
}

func TestPropertiesCheckValuesAgainstTheirSchema(t *testing.T) {
	s := mustLoad(t, ContextGPTDocument())
	props, ok := s.Properties("AppearanceSettingsInput")
	if !ok || len(props) == 0 {
		t.Fatal("AppearanceSettingsInput has no properties")
	}
	for name, p := range props {
		if p.Type == "boolean" {
			if err := p.Check(true); err != nil {
				t.Errorf("%s: true rejected: %v", name, err)
			}
			if err := p.Check("yes"); err == nil {
				t.Errorf("%s: a string passed a boolean property", name)
			}
			return
		}
	}
	t.Fatal("AppearanceSettingsInput has no boolean property to check")
}

func TestPropertiesOfAnUnknownSchema(t *testing.T) {
	if _, ok := mustLoad(t, ContextGPTDocument()).Properties("NoSuchSchema"); ok {
		t.Fatal("an unknown schema has properties")
	}
}

func TestDeclaredResponsesAndExamples(t *testing.T) {
	s := mustLoad(t, ContextGPTDocument())
	r, _ := s.OperationByID("updateAdvancedSettingsApi")
	if !r.Declares(501) || r.Declares(418) {
		t.Fatalf("Declares: 501 %v, 418 %v; want true, false", r.Declares(501), r.Declares(418))
	}
	ex, ok := r.ResponseExample(501).(map[string]any)
	if !ok || ex["statusCode"] == nil {
		t.Fatalf("501 example = %#v, want the documented envelope", r.ResponseExample(501))
	}
	if got := r.DeclaredStatuses(); !sort.StringsAreSorted(got) || len(got) < 2 {
		t.Fatalf("DeclaredStatuses = %v, want several, sorted", got)
	}
}
