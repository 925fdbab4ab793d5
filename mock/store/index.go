package store

import (
	"math"
	"time"
)

// indexes are the store's derived structures: built from the collections on import, kept
// current by every write, never exported. Each exists so a request costs the same whatever
// the size of the state (the README's "Running at scale" says what each one buys).
type indexes struct {
	threadsByBot    map[string]*botThreads              // a chatbot's threads (rows), newest activity first, per filter
	messagesByThrd  map[int32]*seqList[int32]           // a thread's messages (rows), chronological (by Seq), by thread row
	visitors        visitorIndex                        // a visitor's sessions and messages on a chatbot
	deliveriesByBot map[string]*botDeliveries           // a chatbot's deliveries, newest first, per filter
	deliveryKeys    map[deliveryKey]*Delivery           // (chatbot, configuration, event key) → its delivery
	botsByAccount   map[string]*accountBots             // an account's chatbots in creation order
	botNames        map[botNameKey]int                  // chatbots per (account, case-folded name)
	leadsByBot      map[string]map[string]*Lead         // a chatbot's leads by id
	leadsByVisitor  map[leadKey]*Lead                   // the lead of a (chatbot, visitor), or of a thread without visitor
	leadsByThread   map[string]map[string]*Lead         // the leads captured in a thread
	starters        map[ownedKey]*Starter               // a chatbot's starter by id
	followUps       map[ownedKey]*FollowUp              // a chatbot's follow-up prompt by id
	instructions    map[ownedKey]*Instruction           // a chatbot's instruction set by id
	personas        map[ownedKey]*Persona               // a chatbot's persona by id
	activeInstr     map[string][]*Instruction           // a chatbot's active instruction sets (one, but for imports)
	activePersonas  map[string][]*Persona               // a chatbot's active personas (one, but for imports)
	instrByTitle    map[titleKey][]titled[*Instruction] // a chatbot's instruction sets by folded title, in creation order
	personaByTitle  map[titleKey][]titled[*Persona]     // a chatbot's personas by folded title, in creation order
	titleOrd        uint64                              // the creation order of titled items (last given)
}

func newIndexes(threads *threadTable) indexes {
	return indexes{
		threadsByBot:    map[string]*botThreads{},
		messagesByThrd:  map[int32]*seqList[int32]{},
		visitors:        newVisitorIndex(threads),
		deliveriesByBot: map[string]*botDeliveries{},
		deliveryKeys:    map[deliveryKey]*Delivery{},
		botsByAccount:   map[string]*accountBots{},
		botNames:        map[botNameKey]int{},
		leadsByBot:      map[string]map[string]*Lead{},
		leadsByVisitor:  map[leadKey]*Lead{},
		leadsByThread:   map[string]map[string]*Lead{},
		starters:        map[ownedKey]*Starter{},
		followUps:       map[ownedKey]*FollowUp{},
		instructions:    map[ownedKey]*Instruction{},
		personas:        map[ownedKey]*Persona{},
		activeInstr:     map[string][]*Instruction{},
		activePersonas:  map[string][]*Persona{},
		instrByTitle:    map[titleKey][]titled[*Instruction]{},
		personaByTitle:  map[titleKey][]titled[*Persona]{},
	}
}

// ---- threads ----

// Thread filter flags, in the order of threadIx.flags' bits.
const (
	flagResolved = iota
	flagArchived
	flagEscalated
	flagImportant
	flagAnonymous
	threadFlags
)

// threadIx is where a thread sits in its chatbot's indexes: the key and the filter values
// it was indexed with. The trees compare on these (as its record's recIx), not on the live
// fields, so a thread is found again after a write changed them; syncThreadLocked moves it
// to its new places.
type threadIx struct {
	at       time.Time
	mode     string
	model    string // the model's id, when hasModel (an import may hold an empty one)
	hasModel bool
	flags    uint8
	indexed  bool
}

func (t *Thread) currentIx() threadIx {
	x := threadIx{at: t.LastActivity, mode: t.Mode, indexed: true}
	if t.LLMModel != nil {
		x.model, x.hasModel = t.LLMModel.ID, true
	}
	for i, on := range [threadFlags]bool{t.Resolved, t.Archived, t.Escalated, t.Important, t.Anonymous} {
		if on {
			x.flags |= 1 << i
		}
	}
	return x
}

