package specdiff

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextgpt/sandbox/spec"
)

func runDiff(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := Command(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCommand(t *testing.T) {
	dir := t.TempDir()
	ours := filepath.Join(dir, "contextgpt.yaml")
	edited := filepath.Join(dir, "edited.yaml")
	require.NoError(t, os.WriteFile(ours, spec.ContextGPTDocument(), 0o644))
	require.NoError(t, os.WriteFile(edited, removeFieldAndAddRequiredParam(t), 0o644))

	code, out, _ := runDiff(ours, ours)
	assert.Equal(t, ExitSame, code, out)

	code, out, _ = runDiff(ours, edited)
	assert.Equal(t, ExitChanged, code)
	assert.Contains(t, out, "breaking:")
	assert.Contains(t, out, "new-required-request-parameter")

	code, out, _ = runDiff("--format", "json", ours, edited)
	assert.Equal(t, ExitChanged, code)
	var res Result
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.GreaterOrEqual(t, res.Breaking, 2)

	// Going back: a response field added is not breaking; a parameter dropped is oasdiff's
	// warning (a client that sends it may depend on it), which counts as breaking.
	code, out, _ = runDiff(edited, ours)
	assert.Equal(t, ExitChanged, code, out)
	assert.Contains(t, out, "1 breaking")
	assert.Contains(t, out, "info    GET /v1/chatbots/my-chatbots: added the required property `data/accounts`")

	// Reference mode: the edited copy plays the vendor's reference.
	base := filepath.Join(dir, "baseline.yaml")
	code, out, _ = runDiff("--reference", edited, ours)
	assert.Equal(t, ExitChanged, code, out)
	code, _, errOut := runDiff("--reference", edited, "--write-baseline", base, ours)
	require.Equal(t, ExitSame, code, errOut)
	code, out, _ = runDiff("--reference", edited, "--baseline", base, ours)
	assert.Equal(t, ExitSame, code, out)
	assert.Contains(t, out, "0 new")
	// The embedded spec is the default SPEC.
	code, out, _ = runDiff("--reference", edited, "--baseline", base)
	assert.Equal(t, ExitSame, code, out)
	// Against itself, every baseline entry is stale and nothing is new.
	code, out, _ = runDiff("--reference", ours, "--baseline", base, ours)
	assert.Equal(t, ExitSame, code, out)
	assert.Contains(t, out, "no longer differ")

	for _, args := range [][]string{
		{}, {ours}, {ours, ours, ours}, {"--format", "xml", ours, ours},
		{ours, filepath.Join(dir, "missing.yaml")},
		{"--baseline", base, ours, ours},
		{"--reference", filepath.Join(dir, "missing.json")},
		{"--reference", edited, "--baseline", ours}, // not a baseline: unknown fields
	} {
		code, _, _ := runDiff(args...)
		assert.Equal(t, ExitBadInput, code, "%v", args)
	}
}
