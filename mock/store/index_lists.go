package store

import (
	"strings"
	"time"
	"unicode"
)

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
