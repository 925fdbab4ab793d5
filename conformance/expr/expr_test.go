package expr

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func testContext() *Context {
	return &Context{
		URL: "http://127.0.0.1/api/v1/x", Method: "GET", StatusCode: 201,
		ResponseHeader: http.Header{"Retry-After": {"3"}},
		ResponseBody: map[string]any{"success": true, "data": map[string]any{
			"chatbotId": "361628903185318482", "items": []any{map[string]any{"a/b": 1.0}}, "name": "Support"}},
		Inputs: map[string]any{"runId": "r1", "name": "Support", "one": 1.0},
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
					if err != nil {
						t.Fatalf("unexpected error: %v", err)
					}
					if !reflect.DeepEqual(got, tc.want) {
						t.Errorf("got %v, want %v", got, tc.want)
					}
					return
				}
			}
			if err == nil {
				t.Fatalf("got no error, want one")
			}
			if !errors.Is(err, tc.err) {
				t.Errorf("got %v; want %v", err, tc.err)
			}
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
			if err != nil {
				t.Fatalf("ParseTemplate: %v", err)
			}
			got, err := tp.Evaluate(testContext())
			if err != nil {
				t.Fatalf("tp.Evaluate: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	_, err := ParseTemplate("open {$inputs.runId")
	if !errors.Is(err, ErrSyntax) {
		t.Errorf("got %v, want %v", err, ErrSyntax)
	}
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
				if err == nil {
					t.Errorf("got no error, want one")
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
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
		// Read as Redocly respect reads them: the query runs against [context].
		{name: "jsonpath field test", context: "$response.body", cond: "$[?(@.data.name == 'Support')]", typ: "jsonpath", want: true},
		{name: "jsonpath field test without parentheses", context: "$response.body", cond: "$[?@.data.name == 'Support']", typ: "jsonpath", want: true},
		{name: "jsonpath string comparison is exact", context: "$response.body", cond: "$[?@.data.name == 'support']", typ: "jsonpath", want: false},
		{name: "jsonpath existence", context: "$response.body", cond: "$[?@.data.chatbotId]", typ: "jsonpath", want: true},
		{name: "jsonpath absence", context: "$response.body", cond: "$[?@.data.absent]", typ: "jsonpath", want: false},
		{name: "jsonpath the root is the array", context: "$response.body", cond: "$[0].data.chatbotId", typ: "jsonpath", want: true},
		{name: "jsonpath a path from the body's root selects nothing", context: "$response.body", cond: "$.data.chatbotId", typ: "jsonpath", want: false},
		{name: "jsonpath nested filter", context: "$response.body", cond: "$[0].data.items[?@['a/b'] == 1]", typ: "jsonpath", want: true},
		{name: "jsonpath context into the body", context: "$response.body#/data/items", cond: "$[?length(@) == 1]", typ: "jsonpath", want: true},
		{name: "jsonpath number", context: "$response.body", cond: "$[?@.data.items[0]['a/b'] >= 1]", typ: "jsonpath", want: true},
		{name: "jsonpath number less", context: "$response.body", cond: "$[?@.data.items[0]['a/b'] < 1]", typ: "jsonpath", want: false},
		{name: "jsonpath bool", context: "$response.body", cond: "$[?@.success == true]", typ: "jsonpath", want: true},
		{name: "jsonpath embedded expression", context: "$response.body", cond: "$[?@.data.name == {$inputs.name}]", typ: "jsonpath", want: true},
		{name: "jsonpath embedded number", context: "$response.body", cond: "$[?@.data.items[0]['a/b'] == {$inputs.one}]", typ: "jsonpath", want: true},
		{name: "jsonpath embedded unresolved", context: "$response.body", cond: "$[?@.data.name == {$inputs.nope}]", typ: "jsonpath", evalErr: true},
		{name: "jsonpath status context", context: "$statusCode", cond: "$[?@ == 201]", typ: "jsonpath", want: true},
		// The form only this runner used to accept is refused, with the portable form.
		{name: "jsonpath comparison refused", context: "$response.body", cond: "$.data.name == 'Support'", typ: "jsonpath", compileErr: true},
		{name: "jsonpath comparison refused bool", context: "$response.body", cond: "$.success == true", typ: "jsonpath", compileErr: true},
		{name: "jsonpath single equals", context: "$response.body", cond: "$.data.name = 'x'", typ: "jsonpath", compileErr: true},
		{name: "jsonpath bad embedded expression", context: "$response.body", cond: "$[?@.a == {$nope}]", typ: "jsonpath", compileErr: true},
		{name: "jsonpath bad query", context: "$response.body", cond: "$[?@.a ==]", typ: "jsonpath", compileErr: true},
		{name: "regex without context", cond: "x", typ: "regex", compileErr: true},
		{name: "xpath unsupported", context: "$response.body", cond: "/a", typ: "xpath", compileErr: true},
		{name: "goessner read as RFC 9535", context: "$response.body", cond: "$[?@.data.chatbotId]", typ: "jsonpath", ver: "draft-goessner-dispatch-jsonpath-00", want: true},
		{name: "other version unsupported", context: "$response.body", cond: "$.a", typ: "jsonpath", ver: "draft-next", compileErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := CompileCriterion(tc.context, tc.cond, tc.typ, tc.ver)
			if tc.compileErr {
				if err == nil {
					t.Errorf("got no error, want one")
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			got, err := c.Evaluate(testContext())
			if tc.evalErr {
				if err == nil {
					t.Errorf("got no error, want one")
				}
				if got {
					t.Errorf("want got to be false")
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func FuzzCriterion(f *testing.F) {
	for _, s := range []string{"$[?@.data.name == 'Support']", "$.a[?@.b == 1]", "$['x'] != \"y\"", "$[?@.a == {$inputs.name}]", "$..*"} {
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

// The standard's own criterion examples (Arazzo 1.0.1, Criterion Object, Success Action and
// Components examples) hold where they should.
func TestSpecificationExamples(t *testing.T) {
	pets := &Context{StatusCode: 200, ResponseBody: map[string]any{"pets": []any{map[string]any{"id": 1.0}}}}
	none := &Context{StatusCode: 401, ResponseBody: map[string]any{"error": "x"}}
	tests := []struct {
		name, context, cond, typ, ver string
		ctx                           *Context
		want                          bool
	}{
		{"simple", "", "$statusCode == 200", "", "", pets, true},
		{"simple fails", "", "$statusCode == 200", "", "", none, false},
		{"regex", "$statusCode", "^200$", "regex", "", pets, true},
		{"regex fails", "$statusCode", "^200$", "regex", "", none, false},
		{"jsonpath", "$response.body", "$[?count(@.pets) > 0]", "jsonpath", "", pets, true},
		{"jsonpath without pets", "$response.body", "$[?count(@.pets) > 0]", "jsonpath", "", none, false},
		{"jsonpath goessner type object", "$response.body", "$[?count(@.pets) > 0]", "jsonpath", "draft-goessner-dispatch-jsonpath-00", pets, true},
		{"components condition in braces", "", "{$statusCode == 401}", "", "", none, true},
		{"components condition in braces fails", "", "{$statusCode == 401}", "", "", pets, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := CompileCriterion(tc.context, tc.cond, tc.typ, tc.ver)
			if err != nil {
				t.Fatalf("CompileCriterion: %v", err)
			}
			got, err := c.Evaluate(tc.ctx)
			if err != nil {
				t.Fatalf("c.Evaluate: %v", err)
			}
			if got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// The comparison form is refused with the portable forms in the message.
func TestJSONPathComparisonRefusedWithPortableForm(t *testing.T) {
	_, err := CompileCriterion("$response.body", "$.data.totalCount == 1", TypeJSONPath, "")
	if err == nil {
		t.Fatalf("CompileCriterion: got no error, want one")
	}
	if got := err.Error(); !strings.Contains(got, "$[?(@.data.totalCount == 1)]") {
		t.Errorf("err.Error() = %q, want it to contain %q", got, "$[?(@.data.totalCount == 1)]")
	}
	if got := err.Error(); !strings.Contains(got, "$response.body#/data/totalCount == 1") {
		t.Errorf("err.Error() = %q, want it to contain %q", got, "$response.body#/data/totalCount == 1")
	}
	_, err = CompileCriterion("$response.body", `$.error.code == "MISSING_JWT"`, TypeJSONPath, "")
	if err == nil {
		t.Fatalf("CompileCriterion: got no error, want one")
	}
	if got := err.Error(); !strings.Contains(got, `$[?(@.error.code == "MISSING_JWT")]`) {
		t.Errorf("err.Error() = %q, want it to contain %q", got, `$[?(@.error.code == "MISSING_JWT")]`)
	}
	if got := err.Error(); !strings.Contains(got, "$response.body#/error/code == 'MISSING_JWT'") {
		t.Errorf("err.Error() = %q, want it to contain %q", got, "$response.body#/error/code == 'MISSING_JWT'")
	}
}

// A criterion that does not hold says what it compared.
func TestExplain(t *testing.T) {
	c := testContext()
	for _, tc := range []struct{ context, cond, typ, wantActual string }{
		{"", "$statusCode == 200 && $response.body#/data/name == 'x'", "", `$statusCode = 201; $response.body#/data/name = "Support"`},
		{"", "$response.body#/nope == 1", "", "$response.body#/nope unresolved"},
		{"$response.body#/data/name", "^Sales", "regex", `$response.body#/data/name = "Support"`},
		{"$response.body", "$[?@.data.absent]", "jsonpath", `no node selected; $response.body = {"data":`},
	} {
		cr, err := CompileCriterion(tc.context, tc.cond, tc.typ, "")
		if err != nil {
			t.Fatalf("CompileCriterion: %v", err)
		}
		exp, act := cr.Explain(c)
		if !strings.Contains(exp, tc.cond) {
			t.Errorf("exp = %q, want it to contain %q", exp, tc.cond)
		}
		if !strings.Contains(act, tc.wantActual) {
			t.Errorf("act = %q, want it to contain %q", act, tc.wantActual)
		}
	}
}
