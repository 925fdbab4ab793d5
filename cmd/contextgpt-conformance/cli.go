package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/contextgpt/sandbox/conformance/report"
)

// version is the harness's version, set by the build:
//
//	go build -ldflags "-X main.version=v1.2.0" ./cmd/contextgpt-conformance
//
// Without it, the module version or the VCS revision the Go toolchain recorded is used.
var version string

// buildVersion returns the version this binary reports (--version, and every report).
func buildVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "devel"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return "devel-" + rev
}

// exitError ends the program with a code; its message, when it has one, goes to stderr.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// badInput is exit 2: flags, environment or documents are wrong; nothing was sent.
func badInput(err error) error { return &exitError{code: report.ExitBadInput, err: err} }

// exitWith ends with a code whose reason the command already printed.
func exitWith(code int) error {
	if code == report.ExitPassed {
		return nil
	}
	return &exitError{code: code}
}

// exitCode maps run's error to the process's exit status.
func exitCode(err error) int {
	if err == nil {
		return report.ExitPassed
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return report.ExitFailed
}

// flags is a command's flag set with the habits of Go tools: flags anywhere among the
// arguments, -h/--help prints usage to stdout (exit 0), and each flag may take its default
// from an environment variable, which an error about the value then names.
type flags struct {
	*flag.FlagSet
	cmd, synopsis string
	stdout        io.Writer
	env           map[string]string // flag name -> environment variable
	fromEnv       map[string]bool   // flags whose value came from the environment
	set           map[string]bool   // flags given on the command line
}

func newFlags(cmd, synopsis string, stdout io.Writer) *flags {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned, usage printed on request
	fs.Usage = func() {}
	return &flags{FlagSet: fs, cmd: cmd, synopsis: synopsis, stdout: stdout, env: map[string]string{},
		fromEnv: map[string]bool{}, set: map[string]bool{}}
}

// bindEnv makes the variable the default of the flag (the flag must be defined).
func (f *flags) bindEnv(flagName, variable string) {
	if f.Lookup(flagName) == nil {
		panic("bindEnv: no flag " + flagName)
	}
	f.env[flagName] = variable
}

// usage prints the command's synopsis and flags to stdout.
func (f *flags) usage() {
	fmt.Fprintf(f.stdout, "usage: contextgpt-conformance %s\n", f.synopsis)
	var lines []string
	f.VisitAll(func(fl *flag.Flag) {
		name, help := flag.UnquoteUsage(fl)
		line := "  --" + fl.Name
		if name != "" {
			line += " " + name
		}
		line += "\n      " + help
		if v := f.env[fl.Name]; v != "" {
			line += " ($" + v + ")"
		}
		if fl.DefValue != "" && fl.DefValue != "false" && fl.DefValue != "0" && fl.DefValue != "[]" {
			line += " (default " + fl.DefValue + ")"
		}
		lines = append(lines, line)
	})
	if len(lines) > 0 {
		fmt.Fprintln(f.stdout, "\nflags:")
		sort.Strings(lines)
		fmt.Fprintln(f.stdout, strings.Join(lines, "\n"))
	}
}

// errHelp is returned by parse after printing usage for -h/--help: the command ends with 0.
var errHelp = errors.New("help requested")

// parse reads environment defaults, then the arguments, flags and positionals in any order
// ("--" ends the flags). It returns the positionals.
func (f *flags) parse(args []string, getenv func(string) string) ([]string, error) {
	var errs []error
	names := make([]string, 0, len(f.env))
	for n := range f.env {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		variable := f.env[name]
		v := getenv(variable)
		if v == "" {
			continue
		}
		if err := f.Lookup(name).Value.Set(v); err != nil {
			errs = append(errs, fmt.Errorf("$%s %q (for --%s): %v", variable, v, name, err))
			continue
		}
		f.fromEnv[name] = true
	}
	var positional []string
	for {
		err := f.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			f.usage()
			return nil, errHelp
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v (see contextgpt-conformance %s --help)", f.cmd, err, f.cmd)
		}
		rest := f.Args()
		if len(rest) == 0 {
			break
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	f.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true; f.fromEnv[fl.Name] = false })
	return positional, errors.Join(errs...)
}

// origin names where a flag's value came from: "--plan", or "--plan (from $CONTEXTGPT_PLAN)".
func (f *flags) origin(name string) string {
	if f.fromEnv[name] {
		return "--" + name + " (from $" + f.env[name] + ")"
	}
	return "--" + name
}

var flagMention = regexp.MustCompile(`--[a-z][a-z0-9-]*`)

// explain rewrites an error's mentions of flags whose value came from the environment, so a
// message about "--plan" says the value was $CONTEXTGPT_PLAN's.
func (f *flags) explain(msg string) string {
	return flagMention.ReplaceAllStringFunc(msg, func(m string) string {
		name := m[2:]
		if f.fromEnv[name] {
			return f.origin(name)
		}
		return m
	})
}

// colorOK reports whether console colour is wanted: stdout is a terminal, and neither
// NO_COLOR (https://no-color.org) nor TERM=dumb says otherwise.
func colorOK(stdout io.Writer, getenv func(string) string) bool {
	if getenv("NO_COLOR") != "" || getenv("TERM") == "dumb" {
		return false
	}
	f, ok := stdout.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
