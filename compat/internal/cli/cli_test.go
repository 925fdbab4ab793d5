package cli

import (
	"strings"
	"testing"
)

func TestFlagSetUsageGoesWhereAsked(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		wantStdout bool
	}{{[]string{"-h"}, true}, {[]string{"--help"}, true}, {[]string{"--bogus"}, false}, {[]string{"--", "-h"}, false}} {
		var stdout, stderr strings.Builder
		fs := FlagSet("x", "usage: x\n", tc.args, &stdout, &stderr)
		fs.String("name", "", "a name")
		_ = fs.Parse(tc.args)
		got := stdout.String()
		if !tc.wantStdout {
			got = stderr.String()
		}
		if tc.args[0] != "--" && (!strings.Contains(got, "usage: x") || !strings.Contains(got, "-name")) {
			t.Errorf("%v: usage not on the expected stream: stdout %q stderr %q", tc.args, stdout.String(), stderr.String())
		}
	}
}

func TestEnv(t *testing.T) {
	env := Env(func(n string) string { return map[string]string{"SET": "v"}[n] })
	if env("SET", "d") != "v" || env("UNSET", "d") != "d" {
		t.Fatal("Env: want the variable's value, else the default")
	}
}
