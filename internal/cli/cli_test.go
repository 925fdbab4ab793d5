package cli

import (
	"reflect"
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

func TestInputs(t *testing.T) {
	in := Inputs{}
	for _, s := range []string{"a=1", "b=x=y", "a=2", "c="} {
		if err := in.Set(s); err != nil {
			t.Fatalf("Set(%q): %v", s, err)
		}
	}
	if want := (Inputs{"a": "2", "b": "x=y", "c": ""}); !reflect.DeepEqual(in, want) {
		t.Errorf("got %v, want %v", in, want)
	}
	for _, s := range []string{"noequals", "=v"} {
		if err := in.Set(s); err == nil {
			t.Errorf("Set(%q): no error, want one", s)
		}
	}
}
