package mock

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/contextgpt/sandbox/mock/journal"
	"github.com/contextgpt/sandbox/spec"
)

// reqInfo is what the chain learns about one API request, for the journal and the
// X-RateLimit headers.
type reqInfo struct {
	r           *http.Request
	raw         http.ResponseWriter // the server's writer (write deadline of held requests)
	api         bool                // under the API's base path: limited and journaled
	start       time.Time           // wall clock, for latencyMs
	arrived     time.Time           // mock clock, for the entry's time
	requestID   string
	operationID string
	accountID   string
	faultID     string
	dropped     bool
	rate        rateHeaders
}

// isAPIPath tells whether a path belongs to the API (journaled, limited), not the control plane.
func (m *Mock) isAPIPath(path string) bool {
	base := m.spec.BasePath()
	return base == "" || path == base || strings.HasPrefix(path, base+"/")
}

// beginAPI starts the journal entry of an API request in info and answers its X-Request-Id.
func (m *Mock) beginAPI(info *reqInfo, w http.ResponseWriter, r *http.Request) {
	*info = reqInfo{r: r, start: time.Now(), arrived: m.clock.Now(), api: m.isAPIPath(r.URL.Path)}
	info.rate.now = info.arrived
	if !info.api {
		return
	}
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 128 && printable(id) {
		info.requestID = strings.Clone(id) // the journal keeps it: no pointer into the request
	} else {
		info.requestID = generatedRequestID(m.instance, m.seq.Add(1))
	}
	w.Header()["X-Request-Id"] = []string{info.requestID}
}

// generatedRequestID is fmt.Sprintf("%08x-0000-4000-8000-%012x", instance, n), written
// without fmt (one allocation: the string).
func generatedRequestID(instance uint32, n uint64) string {
	var b [64]byte
	out := appendHexPadded(b[:0], uint64(instance), 8)
	out = append(out, "-0000-4000-8000-"...)
	out = appendHexPadded(out, n, 12)
	return string(out)
}

// appendHexPadded appends v in lower-case hex, zero-padded to at least width digits.
func appendHexPadded(dst []byte, v uint64, width int) []byte {
	var digits [16]byte
	d := strconv.AppendUint(digits[:0], v, 16)
	for i := len(d); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, d...)
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// endAPI records the request in the journal (after the response, or the dropped connection).
func (m *Mock) endAPI(info *reqInfo, rec *recorder) {
	status := rec.status
	if info.dropped {
		status = 0
	}
	// Every string is copied: a substring of the request line (method, path) or a pointer
	// into info would keep the whole request alive, its body included, for as long as the
	// entry stays (10,000 entries × a 1 MiB body: found by tools/memattack). The exceptions
	// share no memory with the request: a method of the API (a constant), the request id
	// (generated, or copied by beginAPI) and the operation id (the spec's own string).
	e := journal.Entry{
		Time:      info.arrived,
		Method:    journalMethod(info.r.Method),
		Path:      strings.Clone(clip(info.r.URL.Path, maxJournalPath)),
		Status:    status,
		LatencyMs: float64(time.Since(info.start).Microseconds()) / 1000,
		RequestID: info.requestID,
	}
	if info.operationID != "" {
		e.OperationID = m.operationIDPtr(info.operationID)
	}
	if info.accountID != "" {
		e.AccountID = ptrClone(info.accountID)
	}
	if info.faultID != "" {
		e.FaultID = ptrClone(info.faultID)
	}
	if key, ok := strings.CutPrefix(info.r.Header.Get("Authorization"), "Bearer "); ok {
		e.APIKey = strings.Clone(journal.RedactKey(strings.TrimSpace(key)))
	}
	if status >= 400 {
		e.Error = journalError(rec.errBody)
	}
	m.journal.Add(e)
}

// journalError reads the API's error envelope from the start of an error body; nil when the
// body is not one (a fault's malformed body, a dropped connection).
func journalError(body []byte) *journal.EntryError {
	var env struct {
		Message string `json:"message"`
		Error   struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
		Errors []spec.FieldError `json:"errors"`
	}
	if len(body) == 0 || json.Unmarshal(body, &env) != nil || env.Error.Code == "" {
		return nil
	}
	// The message may echo the request (a 404 names the whole path): clipped like the path,
	// so an entry stays near 2 KiB whatever the client sent.
	out := &journal.EntryError{Code: env.Error.Code, Message: clip(env.Error.Message, maxJournalPath)}
	for i, f := range env.Errors {
		if i == maxJournalFields {
			out.Fields = append(out.Fields, fmt.Sprintf("… and %d more", len(env.Errors)-i))
			break
		}
		path := make([]string, len(f.Path))
		for i, p := range f.Path {
			path[i] = fmt.Sprint(p)
		}
		out.Fields = append(out.Fields, clip(strings.Join(path, ".")+": "+f.Message, maxJournalField))
	}
	return out
}

// journalMethod is the method as the journal keeps it: the constant for a method of HTTP,
// else a copy (clipped).
func journalMethod(method string) string {
	switch method {
	case http.MethodGet:
		return http.MethodGet
	case http.MethodPost:
		return http.MethodPost
	case http.MethodPut:
		return http.MethodPut
	case http.MethodPatch:
		return http.MethodPatch
	case http.MethodDelete:
		return http.MethodDelete
	case http.MethodHead:
		return http.MethodHead
	case http.MethodOptions:
		return http.MethodOptions
	}
	return strings.Clone(clip(method, 32))
}

// operationIDPtr is the journal's *string for an operation id: one per operation of the
// spec, made at New and shared by every entry (entries are never changed through it); a
// copy for an id the spec does not have.
func (m *Mock) operationIDPtr(id string) *string {
	if p, ok := m.opIDs[id]; ok {
		return p
	}
	return ptrClone(id)
}

// ptrClone is a pointer to a copy of s that shares no memory with anything else.
func ptrClone(s string) *string {
	c := strings.Clone(s)
	return &c
}
