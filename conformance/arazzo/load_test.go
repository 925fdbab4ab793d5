package arazzo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// corpus lists the documents of testdata/<dir>, each a subtest.
func corpus(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join("testdata", dir))
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		if IsDocumentFile(e.Name()) {
			out = append(out, filepath.Join("testdata", dir, e.Name()))
		}
	}
	require.NotEmpty(t, out, "no documents in testdata/%s", dir)
	return out
}

func TestPositiveCorpus(t *testing.T) {
	for _, path := range corpus(t, "positive") {
		t.Run(filepath.Base(path), func(t *testing.T) {
			docs, err := LoadPaths([]string{path})
			require.NoError(t, err)
			require.Len(t, docs, 1)
			d := docs[0]
			assert.Equal(t, path, d.Path)
			require.NotEmpty(t, d.Workflows)
			for _, w := range d.Workflows {
				assert.Same(t, d, w.Document, "workflow %s knows its document", w.WorkflowID)
				for i, s := range w.Steps {
					got, ok := w.StepIndex(s.StepID)
					assert.True(t, ok)
					assert.Equal(t, i, got)
					for _, c := range s.SuccessCriteria {
						assert.NotNil(t, c.Compiled(), "criterion %q compiled", c.Condition)
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
			require.NoError(t, err, "every negative case records its expected error beside it")
			_, err = LoadPaths([]string{path})
			require.Error(t, err)
			assert.Contains(t, err.Error(), path, "the error names the file")
			for _, line := range strings.Split(strings.TrimSpace(string(want)), "\n") {
				assert.Contains(t, err.Error(), line)
			}
		})
	}
}

// Every .err file has its document, so no expectation is silently unused.
func TestNegativeCorpusHasNoOrphans(t *testing.T) {
	errs, err := filepath.Glob("testdata/negative/*.err")
	require.NoError(t, err)
	for _, e := range errs {
		_, err := os.Stat(strings.TrimSuffix(e, ".err") + ".arazzo.yaml")
		assert.NoError(t, err, "%s has no document", e)
	}
}

func TestAllFeaturesModel(t *testing.T) {
	docs, err := LoadPaths([]string{"testdata/positive/all-features.arazzo.yaml"})
	require.NoError(t, err)
	d := docs[0]
	require.Len(t, d.Workflows, 3)
	setUp, useIt := d.Workflows[0], d.Workflows[1]
	assert.Equal(t, []any{"runId"}, setUp.Inputs["required"], "inputs $ref resolves to the component")
	assert.False(t, setUp.RequiresMock())
	assert.True(t, useIt.RequiresMock())
	assert.Equal(t, []string{"setUp"}, useIt.DependsOn)
	assert.Equal(t, "conformance", d.Info.Extensions["x-owner"])
	retry := d.Components.FailureActions["retrySoon"]
	require.NotNil(t, retry.RetryAfter)
	require.NotNil(t, retry.RetryLimit)
	assert.Equal(t, 0.5, *retry.RetryAfter)
	assert.Equal(t, 3, *retry.RetryLimit)
	crit := setUp.Steps[0].SuccessCriteria
	assert.Equal(t, "jsonpath", crit[1].Type.Type)
	assert.Equal(t, "regex", crit[3].Type.Type)
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
	require.Error(t, err, "a version names a dialect the harness does not run")
	assert.Contains(t, err.Error(), `version "rfc9535" is not supported`)
}

func TestLoadFS(t *testing.T) {
	minimal, err := os.ReadFile("testdata/positive/minimal.arazzo.yaml")
	require.NoError(t, err)
	fsys := fstest.MapFS{
		"b/two.arazzo.yaml": {Data: []byte(strings.Replace(string(minimal), "listMine", "two", 1))},
		"a.arazzo.yml":      {Data: minimal},
		"notes.yaml":        {Data: []byte("not: arazzo")},
	}
	docs, err := LoadFS(fsys, ".", "suite")
	require.NoError(t, err)
	require.Len(t, docs, 2, "only *.arazzo.* files load")
	assert.Equal(t, filepath.Join("suite", "a.arazzo.yml"), docs[0].Path, "lexical order")
	assert.Equal(t, filepath.Join("suite", "b", "two.arazzo.yaml"), docs[1].Path)

	_, err = LoadFS(fstest.MapFS{"x.yaml": {Data: minimal}}, ".", "empty")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no *.arazzo.yaml")
}

func TestLoadPathsReportsEveryBadFile(t *testing.T) {
	_, err := LoadPaths([]string{"testdata/negative/duplicate-step-id.arazzo.yaml", "testdata/does-not-exist.arazzo.yaml",
		"testdata/negative/depends-on-unknown.arazzo.yaml"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "duplicate-step-id.arazzo.yaml")
	assert.Contains(t, err.Error(), "does-not-exist.arazzo.yaml")
	assert.Contains(t, err.Error(), "depends-on-unknown.arazzo.yaml")

	docs, err := LoadPaths([]string{"testdata/positive"})
	require.NoError(t, err)
	assert.Len(t, docs, len(corpus(t, "positive")), "a folder loads every document in it")
}

func TestSplitOperationPath(t *testing.T) {
	src, p, m, err := SplitOperationPath("{$sourceDescriptions.api.url}#/paths/~1v1~1a~0b~1{id}/GET")
	require.NoError(t, err)
	assert.Equal(t, "api", src)
	assert.Equal(t, "/v1/a~b/{id}", p)
	assert.Equal(t, "get", m)
	for _, bad := range []string{"/v1/x", "{$sourceDescriptions.api.url}#/v1/x/get", "$sourceDescriptions.api.url#/paths/~1x/get",
		"{$sourceDescriptions.api}#/paths/~1x/get", "{$sourceDescriptions.api.url}#/paths/~1x"} {
		_, _, _, err := SplitOperationPath(bad)
		assert.Error(t, err, bad)
	}
}

func TestSplitOperationID(t *testing.T) {
	src, id, err := SplitOperationID("$sourceDescriptions.api.getMyChatbots")
	require.NoError(t, err)
	assert.Equal(t, [2]string{"api", "getMyChatbots"}, [2]string{src, id})
	src, id, err = SplitOperationID("getMyChatbots")
	require.NoError(t, err)
	assert.Equal(t, [2]string{"", "getMyChatbots"}, [2]string{src, id})
	for _, bad := range []string{"$sourceDescriptions.api", "$source.api.x", "$sourceDescriptions..x"} {
		_, _, err := SplitOperationID(bad)
		assert.Error(t, err, bad)
	}
}
