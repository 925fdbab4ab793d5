package specdiff

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Baseline is the committed list of differences between our spec and the vendor's reference
// that are made on purpose (DESIGN.md's decisions). A reference check reports only changes
// that are not in it.
type Baseline struct {
	Differences []Entry `yaml:"differences" json:"differences"`
}

// Entry is one intended difference, or a rule for a kind of them: the change's rule id, and
// optionally its operation, path and text, where '*' in the path or text stands for any run
// of characters and an empty field matches anything. A rule (an entry that is not exact)
// must say why in Reason.
type Entry struct {
	ID        string `yaml:"id" json:"id"`
	Operation string `yaml:"operation,omitempty" json:"operation,omitempty"`
	Path      string `yaml:"path,omitempty" json:"path,omitempty"`
	Text      string `yaml:"text,omitempty" json:"text,omitempty"`
	Reason    string `yaml:"reason,omitempty" json:"reason,omitempty"`
}

// exact reports whether the entry names one change: a text, no '*', and both an operation
// and a path or neither (a change of components has neither).
func (e Entry) exact() bool {
	return e.Text != "" && !strings.Contains(e.Path+e.Text, "*") && (e.Operation == "") == (e.Path == "")
}

func (e Entry) matches(c Change) bool {
	return e.ID == c.ID && (e.Operation == "" || strings.EqualFold(e.Operation, c.Operation)) &&
		glob(e.Path, c.Path) && glob(e.Text, c.Text)
}

// glob matches s against a pattern where '*' is any run of characters; "" matches anything.
func glob(pattern, s string) bool {
	if pattern == "" || pattern == "*" {
		return true
	}
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// ParseBaseline reads a baseline (YAML). An entry without an id, or a rule without a
// reason, is refused: it would hide differences without saying why.
func ParseBaseline(data []byte) (*Baseline, error) {
	var b Baseline
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&b); err != nil && err.Error() != "EOF" {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	for i, e := range b.Differences {
		if e.ID == "" {
			return nil, fmt.Errorf("baseline: difference %d has no id", i+1)
		}
		if !e.exact() && e.Reason == "" {
			return nil, fmt.Errorf("baseline: difference %d (%s) is a rule without a reason", i+1, e.ID)
		}
	}
	return &b, nil
}

// Encode writes the baseline as YAML with a header comment.
func (b *Baseline) Encode() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("# Intended differences between spec/contextgpt.yaml and the vendor's published reference.\n" +
		"# `contextgpt-conformance diff --reference` reports only differences not listed here.\n" +
		"# Regenerate with --write-baseline after a deliberate spec change; keep each reason.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(b); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}

// BaselineOf records every change of res as intended: prev's rules that still match a change
// are kept as they are, and every change no kept rule covers becomes an exact entry (its
// reason kept from prev where the same difference was there, else DefaultReason).
func BaselineOf(res *Result, prev *Baseline) *Baseline {
	b := &Baseline{Differences: []Entry{}}
	reasons := map[string]string{}
	var rules []Entry
	if prev != nil {
		for _, e := range prev.Differences {
			if e.exact() {
				reasons[e.key()] = e.Reason
				continue
			}
			for _, c := range res.Changes {
				if e.matches(c) {
					rules = append(rules, e)
					break
				}
			}
		}
	}
	b.Differences = append(b.Differences, rules...)
	for _, c := range res.Changes {
		covered := false
		for _, r := range rules {
			if r.matches(c) {
				covered = true
				break
			}
		}
		if covered {
			continue
		}
		reason, ok := reasons[c.Key()]
		if !ok {
			reason = DefaultReason(c)
		}
		b.Differences = append(b.Differences, Entry{ID: c.ID, Operation: c.Operation, Path: c.Path, Text: c.Text, Reason: reason})
	}
	return b
}

func (e Entry) key() string {
	return Change{ID: e.ID, Operation: e.Operation, Path: e.Path, Text: e.Text}.Key()
}

// DefaultReason names the DESIGN.md decision that usually explains a kind of difference
// from the reference; "" when none does (a person must say why).
func DefaultReason(c Change) string {
	switch {
	case c.ID == "endpoint-added":
		return "DESIGN Scope: routes the overview page and the dashboard use (x-contextgpt-source)"
	case strings.HasPrefix(c.ID, "response-non-success-status"):
		return "DESIGN How strict the spec is: 400/404/401/403/429/500 declared on every operation"
	case strings.Contains(c.ID, "property-became-required") || strings.Contains(c.ID, "required-property-added"):
		return "DESIGN How strict the spec is: required lists what the reference documents as returned"
	case strings.Contains(c.ID, "format") && strings.Contains(c.Text, "uuid"):
		return "DESIGN Ids: type string, no format uuid (the reference shows 18-digit numbers)"
	case strings.HasPrefix(c.ID, "response-optional-property-added") || strings.HasPrefix(c.ID, "response-property-added"):
		return "DESIGN Envelopes: superset fields, declared optional"
	}
	return ""
}

// ReferenceResult is a comparison of our spec with the vendor's reference, read against the
// baseline.
type ReferenceResult struct {
	*Result
	// New are the differences the baseline does not list: what our contract (or the
	// baseline) must follow.
	New []Change `json:"new"`
	// Intended counts the differences the baseline lists.
	Intended int `json:"intended"`
	// Stale are baseline entries no longer found: the reference or our spec caught up.
	Stale []Entry `json:"stale,omitempty"`
}

// Against splits res into the differences the baseline covers and the new ones; baseline
// entries that cover nothing are stale.
func (res *Result) Against(b *Baseline) *ReferenceResult {
	out := &ReferenceResult{Result: res, New: []Change{}}
	var entries []Entry
	if b != nil {
		entries = b.Differences
	}
	exact := map[string]int{}
	for i, e := range entries {
		if e.exact() {
			exact[e.key()] = i
		}
	}
	used := make([]bool, len(entries))
	for _, c := range res.Changes {
		i, ok := exact[c.Key()]
		if !ok {
			i = slices.IndexFunc(entries, func(e Entry) bool { return !e.exact() && e.matches(c) })
		}
		if i < 0 {
			out.New = append(out.New, c)
			continue
		}
		used[i] = true
		out.Intended++
	}
	for i, e := range entries {
		if !used[i] {
			out.Stale = append(out.Stale, e)
		}
	}
	return out
}
