package arazzo

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

// corpus lists the documents of testdata/<dir>, each a subtest.
func corpus(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join("testdata", dir))
	if err != nil {
		t.Fatalf("os.ReadDir: %v", err)
	}
	var out []string
	for _, e := range entries {
		if IsDocumentFile(e.Name()) {
			out = append(out, filepath.Join("testdata", dir, e.Name()))
		}
	}
	if len(out) == 0 {
		t.Fatalf("no documents in testdata/%s: out is empty", dir)
	}
	return out
}

func TestPositiveCorpus(t *testing.T) {
	for _, path := range corpus(t, "positive") {
		t.Run(filepath.Base(path), func(t *testing.T) {
			docs, err := LoadPaths([]string{path})
			if err != nil {
				t.Fatalf("LoadPaths: %v", err)
			}
			if got := len(docs); got != 1 {
				t.Fatalf("len(docs) = %d, want %d: %+v", got, 1, docs)
			}
			d := docs[0]
			if d.Path != path {
				t.Errorf("d.Path = %q, want %q", d.Path, path)
			}
			if len(d.Workflows) == 0 {
				t.Fatalf("d.Workflows is empty")
			}
			for _, w := range d.Workflows {
				if w.Document != d {
					t.Errorf("workflow %s knows its document: got %p, want the same pointer as %p", w.WorkflowID, w.Document, d)
				}
				for i, s := range w.Steps {
					got, ok := w.StepIndex(s.StepID)
					if !ok {
						t.Errorf("want ok to be true")
					}
					if got != i {
						t.Errorf("got %v, want %v", got, i)
					}
					for _, c := range s.SuccessCriteria {
						if got := c.Compiled(); got == nil {
							t.Errorf("criterion %q compiled: c.Compiled() is nil", c.Condition)
						}
					}
				}
			}
		})
	}
}

// Each negative document sits beside a .err file: one substring per line, each of which the
// error must contain.
func TestNegativeCorpus(t *testing.T) {
	for _, path := range corpus(t, "negative") {
		t.Run(filepath.Base(path), func(t *testing.T) {
			want, err := os.ReadFile(strings.TrimSuffix(path, ".arazzo.yaml") + ".err")
			if err != nil {
				t.Fatalf("every negative case records its expected error beside it: %v", err)
			}
			_, err = LoadPaths([]string{path})
			if err == nil {
				t.Fatalf("LoadPaths: got no error, want one")
			}
			if got := err.Error(); !strings.Contains(got, path) {
				t.Errorf("the error names the file: got %q, want it to contain %q", got, path)
			}
			for _, line := range strings.Split(strings.TrimSpace(string(want)), "\n") {
				if got := err.Error(); !strings.Contains(got, line) {
					t.Errorf("err.Error() = %q, want it to contain %q", got, line)
				}
			}
		})
	}
}

// Every .err file has its document, so no expectation is silently unused.
func TestNegativeCorpusHasNoOrphans(t *testing.T) {
	errs, err := filepath.Glob("testdata/negative/*.err")
	if err != nil {
		t.Fatalf("filepath.Glob: %v", err)
	}
	for _, e := range errs {
		_, err := os.Stat(strings.TrimSuffix(e, ".err") + ".arazzo.yaml")
		if err != nil {
			t.Errorf("%s has no document: %v", e, err)
		}
	}
}

func TestAllFeaturesModel(t *testing.T) {
	docs, err := LoadPaths([]string{"testdata/positive/all-features.arazzo.yaml"})
	if err != nil {
		t.Fatalf("LoadPaths: %v", err)
	}
	d := docs[0]
	if got := len(d.Workflows); got != 3 {
		t.Fatalf("len(d.Workflows) = %d, want %d: %+v", got, 3, d.Workflows)
	}
	setUp, useIt := d.Workflows[0], d.Workflows[1]
	if !reflect.DeepEqual(setUp.Inputs["required"], []any{"runId"}) {
		t.Errorf("inputs $ref resolves to the component: got %v, want %v", setUp.Inputs["required"], []any{"runId"})
	}
	if setUp.RequiresMock() {
		t.Errorf("want setUp.RequiresMock() to be false")
	}
	if !useIt.RequiresMock() {
		t.Errorf("want useIt.RequiresMock() to be true")
	}
	if !reflect.DeepEqual(useIt.DependsOn, []string{"setUp"}) {
		t.Errorf("useIt.DependsOn = %q, want %q", useIt.DependsOn, []string{"setUp"})
	}
	if !reflect.DeepEqual(d.Info.Extensions["x-owner"], "conformance") {
		t.Errorf(`d.Info.Extensions["x-owner"] = %v, want %v`, d.Info.Extensions["x-owner"], "conformance")
	}
	retry := d.Components.FailureActions["retrySoon"]
	if retry.RetryAfter == nil {
		t.Fatalf("retry.RetryAfter is nil")
	}
	if retry.RetryLimit == nil {
		t.Fatalf("retry.RetryLimit is nil")
	}
	if *retry.RetryAfter != 0.5 {
		t.Errorf("*retry.RetryAfter = %v, want %v", *retry.RetryAfter, 0.5)
	}
	if *retry.RetryLimit != 3 {
		t.Errorf("*retry.RetryLimit = %v, want %v", *retry.RetryLimit, 3)
	}
	crit := setUp.Steps[0].SuccessCriteria
	if crit[1].Type.Type != "jsonpath" {
		t.Errorf("crit[1].Type.Type = %q, want %q", crit[1].Type.Type, "jsonpath")
	}
	if crit[3].Type.Type != "regex" {
		t.Errorf("crit[3].Type.Type = %q, want %q", crit[3].Type.Type, "regex")
	}
}

