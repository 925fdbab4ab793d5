package mock

import (
	"errors"
	"net/http"
	"net/url"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/spec"
)

var errNoRoute = errors.New("no route")

// customQueryLimit: GODEBUG names urlmaxqueryparams (parseQueryInto leaves every query to
// url.ParseQuery then).
var customQueryLimit = strings.Contains(os.Getenv("GODEBUG"), "urlmaxqueryparams")

// checkQuery refuses a query string Go would read leniently: a bad percent-escape
// (page=%zz was dropped) and a parameter given twice that is not an array (limit=10&
// limit=abc answered with the first value). It returns the query parsed, read from then on
// by validation and the handler (one parse a request): into dst (empty) when parseQueryInto
// can, else a map of url.ParseQuery's.
func checkQuery(r *http.Request, route *spec.Route, dst url.Values) (url.Values, *apierr.Error) {
	q := dst
	var err error
	if !parseQueryInto(dst, r.URL.RawQuery) {
		q, err = url.ParseQuery(r.URL.RawQuery)
	}
	if err != nil {
		return nil, &apierr.Error{Code: apierr.RequestValidationFailed, Message: "The query string is not valid",
			Fields: []apierr.FieldError{{Path: []any{}, Message: err.Error()}}}
	}
	for name, vs := range q {
		if len(vs) > 1 && !route.RepeatableQuery(name) {
			return nil, &apierr.Error{Code: apierr.RequestValidationFailed, Message: "query parameter " + name + " is given more than once",
				Fields: []apierr.FieldError{{Path: []any{name}, Message: "is given more than once"}}}
		}
	}
	return q, nil
}

// parseQueryInto is url.ParseQuery into dst (empty) for a query it cannot fail on and
// whose keys and values need no unescaping (no '%', '+' or ';'; a bounded length): the
// same keys and values, in the same order. It reports false, leaving dst empty, for any
// other query, and always when GODEBUG sets urlmaxqueryparams (url.ParseQuery's limit on
// the number of parameters; the default, 10,000, is far above the 513 that fit here).
func parseQueryInto(dst url.Values, query string) bool {
	if len(query) > 1024 || customQueryLimit || strings.ContainsAny(query, "%+;") {
		return false
	}
	for query != "" {
		var kv string
		kv, query, _ = strings.Cut(query, "&")
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		dst[k] = append(dst[k], v)
	}
	return true
}

// Request-size caps (README "Limits and safety"), answered in the envelope before routing.
// net/http's own MaxHeaderBytes (set by the command, 256 KiB) sits above them.
const (
	maxURIBytes         = 8 << 10  // the request target: path and query
	maxHeaderBytes      = 32 << 10 // every header line together
	maxHeaderFieldBytes = 8 << 10  // one header line
	// maxJournalPath is how much of a request's path the journal keeps (10,000 entries).
	maxJournalPath = 1 << 10
	// maxJournalFields and maxJournalField bound the field errors an entry keeps.
	maxJournalFields = 20
	maxJournalField  = 256
)

// requestTooLarge answers 414 URI_TOO_LONG or 431 HEADER_FIELDS_TOO_LARGE past the caps.
func requestTooLarge(r *http.Request) *apierr.Error {
	if n := len(r.RequestURI); n > maxURIBytes {
		return apierr.New(apierr.URITooLong, "The request target is %d bytes, longer than %d", n, maxURIBytes).
			WithDetails(map[string]any{"limitBytes": maxURIBytes})
	}
	total := 0
	for k, vs := range r.Header {
		for _, v := range vs {
			line := len(k) + len(v) + 4
			if line > maxHeaderFieldBytes {
				return apierr.New(apierr.HeaderFieldsTooLarge, "The %s header is %d bytes, larger than %d", k, line, maxHeaderFieldBytes).
					WithDetails(map[string]any{"limitBytes": maxHeaderFieldBytes, "header": k})
			}
			total += line
		}
	}
	if total > maxHeaderBytes {
		return apierr.New(apierr.HeaderFieldsTooLarge, "The request headers are %d bytes, larger than %d", total, maxHeaderBytes).
			WithDetails(map[string]any{"limitBytes": maxHeaderBytes})
	}
	return nil
}

// clip shortens s to at most n bytes at a character boundary, marking the cut with "…".
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// maxJSONDepth is how deeply a request body's JSON may nest (objects and arrays). Anything
// the API accepts is then stored, exported and imported again (Go's decoder stops at
// 10,000 levels; the state document adds a few of its own).
const maxJSONDepth = 64

// jsonDepth is the deepest nesting of objects and arrays in b (JSON or not: it only
// counts brackets outside strings).
func jsonDepth(b []byte) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range b {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > deepest {
				deepest = depth
			}
		case '}', ']':
			depth--
		}
	}
	return deepest
}

// badJSONText finds what a JSON body may spell but no text field should hold: a NUL
// character (\u0000) or a lone UTF-16 surrogate (\ud800 without its pair), which Go's
// decoder would store as U+FFFD. It returns a description, or "".
func badJSONText(b []byte) string {
	inString := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !inString {
			if c == '"' {
				inString = true
			}
			continue
		}
		switch c {
		case '"':
			inString = false
		case '\\':
			if i+1 < len(b) && b[i+1] == 'u' {
				r, ok := hex4(b, i+2)
				switch {
				case !ok:
				case r == 0:
					return `a NUL character (\u0000)`
				case r >= 0xD800 && r <= 0xDBFF:
					if i+7 < len(b) && b[i+6] == '\\' && b[i+7] == 'u' {
						if lo, ok := hex4(b, i+8); ok && lo >= 0xDC00 && lo <= 0xDFFF {
							i += 11
							continue
						}
					}
					return "a lone UTF-16 surrogate"
				case r >= 0xDC00 && r <= 0xDFFF:
					return "a lone UTF-16 surrogate"
				}
				i += 5
				continue
			}
			i++ // the escaped character
		}
	}
	return ""
}

func hex4(b []byte, at int) (rune, bool) {
	if at+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[at : at+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
