package specdiff

import (
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/contextgpt/sandbox/spec"
)

// mutate parses our spec, lets edit change it and returns the edited document.
func mutate(t *testing.T, edit func(doc map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	if err := yaml.Unmarshal(spec.ContextGPTDocument(), &doc); err != nil {
		t.Fatalf("yaml.Unmarshal: %v", err)
	}
	edit(doc)
	out, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatalf("yaml.Marshal: %v", err)
	}
	return out
}

func at(t *testing.T, node any, keys ...string) map[string]any {
	t.Helper()
	for _, k := range keys {
		m, ok := node.(map[string]any)
		if !ok {
			t.Fatalf("%s is not an object", k)
		}
		node = m[k]
	}
	m, ok := node.(map[string]any)
	if !ok {
		t.Fatalf("%v is not an object", keys)
	}
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
	if err != nil {
		t.Fatalf("Compare: %v", err)
	}
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
	if removed == nil {
		t.Fatalf("removed response field not reported: %v: removed is nil", res.Changes)
	}
	if param == nil {
		t.Fatalf("new required parameter not reported: %v: param is nil", res.Changes)
	}
	if !removed.Breaking {
		t.Errorf("%v", removed.String())
	}
	if !param.Breaking {
		t.Errorf("%v", param.String())
	}
	if param.OperationID != "getMyChatbots" {
		t.Errorf("param.OperationID = %q, want %q", param.OperationID, "getMyChatbots")
	}
	if res.Breaking < 2 {
		t.Errorf("res.Breaking = %v, want >= %v", res.Breaking, 2)
	}
	if got, want := res.Breaking+res.NonBreaking, len(res.Changes); got != want {
		t.Errorf("res.Breaking+res.NonBreaking = %v, want %v", got, want)
	}
	if !res.Changes[0].Breaking {
		t.Errorf("breaking changes come first")
	}
}

func TestCompareIdenticalHasNoChanges(t *testing.T) {
	res, err := Compare(spec.ContextGPTDocument(), spec.ContextGPTDocument(), "a", "b")
	if err != nil {
		t.Fatalf("Compare: %v", err)
	}
	if len(res.Changes) != 0 {
		t.Errorf("res.Changes = %+v, want empty", res.Changes)
	}
}

func TestCompareNonBreaking(t *testing.T) {
	// An optional query parameter is a change, not a breaking one.
	edited := mutate(t, func(doc map[string]any) {
		get := at(t, doc, "paths", "/v1/chatbots/my-chatbots", "get")
		get["parameters"] = []any{map[string]any{"name": "region", "in": "query", "schema": map[string]any{"type": "string"}}}
	})
	res, err := Compare(spec.ContextGPTDocument(), edited, "a", "b")
	if err != nil {
		t.Fatalf("Compare: %v", err)
	}
	if len(res.Changes) == 0 {
		t.Fatalf("res.Changes is empty")
	}
	if res.Breaking != 0 {
		t.Errorf("%v: got %v, want the zero value", res.Changes, res.Breaking)
	}
}

func TestCompareRefusesBadDocuments(t *testing.T) {
	for name, doc := range map[string]string{
		"not yaml":  "{{{",
		"empty":     "",
		"wrong ref": "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          $ref: '#/components/responses/Nope'\n",
	} {
		_, err := Compare([]byte(doc), spec.ContextGPTDocument(), name, "ours")
		if err == nil {
			t.Errorf("%v: got no error, want one", name)
		}
	}
}

func TestBaselineHidesIntendedDifferencesOnly(t *testing.T) {
	res, err := Compare(spec.ContextGPTDocument(), removeFieldAndAddRequiredParam(t), "ref", "ours")
	if err != nil {
		t.Fatalf("Compare: %v", err)
	}
	if got := len(res.Changes); got < 2 {
		t.Fatalf("len(res.Changes) = %v, want >= %v", got, 2)
	}

	// Everything in the baseline: nothing new.
	b := BaselineOf(res, nil)
	data, err := b.Encode()
	if err != nil {
		t.Fatalf("b.Encode: %v", err)
	}
	parsed, err := ParseBaseline(data)
	if err != nil {
		t.Fatalf("ParseBaseline: %v", err)
	}
	rr := res.Against(parsed)
	if len(rr.New) != 0 {
		t.Errorf("rr.New = %+v, want empty", rr.New)
	}
	if want := len(res.Changes); rr.Intended != want {
		t.Errorf("rr.Intended = %v, want %v", rr.Intended, want)
	}
	if len(rr.Stale) != 0 {
		t.Errorf("rr.Stale = %+v, want empty", rr.Stale)
	}

	// One difference dropped from the baseline comes back as new; an entry that no longer
	// matches is stale.
	dropped := parsed.Differences[0]
	parsed.Differences = append(parsed.Differences[1:], Entry{ID: "endpoint-added", Operation: "GET", Path: "/v1/gone", Text: "gone"})
	rr = res.Against(parsed)
	if got := len(rr.New); got != 1 {
		t.Fatalf("len(rr.New) = %d, want %d: %+v", got, 1, rr.New)
	}
	if got, want := rr.New[0].Key(), dropped.key(); got != want {
		t.Errorf("rr.New[0].Key() = %q, want %q", got, want)
	}
	if got := len(rr.Stale); got != 1 {
		t.Fatalf("len(rr.Stale) = %d, want %d: %+v", got, 1, rr.Stale)
	}
	if rr.Stale[0].Path != "/v1/gone" {
		t.Errorf("rr.Stale[0].Path = %q, want %q", rr.Stale[0].Path, "/v1/gone")
	}

	// A rewritten baseline keeps the reasons people wrote.
	parsed.Differences[0].Reason = "kept on purpose"
	again := BaselineOf(res, parsed)
	var kept bool
	for _, e := range again.Differences {
		kept = kept || e.Reason == "kept on purpose"
	}
	if !kept {
		t.Errorf("want kept to be true")
	}
}

