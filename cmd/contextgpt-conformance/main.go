// Command contextgpt-conformance replays Arazzo workflows against a ContextGPT API target
// (the mock, staging or production) and checks every response against the contract.
//
//	contextgpt-conformance run [flags] [PATH...]
//	contextgpt-conformance probe [flags] [--with-suite [PATH...]]
//	contextgpt-conformance list [PATH...]
//	contextgpt-conformance validate PATH...
//	contextgpt-conformance diff OLD NEW | diff --reference FILE [SPEC]
//	contextgpt-conformance proxy --upstream URL [--addr HOST:PORT]
//	contextgpt-conformance parity --base-url URL --compare-with URL2 [PATH...]
//	contextgpt-conformance version
//
// Exit codes: 0 passed, 1 a check or criterion failed, 2 bad input, 3 target unreachable.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/contextgpt/sandbox/conformance"
	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/scenarios"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil && err.Error() != "" {
		fmt.Fprintln(os.Stderr, "contextgpt-conformance:", err)
	}
	os.Exit(exitCode(err))
}

// cli is what every command gets: the environment and the two output streams.
type cli struct {
	getenv         func(string) string
	stdout, stderr io.Writer
}

// command is one subcommand. A new command is one entry of commands.
type command struct {
	name, synopsis, summary string
	run                     func(ctx context.Context, c *cli, args []string) error
}

// commands lists the subcommands in the order usage prints them.
var commands []command

func init() {
	commands = []command{
		{"run", "run [flags] [PATH...]", "run workflows (default: the built-in suite)", runCmd},
		{"probe", "probe [flags] [--with-suite [PATH...]]", "generate requests from the spec for every operation and check the answers", probeCmd},
		{"list", "list [flags] [PATH...]", "print the workflows", listCmd},
		{"validate", "validate [flags] PATH...", "check documents without running them", validateCmd},
		{"diff", "diff [flags] OLD NEW", "breaking and non-breaking changes between two specs", diffCmd},
		{"proxy", "proxy --upstream URL [flags]", "a validating proxy in front of URL", proxyCmd},
		{"parity", "parity --compare-with URL [flags]", "where two targets answer the workflows differently", parityCmd},
		{"version", "version", "print the version", versionCmd},
		{"help", "help [COMMAND]", "print this help, or a command's", helpCmd},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage:")
	for _, c := range commands {
		fmt.Fprintf(w, "  contextgpt-conformance %-28s %s\n", c.synopsis, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'contextgpt-conformance COMMAND --help' for a command's flags.")
	fmt.Fprintln(w, "Exit codes: 0 passed, 1 a check failed, 2 bad input, 3 target unreachable.")
}

// run is the whole program. A nil error is exit 0; otherwise exitCode(err) is the exit
// status and the error's text, when it has any, is for stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c := &cli{getenv: getenv, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		usage(stderr)
		return badInput(nil)
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(stdout)
		return nil
	case "-version", "--version":
		return versionCmd(ctx, c, nil)
	}
	for _, cmd := range commands {
		if cmd.name == args[0] {
			err := cmd.run(ctx, c, args[1:])
			if errors.Is(err, errHelp) {
				return nil
			}
			return err
		}
	}
	usage(stderr)
	return badInput(fmt.Errorf("unknown command %q", args[0]))
}

func versionCmd(_ context.Context, c *cli, args []string) error {
	rest, err := positionals(c, "version", "version", args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return badInput(fmt.Errorf("version takes no arguments"))
	}
	fmt.Fprintf(c.stdout, "contextgpt-conformance %s (spec %s)\n", buildVersion(), conformance.EmbeddedSpecVersion())
	return nil
}

func helpCmd(_ context.Context, c *cli, args []string) error {
	if len(args) == 1 {
		for _, cmd := range commands {
			if cmd.name == args[0] && cmd.name != "help" {
				return cmd.run(context.Background(), c, []string{"--help"})
			}
		}
	}
	usage(c.stdout)
	return nil
}

func listCmd(_ context.Context, c *cli, args []string) error {
	paths, err := positionals(c, "list", "list [PATH...]", args)
	if err != nil {
		return err
	}
	docs, err := load(paths)
	if err != nil {
		return badInput(err)
	}
	for _, d := range docs {
		for _, w := range d.Workflows {
			mark := ""
			if w.RequiresMock() {
				mark = " [x-requires-mock]"
			}
			fmt.Fprintf(c.stdout, "%s\t%s%s\t%s\n", w.WorkflowID, d.Path, mark, w.Summary)
		}
	}
	return nil
}

func validateCmd(_ context.Context, c *cli, args []string) error {
	paths, err := positionals(c, "validate", "validate PATH...", args)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return badInput(fmt.Errorf("validate: name at least one document or folder (see contextgpt-conformance validate --help)"))
	}
	docs, err := load(paths)
	if err != nil {
		return badInput(err)
	}
	// Binding operations to the spec is part of validation.
	r, err := conformance.New(conformance.Config{BaseURL: "http://127.0.0.1/api"}, docs)
	if err != nil {
		return badInput(err)
	}
	for _, w := range r.Warnings() {
		fmt.Fprintln(c.stderr, "warning:", w)
	}
	fmt.Fprintf(c.stdout, "%d documents valid\n", len(docs))
	return nil
}

// positionals parses the arguments of a command without flags of its own (list, validate,
// version) and returns its positionals; -h/--help passes through (exit 0), a bad flag is
// exit 2.
func positionals(c *cli, cmd, synopsis string, args []string) ([]string, error) {
	rest, err := newFlags(cmd, synopsis, c.stdout).parse(args, c.getenv)
	if err != nil && !errors.Is(err, errHelp) {
		return nil, badInput(err)
	}
	return rest, err
}

func load(paths []string) ([]*arazzo.Document, error) {
	if len(paths) == 0 {
		return arazzo.LoadFS(scenarios.FS, ".", "scenarios")
	}
	return arazzo.LoadPaths(paths)
}

// listFlag is a repeatable flag; each value may also list several items separated by commas.
type listFlag []string

func (f *listFlag) String() string { return strings.Join(*f, ",") }
func (f *listFlag) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*f = append(*f, v)
		}
	}
	return nil
}
