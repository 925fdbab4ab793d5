// Package journal is the mock's request journal: a bounded ring of the API requests it
// answered, newest first, with filters.
package journal

import (
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"time"
)

// DefaultCapacity is how many entries the journal keeps; older ones are forgotten.
const DefaultCapacity = 10000

// Entry is one API request as the control plane shows it.
type Entry struct {
	ID          string    `json:"id"`
	Time        time.Time `json:"time"`
	Method      string    `json:"method"`
	Path        string    `json:"path"`
	OperationID *string   `json:"operationId"`
	Status      int       `json:"status"`
	AccountID   *string   `json:"accountId"`
	LatencyMs   float64   `json:"latencyMs"`
	RequestID   string    `json:"requestId"`
	FaultID     *string   `json:"faultId"`
	// APIKey is the key the request sent, redacted to its prefix and last four characters
	// (sk_…9f2c); empty without one.
	APIKey string `json:"apiKey,omitempty"`
	// Error is the error the mock answered with (status 400 and up), validation errors included.
	Error *EntryError `json:"error,omitempty"`
}

// EntryError is the error document of an answered request, as the journal keeps it.
type EntryError struct {
	Code    string   `json:"code"`
	Message string   `json:"message"`
	Fields  []string `json:"fields,omitempty"` // "path: message" of each validation error
}

// RedactKey shortens an API key to what a person needs to tell keys apart: the part before
// the first underscore and the last four characters. Short keys lose everything but the prefix.
func RedactKey(key string) string {
	if key == "" {
		return ""
	}
	prefix := ""
	if i := strings.IndexByte(key, '_'); i > 0 && i <= 8 {
		prefix = key[:i+1]
	}
	if len(key)-len(prefix) < 12 {
		return prefix + "…"
	}
	return prefix + "…" + key[len(key)-4:]
}

// Filter selects entries; zero fields select everything.
type Filter struct {
	OperationID string
	Status      int
	AccountID   string
	Since       time.Time
	Limit       int // at most this many (0: all)
}

// Journal is a ring of entries; safe for concurrent use.
//
// The ring keeps each entry as a slot whose strings are packed into one buffer the slot
// owns and reuses as the ring turns: a full journal is 10,000 pointer-free buffers for the
// garbage collector to mark, not 10,000 entries of up to eight pointers to some 40,000
// strings (BenchmarkGCJournal: a full collection at GOMAXPROCS=1 cost ~0.5 ms more with a
// full journal), and recording a request copies its strings once, into its slot, with no
// allocation once the ring has gone round.
type Journal struct {
	mu    sync.Mutex
	ring  []slot
	start int // index of the oldest entry
	n     int
	seq   uint64
}

// slot is one entry as the ring keeps it.
type slot struct {
	time    time.Time
	seq     uint64
	status  int
	latency float64
	present uint8           // presentOp, presentAccount, presentFault, presentError
	ends    [nPacked]uint32 // where each packed string ends in data
	fields  int             // the error's fields, packed after the strings (uvarint length, bytes)
	data    []byte
}

// The packed strings of a slot, in data's order.
const (
	packMethod = iota
	packPath
	packOperation
	packAccount
	packRequestID
	packFault
	packAPIKey
	packErrCode
	packErrMessage
	nPacked
)

const (
	presentOp = 1 << iota
	presentAccount
	presentFault
	presentError
)

// maxKeptSlotBuffer: a slot's buffer larger than this is not kept for a much smaller entry
// (one burst of huge error entries must not pin their buffers for good).
const maxKeptSlotBuffer = 1 << 10

func (s *slot) str(i int) string {
	from := uint32(0)
	if i > 0 {
		from = s.ends[i-1]
	}
	return string(s.data[from:s.ends[i]])
}

