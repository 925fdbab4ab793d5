package mock

import (
	"bytes"
	"encoding/json"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/contextgpt/sandbox/mock/store"
)

// The two busiest answers, a page of threads and a created thread, are written by hand into
// pooled buffers: a profile of the chain showed encoding/json's reflection, the timestamp
// strings each view made and the copy json.Marshal returns as a third of the allocations
// of a list (see the commit that added this file for the figures). The bytes are exactly
// what encoding/json writes for the same views (TestAppendJSONMatchesEncodingJSON).
// Every other answer goes through encoding/json, also into a pooled buffer.

// jsonAppender is a response body that writes its own JSON.
type jsonAppender interface {
	appendJSON(dst []byte) []byte
}

var (
	bufPool   = sync.Pool{New: func() any { return new(bytes.Buffer) }}
	bytesPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}
)

// maxPooled keeps one huge answer from pinning its buffer in the pool.
const maxPooled = 256 << 10

func getBuf() *bytes.Buffer {
	b := bufPool.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func putBuf(b *bytes.Buffer) {
	if b.Cap() <= maxPooled {
		bufPool.Put(b)
	}
}

// appendJSONString writes s as encoding/json does (HTML-escaped, invalid UTF-8 as U+FFFD,
// U+2028 and U+2029 escaped).
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

func appendJSONStringPtr(dst []byte, p *string) []byte {
	if p == nil {
		return append(dst, "null"...)
	}
	return appendJSONString(dst, *p)
}

// appendTimestamp writes t as timestamp does, quoted.
func appendTimestamp(dst []byte, t time.Time) []byte {
	dst = append(dst, '"')
	dst = appendTimestampRaw(dst, t)
	return append(dst, '"')
}

func appendTimestampPtr(dst []byte, t *time.Time) []byte {
	if t == nil {
		return append(dst, "null"...)
	}
	return appendTimestamp(dst, *t)
}

// appendThreadJSON writes viewThread(t) as encoding/json would.
func appendThreadJSON(dst []byte, t *store.Thread) []byte {
	dst = append(dst, `{"id":`...)
	dst = appendJSONString(dst, t.ID)
	dst = append(dst, `,"chatbotId":`...)
	dst = appendJSONString(dst, t.ChatbotID)
	dst = append(dst, `,"visitorId":`...)
	dst = appendJSONStringPtr(dst, t.VisitorID)
	dst = append(dst, `,"title":`...)
	dst = appendJSONStringPtr(dst, t.Title)
	dst = append(dst, `,"mode":`...)
	dst = appendJSONString(dst, t.Mode)
	dst = append(dst, `,"anonymous":`...)
	dst = strconv.AppendBool(dst, t.Anonymous)
	dst = append(dst, `,"unreadMessagesCount":`...)
	dst = strconv.AppendInt(dst, int64(t.UnreadMessagesCount), 10)
	dst = append(dst, `,"escalated":`...)
	dst = strconv.AppendBool(dst, t.Escalated)
	dst = append(dst, `,"important":`...)
	dst = strconv.AppendBool(dst, t.Important)
	dst = append(dst, `,"resolved":`...)
	dst = strconv.AppendBool(dst, t.Resolved)
	dst = append(dst, `,"archived":`...)
	dst = strconv.AppendBool(dst, t.Archived)
	dst = append(dst, `,"tags":`...)
	if t.Tags == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i, tag := range t.Tags {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, tag)
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `,"positiveCount":`...)
	dst = strconv.AppendInt(dst, int64(t.PositiveCount), 10)
	dst = append(dst, `,"negativeCount":`...)
	dst = strconv.AppendInt(dst, int64(t.NegativeCount), 10)
	dst = append(dst, `,"platformSource":`...)
	dst = appendJSONStringPtr(dst, t.PlatformSource)
	dst = append(dst, `,"startedAt":`...)
	dst = appendTimestampPtr(dst, t.StartedAt)
	dst = append(dst, `,"updatedAt":`...)
	dst = appendTimestamp(dst, t.UpdatedAt)
	dst = append(dst, `,"endedAt":`...)
	dst = appendTimestampPtr(dst, t.EndedAt)
	dst = append(dst, `,"visitorName":`...)
	dst = appendJSONStringPtr(dst, t.VisitorName)
	dst = append(dst, `,"visitorEmail":`...)
	dst = appendJSONStringPtr(dst, t.VisitorEmail)
	dst = append(dst, `,"visitorPhone":`...)
	dst = appendJSONStringPtr(dst, t.VisitorPhone)
	dst = append(dst, `,"botIconSrc":`...)
	dst = appendJSONStringPtr(dst, t.BotIconSrc)
	dst = append(dst, `,"userIconSrc":`...)
	dst = appendJSONStringPtr(dst, t.UserIconSrc)
	dst = append(dst, `,"agentIconSrc":`...)
	dst = appendJSONStringPtr(dst, t.AgentIconSrc)
	dst = append(dst, `,"bubbleIconSrc":`...)
	dst = appendJSONStringPtr(dst, t.BubbleIconSrc)
	dst = append(dst, `,"llmModel":`...)
	if m := t.LLMModel; m == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, `{"id":`...)
		dst = appendJSONString(dst, m.ID)
		dst = append(dst, `,"provider":`...)
		dst = appendJSONString(dst, m.Provider)
		dst = append(dst, `,"title":`...)
		dst = appendJSONString(dst, m.Title)
		dst = append(dst, '}')
	}
	return append(dst, '}')
}

