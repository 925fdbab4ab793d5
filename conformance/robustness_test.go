package conformance

import (
	"bytes"
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/conformance/report"
)

// Regression: a huge Retry-After overflowed into a negative wait, so the runner retried at
// once instead of waiting --max-wait. Negative and unparsable values fall back (1 s).
func TestRetryAfterHugeValueClamped(t *testing.T) {
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"7", 7 * time.Second, true},
		{"0", 0, true},
		{"99999999999", (1 << 30) * time.Second, true},
		{"9223372036854775807", (1 << 30) * time.Second, true},
		{"-5", 0, false},
		{"soon", 0, false},
		{"", 0, false},
		{"Thu, 01 Jan 1970 00:00:00 GMT", 0, true}, // a past date: no wait
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			d, ok := RetryAfter(http.Header{"Retry-After": {tc.in}})
			if ok != tc.wantOK {
				t.Errorf("ok = %v, want %v", ok, tc.wantOK)
			}
			if d != tc.want {
				t.Errorf("d = %v, want %v", d, tc.want)
			}
			if d < time.Duration(0) {
				t.Errorf("d = %v, want >= %v", d, time.Duration(0))
			}
		})
	}
}

// Regression: a password in --base-url's userinfo was copied into the report's target.
func TestBaseURLPasswordNotInReport(t *testing.T) {
	f := newFake()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	d, err := arazzo.Parse([]byte(fakeHead+`workflows:
  - workflowId: w
    steps:
      - stepId: s
        operationId: countUp
`), "testdata/test.arazzo.yaml")
	if err != nil {
		t.Fatalf("arazzo.Parse: %v", err)
	}
	u, _ := url.Parse(srv.URL)
	u.User = url.UserPassword("user", "hunter2secret")
	u.Path = "/api"
	r, err := New(Config{BaseURL: u.String(), APIKey: "k", Sleep: f.sleep}, []*arazzo.Document{d})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	rep := r.Run(context.Background())
	var b bytes.Buffer
	if err := report.WriteJSON(&b, rep, r.red); err != nil {
		t.Fatalf("report.WriteJSON: %v", err)
	}
	if got := b.String(); strings.Contains(got, "hunter2secret") {
		t.Errorf("b.String() = %q, want no %q", got, "hunter2secret")
	}
	if strings.Contains(rep.Target, "hunter2secret") {
		t.Errorf("rep.Target = %q, want no %q", rep.Target, "hunter2secret")
	}
}

// Base URLs as users paste them: a trailing /v1 or slash is tolerated; no /api is taken as
// given (the API is then at {origin}/v1).
func TestParseBaseURL(t *testing.T) {
	tests := []struct{ in, base, origin, err string }{
		{"http://127.0.0.1:8080/api", "http://127.0.0.1:8080/api", "http://127.0.0.1:8080", ""},
		{"http://127.0.0.1:8080/api/", "http://127.0.0.1:8080/api", "http://127.0.0.1:8080", ""},
		{"http://127.0.0.1:8080/api/v1", "http://127.0.0.1:8080/api", "http://127.0.0.1:8080", ""},
		{"http://127.0.0.1:8080/api/v1/", "http://127.0.0.1:8080/api", "http://127.0.0.1:8080", ""},
		{"https://x.example/v1", "https://x.example", "https://x.example", ""},
		{"https://x.example", "https://x.example", "https://x.example", ""},
		{"", "", "", "required"},
		{"127.0.0.1:8080/api", "", "", "expected"},
		{"ftp://x/api", "", "", "expected"},
		{"http:///api", "", "", "expected"},
		{"http://x/api?k=1", "", "", "no query"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			u, origin, err := parseBaseURL(tc.in)
			if tc.err != "" {
				if err == nil {
					t.Fatalf("got no error, want one")
				}
				if got := err.Error(); !strings.Contains(got, tc.err) {
					t.Errorf("err.Error() = %q, want it to contain %q", got, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got := u.String(); got != tc.base {
				t.Errorf("u.String() = %q, want %q", got, tc.base)
			}
			if origin != tc.origin {
				t.Errorf("origin = %q, want %q", origin, tc.origin)
			}
		})
	}
}

// Regression: a huge retryAfter (1e300, .inf) overflowed into a negative wait, so the retry
// ran at once instead of after --max-wait; NaN passed validation and converted arbitrarily.
func TestActionRetryAfterOverflow(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name string
		in   *float64
		want time.Duration
	}{
		{"absent", nil, 0},
		{"1.5 s", f(1.5), 1500 * time.Millisecond},
		{"zero", f(0), 0},
		{"huge", f(1e300), (1 << 31) * time.Second},
		{"infinite", f(math.Inf(1)), (1 << 31) * time.Second},
		{"NaN", f(math.NaN()), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := actionRetryAfter(&arazzo.FailureAction{RetryAfter: tc.in}); got != tc.want {
				t.Errorf("actionRetryAfter(&arazzo.FailureAction{RetryAfter: tc.in}) = %v, want %v", got, tc.want)
			}
		})
	}
}