func TestParseBaselineRefusesUnknownFieldsAndEmptyEntries(t *testing.T) {
	_, err := ParseBaseline([]byte("differences:\n- id: x\n  txt: typo\n"))
	if err == nil {
		t.Errorf("ParseBaseline: got no error, want one")
	}
	_, err = ParseBaseline([]byte("differences:\n- id: x\n"))
	if err == nil {
		t.Errorf("ParseBaseline: got no error, want one")
	}
	b, err := ParseBaseline(nil)
	if err != nil {
		t.Fatalf("ParseBaseline: %v", err)
	}
	if len(b.Differences) != 0 {
		t.Errorf("b.Differences = %+v, want empty", b.Differences)
	}
}

// Our spec against the vendor's published reference: every difference is in the committed
// baseline. A spec change that adds one fails here until the baseline says why (see
// reference/README.md).
func TestOurSpecAgainstTheVendorReference(t *testing.T) {
	ref, err := os.ReadFile("reference/openapi.json")
	if err != nil {
		t.Fatalf("os.ReadFile: %v", err)
	}
	data, err := os.ReadFile("reference/baseline.yaml")
	if err != nil {
		t.Fatalf("os.ReadFile: %v", err)
	}
	b, err := ParseBaseline(data)
	if err != nil {
		t.Fatalf("ParseBaseline: %v", err)
	}
	res, err := Compare(ref, spec.ContextGPTDocument(), "openapi.json", "contextgpt.yaml")
	if err != nil {
		t.Fatalf("Compare: %v", err)
	}
	if len(res.Changes) == 0 {
		t.Fatalf("the reference loaded and differs (3.1.0 vs our 3.0.3): res.Changes is empty")
	}
	rr := res.Against(b)
	for _, c := range rr.New {
		t.Errorf("new difference from the reference (record it in reference/baseline.yaml with a reason, or fix the spec): %s", c)
	}
	for _, e := range rr.Stale {
		t.Logf("baseline entry no longer matches (drop it with --write-baseline): %s %s %s %s", e.ID, e.Operation, e.Path, e.Text)
	}
	for _, e := range b.Differences {
		if e.Reason == "" {
			t.Errorf("every intended difference says why: %+v: e.Reason is empty", e)
		}
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
		if got := tc.e.matches(c); got != tc.want {
			t.Errorf("%+v: got %v, want %v", tc.e, got, tc.want)
		}
	}
	if !(Entry{ID: "x", Operation: "GET", Path: "/a", Text: "t"}.exact()) {
		t.Errorf(`want Entry{ID: "x", Operation: "GET", Path: "/a", Text: "t"}.exact() to be true`)
	}
	if !(Entry{ID: "x", Text: "component change"}.exact()) {
		t.Errorf(`want Entry{ID: "x", Text: "component change"}.exact() to be true`)
	}
	if (Entry{ID: "x", Text: "t*"}.exact()) {
		t.Errorf(`want Entry{ID: "x", Text: "t*"}.exact() to be false`)
	}
	if (Entry{ID: "x", Path: "/a"}.exact()) {
		t.Errorf(`want Entry{ID: "x", Path: "/a"}.exact() to be false`)
	}
	// A rule keeps covering after a rewrite; what it does not cover becomes exact entries.
	res := &Result{Changes: []Change{c, {ID: "endpoint-added", Operation: "GET", Path: "/v1/x", Text: "endpoint added"}}}
	b := BaselineOf(res, &Baseline{Differences: []Entry{{ID: c.ID, Reason: "DESIGN Ids"}, {ID: "gone-rule", Reason: "r"}}})
	if got := len(b.Differences); got != 2 {
		t.Fatalf("len(b.Differences) = %d, want %d: %+v", got, 2, b.Differences)
	}
	if b.Differences[0] != (Entry{ID: c.ID, Reason: "DESIGN Ids"}) {
		t.Errorf("b.Differences[0] = %+v, want %+v", b.Differences[0], Entry{ID: c.ID, Reason: "DESIGN Ids"})
	}
	if b.Differences[1].Path != "/v1/x" {
		t.Errorf("b.Differences[1].Path = %q, want %q", b.Differences[1].Path, "/v1/x")
	}
	if got := res.Against(b).New; len(got) != 0 {
		t.Errorf("res.Against(b).New = %+v, want empty", got)
	}
}
