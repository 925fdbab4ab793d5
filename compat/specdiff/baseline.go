package specdiff

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Baseline is the committed list of differences between our spec and the vendor's reference
// that are made on purpose (DESIGN.md's decisions). A reference check reports only changes
// that are not in it.
type Baseline struct {
	Differences []Entry `yaml:"differences" json:"differences"`
}

// Entry is one intended difference: the change's identity and why it is intended.
type Entry struct {
	ID        string `yaml:"id" json:"id"`
	Operation string `yaml:"operation,omitempty" json:"operation,omitempty"`
	Path      string `yaml:"path,omitempty" json:"path,omitempty"`
	Text      string `yaml:"text" json:"text"`
	Reason    string `yaml:"reason,omitempty" json:"reason,omitempty"`
}

func (e Entry) key() string {
	return Change{ID: e.ID, Operation: e.Operation, Path: e.Path, Text: e.Text}.Key()
}

// ParseBaseline reads a baseline (YAML). Entries without an id or text are refused: they
// would match nothing and hide that.
func ParseBaseline(data []byte) (*Baseline, error) {
	var b Baseline
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&b); err != nil && err.Error() != "EOF" {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	for i, e := range b.Differences {
		if e.ID == "" || e.Text == "" {
			return nil, fmt.Errorf("baseline: difference %d has no id or text", i+1)
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

// BaselineOf records every change of res as intended. A reason is kept from prev (the
// baseline it replaces) where the same difference was there, else taken from reasons.
func BaselineOf(res *Result, prev *Baseline) *Baseline {
	old := map[string]string{}
	if prev != nil {
		for _, e := range prev.Differences {
			old[e.key()] = e.Reason
		}
	}
	b := &Baseline{Differences: make([]Entry, 0, len(res.Changes))}
	for _, c := range res.Changes {
		reason, ok := old[c.Key()]
		if !ok {
			reason = DefaultReason(c)
		}
		b.Differences = append(b.Differences, Entry{ID: c.ID, Operation: c.Operation, Path: c.Path, Text: c.Text, Reason: reason})
	}
	return b
}

// DefaultReason names the DESIGN.md decision that usually explains a kind of difference
// from the reference; "" when none does (a person must say why).
func DefaultReason(c Change) string {
	switch {
	case c.ID == "endpoint-added":
		return "DESIGN Scope: routes the overview page and the dashboard use (x-contextgpt-source)"
	case strings.HasPrefix(c.ID, "response-success-status") || strings.HasPrefix(c.ID, "response-non-success-status"):
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

// Against splits res into the differences the baseline lists and the new ones.
func (res *Result) Against(b *Baseline) *ReferenceResult {
	out := &ReferenceResult{Result: res, New: []Change{}}
	listed := map[string]bool{}
	if b != nil {
		for _, e := range b.Differences {
			listed[e.key()] = true
		}
	}
	found := map[string]bool{}
	for _, c := range res.Changes {
		found[c.Key()] = true
		if listed[c.Key()] {
			out.Intended++
			continue
		}
		out.New = append(out.New, c)
	}
	if b != nil {
		for _, e := range b.Differences {
			if !found[e.key()] {
				out.Stale = append(out.Stale, e)
			}
		}
	}
	return out
}
