// Package cli holds what the compat commands (diff, proxy, parity) share on the command line:
// a flag set whose usage goes to stdout when asked for (-h) and to stderr after a bad flag, and
// flag defaults read from the environment.
package cli

import (
	"flag"
	"fmt"
	"io"
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
