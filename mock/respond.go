package mock

import (
	"net/http"
	"strconv"

	"github.com/contextgpt/sandbox/mock/apierr"
)

// result is what a domain handler answers: the envelope's status, message and data.
// NoData leaves `data` out (the reorder operations document none).
type result struct {
	Status  int
	Message string
	Data    any
	NoData  bool
}

type successEnvelope struct {
	StatusCode int    `json:"statusCode"`
	Success    bool   `json:"success"`
	Message    string `json:"message"`
	Data       any    `json:"data"`
}

type successNoData struct {
	StatusCode int    `json:"statusCode"`
	Success    bool   `json:"success"`
	Message    string `json:"message"`
}

type errorBody struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details"`
}

type errorEnvelope struct {
	StatusCode    int                 `json:"statusCode"`
	Success       bool                `json:"success"`
	Message       string              `json:"message"`
	Data          any                 `json:"data"`
	Error         errorBody           `json:"error"`
	Errors        []apierr.FieldError `json:"errors,omitempty"`
	RetryAfter    *int                `json:"retryAfter,omitempty"`
	Limit         *int                `json:"limit,omitempty"`
	Remaining     *int                `json:"remaining,omitempty"`
	WindowSeconds *int                `json:"windowSeconds,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	buf := getBuf()
	defer putBuf(buf)
	var b []byte
	if err := encodeJSON(buf, v); err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"statusCode":500,"success":false,"message":"Something went wrong","data":null,"error":{"code":"INTERNAL_SERVER_ERROR","message":"response encoding failed","details":null}}`)
	} else {
		b = buf.Bytes()
	}
	writeBody(w, status, b)
}

// jsonContentType is the Content-Type of every JSON answer, one slice shared by all
// (Header.Set made one a response). Nothing changes a header's values in place: Set and
// Del replace the slice, Add appends past its length (capacity 1: a new array).
var jsonContentType = []string{"application/json; charset=utf-8"}

func writeBody(w http.ResponseWriter, status int, b []byte) {
	w.Header()["Content-Type"] = jsonContentType[:1:1]
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeResult(w http.ResponseWriter, res result) {
	if res.Status == 0 {
		res.Status = http.StatusOK
	}
	if res.Message == "" {
		res.Message = "Success"
	}
	if a, ok := res.Data.(jsonAppender); ok && !res.NoData {
		bp := getBytes()
		*bp = appendSuccess(*bp, res.Status, res.Message, a)
		writeBody(w, res.Status, *bp)
		putBytes(bp)
		if r, ok := a.(releaser); ok {
			r.release()
		}
		return
	}
	if res.NoData {
		writeJSON(w, res.Status, successNoData{StatusCode: res.Status, Success: true, Message: res.Message})
		return
	}
	writeJSON(w, res.Status, successEnvelope{StatusCode: res.Status, Success: true, Message: res.Message, Data: res.Data})
}

// writeError answers an error outside any operation (no route matched, the size guards)
// in the one documented envelope.
func writeError(w http.ResponseWriter, e *apierr.Error) { writeOpError(w, "", e) }

// writeOpError answers an error of operation opID in the one documented envelope: the
// top-level message as the operation's table row says (topMessage), error.message
// explaining; a 429 carries its limit.
func writeOpError(w http.ResponseWriter, opID string, e *apierr.Error) {
	rl := e.RateLimit
	status := e.Status()
	env := errorEnvelope{
		StatusCode: status,
		Success:    false,
		Message:    topMessage(opID, status, e),
		Error:      errorBody{Code: e.Code, Message: e.Message, Details: e.Details},
		Errors:     e.Fields,
	}
	if rl != nil {
		ra, lim, rem, win := rl.RetryAfter, rl.Limit, rl.Remaining, rl.WindowSeconds
		env.RetryAfter, env.Limit, env.Remaining, env.WindowSeconds = &ra, &lim, &rem, &win
		if env.Error.Details == nil {
			env.Error.Details = map[string]any{}
		}
		env.Error.Details["retryAfter"] = ra
		w.Header().Set("Retry-After", strconv.Itoa(ra))
	}
	writeJSON(w, status, env)
}
