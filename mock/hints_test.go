package mock

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

func stringsAt(r resp, path string) []string {
	raw, _ := r.at(path).([]any)
	out := make([]string, 0, len(raw))
	for _, v := range raw {
		s, _ := v.(string)
		out = append(out, s)
	}
	return out
}

// Errors that say what to do: a PATCH with no recognised field answers the documented 400
// NO_VALID_FIELDS_TO_UPDATE ("No valid fields to update") and names, in error.details, the
// fields it rejected and those the operation accepts.
func TestPatchWithNoRecognisedFieldNamesRejectedAndAcceptedFields(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	cb := "/api/v1/chatbots/chatbot/" + botShipping
	tm.do("POST", cb+"/appearance", keyScale, map[string]any{"tooltip": "hi"}).must(t, http.StatusCreated)
	tm.do("POST", cb+"/lead-settings", keyScale, map[string]any{}).must(t, http.StatusCreated)
	tm.do("POST", cb+"/human-support-settings", keyScale, map[string]any{}).must(t, http.StatusCreated)
	instr := tm.do("POST", cb+"/instructions", keyScale, map[string]any{"title": "T", "instruction": "I"}).must(t, http.StatusCreated).str("data.id")
	persona := tm.do("POST", cb+"/personas", keyScale, map[string]any{"title": "P", "instructions": "I"}).must(t, http.StatusCreated).str("data.id")
	for _, tc := range []struct {
		path, accepts string
	}{
		{cb + "/appearance", "welcomeMessage"},
		{cb + "/lead-settings", "enableLeadCollection"},
		{cb + "/human-support-settings", "enableHumanSupport"},
		{cb + "/instructions/" + instr, "title"},
		{cb + "/personas/" + persona, "instructions"},
		{cb + "/settings/general", "historyMessageContext"},
		{cb + "/settings", "chatStart"},
		{"/api/v1/chatbots/account/" + accScale + "/chatbot/" + botShipping, "isActive"},
	} {
		r := tm.do("PATCH", tc.path, keyScale, map[string]any{"colour": "red", "wellcomeMessage": "typo"}).must(t, http.StatusBadRequest)
		if r.code() != "NO_VALID_FIELDS_TO_UPDATE" || r.str("error.message") != "No valid fields to update" {
			t.Errorf("PATCH %s: got %s %q; want NO_VALID_FIELDS_TO_UPDATE", tc.path, r.code(), r.str("error.message"))
			continue
		}
		if got := stringsAt(r, "error.details.rejectedFields"); !slices.Equal(got, []string{"colour", "wellcomeMessage"}) {
			t.Errorf("PATCH %s: rejectedFields %v; want [colour wellcomeMessage]", tc.path, got)
		}
		accepted := stringsAt(r, "error.details.acceptedFields")
		if !slices.Contains(accepted, tc.accepts) || !slices.IsSorted(accepted) || slices.Contains(accepted, "colour") {
			t.Errorf("PATCH %s: acceptedFields %v; want the operation's fields, sorted, with %s", tc.path, accepted, tc.accepts)
		}
	}
	// An empty object rejects nothing and still lists what to send.
	r := tm.do("PATCH", cb+"/settings/general", keyScale, map[string]any{}).must(t, http.StatusBadRequest)
	if got := stringsAt(r, "error.details.rejectedFields"); len(got) != 0 || len(stringsAt(r, "error.details.acceptedFields")) == 0 {
		t.Fatalf("empty PATCH: details %v", r.at("error.details"))
	}
}

// Errors that say what to do: a body sent with a media type the operation does not take says
// which it takes: application/json, or application/json or multipart/form-data where the
// reference documents both (appearance, icons).
func TestWrongContentTypeSaysWhatIsExpected(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	cb := "/api/v1/chatbots/chatbot/" + botShipping
	for _, tc := range []struct {
		path, contentType, want string
	}{
		{cb + "/settings/general", "text/plain", "application/json"},
		{cb + "/settings/general", "", "application/json"},
		{cb + "/settings/general", "multipart/form-data; boundary=x", "application/json"},
		{cb + "/appearance", "text/plain", "application/json or multipart/form-data"},
		{cb + "/settings/icons", "application/xml", "application/json or multipart/form-data"},
	} {
		req, err := http.NewRequest("PATCH", tm.srv.URL+tc.path, strings.NewReader(`{"description":"x"}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+keyScale)
		if tc.contentType != "" {
			req.Header.Set("Content-Type", tc.contentType)
		} else {
			req.Header["Content-Type"] = nil
		}
		r := tm.send(req).must(t, http.StatusBadRequest)
		if r.code() != "REQUEST_VALIDATION_FAILED" || !strings.HasSuffix(r.str("error.message"), "as "+tc.want) {
			t.Errorf("PATCH %s as %q: got %s %q; want it to say %s is expected", tc.path, tc.contentType, r.code(), r.str("error.message"), tc.want)
		}
		if got := strings.Join(stringsAt(r, "error.details.acceptedContentTypes"), " or "); got != tc.want {
			t.Errorf("PATCH %s as %q: acceptedContentTypes %q; want %q", tc.path, tc.contentType, got, tc.want)
		}
	}
	// The right type with parameters passes this check.
	req, _ := http.NewRequest("PATCH", tm.srv.URL+cb+"/settings/general", strings.NewReader(`{"description":"x"}`))
	req.Header.Set("Authorization", "Bearer "+keyScale)
	req.Header.Set("Content-Type", "Application/JSON; charset=utf-8")
	tm.send(req).must(t, http.StatusOK)
}

// The reference documents MISSING_REQUIRED_FIELD for update-thread: a body that is not a
// list of updates (an empty array, an object, a string) is answered so.
func TestUpdateThreadsWithoutAListIsMissingRequiredField(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	path := "/api/v1/chatting/" + botShipping + "/thread/update-thread"
	for _, body := range []any{[]any{}, map[string]any{"threadId": "x"}, `"x"`, `42`, nil} {
		r := tm.do("PATCH", path, keyScale, body).must(t, http.StatusBadRequest)
		if r.code() != "MISSING_REQUIRED_FIELD" {
			t.Errorf("body %v: got %s; want MISSING_REQUIRED_FIELD\n%s", body, r.code(), r.Raw)
		}
		if r.str("message") != validationMessage {
			t.Errorf("body %v: message %q; want %q", body, r.str("message"), validationMessage)
		}
	}
	// An item with a bad field is still a validation failure of that field.
	r := tm.do("PATCH", path, keyScale, []any{map[string]any{"threadId": "x", "mode": "ROBOT"}}).must(t, http.StatusBadRequest)
	if r.code() != "REQUEST_VALIDATION_FAILED" {
		t.Fatalf("bad mode: got %s; want REQUEST_VALIDATION_FAILED\n%s", r.code(), r.Raw)
	}
}