// is tells whether packed string i equals v, without making a string of it.
func (s *slot) is(i int, v string) bool {
	from := uint32(0)
	if i > 0 {
		from = s.ends[i-1]
	}
	return string(s.data[from:s.ends[i]]) == v
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// pack writes e into s (seq given): every string copied into s's buffer.
func (s *slot) pack(e *Entry, seq uint64) {
	var errCode, errMsg string
	var fields []string
	if e.Error != nil {
		errCode, errMsg, fields = e.Error.Code, e.Error.Message, e.Error.Fields
	}
	strs := [nPacked]string{e.Method, e.Path, deref(e.OperationID), deref(e.AccountID), e.RequestID, deref(e.FaultID), e.APIKey, errCode, errMsg}
	need := 0
	for _, v := range strs {
		need += len(v)
	}
	for _, f := range fields {
		need += binary.MaxVarintLen64 + len(f)
	}
	data := s.data[:0]
	if cap(data) < need || cap(data) > maxKeptSlotBuffer && need <= cap(data)/4 {
		data = make([]byte, 0, need)
	}
	*s = slot{time: e.Time, seq: seq, status: e.Status, latency: e.LatencyMs, fields: len(fields)}
	for i, v := range strs {
		data = append(data, v...)
		s.ends[i] = uint32(len(data))
	}
	for _, f := range fields {
		data = binary.AppendUvarint(data, uint64(len(f)))
		data = append(data, f...)
	}
	s.data = data
	if e.OperationID != nil {
		s.present |= presentOp
	}
	if e.AccountID != nil {
		s.present |= presentAccount
	}
	if e.FaultID != nil {
		s.present |= presentFault
	}
	if e.Error != nil {
		s.present |= presentError
	}
}

// entry is the slot as an Entry (its strings copied out).
func (s *slot) entry() Entry {
	e := Entry{ID: entryID(s.seq), Time: s.time, Method: s.str(packMethod), Path: s.str(packPath), Status: s.status,
		LatencyMs: s.latency, RequestID: s.str(packRequestID), APIKey: s.str(packAPIKey)}
	if s.present&presentOp != 0 {
		v := s.str(packOperation)
		e.OperationID = &v
	}
	if s.present&presentAccount != 0 {
		v := s.str(packAccount)
		e.AccountID = &v
	}
	if s.present&presentFault != 0 {
		v := s.str(packFault)
		e.FaultID = &v
	}
	if s.present&presentError != 0 {
		e.Error = &EntryError{Code: s.str(packErrCode), Message: s.str(packErrMessage)}
		rest := s.data[s.ends[nPacked-1]:]
		for range s.fields {
			n, k := binary.Uvarint(rest)
			e.Error.Fields = append(e.Error.Fields, string(rest[k:k+int(n)]))
			rest = rest[k+int(n):]
		}
	}
	return e
}

func entryID(seq uint64) string { return fmt.Sprintf("req-%06d", seq) }

// New returns a journal keeping at most capacity entries (DefaultCapacity when ≤ 0).
func New(capacity int) *Journal {
	if capacity <= 0 {
		capacity = DefaultCapacity
	}
	return &Journal{ring: make([]slot, capacity)}
}

// Add records an entry and gives it the next id (req-000001, ...), which it returns.
func (j *Journal) Add(e Entry) string {
	return entryID(j.Put(&e))
}

// Put records *e (e.ID is ignored: the entry gets the next id) and returns the id's number;
// e is not kept. It allocates nothing once the ring has gone round (Add makes the id's
// string).
func (j *Journal) Put(e *Entry) uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.seq++
	var s *slot
	if j.n < len(j.ring) {
		s = &j.ring[(j.start+j.n)%len(j.ring)]
		j.n++
	} else {
		s = &j.ring[j.start]
		j.start = (j.start + 1) % len(j.ring)
	}
	s.pack(e, j.seq)
	return j.seq
}

// List returns the entries that pass f, newest first, at most f.Limit of them, and how many
// passed in all.
func (j *Journal) List(f Filter) ([]Entry, int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := []Entry{}
	total := 0
	for i := j.n - 1; i >= 0; i-- {
		s := &j.ring[(j.start+i)%len(j.ring)]
		if !f.pass(s) {
			continue
		}
		total++
		if f.Limit == 0 || len(out) < f.Limit {
			out = append(out, s.entry())
		}
	}
	return out, total
}

// Scan calls fn with each entry, newest first, until fn returns false. fn runs under the
// journal's lock: it must be quick and must not keep e (copy what it needs).
func (j *Journal) Scan(fn func(e *Entry) bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for i := j.n - 1; i >= 0; i-- {
		e := j.ring[(j.start+i)%len(j.ring)].entry()
		if !fn(&e) {
			return
		}
	}
}

func (f Filter) pass(s *slot) bool {
	if f.OperationID != "" && (s.present&presentOp == 0 || !s.is(packOperation, f.OperationID)) {
		return false
	}
	if f.Status != 0 && s.status != f.Status {
		return false
	}
	if f.AccountID != "" && (s.present&presentAccount == 0 || !s.is(packAccount, f.AccountID)) {
		return false
	}
	return f.Since.IsZero() || !s.time.Before(f.Since)
}

// Clear removes every entry; ids keep counting up.
func (j *Journal) Clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	clear(j.ring)
	j.start, j.n = 0, 0
}

// Len is how many entries the journal holds.
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.n
}
