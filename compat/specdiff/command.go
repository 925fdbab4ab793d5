package specdiff

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/contextgpt/sandbox/internal/cli"
	"github.com/contextgpt/sandbox/spec"
)

// Exit codes of the diff command.
const (
	ExitSame     = 0 // no breaking change (no new difference from the reference)
	ExitChanged  = 1 // a breaking change (a difference from the reference the baseline lacks)
	ExitBadInput = 2
)

// Usage of the diff command.
const Usage = `usage:
  contextgpt-conformance diff [--format text|json] OLD NEW
      breaking and non-breaking changes from OLD to NEW; exit 1 when one is breaking
  contextgpt-conformance diff --reference FILE [--baseline FILE] [--write-baseline FILE] [--format text|json] [SPEC]
      where SPEC (default: the embedded contextgpt.yaml) differs from the vendor's reference
      FILE, less the intended differences of the baseline; exit 1 on a new difference
`

// Command is the diff subcommand; it returns the exit code.
func Command(args []string, stdout, stderr io.Writer) int {
	fs := cli.FlagSet("diff", Usage, args, stdout, stderr) // usage on stdout when asked for (-h), else stderr
	format := fs.String("format", "text", "output format: text or json")
	reference := fs.String("reference", "", "the vendor's published OpenAPI document")
	baseline := fs.String("baseline", "", "intended differences from the reference (YAML)")
	writeBaseline := fs.String("write-baseline", "", "record every current difference from the reference as intended, in FILE")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return ExitBadInput
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "--format %q: text or json\n", *format)
		return ExitBadInput
	}
	bad := func(err error) int {
		fmt.Fprintln(stderr, "bad input:", err)
		return ExitBadInput
	}
	if *reference == "" && (*baseline != "" || *writeBaseline != "") {
		return bad(fmt.Errorf("--baseline and --write-baseline go with --reference"))
	}
	if *reference == "" && fs.NArg() != 2 || *reference != "" && fs.NArg() > 1 {
		fmt.Fprint(stderr, Usage)
		return ExitBadInput
	}
	var code int
	var err error
	if *reference == "" {
		code, err = diffFiles(fs.Arg(0), fs.Arg(1), *format, stdout)
	} else {
		code, err = diffReference(*reference, fs.Arg(0), *baseline, *writeBaseline, *format, stdout, stderr)
	}
	if err != nil {
		return bad(err)
	}
	return code
}

// diffFiles compares two documents: exit 1 when a change is breaking.
func diffFiles(oldPath, newPath, format string, stdout io.Writer) (int, error) {
	old, err := os.ReadFile(oldPath)
	if err != nil {
		return 0, err
	}
	cur, err := os.ReadFile(newPath)
	if err != nil {
		return 0, err
	}
	res, err := Compare(old, cur, filepath.Base(oldPath), filepath.Base(newPath))
	if err != nil {
		return 0, err
	}
	if err := write(stdout, format, res, func(w io.Writer) { writeText(w, res) }); err != nil {
		return 0, err
	}
	if res.Breaking > 0 {
		return ExitChanged, nil
	}
	return ExitSame, nil
}

// diffReference compares our document (oursPath, or the embedded spec when "") with the
// vendor's reference, less the baseline's intended differences: exit 1 on a new one. With
// writeBaseline it records every current difference as intended instead.
func diffReference(reference, oursPath, baseline, writeBaseline, format string, stdout, stderr io.Writer) (int, error) {
	ref, err := os.ReadFile(reference)
	if err != nil {
		return 0, err
	}
	ours, oursName := spec.ContextGPTDocument(), "contextgpt.yaml"
	if oursPath != "" {
		if ours, err = os.ReadFile(oursPath); err != nil {
			return 0, err
		}
		oursName = filepath.Base(oursPath)
	}
	var base *Baseline
	if baseline != "" {
		data, err := os.ReadFile(baseline)
		if err != nil {
			return 0, err
		}
		if base, err = ParseBaseline(data); err != nil {
			return 0, err
		}
	}
	res, err := Compare(ref, ours, filepath.Base(reference), oursName)
	if err != nil {
		return 0, err
	}
	if writeBaseline != "" {
		data, err := BaselineOf(res, base).Encode()
		if err == nil {
			err = os.WriteFile(writeBaseline, data, 0o644)
		}
		if err != nil {
			return 0, err
		}
		fmt.Fprintf(stderr, "%d differences recorded in %s\n", len(res.Changes), writeBaseline)
		return ExitSame, nil
	}
	rr := res.Against(base)
	if err := write(stdout, format, rr, func(w io.Writer) { writeReferenceText(w, rr) }); err != nil {
		return 0, err
	}
	if len(rr.New) > 0 {
		return ExitChanged, nil
	}
	return ExitSame, nil
}

func write(w io.Writer, format string, v any, text func(io.Writer)) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	text(w)
	return nil
}

func writeText(w io.Writer, res *Result) {
	fmt.Fprintf(w, "%s -> %s: %d changes, %d breaking, %d non-breaking\n", res.Base, res.Revision,
		len(res.Changes), res.Breaking, res.NonBreaking)
	if res.Breaking > 0 {
		fmt.Fprintln(w, "breaking:")
		for _, c := range res.Changes {
			if c.Breaking {
				fmt.Fprintln(w, "  "+c.String())
			}
		}
	}
	if res.NonBreaking > 0 {
		fmt.Fprintln(w, "non-breaking:")
		for _, c := range res.Changes {
			if !c.Breaking {
				fmt.Fprintln(w, "  "+c.String())
			}
		}
	}
}

func writeReferenceText(w io.Writer, rr *ReferenceResult) {
	fmt.Fprintf(w, "%s differs from the reference %s in %d places: %d intended (baseline), %d new\n",
		rr.Revision, rr.Base, len(rr.Changes), rr.Intended, len(rr.New))
	for _, c := range rr.New {
		fmt.Fprintln(w, "  new "+c.String())
	}
	if len(rr.Stale) > 0 {
		fmt.Fprintf(w, "%d baseline entries no longer differ (drop them with --write-baseline):\n", len(rr.Stale))
		for _, e := range rr.Stale {
			fmt.Fprintf(w, "  %s %s: %s [%s]\n", e.Operation, e.Path, e.Text, e.ID)
		}
	}
}
