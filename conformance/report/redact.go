package report

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Redactor replaces secrets (API keys, admin tokens) in text. Secrets are added as the run
// learns them (a sandbox's key); anything shaped like a ContextGPT key (sk_...) is redacted
// too. It is safe for concurrent use.
type Redactor struct {
	mu      sync.RWMutex
	secrets []string
}

// Redacted stands in for a secret.
const Redacted = "[REDACTED]"

var keyShape = regexp.MustCompile(`sk_[A-Za-z0-9_\-]{8,}`)

// Add registers secrets; empty strings are ignored.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		if s == "" {
			continue
		}
		// Also as it appears in a URL's path or query.
		for _, v := range []string{s, url.PathEscape(s), url.QueryEscape(s)} {
			if !slices.Contains(r.secrets, v) {
				r.secrets = append(r.secrets, v)
			}
		}
	}
}

// String redacts s. A secret is replaced where it stands as a whole token, never inside a
// longer word: a key "flow" leaves "workflows" alone (the CLI refuses keys under 8
// characters, so this matters for secrets a run learns).
func (r *Redactor) String(s string) string {
	if r != nil {
		r.mu.RLock()
		for _, secret := range r.secrets {
			s = replaceToken(s, secret)
		}
		r.mu.RUnlock()
	}
	return keyShape.ReplaceAllString(s, Redacted)
}

// replaceToken replaces each occurrence of secret in s whose neighbours are not word
// characters (letters, digits, _ and -).
func replaceToken(s, secret string) string {
	if !strings.Contains(s, secret) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, secret)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(secret)
		if (i > 0 && isWordByte(s[i-1]) && !afterEscape(s, i)) || (end < len(s) && isWordByte(s[end])) {
			b.WriteString(s[:i+1])
			s = s[i+1:]
			continue
		}
		b.WriteString(s[:i])
		b.WriteString(Redacted)
		s = s[end:]
	}
}

// afterEscape reports whether s[:i] ends with a percent escape (%20): a boundary in a URL.
func afterEscape(s string, i int) bool {
	return i >= 3 && s[i-3] == '%' && isHex(s[i-2]) && isHex(s[i-1])
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isWordByte(c byte) bool {
	return c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// redacted returns a copy of r with every text field redacted. The writers redact before
// encoding: after it, a secret is escaped (& as &amp; in XML, " as \" in JSON) and slips
// through, and a secret that matches markup ("testsuite", "true") breaks the document.
func redacted(r *Report, red *Redactor) *Report {
	out := *r
	out.Target, out.RunID, out.Error, out.Hint = red.String(r.Target), red.String(r.RunID), red.String(r.Error), red.String(r.Hint)
	out.RunFailures = nil
	for _, f := range r.RunFailures {
		out.RunFailures = append(out.RunFailures, RunFailure{Check: f.Check, Message: red.String(f.Message)})
	}
	out.Workflows = make([]WorkflowResult, len(r.Workflows))
	for i, w := range r.Workflows {
		w.WorkflowID, w.Document, w.Summary, w.Reason = red.String(w.WorkflowID), red.String(w.Document), red.String(w.Summary), red.String(w.Reason)
		steps := make([]StepResult, len(w.Steps))
		for j, st := range w.Steps {
			st.StepID, st.OperationID, st.Source, st.Path = red.String(st.StepID), red.String(st.OperationID), red.String(st.Source), red.String(st.Path)
			st.Reason = red.String(st.Reason)
			if st.Exchange != nil {
				x := *st.Exchange
				x.Curl = red.String(x.Curl)
				x.Request = redactMessage(x.Request, red)
				if x.Response != nil {
					resp := redactMessage(*x.Response, red)
					x.Response = &resp
				}
				st.Exchange = &x
			}
			fs := make([]Finding, len(st.Findings))
			for k, f := range st.Findings {
				for _, s := range []*string{&f.Workflow, &f.Step, &f.OperationID, &f.Check, &f.Pointer, &f.SpecLocation, &f.Expected, &f.Actual, &f.Message} {
					*s = red.String(*s)
				}
				fs[k] = f
			}
			if st.Findings == nil {
				fs = nil
			}
			st.Findings = fs
			steps[j] = st
		}
		if w.Steps == nil {
			steps = nil
		}
		w.Steps = steps
		out.Workflows[i] = w
	}
	if r.Workflows == nil {
		out.Workflows = nil
	}
	return &out
}

func redactMessage(m Message, red *Redactor) Message {
	m.URL, m.Body = red.String(m.URL), red.String(m.Body)
	if m.Header != nil {
		h := make(map[string]string, len(m.Header))
		for k, v := range m.Header {
			h[k] = red.String(v)
		}
		m.Header = h
	}
	return m
}
