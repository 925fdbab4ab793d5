package pairs

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/contextgpt/sandbox/spec"
)

func contract(t *testing.T) *spec.Spec {
	t.Helper()
	s, err := spec.Load(spec.ContextGPTDocument())
	if err != nil {
		t.Fatalf("spec.Load: %v", err)
	}
	return s
}

func route(t *testing.T, s *spec.Spec, op string) *spec.Route {
	t.Helper()
	rt, ok := s.OperationByID(op)
	if !ok {
		t.Fatalf("%v", op)
	}
	return rt
}

func TestCountedFollowsTheRule(t *testing.T) {
	s := contract(t)
	cases := []struct {
		op, status string
		want       bool
	}{
		{"getMyChatbots", "200", true},
		{"getMyChatbots", "401", true},
		{"getMyChatbots", "403", true},             // every request: a plan without API access
		{"getMyChatbots", "429", true},             // the reference lists it for the operation
		{"getMyChatbots", "500", false},            // the global handler's 500
		{"createAppearanceSettings", "500", true},  // APPEARANCE_SETTINGS_CREATE_FAILED
		{"getConversationStarters", "404", true},   // the contract's 404 where ids are taken
		{"createChatbotInAccount", "413", true},    // the contract's 413 where a body is taken
		{"updateChatbotById", "409", true},         // the reference's 409
		{"listChatbots", "429", false},             // not in the reference: no 429
		{"listChatbots", "500", false},             // nor 500
		{"createChatbot", "409", true},             // not in the reference: every other declared status
		{"updateAdvancedSettingsApi", "501", true}, // the reference's stub
		{"selectPersona", "201", true},             // every declared 2xx
	}
	for _, c := range cases {
		if got := Counted(route(t, s, c.op), c.status); got != c.want {
			t.Errorf("%s %s: got %v, want %v", c.op, c.status, got, c.want)
		}
	}
}

func TestDocumentedCoversTheReference(t *testing.T) {
	if got := len(reference.Operations); got != 62 {
		t.Errorf("the reference has 62 operations: got %d items, want %d: %v", got, 62, reference.Operations)
	}
	s := contract(t)
	for op := range reference.Operations {
		_, ok := s.OperationByID(op)
		if !ok {
			t.Errorf("documented.yaml names %s, which the contract does not have", op)
		}
	}
	for _, op := range reference.Specific500 {
		if !Documented(op, 500) {
			t.Errorf("%v", op)
		}
	}
}

func TestTableRecordsAndGates(t *testing.T) {
	s := contract(t)
	tb := New(s, func(op string) bool { return op == "getMyChatbots" })
	pc := tb.Report(0)
	if pc.Pairs != 4 {
		t.Fatalf("200, 401, 403, 429: got %v, want %v", pc.Pairs, 4)
	} // 500 is not counted
	if !reflect.DeepEqual(pc.Unreached, []string{"getMyChatbots"}) {
		t.Errorf("pc.Unreached = %q, want %q", pc.Unreached, []string{"getMyChatbots"})
	}
	if !tb.Record("getMyChatbots", 200, "run") {
		t.Errorf(`want tb.Record("getMyChatbots", 200, "run") to be true`)
	}
	if !tb.Record("getMyChatbots", 401, "probe") {
		t.Errorf(`want tb.Record("getMyChatbots", 401, "probe") to be true`)
	}
	if !tb.Record("getMyChatbots", 401, "run") {
		t.Errorf(`want tb.Record("getMyChatbots", 401, "run") to be true`)
	}
	if tb.Record("getMyChatbots", 500, "probe") {
		t.Errorf("not a counted pair")
	}
	if tb.Record("getChatbotById", 200, "probe") {
		t.Errorf("not selected")
	}
	pc = tb.Report(50)
	if pc.Covered != 2 {
		t.Errorf("pc.Covered = %v, want %v", pc.Covered, 2)
	}
	if pc.Percent != 50.0 {
		t.Errorf("pc.Percent = %v, want %v", pc.Percent, 50.0)
	}
	if pc.Failed {
		t.Errorf("50%% meets a 50%% gate")
	}
	if len(pc.Unreached) != 0 {
		t.Errorf("pc.Unreached = %q, want empty", pc.Unreached)
	}
	if !reflect.DeepEqual(pc.Rows[1].By, []string{"probe", "run"}) {
		t.Errorf("pc.Rows[1].By = %q, want %q", pc.Rows[1].By, []string{"probe", "run"})
	}
	if !tb.Report(50.01).Failed {
		t.Errorf("compared exactly, not as printed")
	}
}

func TestCountableExcludesFaultsAndPrefer(t *testing.T) {
	h := http.Header{}
	if !(Countable(h, []byte(`{"success":false,"error":{"code":"X","details":null}}`))) {
		t.Errorf("want Countable(h, []byte(`{\"success\":false,\"error\":{\"code\":\"X\",\"details\":null}}`)) to be true")
	}
	if Countable(h, []byte(`{"success":false,"error":{"code":"X","details":{"injectedBy":"fault-1"}}}`)) {
		t.Errorf("want Countable(h, []byte(`{\"success\":false,\"error\":{\"code\":\"X\",\"details\":{\"injectedBy\":\"fault-1\"}}}`)) to be false")
	}
	if !(Countable(h, []byte(`{"success":true,"data":{"note":"injectedBy"}}`))) {
		t.Errorf("the word alone is not a mark")
	}
	h.Set("Prefer", "code=404")
	if Countable(h, []byte(`{}`)) {
		t.Errorf("want Countable(h, []byte(`{}`)) to be false")
	}
}
