package expr

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testContext() *Context {
	return &Context{
		URL: "http://127.0.0.1/api/v1/x", Method: "GET", StatusCode: 201,
		ResponseHeader: http.Header{"Retry-After": {"3"}},
		ResponseBody: map[string]any{"success": true, "data": map[string]any{
			"chatbotId": "361628903185318482", "items": []any{map[string]any{"a/b": 1.0}}, "name": "Support"}},
		Inputs: map[string]any{"runId": "r1"},
		Steps:  map[string]Values{"create": {Outputs: map[string]any{"id": "42", "obj": map[string]any{"k": "v"}}}},
	}
}

func TestEvaluate(t *testing.T) {
	tests := []struct {
		in   string
		want any
		err  error
	}{
		{in: "$statusCode", want: 201},
		{in: "$method", want: "GET"},
		{in: "$response.header.retry-after", want: "3"},
		{in: "$response.body#/data/chatbotId", want: "361628903185318482"},
		{in: "$response.body#/data/items/0/a~1b", want: 1.0},
		{in: "$inputs.runId", want: "r1"},
		{in: "$steps.create.outputs.id", want: "42"},
		{in: "$steps.create.outputs.obj#/k", want: "v"},
		{in: "$steps.missing.outputs.id", err: ErrUnresolved},
		{in: "$response.body#/data/nope", err: ErrUnresolved},
		{in: "$response.body#/data/items/7", err: ErrUnresolved},
		{in: "statusCode", err: ErrSyntax},
		{in: "$steps.create.result.id", err: ErrSyntax},
		{in: "$response.query.x", err: ErrSyntax},
		{in: "$response.body#nope", err: ErrSyntax},
		{in: "$inputs.", err: ErrSyntax},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			e, err := Parse(tc.in)
			if err == nil {
				var got any
				got, err = Evaluate(e, testContext())
				if tc.err == nil {
					require.NoError(t, err)
					assert.Equal(t, tc.want, got)
					return
				}
			}
			require.Error(t, err)
			assert.True(t, errors.Is(err, tc.err), "got %v; want %v", err, tc.err)
		})
	}
}

func TestTemplate(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		{"plain text", "plain text"},
		{"Support {$inputs.runId}", "Support r1"},
		{"{$steps.create.outputs.id}-{$inputs.runId}", "42-r1"},
		{"$statusCode", 201},
		{"braces {not an expression}", "braces {not an expression}"},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			tp, err := ParseTemplate(tc.in)
			require.NoError(t, err)
			got, err := tp.Evaluate(testContext())
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	_, err := ParseTemplate("open {$inputs.runId")
	assert.ErrorIs(t, err, ErrSyntax)
}

