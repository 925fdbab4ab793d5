package specdiff

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	if err := os.WriteFile(ours, spec.ContextGPTDocument(), 0o644); err != nil {
		t.Fatalf("os.WriteFile: %v", err)
	}
	if err := os.WriteFile(edited, removeFieldAndAddRequiredParam(t), 0o644); err != nil {
		t.Fatalf("os.WriteFile: %v", err)
	}

	base := filepath.Join(dir, "baseline.yaml")
	// In order: the baseline is written before it is read.
	for _, c := range []struct {
		args []string
		code int
		out  []string // what the output holds
	}{
		{[]string{ours, ours}, ExitSame, nil},
		{[]string{ours, edited}, ExitChanged, []string{"breaking:", "new-required-request-parameter"}},
		// Going back: a response field added is not breaking; a parameter dropped is oasdiff's
		// warning (a client that sends it may depend on it), which counts as breaking.
		{[]string{edited, ours}, ExitChanged, []string{"1 breaking",
			"info    GET /v1/chatbots/my-chatbots: added the required property `data/accounts`"}},
		// Reference mode: the edited copy plays the vendor's reference.
		{[]string{"--reference", edited, ours}, ExitChanged, nil},
		{[]string{"--reference", edited, "--write-baseline", base, ours}, ExitSame, nil},
		{[]string{"--reference", edited, "--baseline", base, ours}, ExitSame, []string{"0 new"}},
		// The embedded spec is the default SPEC.
		{[]string{"--reference", edited, "--baseline", base}, ExitSame, nil},
		// Against itself, every baseline entry is stale and nothing is new.
		{[]string{"--reference", ours, "--baseline", base, ours}, ExitSame, []string{"no longer differ"}},
	} {
		code, out, errOut := runDiff(c.args...)
		if code != c.code {
			t.Fatalf("diff %v: exit %d, want %d\n%s%s", c.args, code, c.code, out, errOut)
		}
		for _, want := range c.out {
			if !strings.Contains(out, want) {
				t.Errorf("diff %v: output %q, want it to contain %q", c.args, out, want)
			}
		}
	}

	code, out, _ := runDiff("--format", "json", ours, edited)
	if code != ExitChanged {
		t.Errorf("diff --format json: exit %d, want %d", code, ExitChanged)
	}
	var res Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("json.Unmarshal: %v", err)
	}
	if res.Breaking < 2 {
		t.Errorf("res.Breaking = %v, want >= %v", res.Breaking, 2)
	}

	for _, args := range [][]string{
		{}, {ours}, {ours, ours, ours}, {"--format", "xml", ours, ours},
		{ours, filepath.Join(dir, "missing.yaml")},
		{"--baseline", base, ours, ours},
		{"--reference", filepath.Join(dir, "missing.json")},
		{"--reference", edited, "--baseline", ours}, // not a baseline: unknown fields
	} {
		code, _, _ := runDiff(args...)
		if code != ExitBadInput {
			t.Errorf("%v: got %v, want %v", args, code, ExitBadInput)
		}
	}
}
