package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/contextgpt/sandbox/conformance/report"
)

// secretName matches the names of fields and headers whose values are secrets.
var secretName = regexp.MustCompile(`(?i)(api[-_]?key|secret|token|password|passwd|authorization|credential|signature)`)

// exchange records a request and its response (nil after a transport failure) for a report:
// Authorization and secret-named headers and JSON fields redacted, bodies cut at
// report.MaxBodyBytes, and a curl line that sends the request again with the key from
// $CONTEXTGPT_API_KEY.
func (r *Runner) exchange(req *request, resp *response) *report.Exchange {
	x := &report.Exchange{Request: report.Message{Method: req.method, URL: req.url, Header: headerMap(req.header)}}
	x.Request.Body, x.Request.BodyTruncated = bodyText(req.body)
	if resp != nil {
		m := report.Message{Status: resp.status, Header: headerMap(resp.header)}
		m.Body, m.BodyTruncated = bodyText(resp.body)
		x.Response = &m
	}
	x.Curl = curlLine(req)
	return x
}

func headerMap(h http.Header) map[string]string {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string]string, len(h))
	for k, vs := range h {
		v := strings.Join(vs, ", ")
		if secretName.MatchString(k) {
			v = redactHeader(v)
		}
		out[k] = v
	}
	return out
}

// redactHeader keeps an Authorization header's scheme: "Bearer [REDACTED]".
func redactHeader(v string) string {
	if scheme, _, ok := strings.Cut(v, " "); ok && !strings.ContainsAny(scheme, "=:") {
		return scheme + " " + report.Redacted
	}
	return report.Redacted
}

// bodyText renders a body: JSON with secret-named fields redacted, cut at MaxBodyBytes.
func bodyText(body []byte) (string, bool) {
	if len(body) == 0 {
		return "", false
	}
	text := string(body)
	var v any
	if json.Unmarshal(body, &v) == nil {
		if redactFields(v) {
			if b, err := json.Marshal(v); err == nil {
				text = string(b)
			}
		}
	}
	if len(text) <= report.MaxBodyBytes {
		return text, false
	}
	cut := report.MaxBodyBytes
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut], true
}

// redactFields replaces, in place, the values of fields named like secrets; it reports
// whether it replaced any.
func redactFields(v any) bool {
	changed := false
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if _, isString := x.(string); isString && secretName.MatchString(k) && !strings.HasSuffix(strings.ToLower(k), "hint") {
				t[k] = report.Redacted
				changed = true
				continue
			}
			changed = redactFields(x) || changed
		}
	case []any:
		for _, x := range t {
			changed = redactFields(x) || changed
		}
	}
	return changed
}

// learnSecrets adds the values of secret-named string fields of a response (a sandbox's new
// key, a webhook secret) to the redactor, so they stay out of every report.
func (r *Runner) learnSecrets(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if s, ok := x.(string); ok && secretName.MatchString(k) && len(s) >= 8 && !strings.HasSuffix(strings.ToLower(k), "hint") {
				r.red.Add(s)
				continue
			}
			r.learnSecrets(x)
		}
	case []any:
		for _, x := range t {
			r.learnSecrets(x)
		}
	}
}

// curlLine is a shell command that sends the request again. The key is not written out: the
// Authorization header reads $CONTEXTGPT_API_KEY.
func curlLine(req *request) string {
	var b strings.Builder
	b.WriteString("curl -sS -i")
	if req.method != http.MethodGet {
		b.WriteString(" -X " + req.method)
	}
	b.WriteString(" " + shellQuote(req.url))
	keys := make([]string, 0, len(req.header))
	for k := range req.header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "User-Agent" {
			continue
		}
		for _, v := range req.header[k] {
			if strings.EqualFold(k, "Authorization") {
				scheme, _, _ := strings.Cut(v, " ")
				fmt.Fprintf(&b, ` -H "Authorization: %s $CONTEXTGPT_API_KEY"`, scheme)
				continue
			}
			if secretName.MatchString(k) {
				v = report.Redacted
			}
			b.WriteString(" -H " + shellQuote(k+": "+v))
		}
	}
	if len(req.body) > 0 {
		body, _ := bodyText(req.body)
		b.WriteString(" --data-raw " + shellQuote(body))
	}
	return b.String()
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
