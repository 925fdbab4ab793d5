package store

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
)

// indexes are the store's derived structures: built from the collections on import, kept
// current by every write, never exported. Each exists so a request costs the same whatever
// the size of the state (the README's "Running at scale" says what each one buys).
type indexes struct {
	threadsByBot    map[string]*botThreads        // a chatbot's threads, newest activity first, per filter
	messagesByThrd  map[string]*seqList[*Message] // a thread's messages, chronological (by Seq)
	visitors        map[visitorKey]visitorStats   // a visitor's sessions and messages on a chatbot
	deliveriesByBot map[string]*botDeliveries     // a chatbot's deliveries, newest first, per filter
	deliveryKeys    map[deliveryKey]*Delivery     // (chatbot, configuration, event key) → its delivery
	botsByAccount   map[string]*accountBots       // an account's chatbots in creation order
	botNames        map[botNameKey]int            // chatbots per (account, case-folded name)
	leadsByBot      map[string]map[string]*Lead   // a chatbot's leads by id
	leadsByVisitor  map[leadKey]*Lead             // the lead of a (chatbot, visitor), or of a thread without visitor
	leadsByThread   map[string]map[string]*Lead   // the leads captured in a thread
	starters        map[ownedKey]*Starter         // a chatbot's starter by id
	followUps       map[ownedKey]*FollowUp        // a chatbot's follow-up prompt by id
	instructions    map[ownedKey]*Instruction     // a chatbot's instruction set by id
	personas        map[ownedKey]*Persona         // a chatbot's persona by id
	activeInstr     map[string][]*Instruction     // a chatbot's active instruction sets (one, but for imports)
	activePersonas  map[string][]*Persona         // a chatbot's active personas (one, but for imports)
}