// nanos is t in Unix nanoseconds, clamped to int64's range: monotonic in t, so it can be a
// tree prefix for orders by time.
func nanos(t time.Time) int64 {
	switch {
	case t.Before(minNanos):
		return math.MinInt64
	case t.After(maxNanos):
		return math.MaxInt64
	}
	return t.UnixNano()
}

var minNanos, maxNanos = time.Unix(0, math.MinInt64), time.Unix(0, math.MaxInt64)

// Prefixes of the trees' orders (newest first is the bitwise complement: decreasing).
func deliveryPrefix(d *Delivery) int64 { return ^nanos(d.ix.at) }
func chatbotPrefix(c *Chatbot) int64   { return nanos(c.CreatedAt) }

// botThreads is a chatbot's threads in list order, whole and per filter value, so a page
// of any one filter is O(log n + page) and its total O(1). The trees name the threads by
// their row in the store's threadTable and compare on the row's index key (see ostree and
// threadtable.go: nothing in them for the collector to scan).
type botThreads struct {
	tt    *threadTable
	all   *ostree[int32]
	mode  map[string]*ostree[int32]
	model map[string]*ostree[int32]
	flag  [threadFlags][2]*ostree[int32]
}

func newBotThreads(tt *threadTable) *botThreads {
	b := &botThreads{tt: tt, mode: map[string]*ostree[int32]{}, model: map[string]*ostree[int32]{}}
	b.all = b.newTree()
	for i := range b.flag {
		b.flag[i] = [2]*ostree[int32]{b.newTree(), b.newTree()}
	}
	return b
}

func sameRow(row int32) int32 { return row }

func (b *botThreads) newTree() *ostree[int32] {
	return newPrefixTree(b.tt.cmpRows, b.tt.prefixRow, sameRow)
}

func (b *botThreads) trees(x threadIx, fn func(*ostree[int32])) {
	fn(b.all)
	fn(b.mode[x.mode])
	if x.hasModel {
		fn(b.model[x.model])
	}
	for i := range b.flag {
		fn(b.flag[i][x.flags>>i&1])
	}
}

func (s *Store) botThreadsLocked(chatbotID string) *botThreads {
	b := s.idx.threadsByBot[chatbotID]
	if b == nil {
		b = newBotThreads(s.threads)
		s.idx.threadsByBot[chatbotID] = b
	}
	return b
}

// indexThreadLocked puts a stored thread into its chatbot's trees under its current fields.
func (s *Store) indexThreadLocked(t *Thread) {
	b := s.botThreadsLocked(t.ChatbotID)
	t.ix = t.currentIx()
	s.threads.setIx(t) // the trees compare on the record's key: set before inserting
	if b.mode[t.ix.mode] == nil {
		b.mode[t.ix.mode] = b.newTree()
	}
	if t.ix.hasModel && b.model[t.ix.model] == nil {
		b.model[t.ix.model] = b.newTree()
	}
	b.trees(t.ix, func(tr *ostree[int32]) { tr.Insert(t.row, t.row) })
}

// unindexThreadLocked takes a thread out of its chatbot's trees.
func (s *Store) unindexThreadLocked(t *Thread) {
	if !t.ix.indexed {
		return
	}
	b := s.idx.threadsByBot[t.ChatbotID]
	b.trees(t.ix, func(tr *ostree[int32]) { tr.Delete(t.row) }) // on the old key, still the record's
	t.ix = threadIx{}
	s.threads.setIx(t)
}

// syncThreadLocked moves a thread to the places its fields call for now; every write that
// changes a thread's activity time, mode, model or a filter flag calls it.
func (s *Store) syncThreadLocked(t *Thread) {
	if t.ix == t.currentIx() {
		return
	}
	s.unindexThreadLocked(t)
	s.indexThreadLocked(t)
}

// ---- visitors ----

type visitorKey struct{ chatbot, visitor string }

// visitorStats is what ThreadDetails reports of a visitor, kept as threads and messages
// are added (neither is ever removed but with its chatbot).
type visitorStats struct {
	sessions, messages int
	first, last        time.Time
}

