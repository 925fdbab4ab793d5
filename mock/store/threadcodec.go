package store

import (
	"encoding/binary"
	"strings"
	"time"
)

// encode writes a thread's record data (threadtable.go) in one string: its id, its visitor
// id, then, when fields is true, every other field but the index key. The chatbot id is a number into the table's words, so
// a thawed thread's ChatbotID is the one shared string, never a piece of data (messages keep
// it). The order is fixed; strings are a length and their bytes,
// optional values a presence byte first, numbers varints, times seconds, nanoseconds and UTC
// offset. decodeThread reads it back into a Thread whose strings are substrings of data and
// whose optional values live in the Thread itself (threadOwned): no allocation but the
// Thread's own, and the tags when there are some.
func (tt *threadTable) encode(r *threadRec, t *Thread, fields bool) {
	var e recEncoder
	e.b.Grow(128 + len(t.ID) + optLen(t.VisitorID) + optLen(t.Title) + optLen(t.VisitorName) + optLen(t.VisitorEmail) +
		optLen(t.VisitorPhone) + optLen(t.InternalNotes))
	e.b.WriteString(t.ID)
	r.hasVis, r.visLen = t.VisitorID != nil, 0
	if t.VisitorID != nil {
		e.b.WriteString(*t.VisitorID)
		r.visLen = uint32(len(*t.VisitorID))
	}
	if fields {
		tt.encodeFields(&e, t)
	}
	r.data, r.idLen = e.b.String(), uint32(len(t.ID))
}

func (tt *threadTable) encodeFields(e *recEncoder, t *Thread) {
	e.uint(uint64(tt.botWord(t.ChatbotID)))
	e.opt(t.Title)
	e.str(t.Mode)
	var flags uint64
	for i, on := range [...]bool{t.Anonymous, t.Escalated, t.Important, t.Resolved, t.Archived} {
		if on {
			flags |= 1 << i
		}
	}
	if t.Tags != nil {
		flags |= 1 << 5
	}
	if t.PlatformSource == apiSource {
		flags |= 1 << 6
	}
	e.uint(flags)
	e.int(int64(t.UnreadMessagesCount))
	e.int(int64(t.PositiveCount))
	e.int(int64(t.NegativeCount))
	e.uint(uint64(len(t.Tags)))
	for _, tag := range t.Tags {
		e.str(tag)
	}
	if t.PlatformSource != apiSource {
		e.opt(t.PlatformSource)
	}
	e.optTime(t.StartedAt)
	e.time(t.UpdatedAt)
	e.optTime(t.EndedAt)
	for _, p := range [...]*string{t.VisitorName, t.VisitorEmail, t.VisitorPhone, t.BotIconSrc, t.UserIconSrc, t.AgentIconSrc, t.BubbleIconSrc} {
		e.opt(p)
	}
	if t.LLMModel == nil {
		e.b.WriteByte(0)
	} else {
		e.b.WriteByte(1)
		e.str(t.LLMModel.ID)
		e.str(t.LLMModel.Provider)
		e.str(t.LLMModel.Title)
	}
	e.opt(t.InternalNotes)
	e.time(t.LastActivity)
	e.uint(t.Seq)
}

func optLen(p *string) int {
	if p == nil {
		return 0
	}
	return len(*p)
}

type recEncoder struct {
	b   strings.Builder
	tmp [binary.MaxVarintLen64]byte
}

func (e *recEncoder) uint(v uint64) { e.b.Write(binary.AppendUvarint(e.tmp[:0], v)) }
func (e *recEncoder) int(v int64)   { e.b.Write(binary.AppendVarint(e.tmp[:0], v)) }

func (e *recEncoder) str(s string) {
	e.uint(uint64(len(s)))
	e.b.WriteString(s)
}

func (e *recEncoder) opt(p *string) {
	if p == nil {
		e.b.WriteByte(0)
		return
	}
	e.b.WriteByte(1)
	e.str(*p)
}

func (e *recEncoder) time(t time.Time) {
	sec, nsec, off := timeParts(t)
	e.int(sec)
	e.uint(uint64(nsec))
	e.int(int64(off))
}

