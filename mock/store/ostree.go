package store

// ostree is an order-statistic tree: a treap of distinct items kept sorted by cmp, each
// node counting its subtree, so insert, delete, rank and the item at a rank all cost
// O(log n) and a window of k items from rank i costs O(log n + k). The store keeps every
// ordered collection (a chatbot's threads and each filter's share of them, deliveries,
// chatbots of an account) in one, so no request sorts, scans or shifts a whole collection.
//
// cmp must be a strict total order that does not change while an item is in the tree: the
// store compares on the key an item was inserted with (see threadIx), not on live fields.
//
// prefix (optional) is a number consistent with cmp (prefix(a) < prefix(b) implies a before
// b) kept in each node: comparisons that the prefixes decide do not read the item, so a
// walk down a tree of 100,000 items costs one cache miss a level instead of two.
type ostree[T any] struct {
	root   *osnode[T]
	cmp    func(a, b T) int
	prefix func(T) int64
	seed   uint64
	// Nodes come from chunks the tree allocates (8, 16, … up to 512 nodes), and deleted
	// ones go to a free list for the next insert: a tree of 100,000 items is some 200
	// objects for the garbage collector to find, not 100,000.
	chunk []osnode[T]
	free  *osnode[T]
}

const maxChunk = 512

func (t *ostree[T]) newNode() *osnode[T] {
	if n := t.free; n != nil {
		t.free = n.right
		n.right = nil
		return n
	}
	if len(t.chunk) == cap(t.chunk) {
		t.chunk = make([]osnode[T], 0, min(max(2*cap(t.chunk), 8), maxChunk))
	}
	t.chunk = t.chunk[:len(t.chunk)+1]
	return &t.chunk[len(t.chunk)-1]
}

// release puts a node taken out of the tree on the free list (dropping its item).
func (t *ostree[T]) release(n *osnode[T]) {
	*n = osnode[T]{right: t.free}
	t.free = n
}

type osnode[T any] struct {
	item        T
	pk          int64
	left, right *osnode[T]
	size        int32
	prio        uint32
}

func newOSTree[T any](cmp func(a, b T) int) *ostree[T] {
	return newPrefixTree(cmp, nil)
}

func newPrefixTree[T any](cmp func(a, b T) int, prefix func(T) int64) *ostree[T] {
	return &ostree[T]{cmp: cmp, prefix: prefix, seed: 0x9e3779b97f4a7c15}
}

func (t *ostree[T]) pkOf(item T) int64 {
	if t.prefix == nil {
		return 0
	}
	return t.prefix(item)
}

// compare orders item (with prefix pk) against a node's item.
func (t *ostree[T]) compare(item T, pk int64, n *osnode[T]) int {
	switch {
	case pk < n.pk:
		return -1
	case pk > n.pk:
		return 1
	}
	return t.cmp(item, n.item)
}

// Len is the number of items.
func (t *ostree[T]) Len() int {
	if t == nil {
		return 0
	}
	return int(t.root.sz())
}

func (n *osnode[T]) sz() int32 {
	if n == nil {
		return 0
	}
	return n.size
}

func (n *osnode[T]) fix() { n.size = 1 + n.left.sz() + n.right.sz() }

// rand is a xorshift generator: priorities need only be independent of the keys (and a
// fixed seed keeps runs reproducible).
func (t *ostree[T]) rand() uint32 {
	x := t.seed
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	t.seed = x
	return uint32(x >> 32)
}

// split cuts n into the items before item (l) and the rest (r).
func (t *ostree[T]) split(n *osnode[T], item T, pk int64) (l, r *osnode[T]) {
	if n == nil {
		return nil, nil
	}
	if t.compare(item, pk, n) > 0 {
		n.right, r = t.split(n.right, item, pk)
		n.fix()
		return n, r
	}
	l, n.left = t.split(n.left, item, pk)
	n.fix()
	return l, n
}

// merge joins two treaps where every item of a comes before every item of b.
func merge[T any](a, b *osnode[T]) *osnode[T] {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.prio > b.prio:
		a.right = merge(a.right, b)
		a.fix()
		return a
	default:
		b.left = merge(a, b.left)
		b.fix()
		return b
	}
}

// Insert adds an item; it must not be in the tree already.
func (t *ostree[T]) Insert(item T) {
	nn := t.newNode()
	nn.item, nn.pk, nn.size, nn.prio = item, t.pkOf(item), 1, t.rand()
	t.root = t.insert(t.root, nn)
}

func (t *ostree[T]) insert(n, nn *osnode[T]) *osnode[T] {
	if n == nil {
		return nn
	}
	if nn.prio > n.prio {
		nn.left, nn.right = t.split(n, nn.item, nn.pk)
		nn.fix()
		return nn
	}
	if t.compare(nn.item, nn.pk, n) < 0 {
		n.left = t.insert(n.left, nn)
	} else {
		n.right = t.insert(n.right, nn)
	}
	n.fix()
	return n
}

// Delete removes the item equal (by cmp) to item and reports whether it was there.
func (t *ostree[T]) Delete(item T) bool {
	var ok bool
	t.root, ok = t.delete(t.root, item, t.pkOf(item))
	return ok
}

func (t *ostree[T]) delete(n *osnode[T], item T, pk int64) (*osnode[T], bool) {
	if n == nil {
		return nil, false
	}
	var ok bool
	switch c := t.compare(item, pk, n); {
	case c < 0:
		n.left, ok = t.delete(n.left, item, pk)
	case c > 0:
		n.right, ok = t.delete(n.right, item, pk)
	default:
		m := merge(n.left, n.right)
		t.release(n)
		return m, true
	}
	if ok {
		n.fix()
	}
	return n, ok
}

// At is the item at rank i (0-based); i must be in [0, Len()).
func (t *ostree[T]) At(i int) T {
	n := t.root
	for n != nil {
		l := int(n.left.sz())
		switch {
		case i < l:
			n = n.left
		case i == l:
			return n.item
		default:
			i -= l + 1
			n = n.right
		}
	}
	var zero T
	return zero
}

// Rank is the number of items before item, and whether item itself is in the tree.
func (t *ostree[T]) Rank(item T) (int, bool) {
	rank := 0
	pk := t.pkOf(item)
	n := t.root
	for n != nil {
		switch c := t.compare(item, pk, n); {
		case c < 0:
			n = n.left
		case c > 0:
			rank += int(n.left.sz()) + 1
			n = n.right
		default:
			return rank + int(n.left.sz()), true
		}
	}
	return rank, false
}

// Ascend calls fn on the items from rank start on, in order, until fn returns false. It
// costs O(log n) to reach start plus O(1) amortised per item visited.
func (t *ostree[T]) Ascend(start int, fn func(T) bool) {
	if t == nil || start < 0 {
		return
	}
	// The path to start, as a stack of nodes whose item and right subtree come later.
	var buf [64]*osnode[T]
	stack := buf[:0]
	n := t.root
	for n != nil {
		l := int(n.left.sz())
		if start < l {
			stack = append(stack, n)
			n = n.left
		} else if start == l {
			stack = append(stack, n)
			break
		} else {
			start -= l + 1
			n = n.right
		}
	}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !fn(n.item) {
			return
		}
		for c := n.right; c != nil; c = c.left {
			stack = append(stack, c)
		}
	}
}

// Page calls fn on the items of ranks [start, start+limit), in order.
func (t *ostree[T]) Page(start, limit int, fn func(T)) {
	if limit <= 0 {
		return
	}
	n := 0
	t.Ascend(start, func(x T) bool {
		fn(x)
		n++
		return n < limit
	})
}