func TestCriterionTypeObject(t *testing.T) {
	doc := `arazzo: 1.0.1
info: {title: t, version: "1"}
sourceDescriptions: [{name: api, url: a.yaml}]
workflows:
  - workflowId: w
    steps:
      - stepId: s
        operationId: x
        successCriteria:
          - {context: $response.body, condition: $.a, type: {type: jsonpath, version: rfc9535}}
`
	_, err := Parse([]byte(doc), "type-object.arazzo.yaml")
	if err == nil {
		t.Fatalf("a version names a dialect the harness does not run: got no error, want one")
	}
	if got := err.Error(); !strings.Contains(got, `version "rfc9535" is not supported`) {
		t.Errorf("err.Error() = %q, want it to contain %q", got, `version "rfc9535" is not supported`)
	}
}

func TestLoadFS(t *testing.T) {
	minimal, err := os.ReadFile("testdata/positive/minimal.arazzo.yaml")
	if err != nil {
		t.Fatalf("os.ReadFile: %v", err)
	}
	fsys := fstest.MapFS{
		"b/two.arazzo.yaml": {Data: []byte(strings.Replace(string(minimal), "listMine", "two", 1))},
		"a.arazzo.yml":      {Data: minimal},
		"notes.yaml":        {Data: []byte("not: arazzo")},
	}
	docs, err := LoadFS(fsys, ".", "suite")
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	if got := len(docs); got != 2 {
		t.Fatalf("only *.arazzo.* files load: got %d items, want %d: %+v", got, 2, docs)
	}
	if want := filepath.Join("suite", "a.arazzo.yml"); docs[0].Path != want {
		t.Errorf("lexical order: got %q, want %q", docs[0].Path, want)
	}
	if want := filepath.Join("suite", "b", "two.arazzo.yaml"); docs[1].Path != want {
		t.Errorf("docs[1].Path = %q, want %q", docs[1].Path, want)
	}

	_, err = LoadFS(fstest.MapFS{"x.yaml": {Data: minimal}}, ".", "empty")
	if err == nil {
		t.Fatalf("LoadFS: got no error, want one")
	}
	if got := err.Error(); !strings.Contains(got, "no *.arazzo.yaml") {
		t.Errorf("err.Error() = %q, want it to contain %q", got, "no *.arazzo.yaml")
	}
}

func TestLoadPathsReportsEveryBadFile(t *testing.T) {
	_, err := LoadPaths([]string{"testdata/negative/duplicate-step-id.arazzo.yaml", "testdata/does-not-exist.arazzo.yaml",
		"testdata/negative/depends-on-unknown.arazzo.yaml"})
	if err == nil {
		t.Fatalf("LoadPaths: got no error, want one")
	}
	if got := err.Error(); !strings.Contains(got, "duplicate-step-id.arazzo.yaml") {
		t.Errorf("err.Error() = %q, want it to contain %q", got, "duplicate-step-id.arazzo.yaml")
	}
	if got := err.Error(); !strings.Contains(got, "does-not-exist.arazzo.yaml") {
		t.Errorf("err.Error() = %q, want it to contain %q", got, "does-not-exist.arazzo.yaml")
	}
	if got := err.Error(); !strings.Contains(got, "depends-on-unknown.arazzo.yaml") {
		t.Errorf("err.Error() = %q, want it to contain %q", got, "depends-on-unknown.arazzo.yaml")
	}

	docs, err := LoadPaths([]string{"testdata/positive"})
	if err != nil {
		t.Fatalf("LoadPaths: %v", err)
	}
	if got := len(docs); got != len(corpus(t, "positive")) {
		t.Errorf("a folder loads every document in it: got %d items, want %d: %+v", got, len(corpus(t, "positive")), docs)
	}
}

func TestSplitOperationPath(t *testing.T) {
	src, p, m, err := SplitOperationPath("{$sourceDescriptions.api.url}#/paths/~1v1~1a~0b~1{id}/GET")
	if err != nil {
		t.Fatalf("SplitOperationPath: %v", err)
	}
	if src != "api" {
		t.Errorf("src = %q, want %q", src, "api")
	}
	if p != "/v1/a~b/{id}" {
		t.Errorf("p = %q, want %q", p, "/v1/a~b/{id}")
	}
	if m != "get" {
		t.Errorf("m = %q, want %q", m, "get")
	}
	for _, bad := range []string{"/v1/x", "{$sourceDescriptions.api.url}#/v1/x/get", "$sourceDescriptions.api.url#/paths/~1x/get",
		"{$sourceDescriptions.api}#/paths/~1x/get", "{$sourceDescriptions.api.url}#/paths/~1x"} {
		_, _, _, err := SplitOperationPath(bad)
		if err == nil {
			t.Errorf("%v: got no error, want one", bad)
		}
	}
}

func TestSplitOperationID(t *testing.T) {
	src, id, err := SplitOperationID("$sourceDescriptions.api.getMyChatbots")
	if err != nil {
		t.Fatalf("SplitOperationID: %v", err)
	}
	if got := [2]string{src, id}; got != [2]string{"api", "getMyChatbots"} {
		t.Errorf("[2]string{src, id} = %v, want %v", got, [2]string{"api", "getMyChatbots"})
	}
	src, id, err = SplitOperationID("getMyChatbots")
	if err != nil {
		t.Fatalf("SplitOperationID: %v", err)
	}
	if got := [2]string{src, id}; got != [2]string{"", "getMyChatbots"} {
		t.Errorf("[2]string{src, id} = %v, want %v", got, [2]string{"", "getMyChatbots"})
	}
	for _, bad := range []string{"$sourceDescriptions.api", "$source.api.x", "$sourceDescriptions..x"} {
		_, _, err := SplitOperationID(bad)
		if err == nil {
			t.Errorf("%v: got no error, want one", bad)
		}
	}
}
