package store

// recRows is what the thread and message tables share (threadtable.go, msgtable.go): records
// by row (1-based; 0 is none) in chunks that never move, freed rows reused, the id map, and
// the values decoded during a write, kept until it ends.
type recRows[R, V any] struct {
	rows    chunked[R]
	free    []int32
	ids     idMap
	n       int
	thawed  map[int32]*V
	writing bool // a write is in progress: decoded values are kept until it ends
}

func newRecRows[R, V any]() recRows[R, V] { return recRows[R, V]{ids: newIDMap()} }

// Len is the number of records.
func (t *recRows[R, V]) Len() int { return t.n }

// rec is the record of a row.
func (t *recRows[R, V]) rec(row int32) *R { return t.rows.at(row) }

// row is the row of an id, 0 when there is none.
func (t *recRows[R, V]) row(id string) int32 { return t.ids.get(id) }

// place takes a row for a new record, a freed one first, zeroed; the caller fills it and
// maps its id (ids.set).
func (t *recRows[R, V]) place() int32 {
	var row int32
	if n := len(t.free); n > 0 {
		row, t.free = t.free[n-1], t.free[:n-1]
	} else {
		row = t.rows.alloc()
	}
	var zero R
	*t.rows.at(row) = zero
	t.n++
	return row
}

// release frees the row of id; false when there is none.
func (t *recRows[R, V]) release(id string) (int32, bool) {
	row := t.row(id)
	if row == 0 {
		return 0, false
	}
	t.ids.del(id)
	delete(t.thawed, row)
	var zero R
	*t.rows.at(row) = zero
	t.free = append(t.free, row)
	t.n--
	return row, true
}

// kept is the value decoded for a row during the write in progress, or nil.
func (t *recRows[R, V]) kept(row int32) *V {
	if !t.writing {
		return nil
	}
	return t.thawed[row]
}

// keep holds v as a row's value until the write ends; outside a write it does nothing.
func (t *recRows[R, V]) keep(row int32, v *V) {
	if !t.writing {
		return
	}
	if t.thawed == nil {
		t.thawed = map[int32]*V{}
	}
	t.thawed[row] = v
}

// begin starts a write: values decoded from now on are kept until end.
func (t *recRows[R, V]) begin() { t.writing = true }

// end finishes a write: writeBack puts each kept value back into its record.
func (t *recRows[R, V]) end(writeBack func(row int32, v *V)) {
	for row, v := range t.thawed {
		writeBack(row, v)
	}
	clear(t.thawed)
	t.writing = false
}
