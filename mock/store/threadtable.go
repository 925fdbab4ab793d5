package store

import (
	"math"
	"strings"
	"sync"
	"time"
)

// The store keeps its threads where the garbage collector has almost nothing to mark.
//
// A Thread as the API shapes it is a record of some thirty fields, a dozen of them strings
// or pointers; a store of 500,000 threads held as Thread values made every collection follow
// millions of pointers. While it did (hundreds of ms on one core), the collector's background
// worker took the only processor for 10-20 ms at a time, and every request in flight waited:
// that was the mock's p99 under load (README "Running at scale", the execution trace). So a
// stored thread is a threadRec: one string holding its id, its visitor id and its other
// fields encoded (the collector marks a string's bytes without reading them), and its index
// key as plain numbers. One pointer a thread, to memory that is never scanned. Nothing keeps
// a piece of that string for long (messages name their thread by row, the id map keys UUIDs
// by their bytes and copies any other id), so a write that replaces it frees the old one.
//
// Code that works on threads still works on *Thread: get decodes ("thaws") the record.
// Inside a write (Store.update) the thawed thread is kept, so every reader of it within that
// write sees the same pointer and its changes, and freeze encodes it back when the write
// ends; outside a write each get is a fresh copy, which is what readers return anyway.
//
// The trees of a chatbot's threads (botThreads) name threads by row, and compare on the
// row's index key (recIx), so no thread needs decoding to find its place in a list.

// threadTable is the store's threads by row (1-based; 0 is none) and by id.
type threadTable struct {
	recRows[threadRec, Thread]
	words   []string         // chatbot ids, modes, roles and models of records, by number (0: "")
	wordNum map[string]int32 // and back
	spare   []int32          // numbers of dropped words, to reuse
}

// threadRec is a stored thread.
type threadRec struct {
	// data is the thread's id, its visitor id, then every other field (encode): one object.
	// A thread added in a write in progress has only the two ids until the write ends.
	data          string
	idLen, visLen uint32
	hasVis        bool  // a visitor id is set (a thread may have none)
	ix            recIx // where the thread sits in its chatbot's trees
}

func (r *threadRec) id() string      { return r.data[:r.idLen] }
func (r *threadRec) visitor() string { return r.data[r.idLen : r.idLen+r.visLen] }
func (r *threadRec) fields() string  { return r.data[r.idLen+r.visLen:] }

// recIx is threadIx without pointers: the activity time as seconds, nanoseconds and UTC
// offset, the mode and model as numbers into the table's words.
type recIx struct {
	sec         int64
	nsec        int32
	off         int32
	mode, model int32
	hasModel    bool
	flags       uint8
	indexed     bool
}

func newThreadTable() *threadTable {
	return &threadTable{recRows: newRecRows[threadRec, Thread](), words: []string{""}, wordNum: map[string]int32{"": 0}}
}

// get is the thread of an id, thawed (see the top of this file).
func (tt *threadTable) get(id string) (*Thread, bool) {
	row := tt.row(id)
	if row == 0 {
		return nil, false
	}
	return tt.at(row), true
}

// at is the thread of a row, thawed.
func (tt *threadTable) at(row int32) *Thread {
	if t := tt.kept(row); t != nil {
		return t
	}
	tw := &thawedThread{}
	tt.decode(row, tw)
	tt.keep(row, &tw.Thread)
	return &tw.Thread
}

// view decodes a row into scratch, for a reader that keeps nothing of it (list pages):
// no allocation. Inside a write it is the kept thread, changes and all.
func (tt *threadTable) view(row int32, scratch *thawedThread) *Thread {
	if t := tt.kept(row); t != nil {
		return t
	}
	*scratch = thawedThread{}
	tt.decode(row, scratch)
	return &scratch.Thread
}

// thawedThread is a decoded thread and the place its optional values live (threadOwned):
// one allocation, or none for a scratch one.
type thawedThread struct {
	Thread
	own threadOwned
}

func (tt *threadTable) decode(row int32, tw *thawedThread) {
	r := tt.rec(row)
	t := &tw.Thread
	tt.decodeInto(r.fields(), t, &tw.own)
	t.ID = r.id()
	if r.hasVis {
		tw.own.visitorID = r.visitor()
		t.VisitorID = &tw.own.visitorID
	}
	t.row = row
	t.ix = tt.threadIx(r.ix)
}

// add stores a new thread (t.ID not yet in the table). Inside a write t is kept as its
// thawed copy and encoded once, when the write ends; outside one it is encoded now.
func (tt *threadTable) add(t *Thread) {
	row := tt.place()
	t.row = row
	r := tt.rec(row)
	r.ix = tt.recIx(t.ix)
	if !tt.writing {
		tt.encode(r, t, true)
	} else {
		tt.encode(r, t, false) // the fields when the write ends (freeze)
		tt.keep(row, t)
	}
	tt.ids.set(r.id(), row)
}

// remove drops a thread (it must be out of every tree already).
func (tt *threadTable) remove(id string) { tt.release(id) }

// freeze ends a write: every thread thawed during it is encoded back into its row.
func (tt *threadTable) freeze() {
	tt.end(func(row int32, t *Thread) { tt.encode(tt.rec(row), t, true) })
}

