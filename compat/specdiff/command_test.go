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

	code, out, _ := runDiff(ours, ours)
	if code != ExitSame {
		t.Errorf("%v: got %v, want %v", out, code, ExitSame)
	}

	code, out, _ = runDiff(ours, edited)
	if code != ExitChanged {
		t.Errorf("code = %v, want %v", code, ExitChanged)
	}
	if !strings.Contains(out, "breaking:") {
		t.Errorf("out = %q, want it to contain %q", out, "breaking:")
	}
	if !strings.Contains(out, "new-required-request-parameter") {
		t.Errorf("out = %q, want it to contain %q", out, "new-required-request-parameter")
	}

	code, out, _ = runDiff("--format", "json", ours, edited)
	if code != ExitChanged {
		t.Errorf("code = %v, want %v", code, ExitChanged)
	}
	var res Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("json.Unmarshal: %v", err)
	}
	if res.Breaking < 2 {
		t.Errorf("res.Breaking = %v, want >= %v", res.Breaking, 2)
	}

	// Going back: a response field added is not breaking; a parameter dropped is oasdiff's
	// warning (a client that sends it may depend on it), which counts as breaking.
	code, out, _ = runDiff(edited, ours)
	if code != ExitChanged {
		t.Errorf("%v: got %v, want %v", out, code, ExitChanged)
	}
	if !strings.Contains(out, "1 breaking") {
		t.Errorf("out = %q, want it to contain %q", out, "1 breaking")
	}
	if !strings.Contains(out, "info    GET /v1/chatbots/my-chatbots: added the required property `data/accounts`") {
		t.Errorf("out = %q, want it to contain %q", out, "info    GET /v1/chatbots/my-chatbots: added the required property `data/accounts`")
	}

	// Reference mode: the edited copy plays the vendor's reference.
	base := filepath.Join(dir, "baseline.yaml")
	code, out, _ = runDiff("--reference", edited, ours)
	if code != ExitChanged {
		t.Errorf("%v: got %v, want %v", out, code, ExitChanged)
	}
	code, _, errOut := runDiff("--reference", edited, "--write-baseline", base, ours)
	if code != ExitSame {
		t.Fatalf("%v: got %v, want %v", errOut, code, ExitSame)
	}
	code, out, _ = runDiff("--reference", edited, "--baseline", base, ours)
	if code != ExitSame {
		t.Errorf("%v: got %v, want %v", out, code, ExitSame)
	}
	if !strings.Contains(out, "0 new") {
		t.Errorf("out = %q, want it to contain %q", out, "0 new")
	}
	// The embedded spec is the default SPEC.
	code, out, _ = runDiff("--reference", edited, "--baseline", base)
	if code != ExitSame {
		t.Errorf("%v: got %v, want %v", out, code, ExitSame)
	}
	// Against itself, every baseline entry is stale and nothing is new.
	code, out, _ = runDiff("--reference", ours, "--baseline", base, ours)
	if code != ExitSame {
		t.Errorf("%v: got %v, want %v", out, code, ExitSame)
	}
	if !strings.Contains(out, "no longer differ") {
		t.Errorf("out = %q, want it to contain %q", out, "no longer differ")
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