func (v *visitorStats) seen(at time.Time) {
	if v.first.IsZero() || at.Before(v.first) {
		v.first = at
	}
	if at.After(v.last) {
		v.last = at
	}
}

// visitorLocked calls fn on the stats of a thread's visitor and stores what it made of
// them (kept by value, without pointers: nothing per visitor for the collector to scan).
func (s *Store) visitorLocked(t *Thread, fn func(*visitorStats)) {
	if t.VisitorID == nil {
		return
	}
	k := visitorKey{t.ChatbotID, *t.VisitorID}
	v := s.idx.visitors.get(k)
	fn(&v)
	s.idx.visitors.put(k, v)
}

// countSessionLocked records a new thread of its visitor.
func (s *Store) countSessionLocked(t *Thread) {
	s.visitorLocked(t, func(v *visitorStats) {
		v.sessions++
		if t.StartedAt != nil {
			v.seen(*t.StartedAt)
		}
	})
}

// countMessageLocked records a message of a thread (only the visitor's own count).
func (s *Store) countMessageLocked(t *Thread, m *Message) {
	if m.Role != RoleUser {
		return
	}
	s.visitorLocked(t, func(v *visitorStats) {
		v.messages++
		v.seen(m.CreatedAt)
	})
}

// visitorIndex holds the visitors' stats as plain values: keyed by the chatbot's number in
// the thread table's words and the visitor id's 16 bytes when it is a canonical UUID (as the
// store makes them), by the strings otherwise, so a store of 100,000 visitors is a map the
// collector does not scan and a lookup hashes 20 bytes instead of two strings.
type visitorIndex struct {
	words  *threadTable
	byUUID map[visitorNumKey]visitorRec
	byStr  map[visitorKey]visitorRec
}

type visitorNumKey struct {
	bot     int32
	visitor uuidKey
}

type visitorRec struct {
	sessions, messages  int
	firstSec, lastSec   int64
	firstNsec, lastNsec int32
	firstOff, lastOff   int32
}

func newVisitorIndex(words *threadTable) visitorIndex {
	return visitorIndex{words: words, byUUID: map[visitorNumKey]visitorRec{}, byStr: map[visitorKey]visitorRec{}}
}

// numKey is k as numbers. uuid is false when the visitor id is not a UUID (then k keys byStr);
// known is false when the chatbot has no number yet and add is false (then it has no visitor
// either). The visitor id is parsed once.
func (x visitorIndex) numKey(k visitorKey, add bool) (n visitorNumKey, uuid, known bool) {
	if n.visitor, uuid = parseUUID(k.visitor); !uuid {
		return n, false, false
	}
	if add {
		return visitorNumKey{x.words.botWord(k.chatbot), n.visitor}, true, true
	}
	n.bot, known = x.words.botWordOf(k.chatbot)
	return n, true, known
}

func (x visitorIndex) get(k visitorKey) visitorStats {
	var r visitorRec
	var found bool
	switch n, uuid, known := x.numKey(k, false); {
	case !uuid:
		r, found = x.byStr[k]
	case known:
		r, found = x.byUUID[n]
	}
	if !found {
		return visitorStats{}
	}
	return visitorStats{sessions: r.sessions, messages: r.messages,
		first: timeOf(r.firstSec, r.firstNsec, r.firstOff), last: timeOf(r.lastSec, r.lastNsec, r.lastOff)}
}

func (x visitorIndex) put(k visitorKey, v visitorStats) {
	r := visitorRec{sessions: v.sessions, messages: v.messages}
	r.firstSec, r.firstNsec, r.firstOff = timeParts(v.first)
	r.lastSec, r.lastNsec, r.lastOff = timeParts(v.last)
	if n, uuid, _ := x.numKey(k, true); uuid {
		x.byUUID[n] = r
	} else {
		x.byStr[k] = r
	}
}

func (x visitorIndex) del(k visitorKey) {
	switch n, uuid, known := x.numKey(k, false); {
	case !uuid:
		delete(x.byStr, k)
	case known:
		delete(x.byUUID, n)
	}
}
