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
		info.requestID = id
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
	// The journal copies every string into its own buffer (journal.Put), so e may point
	// into the request and into info: nothing of them is kept.
	e := journal.Entry{
		Time:      info.arrived,
		Method:    clip(info.r.Method, 32),
		Path:      clip(info.r.URL.Path, maxJournalPath),
		Status:    status,
		LatencyMs: float64(time.Since(info.start).Microseconds()) / 1000,
		RequestID: info.requestID,
	}
	if info.operationID != "" {
		e.OperationID = &info.operationID
	}
	if info.accountID != "" {
		e.AccountID = &info.accountID
	}
	if info.faultID != "" {
		e.FaultID = &info.faultID
	}
	if key, ok := strings.CutPrefix(info.r.Header.Get("Authorization"), "Bearer "); ok {
		e.APIKey = journal.RedactKey(strings.TrimSpace(key))
	}
	if status >= 400 {
		e.Error = journalError(rec.errBody)
	}
	m.journal.Put(&e)
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
