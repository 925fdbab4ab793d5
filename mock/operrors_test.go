package mock

import (
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// referenceOp is what the vendor's reference (compat/specdiff/reference/openapi.json) says
// of one operation's errors: the top-level message of its structured examples, the statuses
// whose example is the flat shape, and the statuses it documents.
type referenceOp struct {
	contexts map[string]bool
	flat     []int
	statuses []int
	path     string
}

func loadReferenceOps(t *testing.T) map[string]*referenceOp {
	t.Helper()
	raw, err := os.ReadFile("../compat/specdiff/reference/openapi.json")
	if err != nil {
		t.Fatalf("read the reference: %v", err)
	}
	type media struct {
		Example  any                       `json:"example"`
		Examples map[string]map[string]any `json:"examples"`
	}
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
			Responses   map[string]struct {
				Content map[string]media `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("decode the reference: %v", err)
	}
	out := map[string]*referenceOp{}
	for path, item := range doc.Paths {
		for _, op := range item {
			if op.OperationID == "" {
				continue
			}
			ro := &referenceOp{contexts: map[string]bool{}, path: path}
			out[op.OperationID] = ro
			for st, r := range op.Responses {
				status, _ := strconv.Atoi(st)
				ro.statuses = append(ro.statuses, status)
				if status < 400 || status == http.StatusTooManyRequests {
					continue
				}
				for _, m := range r.Content {
					examples := []any{m.Example}
					for _, e := range m.Examples {
						examples = append(examples, e["value"])
					}
					for _, ex := range examples {
						env, ok := ex.(map[string]any)
						if !ok {
							continue
						}
						if _, structured := env["error"].(map[string]any); structured {
							ro.contexts[env["message"].(string)] = true
						} else if !slices.Contains(ro.flat, status) {
							ro.flat = append(ro.flat, status)
						}
					}
				}
			}
			sort.Ints(ro.flat)
		}
	}
	return out
}

// The reference's examples name the operation in an error's top-level message ("Fetch
// appearance settings") and explain in error.message; the chatbot routes use the flat shape.
// The table has one row per operation of the spec, and the reference's operations' rows say
// what its examples say.
func TestOperationErrorTableCoversEveryOperation(t *testing.T) {
	tm := newTestMock(t)
	ref := loadReferenceOps(t)
	for _, rt := range tm.m.spec.Routes() {
		row, ok := operationErrors[rt.OperationID]
		if !ok || row.context == "" {
			t.Errorf("%s: no row in operationErrors", rt.OperationID)
			continue
		}
		if hasBot := strings.Contains(rt.SpecPath, "{chatbotId}"); hasBot != (row.unknownChatbot != 0) {
			t.Errorf("%s: unknownChatbot %d; the path has a chatbot id: %v", rt.OperationID, row.unknownChatbot, hasBot)
		}
		if row.unknownChatbot != 0 && (row.unknownChatbot == http.StatusNotFound) != rt.Declares(http.StatusNotFound) {
			t.Errorf("%s: an unknown chatbot answers %d; the spec declares 404: %v", rt.OperationID, row.unknownChatbot, rt.Declares(http.StatusNotFound))
		}
		ro, inRef := ref[rt.OperationID]
		if !inRef {
			continue
		}
		if row.unknownChatbot != 0 && (row.unknownChatbot == http.StatusNotFound) != slices.Contains(ro.statuses, http.StatusNotFound) {
			t.Errorf("%s: an unknown chatbot answers %d; the reference documents 404: %v", rt.OperationID, row.unknownChatbot, slices.Contains(ro.statuses, http.StatusNotFound))
		}
		switch {
		case len(ro.contexts) == 0:
			if !row.flatAll {
				t.Errorf("%s: the reference's examples are all flat; the row is not flatAll", rt.OperationID)
			}
		case len(ro.contexts) > 1 || !ro.contexts[row.context]:
			t.Errorf("%s: context %q; the reference's examples say %v", rt.OperationID, row.context, ro.contexts)
		case !slices.Equal(row.flat, ro.flat):
			t.Errorf("%s: flat statuses %v; the reference's examples %v", rt.OperationID, row.flat, ro.flat)
		}
	}
	for id := range operationErrors {
		if _, ok := tm.m.spec.OperationByID(id); !ok {
			t.Errorf("operationErrors has a row for %s, which the spec does not have", id)
		}
	}
}

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// Every operation's error answers use its row: a request without a key (401 MISSING_JWT)
// names the operation (or, on the flat chatbot routes, explains), error.message explains.
func TestErrorAnswersNameTheirOperation(t *testing.T) {
	tm := newTestMock(t)
	for _, rt := range tm.m.spec.Routes() {
		if !tm.m.spec.NeedsAuth(rt) {
			continue
		}
		row := operationErrors[rt.OperationID]
		path := pathParam.ReplaceAllString(rt.PathTemplate, "x1")
		r := tm.do(rt.Method, path, "", nil).must(t, http.StatusUnauthorized)
		want := row.context
		if row.flatAll {
			want = "Authorization header is missing"
		}
		if got := r.str("message"); got != want {
			t.Errorf("%s: message %q; want %q", rt.OperationID, got, want)
		}
		if got := r.str("error.message"); got != "Authorization header is missing" {
			t.Errorf("%s: error.message %q; want the explanation", rt.OperationID, got)
		}
	}
}

// The getting-started page: a request body that fails validation answers "Request body is
// not valid", and each missing field's item in errors[] says "Required".
func TestValidationErrorIsRequestBodyIsNotValidAndMissingFieldsRequired(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	r := tm.do("POST", "/api/v1/chatbots/account/"+accScale+"/create-chatbot", keyScale, map[string]any{}).must(t, http.StatusBadRequest)
	if got := r.str("message"); got != validationMessage {
		t.Fatalf("message %q; want %q", got, validationMessage)
	}
	items, _ := r.Body["errors"].([]any)
	missing := map[string]bool{}
	for _, it := range items {
		m := it.(map[string]any)
		path, _ := m["path"].([]any)
		if len(path) == 1 && m["message"] == "Required" {
			missing[path[0].(string)] = true
		}
	}
	if !missing["name"] || !missing["description"] {
		t.Fatalf("errors %v; want name and description, each \"Required\"", items)
	}
	if m := r.str("error.message"); !strings.HasPrefix(m, "Missing required field: ") || !strings.Contains(m, "name") || !strings.Contains(m, "description") {
		t.Fatalf("error.message %q: want it to name the missing fields", m)
	}

	// A wrong type is a validation error too, its item explains.
	r = tm.do("POST", "/api/v1/chatbots/chatbot/"+botShipping+"/instructions", keyScale,
		map[string]any{"title": 5, "instruction": "x"}).must(t, http.StatusBadRequest)
	if got := r.str("message"); got != validationMessage {
		t.Fatalf("wrong type: message %q; want %q", got, validationMessage)
	}
	// Only a parameter failing: the request, not its body, is not valid.
	r = tm.do("GET", "/api/v1/chatting/"+botShipping+"/threads?limit=0", keyScale, nil).must(t, http.StatusBadRequest)
	if got := r.str("message"); got != parameterMessage {
		t.Fatalf("bad query: message %q; want %q", got, parameterMessage)
	}
}

// Where the reference's example of a status is the flat shape, the top-level message is the
// explanation ("Lead settings not found"); elsewhere it names the operation.
func TestFlatStatusesExplainAndOthersNameTheOperation(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	cb := "/api/v1/chatbots/chatbot/" + botShipping
	r := tm.do("GET", cb+"/lead-settings", keyScale, nil).must(t, http.StatusNotFound)
	if got, want := r.str("message"), r.str("error.message"); got != want || got == "" {
		t.Fatalf("getLeadSettings 404: message %q; want the explanation %q", got, want)
	}
	r = tm.do("PATCH", cb+"/lead-settings", keyScale, map[string]any{"enableLeadCollection": true}).must(t, http.StatusNotFound)
	if got := r.str("message"); got != "Update lead settings" {
		t.Fatalf("updateLeadSettings 404: message %q; want %q", got, "Update lead settings")
	}
	r = tm.do("GET", cb+"/appearance", keyAgent, nil)
	if r.Status != http.StatusNotFound && r.Status != http.StatusForbidden {
		t.Fatalf("getAppearanceSettings: status %d", r.Status)
	}
	if got := r.str("message"); got != "Fetch appearance settings" {
		t.Fatalf("getAppearanceSettings %d: message %q; want %q", r.Status, got, "Fetch appearance settings")
	}
}

// No other account's ids leak existence below the chatbot either: another account's thread,
// message, follow-up prompt or instruction id under the caller's own chatbot answers exactly
// what an id nobody holds answers.
func TestAnotherAccountsResourceIdsReadAsMissingOnes(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	thread := tm.do("POST", "/api/v1/chatting/"+botOutfitters+"/threads", keyGrowth, map[string]any{}).must(t, http.StatusCreated).str("data.thread.id")
	msg := tm.do("POST", "/api/v1/chatting/"+botOutfitters+"/thread/"+thread+"/message", keyGrowth,
		map[string]any{"content": "x"}).must(t, http.StatusCreated).str("data.message.id")
	cb := "/api/v1/chatbots/chatbot/" + botOutfitters
	prompt := tm.do("POST", cb+"/follow-up-prompts", keyGrowth, map[string]any{"buttonTitle": "a", "buttonMessage": "b"}).must(t, http.StatusCreated).str("data.id")
	instr := tm.do("POST", cb+"/instructions", keyGrowth, map[string]any{"title": "a", "instruction": "b"}).must(t, http.StatusCreated).str("data.id")
	body := map[string]any{"content": "y", "title": "t", "buttonTitle": "a", "buttonMessage": "b"}
	for _, tc := range []struct {
		method, prefix, id string
		body               any
	}{
		{"GET", "/api/v1/chatting/" + botShipping + "/thread/", thread, nil},
		{"POST", "/api/v1/chatting/" + botShipping + "/thread/", thread, nil},
		{"PATCH", "/api/v1/chatting/" + botShipping + "/message/", msg, body},
		{"PATCH", "/api/v1/chatbots/chatbot/" + botShipping + "/follow-up-prompts/", prompt, body},
		{"PATCH", "/api/v1/chatbots/chatbot/" + botShipping + "/instructions/", instr, body},
	} {
		suffix := ""
		if tc.method == "POST" {
			suffix = "/reset"
		}
		other := tc.method + " " + tc.prefix + tc.id + suffix
		r1 := tm.do(tc.method, tc.prefix+tc.id+suffix, keyScale, tc.body).must(t, http.StatusNotFound)
		r2 := tm.do(tc.method, tc.prefix+"x"+tc.id[1:]+suffix, keyScale, tc.body).must(t, http.StatusNotFound)
		if r1.code() != r2.code() || r1.str("message") != r2.str("message") || r1.str("error.message") != r2.str("error.message") {
			t.Errorf("%s: %s; an id nobody holds: %s", other, r1.Raw, r2.Raw)
		}
	}
}

// A 429 of a structured route says "Too many requests", as every such example of the
// reference does; on the flat chatbot routes the message is the limiter's explanation.
func TestRateLimitedAnswersCarryTheDocumentedMessage(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t, withLimitsFile(t, "perIP: {requests: -1}\nperUser: {requests: 1}\n"))
	tm.do("GET", "/api/v1/chatting/"+botShipping+"/threads", keyScale, nil).must(t, http.StatusOK)
	r := tm.do("GET", "/api/v1/chatting/"+botShipping+"/threads", keyScale, nil).must(t, http.StatusTooManyRequests)
	if got := r.str("message"); got != tooManyRequests {
		t.Fatalf("listThreads 429: message %q; want %q", got, tooManyRequests)
	}
	r = tm.do("GET", "/api/v1/chatbots/my-chatbots", keyScale, nil).must(t, http.StatusTooManyRequests)
	if got, want := r.str("message"), r.str("error.message"); got != want || !strings.HasPrefix(got, "Rate limit exceeded") {
		t.Fatalf("getMyChatbots 429: message %q; want the explanation %q", got, want)
	}
}
