package spec

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
)

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