func newIndexes() indexes {
	return indexes{
		threadsByBot:    map[string]*botThreads{},
		messagesByThrd:  map[string]*seqList[*Message]{},
		visitors:        map[visitorKey]visitorStats{},
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
// it was indexed with. The trees compare on these, not on the live fields, so a thread is
// found again after a write changed them; syncThreadLocked moves it to its new places.
type threadIx struct {
	at      time.Time
	mode    string
	model   string
	flags   uint8
	indexed bool
	ref     int32 // its ref in its chatbot's item table: where it is, not a key
}

func (t *Thread) currentIx() threadIx {
	x := threadIx{at: t.LastActivity, mode: t.Mode, indexed: true, ref: t.ix.ref}
	if t.LLMModel != nil {
		x.model = t.LLMModel.ID
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
func threadPrefix(t *Thread) int64     { return ^nanos(t.ix.at) }
func deliveryPrefix(d *Delivery) int64 { return ^nanos(d.ix.at) }
func chatbotPrefix(c *Chatbot) int64   { return nanos(c.CreatedAt) }

// threadCmp orders threads newest activity first, id (descending) as tie-break.
func threadCmp(a, b *Thread) int {
	if c := b.ix.at.Compare(a.ix.at); c != 0 {
		return c
	}
	return strings.Compare(b.ID, a.ID)
}

// botThreads is a chatbot's threads in list order, whole and per filter value, so a page
// of any one filter is O(log n + page) and its total O(1). The trees name the threads by
// their ref in items (see ostree: nothing in them for the collector to scan).
type botThreads struct {
	items itemTable[*Thread]
	all   *ostree[*Thread]
	mode  map[string]*ostree[*Thread]
	model map[string]*ostree[*Thread]
	flag  [threadFlags][2]*ostree[*Thread]
}

func newBotThreads() *botThreads {
	b := &botThreads{mode: map[string]*ostree[*Thread]{}, model: map[string]*ostree[*Thread]{}}
	b.all = b.newTree()
	for i := range b.flag {
		b.flag[i] = [2]*ostree[*Thread]{b.newTree(), b.newTree()}
	}
	return b
}

func (b *botThreads) newTree() *ostree[*Thread] {
	return newPrefixTree(threadCmp, threadPrefix, b.items.at)
}

func (b *botThreads) trees(x threadIx, fn func(*ostree[*Thread])) {
	fn(b.all)
	fn(b.mode[x.mode])
	if x.model != "" {
		fn(b.model[x.model])
	}
	for i := range b.flag {
		fn(b.flag[i][x.flags>>i&1])
	}
}

func (s *Store) botThreadsLocked(chatbotID string) *botThreads {
	b := s.idx.threadsByBot[chatbotID]
	if b == nil {
		b = newBotThreads()
		s.idx.threadsByBot[chatbotID] = b
	}
	return b
}

// indexThreadLocked puts a thread into its chatbot's trees under its current fields.
func (s *Store) indexThreadLocked(t *Thread) {
	b := s.botThreadsLocked(t.ChatbotID)
	t.ix = t.currentIx()
	t.ix.ref = b.items.add(t)
	if b.mode[t.ix.mode] == nil {
		b.mode[t.ix.mode] = b.newTree()
	}
	if t.ix.model != "" && b.model[t.ix.model] == nil {
		b.model[t.ix.model] = b.newTree()
	}
	b.trees(t.ix, func(tr *ostree[*Thread]) { tr.Insert(t, t.ix.ref) })
}

// unindexThreadLocked takes a thread out of its chatbot's trees.
func (s *Store) unindexThreadLocked(t *Thread) {
	if !t.ix.indexed {
		return
	}
	b := s.idx.threadsByBot[t.ChatbotID]
	b.trees(t.ix, func(tr *ostree[*Thread]) { tr.Delete(t) })
	b.items.remove(t.ix.ref)
	t.ix = threadIx{}
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
// them (kept by value in the map: no object per visitor for the collector to find).
func (s *Store) visitorLocked(t *Thread, fn func(*visitorStats)) {
	if t.VisitorID == nil {
		return
	}
	k := visitorKey{t.ChatbotID, *t.VisitorID}
	v := s.idx.visitors[k]
	fn(&v)
	s.idx.visitors[k] = v
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

// ---- messages ----

// seqList is an append-only list in chunks of fixed size: appending never copies what is
// there (a slice would, each time it grows), and the i-th item is two index operations.
type seqList[T any] struct {
	chunks [][]T
	n      int
}

const seqChunk = 256

func (l *seqList[T]) Len() int {
	if l == nil {
		return 0
	}
	return l.n
}

func (l *seqList[T]) Append(x T) {
	if l.n%seqChunk == 0 {
		l.chunks = append(l.chunks, make([]T, 0, seqChunk))
	}
	c := &l.chunks[len(l.chunks)-1]
	*c = append(*c, x)
	l.n++
}

func (l *seqList[T]) At(i int) T { return l.chunks[i/seqChunk][i%seqChunk] }

// Each calls fn on every item in order.
func (l *seqList[T]) Each(fn func(T)) {
	if l == nil {
		return
	}
	for _, c := range l.chunks {
		for _, x := range c {
			fn(x)
		}
	}
}

// ---- deliveries ----

// deliveryIx is the key and filter values a delivery was indexed with.
type deliveryIx struct {
	at      time.Time
	seq     uint64
	status  string
	event   string
	indexed bool
	ref     int32 // its ref in its chatbot's item table: where it is, not a key
}

func (d *Delivery) currentIx() deliveryIx {
	return deliveryIx{at: d.CreatedAt, seq: d.Seq, status: d.Status, event: d.EventType, indexed: true, ref: d.ix.ref}
}

// deliveryCmp orders deliveries newest first, sequence (descending) as tie-break.
func deliveryCmp(a, b *Delivery) int {
	if c := b.ix.at.Compare(a.ix.at); c != 0 {
		return c
	}
	switch {
	case a.ix.seq > b.ix.seq:
		return -1
	case a.ix.seq < b.ix.seq:
		return 1
	}
	return strings.Compare(b.ID, a.ID)
}

// botDeliveries is a chatbot's delivery log in list order, whole and per status and event
// (the trees name the deliveries by their ref in items).
type botDeliveries struct {
	items  itemTable[*Delivery]
	all    *ostree[*Delivery]
	status map[string]*ostree[*Delivery]
	event  map[string]*ostree[*Delivery]
}

type deliveryKey struct{ chatbot, config, event string }

func (b *botDeliveries) newTree() *ostree[*Delivery] {
	return newPrefixTree(deliveryCmp, deliveryPrefix, b.items.at)
}

func (b *botDeliveries) trees(x deliveryIx, fn func(*ostree[*Delivery])) {
	fn(b.all)
	fn(b.status[x.status])
	fn(b.event[x.event])
}

func (s *Store) indexDeliveryLocked(d *Delivery) {
	b := s.idx.deliveriesByBot[d.ChatbotID]
	if b == nil {
		b = &botDeliveries{status: map[string]*ostree[*Delivery]{}, event: map[string]*ostree[*Delivery]{}}
		b.all = b.newTree()
		s.idx.deliveriesByBot[d.ChatbotID] = b
	}
	d.ix = d.currentIx()
	d.ix.ref = b.items.add(d)
	if b.status[d.ix.status] == nil {
		b.status[d.ix.status] = b.newTree()
	}
	if b.event[d.ix.event] == nil {
		b.event[d.ix.event] = b.newTree()
	}
	b.trees(d.ix, func(tr *ostree[*Delivery]) { tr.Insert(d, d.ix.ref) })
}

// unindexDeliveryLocked takes a delivery out of its chatbot's trees.
func (s *Store) unindexDeliveryLocked(d *Delivery) {
	if !d.ix.indexed {
		return
	}
	b := s.idx.deliveriesByBot[d.ChatbotID]
	b.trees(d.ix, func(tr *ostree[*Delivery]) { tr.Delete(d) })
	b.items.remove(d.ix.ref)
	d.ix = deliveryIx{}
}

func (s *Store) syncDeliveryLocked(d *Delivery) {
	if d.ix == d.currentIx() {
		return
	}
	s.unindexDeliveryLocked(d)
	s.indexDeliveryLocked(d)
}

// ---- chatbots ----

// chatbotCmp orders an account's chatbots in creation order, id as tie-break.
func chatbotCmp(a, b *Chatbot) int {
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

type botNameKey struct{ account, name string }

// foldName maps a name to one spelling per case-insensitive class: each rune becomes the
// smallest rune of its simple-folding orbit, the relation strings.EqualFold uses.
func foldName(s string) string {
	return strings.Map(func(r rune) rune {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < m {
				m = f
			}
		}
		return m
	}, strings.TrimSpace(s))
}

// accountBots is an account's chatbots in creation order (the tree names them by their
// ref in items).
type accountBots struct {
	items itemTable[*Chatbot]
	*ostree[*Chatbot]
}

// tree is the account's tree, nil (empty) for an account without chatbots.
func (a *accountBots) tree() *ostree[*Chatbot] {
	if a == nil {
		return nil
	}
	return a.ostree
}

func (s *Store) indexChatbotLocked(c *Chatbot) {
	a := s.idx.botsByAccount[c.AccountID]
	if a == nil {
		a = &accountBots{}
		a.ostree = newPrefixTree(chatbotCmp, chatbotPrefix, a.items.at)
		s.idx.botsByAccount[c.AccountID] = a
	}
	c.ref = a.items.add(c)
	a.Insert(c, c.ref)
	s.idx.botNames[botNameKey{c.AccountID, foldName(c.Name)}]++
}

func (s *Store) unindexChatbotLocked(c *Chatbot) {
	if a := s.idx.botsByAccount[c.AccountID]; a != nil && a.Delete(c) {
		a.items.remove(c.ref)
		c.ref = 0
		if a.Len() == 0 {
			delete(s.idx.botsByAccount, c.AccountID)
		}
	}
	k := botNameKey{c.AccountID, foldName(c.Name)}
	if s.idx.botNames[k]--; s.idx.botNames[k] <= 0 {
		delete(s.idx.botNames, k)
	}
}

// ---- leads ----

type leadKey struct{ chatbot, visitor, thread string }

// leadKeyOf is the one-lead-per key of a lead: its visitor on the chatbot, or its thread
// when it has no visitor.
func leadKeyOf(chatbotID, visitorID, threadID string) leadKey {
	if visitorID != "" {
		return leadKey{chatbot: chatbotID, visitor: visitorID}
	}
	return leadKey{chatbot: chatbotID, thread: threadID}
}

func (s *Store) indexLeadLocked(l *Lead) {
	if s.idx.leadsByBot[l.ChatbotID] == nil {
		s.idx.leadsByBot[l.ChatbotID] = map[string]*Lead{}
	}
	s.idx.leadsByBot[l.ChatbotID][l.ID] = l
	k := leadKeyOf(l.ChatbotID, l.VisitorID, l.ThreadID)
	if _, ok := s.idx.leadsByVisitor[k]; !ok {
		s.idx.leadsByVisitor[k] = l
	}
	if l.ThreadID != "" {
		if s.idx.leadsByThread[l.ThreadID] == nil {
			s.idx.leadsByThread[l.ThreadID] = map[string]*Lead{}
		}
		s.idx.leadsByThread[l.ThreadID][l.ID] = l
	}
}

// ---- what a chatbot owns: starters, follow-ups, instructions, personas ----

// ownedKey names an item of a chatbot's own lists.
type ownedKey struct{ chatbot, id string }

// checkOwned refuses a chatbot whose lists repeat an id (the store finds items by id).
func (n *Store) checkOwned(c *Chatbot) *problem {
	seen := map[string]bool{}
	dup := func(list string, i int, id string) *problem {
		if id == "" {
			return problemf(fmt.Sprintf(".%s[%d]", list, i), "id is missing")
		}
		if seen[list+"\x00"+id] {
			return problemf(fmt.Sprintf(".%s[%d]", list, i), "duplicate id %s", id)
		}
		seen[list+"\x00"+id] = true
		return nil
	}
	for i, x := range c.Starters {
		if x == nil {
			return problemf(fmt.Sprintf(".starters[%d]", i), "is null")
		}
		if p := dup("starters", i, x.ID); p != nil {
			return p
		}
	}
	for i, x := range c.FollowUps {
		if x == nil {
			return problemf(fmt.Sprintf(".followUps[%d]", i), "is null")
		}
		if p := dup("followUps", i, x.ID); p != nil {
			return p
		}
	}
	for i, x := range c.Instructions {
		if x == nil {
			return problemf(fmt.Sprintf(".instructions[%d]", i), "is null")
		}
		if p := dup("instructions", i, x.ID); p != nil {
			return p
		}
	}
	for i, x := range c.Personas {
		if x == nil {
			return problemf(fmt.Sprintf(".personas[%d]", i), "is null")
		}
		if p := dup("personas", i, x.ID); p != nil {
			return p
		}
	}
	return nil
}

// indexOwnedLocked indexes a chatbot's lists by id, puts its starters and follow-ups in rank
// order (the order every write keeps them in) and notes its active items.
func (s *Store) indexOwnedLocked(c *Chatbot) {
	rankedSort(c.Starters)
	rankedSort(c.FollowUps)
	for _, x := range c.Starters {
		s.idx.starters[ownedKey{c.ID, x.ID}] = x
	}
	for _, x := range c.FollowUps {
		s.idx.followUps[ownedKey{c.ID, x.ID}] = x
	}
	delete(s.idx.activeInstr, c.ID)
	for _, x := range c.Instructions {
		s.idx.instructions[ownedKey{c.ID, x.ID}] = x
		if x.IsActive {
			s.idx.activeInstr[c.ID] = append(s.idx.activeInstr[c.ID], x)
		}
	}
	delete(s.idx.activePersonas, c.ID)
	for _, x := range c.Personas {
		s.idx.personas[ownedKey{c.ID, x.ID}] = x
		if x.IsActive {
			s.idx.activePersonas[c.ID] = append(s.idx.activePersonas[c.ID], x)
		}
	}
}

func (s *Store) unindexOwnedLocked(c *Chatbot) {
	for _, x := range c.Starters {
		delete(s.idx.starters, ownedKey{c.ID, x.ID})
	}
	for _, x := range c.FollowUps {
		delete(s.idx.followUps, ownedKey{c.ID, x.ID})
	}
	for _, x := range c.Instructions {
		delete(s.idx.instructions, ownedKey{c.ID, x.ID})
	}
	for _, x := range c.Personas {
		delete(s.idx.personas, ownedKey{c.ID, x.ID})
	}
	delete(s.idx.activeInstr, c.ID)
	delete(s.idx.activePersonas, c.ID)
}
