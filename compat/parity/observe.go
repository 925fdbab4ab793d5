package parity

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// observation is what one step's last answer looked like.
type observation struct {
	operationID string
	status      int
	contentType string
	errorCode   string
	fields      map[string]map[string]bool // pointer -> JSON types
	formats     map[string]map[string]bool // pointer -> string formats
	headers     map[string]bool            // canonical names
	err         string                     // no answer
}

// observe reduces an answer to its shape.
func observe(ex *exchange) *observation {
	if ex.err != nil {
		return &observation{err: "no answer"}
	}
	o := &observation{status: ex.status, fields: map[string]map[string]bool{}, formats: map[string]map[string]bool{},
		headers: map[string]bool{}}
	for h := range ex.header {
		o.headers[http.CanonicalHeaderKey(h)] = true
	}
	ct := ex.header.Get("Content-Type")
	o.contentType = strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	if len(ex.body) == 0 || !strings.Contains(o.contentType, "json") {
		return o
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(ex.body))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		o.fields[""] = map[string]bool{"invalid-json": true}
		return o
	}
	if m, ok := v.(map[string]any); ok {
		if e, ok := m["error"].(map[string]any); ok {
			if c, ok := e["code"].(string); ok {
				o.errorCode = c
			}
		}
	}
	o.walk("", v, 0)
	return o
}

func (o *observation) walk(p string, v any, depth int) {
	if depth > 64 {
		return
	}
	t := jsonType(v)
	if o.fields[p] == nil {
		o.fields[p] = map[string]bool{}
	}
	o.fields[p][t] = true
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			o.walk(p+"/"+escape(k), c, depth+1)
		}
	case []any:
		for _, c := range x {
			o.walk(p+"/*", c, depth+1)
		}
	case string:
		if f := format(x); f != "" {
			if o.formats[p] == nil {
				o.formats[p] = map[string]bool{}
			}
			o.formats[p][f] = true
		}
	}
}

func escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		if strings.ContainsAny(x.String(), ".eE") {
			return "number"
		}
		return "integer"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

var (
	uuidRE    = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	digitsRE  = regexp.MustCompile(`^[0-9]{6,}$`)
	dateRE    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	colorRE   = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	formatsRE = []struct {
		name string
		ok   func(string) bool
	}{
		{"date-time", func(s string) bool { _, err := time.Parse(time.RFC3339Nano, s); return err == nil }},
		{"date", dateRE.MatchString},
		{"uuid", uuidRE.MatchString},
		{"numeric-id", digitsRE.MatchString},
		{"email", func(s string) bool {
			a, err := mail.ParseAddress(s)
			return err == nil && a.Address == s
		}},
		{"uri", func(s string) bool {
			u, err := url.Parse(s)
			return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
		}},
		{"color", colorRE.MatchString},
	}
)

// format names the shape of a string value that a client may parse: "" for free text.
func format(s string) string {
	for _, f := range formatsRE {
		if f.ok(s) {
			return f.name
		}
	}
	return ""
}
