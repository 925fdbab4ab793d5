package spec

import (
	"bytes"
	"io"
	"strconv"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/go-json-experiment/json/jsontext"
)

// Checking a body's bytes against a compiled node (see response_fast.go).

// decoders are reused: a decoder keeps its buffers and state stack between bodies.
var decoders = sync.Pool{New: func() any { return jsontext.NewDecoder(bytes.NewReader(nil)) }}

// validBody tells whether raw is exactly one JSON value that n accepts.
func validBody(n *fastNode, raw []byte) bool {
	d := decoders.Get().(*jsontext.Decoder)
	defer decoders.Put(d)
	// Duplicate names are not looked for (a fifth of the time): every occurrence is checked,
	// which is stricter than the library's last-one-wins decoding.
	d.Reset(bytes.NewBuffer(raw), jsontext.AllowDuplicateNames(true))
	var scratch []byte
	if !n.valid(d, &scratch) {
		return false
	}
	_, err := d.ReadToken()
	return err == io.EOF // exactly one value
}

// unsafeString views b as a string without copying; the string must not outlive b's use.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// valid reads the next value from d and tells whether n accepts it.
func (n *fastNode) valid(d *jsontext.Decoder, scratch *[]byte) bool {
	if n == nil {
		return skipValue(d)
	}
	if len(n.allOf)+len(n.anyOf)+len(n.oneOf) > 0 {
		return n.validComposed(d, scratch)
	}
	switch d.PeekKind() {
	case 'n':
		if _, err := d.ReadValue(); err != nil {
			return false
		}
		return (n.nullable || n.types == 0) && n.enumHas(nil)
	case 't', 'f':
		v, err := d.ReadValue()
		if err != nil || (n.types != 0 && n.types&kindBoolean == 0) {
			return false
		}
		return n.enumHas(v[0] == 't')
	case '"':
		v, err := d.ReadValue()
		if err != nil || (n.types != 0 && n.types&kindString == 0) {
			return false
		}
		return n.validString(v, scratch)
	case '0':
		v, err := d.ReadValue()
		if err != nil || (n.types != 0 && n.types&(kindNumber|kindInteger) == 0) {
			return false
		}
		return n.validNumber(v)
	case '{':
		if n.types != 0 && n.types&kindObject == 0 {
			return false
		}
		return n.validObject(d, scratch)
	case '[':
		if n.types != 0 && n.types&kindArray == 0 {
			return false
		}
		return n.validArray(d, scratch)
	}
	return false
}

// enumHas tells whether v is one of the enum's values (always, without an enum). A nullable
// schema's enum admits null, as the library reads OpenAPI 3.0.
func (n *fastNode) enumHas(v any) bool {
	if n.enum == nil {
		return true
	}
	if v == nil && n.nullable {
		return true
	}
	for _, e := range n.enum {
		if e == v {
			return true
		}
	}
	return false
}

func (n *fastNode) validString(v jsontext.Value, scratch *[]byte) bool {
	var s string
	if bytes.IndexByte(v, '\\') < 0 {
		s = unsafeString(v[1 : len(v)-1])
	} else {
		b, err := jsontext.AppendUnquote((*scratch)[:0], v)
		if err != nil {
			return false
		}
		*scratch = b
		s = unsafeString(b)
	}
	if n.minLen > 0 || n.maxLen >= 0 {
		l := utf8.RuneCountInString(s)
		if l < n.minLen || (n.maxLen >= 0 && l > n.maxLen) {
			return false
		}
	}
	if n.pattern != nil && !n.pattern.MatchString(s) {
		return false
	}
	if n.format != nil && !n.format.string(s) {
		return false
	}
	if n.enum != nil {
		for _, e := range n.enum {
			if es, ok := e.(string); ok && es == s {
				return true
			}
		}
		return false
	}
	return true
}

// fitsFloat tells whether the number v decodes into a float64, as the library's decoding
// (encoding/json into any) needs: 1e400 or a 400-digit integer does not, and the library
// rejects the whole body. Underflow (1e-400) decodes to 0 and is fine, as for the library.
func fitsFloat(v []byte) bool {
	if len(v) < 300 && !bytes.ContainsAny(v, "eE") {
		return true // no exponent and under 300 digits: at most ~1e299
	}
	_, err := strconv.ParseFloat(unsafeString(v), 64)
	return err == nil
}