// Regression: the --min-coverage gate compared the rounded percent, so 67 of 72 operations
// (93.06 %, printed 93.1 %) passed --min-coverage 93.1.
func TestMinCoverageGateUsesExactCoverage(t *testing.T) {
	tests := []struct {
		covered, ops int
		min          float64
		below        bool
	}{
		{67, 72, 93.1, true},
		{67, 72, 93.05, false},
		{72, 72, 100, false},
		{71, 72, 100, true},
		{0, 72, 0, false},
		{0, 0, 50, false}, // no operations: nothing to miss
	}
	for _, tc := range tests {
		c := report.Coverage{OperationsCovered: tc.covered, Operations: tc.ops, OperationPercent: percent(tc.covered, tc.ops)}
		if got := belowMinCoverage(c, tc.min); got != tc.below {
			t.Errorf("%d/%d against %v: got %v, want %v", tc.covered, tc.ops, tc.min, got, tc.below)
		}
	}
}

// Regression: a null where the model expects an object (a list entry, a component) was a nil
// pointer that validation dereferenced: a panic instead of bad input. Odd documents (empty,
// a list at the top) are clear errors too.
func TestOddDocumentsNullEntriesNoPanic(t *testing.T) {
	const head = "arazzo: 1.0.1\ninfo: {title: t, version: \"1\"}\nsourceDescriptions: [{name: fake, url: fake.openapi.yaml}]\n"
	const step = "  - {stepId: s, operationId: countUp"
	tests := []struct{ name, doc, want string }{
		{"empty file", "", "EOF"},
		{"list at the top", "- a\n- b\n", "cannot unmarshal"},
		{"scalar at the top", "hello\n", "cannot unmarshal"},
		{"null workflow", head + "workflows: [null]\n", "workflows[0]: null"},
		{"null step", head + "workflows:\n- workflowId: w\n  steps: [null]\n", "workflows[0].steps[0]: null"},
		{"null parameter", head + "workflows:\n- workflowId: w\n  steps:\n" + step + ", parameters: [null]}\n", "parameters[0]: null"},
		{"null criterion", head + "workflows:\n- workflowId: w\n  steps:\n" + step + ", successCriteria: [null]}\n", "successCriteria[0]: null"},
		{"null action", head + "workflows:\n- workflowId: w\n  steps:\n" + step + ", onFailure: [null]}\n", "onFailure[0]: null"},
		{"null replacement", head + "workflows:\n- workflowId: w\n  steps:\n" + step + ", requestBody: {payload: {}, replacements: [null]}}\n", "replacements[0]: null"},
		{"null component", head + "components: {parameters: {p: null}}\nworkflows:\n- workflowId: w\n  steps:\n" + step + "}\n", "components.parameters.p: null"},
		{"step without operation", head + "workflows:\n- workflowId: w\n  steps:\n  - stepId: s\n", "exactly one of operationId"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			notPanics(t, func() { _, err = arazzo.Parse([]byte(tc.doc), "testdata/x.arazzo.yaml") })
			if err == nil {
				t.Fatalf("got no error, want one")
			}
			if got := err.Error(); !strings.Contains(got, tc.want) {
				t.Errorf("err.Error() = %q, want it to contain %q", got, tc.want)
			}
		})
	}
}

// Regression: an input schema property that is not an object (null) panicked in New.
func TestInputPropertyNotAnObjectNoPanic(t *testing.T) {
	d, err := arazzo.Parse([]byte(fakeHead+`workflows:
  - workflowId: w
    inputs: {type: object, properties: {a: null, b: 5}}
    steps:
      - {stepId: s, operationId: countUp, parameters: [{name: name, in: path, value: x}]}
`), "testdata/test.arazzo.yaml")
	if err != nil {
		t.Fatalf("arazzo.Parse: %v", err)
	}
	notPanics(t, func() {
		_, err = New(Config{BaseURL: "http://127.0.0.1:1/api", APIKey: "k", Inputs: map[string]string{"a": "1"}}, []*arazzo.Document{d})
	})
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// notPanics runs f and fails the test at once if it panics (a panic would end the whole
// test binary, hiding the other cases).
func notPanics(t *testing.T, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic: %v", r)
		}
	}()
	f()
}

// Any document is an error or a document, never a panic.
func FuzzArazzoParse(f *testing.F) {
	f.Add([]byte(fakeHead + "workflows:\n- workflowId: w\n  steps:\n  - {stepId: s, operationId: countUp, successCriteria: [{condition: $statusCode == 200}], onFailure: [{name: r, type: retry, retryAfter: 1}]}\n"))
	f.Add([]byte(fakeHead + "components: {parameters: {p: {name: a, in: query, value: 1}}}\nworkflows:\n- workflowId: w\n  dependsOn: [w]\n  steps:\n  - {stepId: s, workflowId: w}\n"))
	f.Add([]byte("- a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = arazzo.Parse(data, "testdata/fuzz.arazzo.yaml")
	})
}