func TestCondition(t *testing.T) {
	tests := []struct {
		in   string
		want bool
		err  bool
	}{
		{in: "$statusCode == 201", want: true},
		{in: "$statusCode == '201'", want: true},
		{in: "$statusCode != 201", want: false},
		{in: "$statusCode >= 200 && $statusCode < 300", want: true},
		{in: "$statusCode == 200 || $statusCode == 201", want: true},
		{in: "!($statusCode == 201)", want: false},
		{in: "$response.body#/data/name == 'SUPPORT'", want: true},
		{in: "$response.body#/success == true", want: true},
		{in: "$response.body#/success", want: true},
		{in: "$response.body#/data/name == 'it''s'", want: false},
		{in: "{$statusCode == 201}", want: true},
		{in: "$steps.create.outputs.id == 42", want: true},
		{in: "$response.body#/data/missing == null", err: true},
		{in: "$statusCode ==", err: true},
		{in: "$statusCode == 201 == true", err: true},
		{in: "(($statusCode == 201)", err: true},
		{in: "'unterminated", err: true},
		{in: "bogus == 1", err: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			c, err := ParseCondition(tc.in)
			var got bool
			if err == nil {
				got, err = c.Evaluate(testContext())
			}
			if tc.err {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestCriterion(t *testing.T) {
	tests := []struct {
		name                    string
		context, cond, typ, ver string
		want                    bool
		compileErr, evalErr     bool
	}{
		{name: "simple", cond: "$statusCode == 201", want: true},
		{name: "regex", context: "$statusCode", cond: "^20[01]$", typ: "regex", want: true},
		{name: "regex no match", context: "$response.body#/data/name", cond: "^Sales", typ: "regex", want: false},
		{name: "jsonpath exists", context: "$response.body", cond: "$.data.chatbotId", typ: "jsonpath", want: true},
		{name: "jsonpath filter", context: "$response.body#/data/items", cond: "$[?@['a/b'] == 1]", typ: "jsonpath", want: true},
		{name: "jsonpath none", context: "$response.body", cond: "$.data.absent", typ: "jsonpath", want: false},
		{name: "jsonpath comparison", context: "$response.body", cond: "$.data.name == 'Support'", typ: "jsonpath", want: true},
		{name: "jsonpath comparison ignores case", context: "$response.body", cond: "$.data.name == 'support'", typ: "jsonpath", want: true},
		{name: "jsonpath comparison double quotes", context: "$response.body", cond: `$['data']['name'] != "Sales"`, typ: "jsonpath", want: true},
		{name: "jsonpath comparison false", context: "$response.body", cond: "$.data.name == 'Sales'", typ: "jsonpath", want: false},
		{name: "jsonpath comparison bool", context: "$response.body", cond: "$.success == true", typ: "jsonpath", want: true},
		{name: "jsonpath comparison number", context: "$response.body", cond: "$.data.items[0]['a/b'] >= 1", typ: "jsonpath", want: true},
		{name: "jsonpath comparison number less", context: "$response.body", cond: "$.data.items[0]['a/b'] < 1", typ: "jsonpath", want: false},
		{name: "jsonpath comparison null", context: "$response.body", cond: "$.data.chatbotId == null", typ: "jsonpath", want: false},
		{name: "jsonpath comparison quoted operator in the path", context: "$response.body", cond: "$.data['=='] == 'x'", typ: "jsonpath", evalErr: true},
		{name: "jsonpath comparison no node", context: "$response.body", cond: "$.data.absent == 'x'", typ: "jsonpath", evalErr: true},
		{name: "jsonpath comparison several nodes", context: "$response.body", cond: "$.data.* == 'x'", typ: "jsonpath", evalErr: true},
		{name: "jsonpath filter with == keeps RFC 9535", context: "$response.body", cond: "$.data[?@ == 'Support']", typ: "jsonpath", want: true},
		{name: "jsonpath comparison without literal", context: "$response.body", cond: "$.data.name ==", typ: "jsonpath", compileErr: true},
		{name: "jsonpath comparison with an expression", context: "$response.body", cond: "$.data.name == $inputs.runId", typ: "jsonpath", compileErr: true},
		{name: "jsonpath comparison bad path", context: "$response.body", cond: "data.name == 'x'", typ: "jsonpath", compileErr: true},
		{name: "jsonpath comparison bad string", context: "$response.body", cond: "$.data.name == 'it's'", typ: "jsonpath", compileErr: true},
		{name: "jsonpath single equals", context: "$response.body", cond: "$.data.name = 'x'", typ: "jsonpath", compileErr: true},
		{name: "regex without context", cond: "x", typ: "regex", compileErr: true},
		{name: "xpath unsupported", context: "$response.body", cond: "/a", typ: "xpath", compileErr: true},
		{name: "goessner unsupported", context: "$response.body", cond: "$.a", typ: "jsonpath", ver: "draft-goessner-dispatch-jsonpath-00", compileErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := CompileCriterion(tc.context, tc.cond, tc.typ, tc.ver)
			if tc.compileErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			got, err := c.Evaluate(testContext())
			if tc.evalErr {
				assert.Error(t, err)
				assert.False(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func FuzzCriterion(f *testing.F) {
	for _, s := range []string{"$.data.name == 'Support'", "$.a[?@.b == 1]", "$['x'] != \"y\"", "$.a <= 2", "$..*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if c, err := CompileCriterion("$response.body", s, TypeJSONPath, ""); err == nil {
			_, _ = c.Evaluate(testContext())
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"$statusCode", "$response.body#/a/0", "$steps.a.outputs.b#/c~1d", "x {$inputs.a} y",
		"$statusCode == 200 && !($response.body#/success)", "'a''b' == $inputs.x", "{$url}", "$components.parameters.p"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := testContext()
		if e, err := Parse(s); err == nil {
			_, _ = Evaluate(e, c)
		}
		if tp, err := ParseTemplate(s); err == nil {
			_, _ = tp.Evaluate(c)
		}
		if cd, err := ParseCondition(s); err == nil {
			_, _ = cd.Evaluate(c)
		}
	})
}
