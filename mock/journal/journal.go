// Package journal is the mock's request journal: a bounded ring of the API requests it
// answered, newest first, with filters.
package journal

import (
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
type Journal struct {
	mu    sync.Mutex
	ring  []Entry
	start int // index of the oldest entry
	n     int
	seq   uint64
}

// New returns a journal keeping at most capacity entries (DefaultCapacity when ≤ 0).
func New(capacity int) *Journal {
	if capacity <= 0 {
		capacity = DefaultCapacity
	}
	return &Journal{ring: make([]Entry, capacity)}
}

// Add records an entry and gives it the next id (req-000001, ...), which it returns.
func (j *Journal) Add(e Entry) string {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.seq++
	e.ID = fmt.Sprintf("req-%06d", j.seq)
	if j.n < len(j.ring) {
		j.ring[(j.start+j.n)%len(j.ring)] = e
		j.n++
	} else {
		j.ring[j.start] = e
		j.start = (j.start + 1) % len(j.ring)
	}
	return e.ID
}

// List returns the entries that pass f, newest first, at most f.Limit of them, and how many
// passed in all.
func (j *Journal) List(f Filter) ([]Entry, int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := []Entry{}
	total := 0
	for i := j.n - 1; i >= 0; i-- {
		e := &j.ring[(j.start+i)%len(j.ring)]
		if !f.pass(e) {
			continue
		}
		total++
		if f.Limit == 0 || len(out) < f.Limit {
			out = append(out, *e)
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
		if !fn(&j.ring[(j.start+i)%len(j.ring)]) {
			return
		}
	}
}

func (f Filter) pass(e *Entry) bool {
	if f.OperationID != "" && (e.OperationID == nil || *e.OperationID != f.OperationID) {
		return false
	}
	if f.Status != 0 && e.Status != f.Status {
		return false
	}
	if f.AccountID != "" && (e.AccountID == nil || *e.AccountID != f.AccountID) {
		return false
	}
	return f.Since.IsZero() || !e.Time.Before(f.Since)
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
