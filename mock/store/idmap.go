package store

import "strings"

// idMap finds a record's row by its id. Ids the store makes are canonical UUIDs: those key
// a map of 16-byte arrays, which holds no pointer for the garbage collector to follow; any
// other id (an import may bring any string) keys a map of strings.
type idMap struct {
	byUUID map[uuidKey]int32
	byStr  map[string]int32
}

func newIDMap() idMap { return idMap{byUUID: map[uuidKey]int32{}, byStr: map[string]int32{}} }

// get is the row of id, 0 when there is none.
func (m idMap) get(id string) int32 {
	if k, ok := parseUUID(id); ok {
		return m.byUUID[k]
	}
	return m.byStr[id]
}

func (m idMap) set(id string, row int32) {
	if k, ok := parseUUID(id); ok {
		m.byUUID[k] = row
	} else {
		m.byStr[strings.Clone(id)] = row // its own copy: the id may be a piece of a record's data
	}
}

func (m idMap) del(id string) {
	if k, ok := parseUUID(id); ok {
		delete(m.byUUID, k)
	} else {
		delete(m.byStr, id)
	}
}

// each calls fn on every row, in no particular order.
func (m idMap) each(fn func(row int32)) {
	for _, row := range m.byUUID {
		fn(row)
	}
	for _, row := range m.byStr {
		fn(row)
	}
}

// uuidKey is a canonical UUID's 16 bytes. Only the lower-case 8-4-4-4-12 form parses, so no
// two ids share a key and every other spelling stays a string key.
type uuidKey [16]byte

func parseUUID(s string) (k uuidKey, ok bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return k, false
	}
	j := 0
	for i := 0; i < 36; i += 2 {
		if s[i] == '-' {
			i--
			continue
		}
		hi, ok1 := hexVal(s[i])
		lo, ok2 := hexVal(s[i+1])
		if !ok1 || !ok2 {
			return k, false
		}
		k[j] = hi<<4 | lo
		j++
	}
	return k, j == 16
}

func hexVal(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}
