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
//
// The tree holds no pointer the garbage collector must follow: nodes link by int32 and
// name their item by an int32 ref that the caller resolves (item), typically into an
// itemTable shared by several trees over the same items. A store of 100,000 threads in
// eight trees each was 800,000 nodes of three pointers for every GC cycle to mark (about
// half of a full collection's time); now each tree is a few hundred pointer-free chunks.
type ostree[T any] struct {
	nodes  chunked[osnode]
	root   int32 // node ref, 0 = empty
	free   int32 // released nodes, linked by left
	cmp    func(a, b T) int
	prefix func(T) int64
	item   func(ref int32) T
	seed   uint64
}

type osnode struct {
	pk          int64
	item        int32 // the caller's ref of the item
	left, right int32 // node refs, 0 = none
	size        int32
	prio        uint32
}

// chunked is a growable array in chunks (8, 16, … up to 512 elements, so a small tree
// stays small) that never moves what it holds: growing adds a chunk, it does not copy.
// Refs are 1-based (0 means none): chunk number above chunkBits, offset below.
type chunked[T any] struct {
	chunks [][]T
}

const (
	chunkBits = 9
	chunkMax  = 1 << chunkBits
)

// alloc appends a zero element and returns its ref.
func (c *chunked[T]) alloc() int32 {
	k := len(c.chunks) - 1
	if k < 0 || len(c.chunks[k]) == cap(c.chunks[k]) {
		size := 8
		if k >= 0 {
			size = min(2*cap(c.chunks[k]), chunkMax)
		}
		c.chunks = append(c.chunks, make([]T, 0, size))
		k++
	}
	c.chunks[k] = c.chunks[k][:len(c.chunks[k])+1]
	return int32(k<<chunkBits|(len(c.chunks[k])-1)) + 1
}

// at is the element of a ref from alloc.
func (c *chunked[T]) at(ref int32) *T {
	r := ref - 1
	return &c.chunks[r>>chunkBits][r&(chunkMax-1)]
}

// itemTable holds the items that pointer-free trees name by ref: one pointer per item for
// the collector, however many trees hold it. Refs of removed items are reused.
type itemTable[T any] struct {
	items chunked[T]
	free  []int32
}

func (t *itemTable[T]) add(x T) int32 {
	if n := len(t.free); n > 0 {
		ref := t.free[n-1]
		t.free = t.free[:n-1]
		*t.items.at(ref) = x
		return ref
	}
	ref := t.items.alloc()
	*t.items.at(ref) = x
	return ref
}

func (t *itemTable[T]) remove(ref int32) {
	var zero T
	*t.items.at(ref) = zero
	t.free = append(t.free, ref)
}

func (t *itemTable[T]) at(ref int32) T { return *t.items.at(ref) }

func newOSTree[T any](cmp func(a, b T) int, item func(int32) T) *ostree[T] {
	return newPrefixTree(cmp, nil, item)
}

func newPrefixTree[T any](cmp func(a, b T) int, prefix func(T) int64, item func(int32) T) *ostree[T] {
	return &ostree[T]{cmp: cmp, prefix: prefix, item: item, seed: 0x9e3779b97f4a7c15}
}

func (t *ostree[T]) pkOf(item T) int64 {
	if t.prefix == nil {
		return 0
	}
	return t.prefix(item)
}

func (t *ostree[T]) node(ref int32) *osnode { return t.nodes.at(ref) }

func (t *ostree[T]) newNode() int32 {
	if ref := t.free; ref != 0 {
		t.free = t.node(ref).left
		return ref
	}
	return t.nodes.alloc()
}

// release puts a node taken out of the tree on the free list.
func (t *ostree[T]) release(ref int32) {
	*t.node(ref) = osnode{left: t.free}
	t.free = ref
}

// compare orders item (with prefix pk) against a node's item.
func (t *ostree[T]) compare(item T, pk int64, n *osnode) int {
	switch {
	case pk < n.pk:
		return -1
	case pk > n.pk:
		return 1
	}
	return t.cmp(item, t.item(n.item))
}

// Len is the number of items.
func (t *ostree[T]) Len() int {
	if t == nil {
		return 0
	}
	return int(t.sz(t.root))
}

func (t *ostree[T]) sz(ref int32) int32 {
	if ref == 0 {
		return 0
	}
	return t.node(ref).size
}

