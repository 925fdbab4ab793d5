package pairs

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextgpt/sandbox/spec"
)

func contract(t *testing.T) *spec.Spec {
	t.Helper()
	s, err := spec.Load(spec.ContextGPTDocument())
	require.NoError(t, err)
	return s
}

func route(t *testing.T, s *spec.Spec, op string) *spec.Route {
	t.Helper()
	rt, ok := s.OperationByID(op)
	require.True(t, ok, op)
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
		assert.Equal(t, c.want, Counted(route(t, s, c.op), c.status), "%s %s", c.op, c.status)
	}
}

func TestDocumentedCoversTheReference(t *testing.T) {
	assert.Len(t, reference.Operations, 62, "the reference has 62 operations")
	s := contract(t)
	for op := range reference.Operations {
		_, ok := s.OperationByID(op)
		assert.True(t, ok, "documented.yaml names %s, which the contract does not have", op)
	}
	for _, op := range reference.Specific500 {
		assert.True(t, Documented(op, 500), op)
	}
}

func TestTableRecordsAndGates(t *testing.T) {
	s := contract(t)
	tb := New(s, func(op string) bool { return op == "getMyChatbots" })
	pc := tb.Report(0)
	require.Equal(t, 4, pc.Pairs, "200, 401, 403, 429") // 500 is not counted
	assert.Equal(t, []string{"getMyChatbots"}, pc.Unreached)
	assert.True(t, tb.Record("getMyChatbots", 200, "run"))
	assert.True(t, tb.Record("getMyChatbots", 401, "probe"))
	assert.True(t, tb.Record("getMyChatbots", 401, "run"))
	assert.False(t, tb.Record("getMyChatbots", 500, "probe"), "not a counted pair")
	assert.False(t, tb.Record("getChatbotById", 200, "probe"), "not selected")
	pc = tb.Report(50)
	assert.Equal(t, 2, pc.Covered)
	assert.Equal(t, 50.0, pc.Percent)
	assert.False(t, pc.Failed, "50% meets a 50% gate")
	assert.Empty(t, pc.Unreached)
	assert.Equal(t, []string{"probe", "run"}, pc.Rows[1].By)
	assert.True(t, tb.Report(50.01).Failed, "compared exactly, not as printed")
}

func TestCountableExcludesFaultsAndPrefer(t *testing.T) {
	h := http.Header{}
	assert.True(t, Countable(h, []byte(`{"success":false,"error":{"code":"X","details":null}}`)))
	assert.False(t, Countable(h, []byte(`{"success":false,"error":{"code":"X","details":{"injectedBy":"fault-1"}}}`)))
	assert.True(t, Countable(h, []byte(`{"success":true,"data":{"note":"injectedBy"}}`)), "the word alone is not a mark")
	h.Set("Prefer", "code=404")
	assert.False(t, Countable(h, []byte(`{}`)))
}
