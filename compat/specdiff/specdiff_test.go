package specdiff

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/contextgpt/sandbox/spec"
)

// mutate parses our spec, lets edit change it and returns the edited document.
func mutate(t *testing.T, edit func(doc map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	require.NoError(t, yaml.Unmarshal(spec.ContextGPTDocument(), &doc))
	edit(doc)
	out, err := yaml.Marshal(doc)
	require.NoError(t, err)
	return out
}

func at(t *testing.T, node any, keys ...string) map[string]any {
	t.Helper()
	for _, k := range keys {
		m, ok := node.(map[string]any)
		require.True(t, ok, "%s is not an object", k)
		node = m[k]
	}
	m, ok := node.(map[string]any)
	require.True(t, ok, "%v is not an object", keys)
	return m
}

// removeFieldAndAddRequiredParam removes data.accounts from getMyChatbots' 200 response and
// adds a required query parameter to it.
func removeFieldAndAddRequiredParam(t *testing.T) []byte {
	return mutate(t, func(doc map[string]any) {
		get := at(t, doc, "paths", "/v1/chatbots/my-chatbots", "get")
		data := at(t, get, "responses", "200", "content", "application/json", "schema", "properties", "data")
		delete(at(t, data, "properties"), "accounts")
		data["required"] = []any{}
		params, _ := get["parameters"].([]any)
		get["parameters"] = append(params, map[string]any{
			"name": "region", "in": "query", "required": true, "schema": map[string]any{"type": "string"},
		})
	})
}

func TestCompareReportsRemovedFieldAndNewRequiredParameterAsBreaking(t *testing.T) {
	res, err := Compare(spec.ContextGPTDocument(), removeFieldAndAddRequiredParam(t), "contextgpt.yaml", "edited.yaml")
	require.NoError(t, err)
	var removed, param *Change
	for i, c := range res.Changes {
		if c.Path != "/v1/chatbots/my-chatbots" || c.Operation != "GET" {
			t.Errorf("unexpected change elsewhere: %s", c)
			continue
		}
		switch {
		case strings.Contains(c.ID, "property-removed") && strings.Contains(c.Text, "accounts"):
			removed = &res.Changes[i]
		case c.ID == "new-required-request-parameter" && strings.Contains(c.Text, "region"):
			param = &res.Changes[i]
		}
	}
	require.NotNil(t, removed, "removed response field not reported: %v", res.Changes)
	require.NotNil(t, param, "new required parameter not reported: %v", res.Changes)
	assert.True(t, removed.Breaking, removed.String())
	assert.True(t, param.Breaking, param.String())
	assert.Equal(t, "getMyChatbots", param.OperationID)
	assert.GreaterOrEqual(t, res.Breaking, 2)
	assert.Equal(t, len(res.Changes), res.Breaking+res.NonBreaking)
	assert.True(t, res.Changes[0].Breaking, "breaking changes come first")
}

func TestCompareIdenticalHasNoChanges(t *testing.T) {
	res, err := Compare(spec.ContextGPTDocument(), spec.ContextGPTDocument(), "a", "b")
	require.NoError(t, err)
	assert.Empty(t, res.Changes)
}

func TestCompareNonBreaking(t *testing.T) {
	// An optional query parameter is a change, not a breaking one.
	edited := mutate(t, func(doc map[string]any) {
		get := at(t, doc, "paths", "/v1/chatbots/my-chatbots", "get")
		get["parameters"] = []any{map[string]any{"name": "region", "in": "query", "schema": map[string]any{"type": "string"}}}
	})
	res, err := Compare(spec.ContextGPTDocument(), edited, "a", "b")
	require.NoError(t, err)
	require.NotEmpty(t, res.Changes)
	assert.Zero(t, res.Breaking, "%v", res.Changes)
}

func TestCompareRefusesBadDocuments(t *testing.T) {
	for name, doc := range map[string]string{
		"not yaml":  "{{{",
		"empty":     "",
		"wrong ref": "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          $ref: '#/components/responses/Nope'\n",
	} {
		_, err := Compare([]byte(doc), spec.ContextGPTDocument(), name, "ours")
		assert.Error(t, err, name)
	}
}

func TestBaselineHidesIntendedDifferencesOnly(t *testing.T) {
	res, err := Compare(spec.ContextGPTDocument(), removeFieldAndAddRequiredParam(t), "ref", "ours")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(res.Changes), 2)

	// Everything in the baseline: nothing new.
	b := BaselineOf(res, nil)
	data, err := b.Encode()
	require.NoError(t, err)
	parsed, err := ParseBaseline(data)
	require.NoError(t, err)
	rr := res.Against(parsed)
	assert.Empty(t, rr.New)
	assert.Equal(t, len(res.Changes), rr.Intended)
	assert.Empty(t, rr.Stale)

	// One difference dropped from the baseline comes back as new; an entry that no longer
	// matches is stale.
	dropped := parsed.Differences[0]
	parsed.Differences = append(parsed.Differences[1:], Entry{ID: "endpoint-added", Operation: "GET", Path: "/v1/gone", Text: "gone"})
	rr = res.Against(parsed)
	require.Len(t, rr.New, 1)
	assert.Equal(t, dropped.key(), rr.New[0].Key())
	require.Len(t, rr.Stale, 1)
	assert.Equal(t, "/v1/gone", rr.Stale[0].Path)

	// A rewritten baseline keeps the reasons people wrote.
	parsed.Differences[0].Reason = "kept on purpose"
	again := BaselineOf(res, parsed)
	var kept bool
	for _, e := range again.Differences {
		kept = kept || e.Reason == "kept on purpose"
	}
	assert.True(t, kept)
}

