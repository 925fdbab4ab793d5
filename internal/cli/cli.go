// Package cli holds what the commands (contextgpt-conformance and its compat subcommands
// diff, proxy, parity) share on the command line: a flag set whose usage goes to stdout when
// asked for (-h) and to stderr after a bad flag, flag defaults read from the environment, and
// the repeatable name=value flag.
package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// FlagSet is a ContinueOnError flag set named name that prints usage and then the flags:
// on stdout when args ask for help, on stderr after a bad flag.
func FlagSet(name, usage string, args []string, stdout, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		w := stderr
		if WantsHelp(args) {
			w = stdout
		}
		fmt.Fprint(w, usage)
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
	return fs
}

// Env returns a reader of flag defaults: the variable's value, or def when it is unset or empty.
func Env(getenv func(string) string) func(name, def string) string {
	return func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
}

// WantsHelp reports whether args ask for help before a "--".
func WantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "-h", "-help", "--help":
			return true
		case "--":
			return false
		}
	}
	return false
}

// Inputs is a repeatable name=value flag (--input, --plan-key): each value sets one name.
type Inputs map[string]string

func (f Inputs) String() string { return "" }

// Set adds one name=value; the name must not be empty.
func (f Inputs) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("expected name=value")
	}
	f[k] = v
	return nil
}