func (p pageInfo) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"page":`...)
	dst = strconv.AppendInt(dst, int64(p.Page), 10)
	dst = append(dst, `,"limit":`...)
	dst = strconv.AppendInt(dst, int64(p.Limit), 10)
	dst = append(dst, `,"total":`...)
	dst = strconv.AppendInt(dst, int64(p.Total), 10)
	dst = append(dst, `,"totalPages":`...)
	dst = strconv.AppendInt(dst, int64(p.TotalPages), 10)
	dst = append(dst, `,"pages":`...)
	dst = strconv.AppendInt(dst, int64(p.Pages), 10)
	return append(dst, '}')
}

// encodedData is a response's data already written as JSON into a buffer of bytesPool
// (writeResult gives it back). It is one pointer, so putting it in result.Data allocates
// nothing (a store.Thread put there was a copy of the whole record on the heap).
type encodedData struct{ b *[]byte }

func (d encodedData) appendJSON(dst []byte) []byte { return append(dst, *d.b...) }

func (d encodedData) release() { putBytes(d.b) }

// beginThreadPage and endThreadPage write listThreads' data around its threads (written
// by appendThreadJSON, comma-separated, in between): threadListData's bytes.
func beginThreadPage(dst []byte) []byte { return append(dst, `{"threads":[`...) }

func endThreadPage(dst []byte, pagination pageInfo) []byte {
	dst = append(dst, `],"pagination":`...)
	dst = pagination.appendJSON(dst)
	return append(dst, '}')
}

// releaser is a response body holding a pooled buffer until it has been written.
type releaser interface{ release() }

// getBytes and putBytes take a buffer from bytesPool and give it back (one that grew past
// maxPooled is dropped).
func getBytes() *[]byte {
	bp := bytesPool.Get().(*[]byte)
	*bp = (*bp)[:0]
	return bp
}

func putBytes(bp *[]byte) {
	if cap(*bp) <= maxPooled {
		*bp = (*bp)[:0]
		bytesPool.Put(bp)
	}
}

// threadPageJSON is listThreads' data, written by hand: threadListData's bytes.
type threadPageJSON struct {
	threads    []store.Thread
	pagination pageInfo
}

func (d threadPageJSON) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"threads":[`...)
	for i := range d.threads {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendThreadJSON(dst, &d.threads[i])
	}
	dst = append(dst, `],"pagination":`...)
	dst = d.pagination.appendJSON(dst)
	return append(dst, '}')
}

// threadJSON is createThread's data, written by hand: threadData's bytes.
type threadJSON struct{ thread store.Thread }

func (d threadJSON) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"thread":`...)
	dst = appendThreadJSON(dst, &d.thread)
	return append(dst, '}')
}

// appendSuccess writes the success envelope around data as encoding/json writes
// successEnvelope.
func appendSuccess(dst []byte, status int, message string, data jsonAppender) []byte {
	dst = append(dst, `{"statusCode":`...)
	dst = strconv.AppendInt(dst, int64(status), 10)
	dst = append(dst, `,"success":true,"message":`...)
	dst = appendJSONString(dst, message)
	dst = append(dst, `,"data":`...)
	dst = data.appendJSON(dst)
	return append(dst, '}')
}

// encodeJSON is json.Marshal into a pooled buffer (no copy of the result).
func encodeJSON(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // Encode's newline
	return nil
}
