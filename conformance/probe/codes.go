package probe

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

var (
	leadingStatus = regexp.MustCompile(`^\s*([1-5]\d\d)\b`)
	errorCodeRef  = regexp.MustCompile("`([A-Z][A-Z0-9_]+)`")
)

// documentedCodes reads the error codes an operation's description documents per status,
// from its "Errors:" paragraph: `Errors: 400 ` + "`REQUEST_VALIDATION_FAILED`" + ` (...); 401
// ...`. A status listed without a code maps to an empty list (any code goes).
func documentedCodes(description string) map[int][]string {
	i := strings.LastIndex(description, "Errors:")
	if i < 0 {
		return nil
	}
	text := description[i+len("Errors:"):]
	if j := strings.Index(text, "\n\n"); j >= 0 {
		text = text[:j]
	}
	out := map[int][]string{}
	status := 0
	for _, seg := range strings.Split(text, ";") {
		if m := leadingStatus.FindStringSubmatch(seg); m != nil {
			status, _ = strconv.Atoi(m[1])
			if _, ok := out[status]; !ok {
				out[status] = nil
			}
		}
		if status == 0 {
			continue
		}
		for _, c := range errorCodeRef.FindAllStringSubmatch(seg, -1) {
			out[status] = append(out[status], c[1])
		}
	}
	return out
}

// globalCodes are the codes any operation may answer with a status: the reference's
// getting-started page lists API_KEY_NOT_VALID, REQUEST_VALIDATION_FAILED, CHATBOT_NOT_FOUND,
// CHATBOT_FETCH_FORBIDDEN and MESSAGES_LIMIT_REACHED for the whole API, its 403 for a plan
// without API access and its rate limiter's RATE_LIMIT_EXCEEDED apply to every request, the
// reference's 401 descriptions name MISSING_JWT, and the contract adds PAYLOAD_TOO_LARGE and
// RESOURCE_NOT_FOUND to every operation that takes a body or ids. An operation's own
// "Errors:" paragraph adds to these.
var globalCodes = map[int][]string{
	400: {"REQUEST_VALIDATION_FAILED"},
	401: {"API_KEY_NOT_VALID", "MISSING_JWT"},
	403: {"API_ACCESS_NOT_IN_PLAN", "INSUFFICIENT_PERMISSIONS", "CHATBOT_FETCH_FORBIDDEN"},
	404: {"CHATBOT_NOT_FOUND", "RESOURCE_NOT_FOUND"},
	413: {"PAYLOAD_TOO_LARGE"},
	429: {"RATE_LIMIT_EXCEEDED", "MESSAGES_LIMIT_REACHED"},
}

// allowedCodes is what an answer of status may carry as error.code on an operation with
// this description: the operation's codes for the status and the global ones. Nil means any
// (the operation lists the status without a code).
func allowedCodes(description string, status int) []string {
	own, listed := documentedCodes(description)[status]
	if listed && len(own) == 0 {
		return nil
	}
	out := append([]string(nil), globalCodes[status]...)
	for _, c := range own {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}