// each calls fn on every row in no particular order, with the thread's id and chatbot
// (decoded without the rest).
func (tt *threadTable) each(fn func(row int32, id, chatbotID string)) {
	tt.ids.each(func(row int32) {
		if t := tt.kept(row); t != nil { // inside a write: may not be encoded yet
			fn(row, t.ID, t.ChatbotID)
			return
		}
		r := tt.rec(row)
		fn(row, r.id(), tt.chatbotOf(r.fields()))
	})
}

// setIx records where a thread now sits (called by the index as it moves it).
func (tt *threadTable) setIx(t *Thread) { tt.rec(t.row).ix = tt.recIx(t.ix) }

func (tt *threadTable) word(w string) int32 { return tt.wordAs(w, w) }

// botWord is the number of a chatbot id. Chatbot ids have numbers of their own (their map
// key is marked), apart from modes, roles and models, so dropping one (dropBotWord) never
// takes away a number some other value uses.
func (tt *threadTable) botWord(id string) int32 { return tt.wordAs(botKey+id, id) }

// botWordOf is botWord without adding: ok is false for a chatbot with no number.
func (tt *threadTable) botWordOf(id string) (int32, bool) {
	n, ok := tt.wordNum[botKey+id]
	return n, ok
}

const botKey = "\x00bot:"

func (tt *threadTable) wordAs(key, w string) int32 {
	if n, ok := tt.wordNum[key]; ok {
		return n
	}
	var n int32
	if k := len(tt.spare); k > 0 {
		n, tt.spare = tt.spare[k-1], tt.spare[:k-1]
		tt.words[n] = w
	} else {
		n = int32(len(tt.words))
		tt.words = append(tt.words, w)
	}
	tt.wordNum[key] = n
	return n
}

// dropBotWord forgets a deleted chatbot's number (no record or index uses it any more), so
// a long run that makes and deletes chatbots does not keep every id it ever saw.
func (tt *threadTable) dropBotWord(id string) {
	n, ok := tt.wordNum[botKey+id]
	if !ok {
		return
	}
	delete(tt.wordNum, botKey+id)
	tt.words[n] = ""
	tt.spare = append(tt.spare, n)
}

func (tt *threadTable) recIx(x threadIx) recIx {
	sec, nsec, off := timeParts(x.at)
	return recIx{sec: sec, nsec: nsec, off: off, mode: tt.word(x.mode), model: tt.word(x.model), hasModel: x.hasModel, flags: x.flags, indexed: x.indexed}
}

func (tt *threadTable) threadIx(r recIx) threadIx {
	return threadIx{at: timeOf(r.sec, r.nsec, r.off), mode: tt.words[r.mode], model: tt.words[r.model], hasModel: r.hasModel, flags: r.flags, indexed: r.indexed}
}

// matches tells whether a row's thread passes f, reading only its index key (the filters
// are the fields the trees key on, and a stored thread is always indexed under its current
// values): a walk over many threads decodes none of them.
func (tt *threadTable) matches(row int32, f ThreadFilter) bool {
	x := tt.rec(row).ix
	word := func(n int32) string { return tt.words[n] }
	flag := func(i int, want *bool) bool { return want == nil || (x.flags>>i&1 == 1) == *want }
	return (f.Mode == nil || word(x.mode) == *f.Mode) &&
		(f.LLMModelID == nil || (x.hasModel && word(x.model) == *f.LLMModelID)) &&
		flag(flagResolved, f.Resolved) && flag(flagArchived, f.Archived) && flag(flagEscalated, f.Escalated) &&
		flag(flagImportant, f.Important) && flag(flagAnonymous, f.Anonymous)
}

// cmpRows orders rows as threadCmp orders threads: newest indexed activity first, id
// (descending) as tie-break.
func (tt *threadTable) cmpRows(a, b int32) int {
	ra, rb := tt.rec(a), tt.rec(b)
	switch {
	case ra.ix.sec != rb.ix.sec:
		if ra.ix.sec > rb.ix.sec {
			return -1
		}
		return 1
	case ra.ix.nsec != rb.ix.nsec:
		if ra.ix.nsec > rb.ix.nsec {
			return -1
		}
		return 1
	}
	return strings.Compare(rb.id(), ra.id())
}

// prefixRow is the trees' prefix of a row (threadPrefix of its thread).
func (tt *threadTable) prefixRow(row int32) int64 {
	r := tt.rec(row)
	const lo, hi = math.MinInt64 / int64(1e9), math.MaxInt64 / int64(1e9)
	if r.ix.sec <= lo {
		return ^int64(math.MinInt64)
	}
	if r.ix.sec >= hi {
		return ^int64(math.MaxInt64)
	}
	return ^(r.ix.sec*1e9 + int64(r.ix.nsec))
}

// timeParts and timeOf carry a time through a record: seconds, nanoseconds and UTC offset.
// A zero offset comes back as UTC, another as a fixed zone of that offset (one shared
// *Location per offset): what JSON writes of the time is the same either way.
func timeParts(t time.Time) (sec int64, nsec, off int32) {
	_, o := t.Zone()
	return t.Unix(), int32(t.Nanosecond()), int32(o)
}

func timeOf(sec int64, nsec, off int32) time.Time {
	t := time.Unix(sec, int64(nsec))
	if off == 0 {
		return t.UTC()
	}
	return t.In(fixedZone(off))
}

var zones sync.Map // int32 offset → *time.Location

func fixedZone(off int32) *time.Location {
	if l, ok := zones.Load(off); ok {
		return l.(*time.Location)
	}
	l, _ := zones.LoadOrStore(off, time.FixedZone("", int(off)))
	return l.(*time.Location)
}
