// Package specdiff compares two OpenAPI documents with oasdiff (as a library): the breaking and
// non-breaking changes from a base document to a revision. Against the vendor's published
// reference it lists where our contract differs, less a committed baseline of differences
// made on purpose, so CI reports only new ones.
package specdiff

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"
)

// Change is one difference between two documents, as oasdiff's checker names it.
type Change struct {
	// ID is oasdiff's stable rule id, e.g. "response-property-removed".
	ID string `json:"id"`
	// Level is "error" or "warning" (both breaking) or "info".
	Level    string `json:"level"`
	Breaking bool   `json:"breaking"`
	// Operation and Path locate a change of an operation ("GET", "/v1/chatbots"); both are
	// empty for a change of components or security schemes.
	Operation   string `json:"operation,omitempty"`
	Path        string `json:"path,omitempty"`
	OperationID string `json:"operationId,omitempty"`
	Section     string `json:"section"`
	// Text is oasdiff's one-line explanation, names quoted.
	Text string `json:"text"`
}

// Key identifies a change across runs: its rule, operation, path and text.
func (c Change) Key() string {
	return c.ID + "\x00" + c.Operation + "\x00" + c.Path + "\x00" + c.Text
}

// String renders the change on one line.
func (c Change) String() string {
	where := c.Section
	if c.Path != "" {
		where = c.Operation + " " + c.Path
	}
	return fmt.Sprintf("%-7s %s: %s [%s]", c.Level, where, c.Text, c.ID)
}

// Result is every change from a base to a revision.
type Result struct {
	Base        string   `json:"base"`
	Revision    string   `json:"revision"`
	Changes     []Change `json:"changes"`
	Breaking    int      `json:"breaking"`
	NonBreaking int      `json:"nonBreaking"`
}

// Load parses an OpenAPI document (YAML or JSON, 3.0 or 3.1) the way oasdiff expects it:
// references resolved, no external references followed. name labels it in messages.
func Load(data []byte, name string) (*load.SpecInfo, error) {
	loader := openapi3.NewLoader() // a fresh loader per document: its cache is keyed by name
	loader.IsExternalRefsAllowed = false
	info, err := load.NewSpecInfoFromData(loader, data, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if info.Spec.OpenAPI == "" || info.Spec.Paths == nil {
		return nil, fmt.Errorf("%s: not an OpenAPI document (no openapi version or no paths)", name)
	}
	return info, nil
}

// Compare lists the changes from base to revision, breaking first, each group in a stable
// order.
func Compare(base, revision []byte, baseName, revisionName string) (*Result, error) {
	s1, err := Load(base, baseName)
	if err != nil {
		return nil, err
	}
	s2, err := Load(revision, revisionName)
	if err != nil {
		return nil, err
	}
	d, sources, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), s1, s2)
	if err != nil {
		return nil, fmt.Errorf("diff %s %s: %w", baseName, revisionName, err)
	}
	changes := checker.CheckBackwardCompatibilityUntilLevel(checker.NewConfig(checker.GetAllChecks()), d, sources, checker.INFO)
	loc := checker.NewDefaultLocalizer()
	res := &Result{Base: baseName, Revision: revisionName, Changes: make([]Change, 0, len(changes))}
	seen := map[string]bool{}
	for _, c := range changes {
		ch := Change{ID: c.GetId(), Level: c.GetLevel().String(), Breaking: c.IsBreaking(),
			Operation: c.GetOperation(), Path: c.GetPath(), OperationID: c.GetOperationId(),
			Section: c.GetSection(), Text: c.GetUncolorizedText(loc)}
		if seen[ch.Key()] {
			continue // a shared schema is reported once per place it is reached from
		}
		seen[ch.Key()] = true
		res.Changes = append(res.Changes, ch)
		if ch.Breaking {
			res.Breaking++
		} else {
			res.NonBreaking++
		}
	}
	slices.SortStableFunc(res.Changes, compareChanges)
	return res, nil
}

func compareChanges(a, b Change) int {
	if a.Breaking != b.Breaking {
		if a.Breaking {
			return -1
		}
		return 1
	}
	return cmp.Or(strings.Compare(a.Path, b.Path), strings.Compare(a.Operation, b.Operation),
		strings.Compare(a.ID, b.ID), strings.Compare(a.Text, b.Text))
}