func (t *ostree[T]) fix(n *osnode) { n.size = 1 + t.sz(n.left) + t.sz(n.right) }

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

// split cuts n into the items before item (l) and the rest (r). Node pointers stay valid
// across calls: chunks never move.
func (t *ostree[T]) split(ref int32, item T, pk int64) (l, r int32) {
	if ref == 0 {
		return 0, 0
	}
	n := t.node(ref)
	if t.compare(item, pk, n) > 0 {
		n.right, r = t.split(n.right, item, pk)
		t.fix(n)
		return ref, r
	}
	l, n.left = t.split(n.left, item, pk)
	t.fix(n)
	return l, ref
}

// merge joins two treaps where every item of a comes before every item of b.
func (t *ostree[T]) merge(a, b int32) int32 {
	switch {
	case a == 0:
		return b
	case b == 0:
		return a
	}
	na, nb := t.node(a), t.node(b)
	if na.prio > nb.prio {
		na.right = t.merge(na.right, b)
		t.fix(na)
		return a
	}
	nb.left = t.merge(a, nb.left)
	t.fix(nb)
	return b
}

// Insert adds an item, named by its ref; it must not be in the tree already.
func (t *ostree[T]) Insert(item T, ref int32) {
	nn := t.newNode()
	x := t.node(nn)
	*x = osnode{item: ref, pk: t.pkOf(item), size: 1, prio: t.rand()}
	t.root = t.insert(t.root, nn, x, item)
}

func (t *ostree[T]) insert(ref, nn int32, x *osnode, item T) int32 {
	if ref == 0 {
		return nn
	}
	n := t.node(ref)
	if x.prio > n.prio {
		x.left, x.right = t.split(ref, item, x.pk)
		t.fix(x)
		return nn
	}
	if t.compare(item, x.pk, n) < 0 {
		n.left = t.insert(n.left, nn, x, item)
	} else {
		n.right = t.insert(n.right, nn, x, item)
	}
	t.fix(n)
	return ref
}

// Delete removes the item equal (by cmp) to item and reports whether it was there.
func (t *ostree[T]) Delete(item T) bool {
	var ok bool
	t.root, ok = t.delete(t.root, item, t.pkOf(item))
	return ok
}

func (t *ostree[T]) delete(ref int32, item T, pk int64) (int32, bool) {
	if ref == 0 {
		return 0, false
	}
	n := t.node(ref)
	var ok bool
	switch c := t.compare(item, pk, n); {
	case c < 0:
		n.left, ok = t.delete(n.left, item, pk)
	case c > 0:
		n.right, ok = t.delete(n.right, item, pk)
	default:
		m := t.merge(n.left, n.right)
		t.release(ref)
		return m, true
	}
	if ok {
		t.fix(n)
	}
	return ref, ok
}

// At is the item at rank i (0-based); i must be in [0, Len()).
func (t *ostree[T]) At(i int) T {
	ref := t.root
	for ref != 0 {
		n := t.node(ref)
		l := int(t.sz(n.left))
		switch {
		case i < l:
			ref = n.left
		case i == l:
			return t.item(n.item)
		default:
			i -= l + 1
			ref = n.right
		}
	}
	var zero T
	return zero
}

// Rank is the number of items before item, and whether item itself is in the tree.
func (t *ostree[T]) Rank(item T) (int, bool) {
	rank := 0
	pk := t.pkOf(item)
	ref := t.root
	for ref != 0 {
		n := t.node(ref)
		switch c := t.compare(item, pk, n); {
		case c < 0:
			ref = n.left
		case c > 0:
			rank += int(t.sz(n.left)) + 1
			ref = n.right
		default:
			return rank + int(t.sz(n.left)), true
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
	var buf [64]int32
	stack := buf[:0]
	ref := t.root
	for ref != 0 {
		n := t.node(ref)
		l := int(t.sz(n.left))
		if start < l {
			stack = append(stack, ref)
			ref = n.left
		} else if start == l {
			stack = append(stack, ref)
			break
		} else {
			start -= l + 1
			ref = n.right
		}
	}
	for len(stack) > 0 {
		n := t.node(stack[len(stack)-1])
		stack = stack[:len(stack)-1]
		if !fn(t.item(n.item)) {
			return
		}
		for c := n.right; c != 0; c = t.node(c).left {
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