func TestParseBaselineRefusesUnknownFieldsAndEmptyEntries(t *testing.T) {
	_, err := ParseBaseline([]byte("differences:\n- id: x\n  txt: typo\n"))
	assert.Error(t, err)
	_, err = ParseBaseline([]byte("differences:\n- id: x\n"))
	assert.Error(t, err)
	b, err := ParseBaseline(nil)
	require.NoError(t, err)
	assert.Empty(t, b.Differences)
}

// Our spec against the vendor's published reference: every difference is in the committed
// baseline. A spec change that adds one fails here until the baseline says why (see
// reference/README.md).
func TestOurSpecAgainstTheVendorReference(t *testing.T) {
	ref, err := os.ReadFile("reference/openapi.json")
	require.NoError(t, err)
	data, err := os.ReadFile("reference/baseline.yaml")
	require.NoError(t, err)
	b, err := ParseBaseline(data)
	require.NoError(t, err)
	res, err := Compare(ref, spec.ContextGPTDocument(), "openapi.json", "contextgpt.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, res.Changes, "the reference loaded and differs (3.1.0 vs our 3.0.3)")
	rr := res.Against(b)
	for _, c := range rr.New {
		t.Errorf("new difference from the reference (record it in reference/baseline.yaml with a reason, or fix the spec): %s", c)
	}
	for _, e := range rr.Stale {
		t.Logf("baseline entry no longer matches (drop it with --write-baseline): %s %s %s %s", e.ID, e.Operation, e.Path, e.Text)
	}
	for _, e := range b.Differences {
		assert.NotEmpty(t, e.Reason, "every intended difference says why: %+v", e)
	}
}

func TestBaselineRulesMatchByGlob(t *testing.T) {
	c := Change{ID: "response-property-type-changed", Operation: "GET", Path: "/v1/chatbots/{id}",
		Text: "the `data/id` response's property `format` changed from `uuid` to `none` for status `200`"}
	for _, tc := range []struct {
		e    Entry
		want bool
	}{
		{Entry{ID: c.ID}, true},
		{Entry{ID: "other"}, false},
		{Entry{ID: c.ID, Text: "*`uuid` to `none`*"}, true},
		{Entry{ID: c.ID, Text: "*`none` to `uuid`*"}, false},
		{Entry{ID: c.ID, Path: "/v1/chatbots/*"}, true},
		{Entry{ID: c.ID, Path: "/v1/chatting/*"}, false},
		{Entry{ID: c.ID, Operation: "get", Path: c.Path, Text: c.Text}, true},
		{Entry{ID: c.ID, Operation: "POST"}, false},
	} {
		assert.Equal(t, tc.want, tc.e.matches(c), "%+v", tc.e)
	}
	assert.True(t, Entry{ID: "x", Operation: "GET", Path: "/a", Text: "t"}.exact())
	assert.True(t, Entry{ID: "x", Text: "component change"}.exact())
	assert.False(t, Entry{ID: "x", Text: "t*"}.exact())
	assert.False(t, Entry{ID: "x", Path: "/a"}.exact())
	// A rule keeps covering after a rewrite; what it does not cover becomes exact entries.
	res := &Result{Changes: []Change{c, {ID: "endpoint-added", Operation: "GET", Path: "/v1/x", Text: "endpoint added"}}}
	b := BaselineOf(res, &Baseline{Differences: []Entry{{ID: c.ID, Reason: "DESIGN Ids"}, {ID: "gone-rule", Reason: "r"}}})
	require.Len(t, b.Differences, 2)
	assert.Equal(t, Entry{ID: c.ID, Reason: "DESIGN Ids"}, b.Differences[0])
	assert.Equal(t, "/v1/x", b.Differences[1].Path)
	assert.Empty(t, res.Against(b).New)
}