func (e *recEncoder) optTime(t *time.Time) {
	if t == nil {
		e.b.WriteByte(0)
		return
	}
	e.b.WriteByte(1)
	e.time(*t)
}

// recDecoder reads what recEncoder wrote. The data is the store's own: a malformed
// record is a bug, and indexing past its end panics like any other.
type recDecoder struct {
	s string
	i int
}

func (d *recDecoder) uint() uint64 {
	v, n := uvarintString(d.s[d.i:])
	d.i += n
	return v
}

func (d *recDecoder) int() int64 {
	u := d.uint()
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return v
}

func (d *recDecoder) byte() byte {
	b := d.s[d.i]
	d.i++
	return b
}

func (d *recDecoder) str() string {
	n := int(d.uint())
	s := d.s[d.i : d.i+n]
	d.i += n
	return s
}

// opt reads an optional string into own and returns a pointer to it, or nil.
func (d *recDecoder) opt(own *string) *string {
	if d.byte() == 0 {
		return nil
	}
	*own = d.str()
	return own
}

func (d *recDecoder) time() time.Time {
	sec := d.int()
	nsec := int32(d.uint())
	off := int32(d.int())
	return timeOf(sec, nsec, off)
}

func (d *recDecoder) optTime(own *time.Time) *time.Time {
	if d.byte() == 0 {
		return nil
	}
	*own = d.time()
	return own
}

// uvarintString is binary.Uvarint over a string (no conversion, no allocation).
func uvarintString(s string) (uint64, int) {
	var x uint64
	var shift uint
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b < 0x80 {
			return x | uint64(b)<<shift, i + 1
		}
		x |= uint64(b&0x7f) << shift
		shift += 7
	}
	panic("store: truncated thread record")
}

// decodeInto fills t (zero but for what the caller sets: id, visitor id, row, index key)
// from data.
func (tt *threadTable) decodeInto(data string, t *Thread, own *threadOwned) {
	d := recDecoder{s: data}
	t.ChatbotID = tt.words[d.uint()]
	t.Title = d.opt(&own.title)
	t.Mode = internWord(d.str())
	flags := d.uint()
	t.Anonymous, t.Escalated, t.Important = flags&1 != 0, flags&2 != 0, flags&4 != 0
	t.Resolved, t.Archived = flags&8 != 0, flags&16 != 0
	t.UnreadMessagesCount = int(d.int())
	t.PositiveCount = int(d.int())
	t.NegativeCount = int(d.int())
	n := int(d.uint())
	if flags&32 != 0 {
		t.Tags = []string{}
		if n > 0 {
			t.Tags = make([]string, n)
			for i := range t.Tags {
				t.Tags[i] = d.str()
			}
		}
	}
	if flags&64 != 0 {
		t.PlatformSource = apiSource
	} else {
		t.PlatformSource = d.opt(&own.platformSource)
	}
	t.StartedAt = d.optTime(&own.startedAt)
	t.UpdatedAt = d.time()
	t.EndedAt = d.optTime(&own.endedAt)
	t.VisitorName = d.opt(&own.visitorName)
	t.VisitorEmail = d.opt(&own.visitorEmail)
	t.VisitorPhone = d.opt(&own.visitorPhone)
	t.BotIconSrc = d.opt(&own.botIcon)
	t.UserIconSrc = d.opt(&own.userIcon)
	t.AgentIconSrc = d.opt(&own.agentIcon)
	t.BubbleIconSrc = d.opt(&own.bubbleIcon)
	if d.byte() == 1 {
		own.model = LLMModel{ID: d.str(), Provider: d.str(), Title: d.str()}
		t.LLMModel = &own.model
	}
	t.InternalNotes = d.opt(&own.internalNotes)
	t.LastActivity = d.time()
	t.Seq = d.uint()
}

// chatbotOf reads only the chatbot id of a record's data (it comes first).
func (tt *threadTable) chatbotOf(data string) string {
	d := recDecoder{s: data}
	return tt.words[d.uint()]
}