// skipValue reads the next value, which no schema constrains, and tells whether the library
// could decode it: its syntax is valid and each of its numbers fits a float64.
func skipValue(d *jsontext.Decoder) bool {
	switch d.PeekKind() {
	case '0':
		v, err := d.ReadValue()
		return err == nil && fitsFloat(v)
	case '{', '[':
	default:
		return d.SkipValue() == nil
	}
	for depth := 0; ; {
		if d.PeekKind() == '0' {
			v, err := d.ReadValue()
			if err != nil || !fitsFloat(v) {
				return false
			}
			continue
		}
		tok, err := d.ReadToken()
		if err != nil {
			return false
		}
		switch tok.Kind() {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return true
			}
		}
	}
}

func (n *fastNode) validNumber(v jsontext.Value) bool {
	if !fitsFloat(v) {
		return false // the library cannot decode it
	}
	integer := !bytes.ContainsAny(v, ".eE")
	if n.types != 0 && n.types&kindNumber == 0 && !integer {
		return false // 1.0 for an integer: the library decides
	}
	if n.min != nil || n.max != nil || n.enum != nil {
		f, err := strconv.ParseFloat(unsafeString(v), 64)
		if err != nil {
			return false
		}
		if n.min != nil && (f < *n.min || (n.exclMin && f == *n.min)) {
			return false
		}
		if n.max != nil && (f > *n.max || (n.exclMax && f == *n.max)) {
			return false
		}
		if !n.enumHas(f) {
			return false
		}
	}
	if n.format != nil && !n.format.number(v) {
		return false
	}
	return true
}

func (n *fastNode) validObject(d *jsontext.Decoder, scratch *[]byte) bool {
	if _, err := d.ReadToken(); err != nil { // {
		return false
	}
	var seen uint64
	count := 0
	for d.PeekKind() != '}' {
		name, err := d.ReadValue()
		if err != nil {
			return false
		}
		count++
		var key string
		if bytes.IndexByte(name, '\\') < 0 {
			key = unsafeString(name[1 : len(name)-1])
		} else {
			b, err := jsontext.AppendUnquote((*scratch)[:0], name)
			if err != nil {
				return false
			}
			key = string(b)
		}
		if p, ok := n.props[key]; ok {
			if p.required >= 0 {
				seen |= 1 << p.required
			}
			if !p.node.valid(d, scratch) {
				return false
			}
			continue
		}
		switch n.addl {
		case addlNone:
			return false
		case addlSchema:
			if !n.addlNode.valid(d, scratch) {
				return false
			}
		default:
			if !skipValue(d) {
				return false
			}
		}
	}
	if _, err := d.ReadToken(); err != nil { // }
		return false
	}
	if n.nRequired > 0 && seen != (uint64(1)<<n.nRequired)-1 {
		return false
	}
	return count >= n.minProps && (n.maxProps < 0 || count <= n.maxProps) && n.enum == nil
}

func (n *fastNode) validArray(d *jsontext.Decoder, scratch *[]byte) bool {
	if _, err := d.ReadToken(); err != nil { // [
		return false
	}
	count := 0
	for d.PeekKind() != ']' {
		count++
		if !n.items.valid(d, scratch) {
			return false
		}
	}
	if _, err := d.ReadToken(); err != nil { // ]
		return false
	}
	return count >= n.minItems && (n.maxItems < 0 || count <= n.maxItems) && n.enum == nil
}

// validComposed checks a schema with allOf/anyOf/oneOf: the value is read whole, then checked
// against the schema's own keywords and each part on its own.
func (n *fastNode) validComposed(d *jsontext.Decoder, scratch *[]byte) bool {
	raw, err := d.ReadValue()
	if err != nil {
		return false
	}
	raw = bytes.Clone(raw) // the decoder's buffer is reused by the next read
	if !validBody(n.own, raw) {
		return false
	}
	for _, p := range n.allOf {
		if !validBody(p, raw) {
			return false
		}
	}
	if len(n.anyOf) > 0 {
		any := false
		for _, p := range n.anyOf {
			if validBody(p, raw) {
				any = true
				break
			}
		}
		if !any {
			return false
		}
	}
	if len(n.oneOf) > 0 {
		matched := 0
		for _, p := range n.oneOf {
			if validBody(p, raw) {
				matched++
			}
		}
		if matched != 1 {
			return false
		}
	}
	return true
}
