package main

import (
	"encoding/json"
	"encoding/xml"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextgpt/sandbox/conformance/report"
	"github.com/contextgpt/sandbox/mock"
)

func TestProbeBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"probe"}, // no --base-url
		{"probe", "--base-url", "http://127.0.0.1:1/api", "--rate-limit", "sometimes"},
		{"probe", "--base-url", "http://127.0.0.1:1/api", "--operation", "noSuchOperation"},
		{"probe", "--base-url", "http://127.0.0.1:1/api", "--operation", "[bad"},
		{"probe", "--base-url", "http://127.0.0.1:1/api", "--max-cases", "-1"},
		{"probe", "--base-url", "http://127.0.0.1:1/api", "--min-coverage", "120"},
		{"probe", "--base-url", "http://127.0.0.1:1/api", "--plan-key", "trial"},
		{"probe", "--base-url", "http://127.0.0.1:1/api", "scenarios.yaml"}, // PATHs need --with-suite
		{"probe", "--base-url", "http://127.0.0.1:1/api", "--api-key", "short"},
	} {
		code, _, errOut := runMain(t, nil, args...)
		assert.Equal(t, report.ExitBadInput, code, "%v: %s", args, errOut)
	}
	code, out, _ := runMain(t, nil, "probe", "--help")
	assert.Equal(t, report.ExitPassed, code)
	assert.Contains(t, out, "--plan-key")
	assert.Contains(t, out, "$CONTEXTGPT_RATE_LIMIT")
	code, _, _ = runMain(t, nil, "probe", "--base-url", "http://127.0.0.1:1/api")
	assert.Equal(t, report.ExitUnreachable, code)
}

// TestProbeCommandReports probes a few operations of an in-process mock and writes the
// reports: the JSON holds the pair table, the JUnit a testcase per case (skips marked), and
// the exit code is the report's.
func TestProbeCommandReports(t *testing.T) {
	m, err := mock.New(mock.DefaultConfig())
	require.NoError(t, err)
	srv := httptest.NewServer(m)
	defer srv.Close()
	dir := t.TempDir()
	jsonPath, junitPath := filepath.Join(dir, "p.json"), filepath.Join(dir, "p.xml")
	code, out, errOut := runMain(t, map[string]string{"NO_COLOR": "1"}, "probe", "--base-url", srv.URL+"/api",
		"--operation", "getPersonas,getChatModeApi", "--rate-limit", "off", "--seed", "9", "--json", jsonPath, "--junit", junitPath)
	require.Contains(t, []int{report.ExitPassed, report.ExitFailed}, code, out+errOut)
	assert.Contains(t, out, "documented (operation, status) pairs:")
	var rep report.Report
	data, err := os.ReadFile(jsonPath)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &rep))
	assert.Equal(t, code, rep.ExitCode)
	require.NotNil(t, rep.PairCoverage)
	ops := map[string]bool{}
	for _, row := range rep.PairCoverage.Rows {
		ops[row.OperationID] = true
	}
	assert.Equal(t, map[string]bool{"getPersonas": true, "getChatModeApi": true}, ops, "the table holds the selection")
	assert.Positive(t, rep.Summary.StepsSkipped, "the 429 cases with --rate-limit off")
	var junit struct {
		Tests   int `xml:"tests,attr"`
		Skipped int `xml:"skipped,attr"`
	}
	data, err = os.ReadFile(junitPath)
	require.NoError(t, err)
	require.NoError(t, xml.Unmarshal(data, &junit))
	assert.Equal(t, rep.Summary.StepsSkipped, junit.Skipped)
	assert.Equal(t, rep.Summary.Steps, junit.Tests)
}
