package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/pb33f/jsonschema/v6"
	"github.com/pb33f/libopenapi-validator/config"
	"github.com/pb33f/libopenapi-validator/helpers"
)

// The fast path of response validation: a yes/no answer to "does this response honour the
// contract?", from schemas compiled once per (operation, status, content type) out of the
// kin-openapi document the harness has loaded anyway, checked while the body's bytes are
// tokenized (jsontext: no decoded tree, no re-marshalling, almost no allocations).
//
// It only ever says "yes" when libopenapi-validator would: every keyword it does not
// implement makes the schema unsupported, and every doubt (a media type matched only by a
// wildcard, a number written 1.0 for an integer, a format value outside the shape it knows)
// answers "no". "No" is not a finding: it sends the response to libopenapi-validator, which
// decides and explains (ValidateResponse). So the findings are the library's, unchanged, and
// a conforming response, the common case, costs a fraction of the library's time.
//
// Formats are the library's own (its JSON Schema compiler with its OpenAPI formats); the
// fast path has a quicker test only for the common shape of a date-time, and asks the
// library's checker for anything else.

// fastValidator answers the fast path for one document.
type fastValidator struct {
	spec    *Spec
	entries sync.Map // fastKey → *fastEntry
	formats sync.Map // format name → *fastFormat
}

type fastKey struct {
	route       *openapi3.Operation
	status      int
	contentType string
}

// fastEntry is what checking one (operation, status, content type) needs.
type fastEntry struct {
	ok      bool      // false: the fast path cannot answer; always ask the library
	body    *fastNode // nil: no body to check
	headers []fastHeader
}

type fastHeader struct {
	name     string // canonical
	required bool
	schema   *fastNode // nil: any value
	integer  bool      // the schema's type is integer: the value must be an integer literal
}

func newFastValidator(s *Spec) *fastValidator {
	if s == nil || s.doc == nil || !strings.HasPrefix(s.doc.OpenAPI, "3.0") {
		return nil // 3.1 reads schemas differently (no nullable); the library alone decides
	}
	return &fastValidator{spec: s}
}

// conforms tells whether the response certainly honours the contract.
func (f *fastValidator) conforms(method, path string, status int, header http.Header, body []byte) bool {
	if strings.HasSuffix(path, "/") || strings.Contains(path, "//") {
		return false // the trie reads these more leniently than the library's path matching
	}
	route, err := f.spec.Match(method, path)
	if err != nil {
		return false
	}
	e := f.entry(route, status, mediaType(header.Get("Content-Type")))
	if !e.ok {
		return false
	}
	for _, h := range e.headers {
		values, present := header[h.name]
		if !present {
			if h.required {
				return false
			}
			continue
		}
		for _, v := range values {
			if !h.check(v) {
				return false
			}
		}
	}
	if e.body == nil {
		return true
	}
	return validBody(e.body, body)
}

func (h fastHeader) check(v string) bool {
	if h.schema == nil {
		return true
	}
	if h.integer {
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return false
		}
		return validBody(h.schema, []byte(v))
	}
	raw, err := json.Marshal(v)
	return err == nil && validBody(h.schema, raw)
}

func (f *fastValidator) entry(route *Route, status int, mt string) *fastEntry {
	k := fastKey{route.Operation, status, mt}
	if e, ok := f.entries.Load(k); ok {
		return e.(*fastEntry)
	}
	e := f.compileEntry(route, status, mt)
	actual, _ := f.entries.LoadOrStore(k, e)
	return actual.(*fastEntry)
}

// mediaType is a Content-Type's media type, lower case, without parameters; "" when it
// does not parse.
func mediaType(contentType string) string {
	if contentType == "application/json" {
		return contentType
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return mt
}

// warm compiles the entries of the operation at path (parameters filled) for status (0:
// every declared status) and each media type it declares.
func (f *fastValidator) warm(method, path string, status int) {
	route, err := f.spec.Match(method, path)
	if err != nil || route.Operation.Responses == nil {
		return
	}
	for code, ref := range route.Operation.Responses.Map() {
		n, err := strconv.Atoi(code)
		if err != nil || (status != 0 && n != status) || ref == nil || ref.Value == nil {
			continue
		}
		for mt := range ref.Value.Content {
			f.entry(route, n, mt)
		}
	}
}

func (f *fastValidator) compileEntry(route *Route, status int, mt string) *fastEntry {
	no := &fastEntry{}
	resps := route.Operation.Responses
	if resps == nil {
		return no
	}
	ref := resps.Value(strconv.Itoa(status))
	if ref == nil {
		ref = resps.Value(fmt.Sprintf("%dXX", status/100))
	}
	if ref == nil {
		ref = resps.Default()
	}
	if ref == nil || ref.Value == nil {
		return no // undeclared: the library reports it
	}
	resp := ref.Value
	c := &fastCompiler{f: f, done: map[*openapi3.Schema]*fastNode{}}
	e := &fastEntry{ok: true}
	if len(resp.Content) > 0 {
		media, declared := resp.Content[mt]
		if !declared || media == nil || !(mt == "application/json" || strings.HasSuffix(mt, "+json")) {
			return no // wildcards, other media types: the library's rules
		}
		if media.Schema != nil {
			if e.body = c.node(media.Schema.Value); c.err != nil {
				return no
			}
		}
	}
	for name, h := range resp.Headers {
		if h == nil || h.Value == nil || strings.EqualFold(name, "Content-Type") {
			continue
		}
		fh := fastHeader{name: http.CanonicalHeaderKey(name), required: h.Value.Required}
		if h.Value.Schema != nil && h.Value.Schema.Value != nil {
			s := h.Value.Schema.Value
			switch {
			case s.Type.Is(openapi3.TypeString):
			case s.Type.Is(openapi3.TypeInteger):
				fh.integer = true
			default:
				return no // other readings of a header (arrays, numbers, objects): the library's
			}
			if fh.schema = c.node(s); c.err != nil {
				return no
			}
		}
		e.headers = append(e.headers, fh)
	}
	return e
}

// Kinds a node admits (JSON Schema types).
const (
	kindObject uint8 = 1 << iota
	kindArray
	kindString
	kindInteger
	kindNumber
	kindBoolean
)

// fastNode is one compiled schema.
type fastNode struct {
	types    uint8 // 0: any type
	nullable bool

	props        map[string]fastProp
	nRequired    int
	addl         uint8 // addlAny, addlNone or addlSchema
	addlNode     *fastNode
	minProps     int
	maxProps     int // -1: none
	items        *fastNode
	minItems     int
	maxItems     int // -1: none
	minLen       int
	maxLen       int // -1: none
	pattern      *regexp.Regexp
	format       *fastFormat
	min, max     *float64
	exclMin      bool
	exclMax      bool
	enum         []any // string, float64, bool or nil
	allOf        []*fastNode
	anyOf, oneOf []*fastNode
	own          *fastNode // with allOf/anyOf/oneOf: the node's own keywords alone
}

type fastProp struct {
	node     *fastNode
	required int // index among the required properties, -1 when optional
}

const (
	addlAny uint8 = iota
	addlNone
	addlSchema
)

// fastCompiler turns kin-openapi schemas into nodes; err is set on the first keyword the
// fast path does not implement.
type fastCompiler struct {
	f    *fastValidator
	done map[*openapi3.Schema]*fastNode
	err  error
}

// fastKeywords are the schema keywords the fast path implements (or that do not constrain).
var fastKeywords = map[string]bool{
	"type": true, "nullable": true, "properties": true, "required": true, "additionalProperties": true,
	"items": true, "minItems": true, "maxItems": true, "minProperties": true, "maxProperties": true,
	"minLength": true, "maxLength": true, "pattern": true, "enum": true, "minimum": true, "maximum": true,
	"exclusiveMinimum": true, "exclusiveMaximum": true, "format": true, "allOf": true, "anyOf": true, "oneOf": true,
	"description": true, "title": true, "example": true, "examples": true, "default": true, "deprecated": true,
	"externalDocs": true, "xml": true,
}

func (c *fastCompiler) fail(format string, args ...any) *fastNode {
	if c.err == nil {
		c.err = fmt.Errorf(format, args...)
	}
	return nil
}

func (c *fastCompiler) node(s *openapi3.Schema) *fastNode {
	if s == nil {
		return c.fail("unresolved schema")
	}
	if n, ok := c.done[s]; ok {
		return n
	}
	n := &fastNode{maxProps: -1, maxItems: -1, maxLen: -1, nullable: s.Nullable}
	c.done[s] = n // before the children: schemas may refer to themselves
	if err := c.checkKeywords(s); err != nil {
		return c.fail("%v", err)
	}
	if s.Type != nil && len(*s.Type) > 1 {
		return c.fail("several types")
	}
	for _, t := range s.Type.Slice() {
		switch t {
		case openapi3.TypeObject:
			n.types |= kindObject
		case openapi3.TypeArray:
			n.types |= kindArray
		case openapi3.TypeString:
			n.types |= kindString
		case openapi3.TypeInteger:
			n.types |= kindInteger
		case openapi3.TypeNumber:
			n.types |= kindNumber | kindInteger
		case openapi3.TypeBoolean:
			n.types |= kindBoolean
		default:
			return c.fail("type %q", t)
		}
	}
	if len(s.Required) > 64 {
		return c.fail("more than 64 required properties")
	}
	if len(s.Properties) > 0 {
		n.props = make(map[string]fastProp, len(s.Properties))
		for name, p := range s.Properties {
			if p == nil {
				return c.fail("property %s unresolved", name)
			}
			n.props[name] = fastProp{node: c.node(p.Value), required: -1}
		}
	}
	for _, name := range s.Required {
		p, ok := n.props[name]
		if !ok {
			p = fastProp{} // required, any value
		}
		if p.required >= 0 && ok {
			continue // listed twice
		}
		p.required = n.nRequired
		n.nRequired++
		if n.props == nil {
			n.props = map[string]fastProp{}
		}
		n.props[name] = p
	}
	switch ap := s.AdditionalProperties; {
	case ap.Has != nil && !*ap.Has:
		n.addl = addlNone
	case ap.Schema != nil:
		n.addl, n.addlNode = addlSchema, c.node(ap.Schema.Value)
	}
	n.minProps = int(s.MinProps)
	if s.MaxProps != nil {
		n.maxProps = int(*s.MaxProps)
	}
	if s.Items != nil {
		n.items = c.node(s.Items.Value)
	}
	n.minItems = int(s.MinItems)
	if s.MaxItems != nil {
		n.maxItems = int(*s.MaxItems)
	}
	n.minLen = int(s.MinLength)
	if s.MaxLength != nil {
		n.maxLen = int(*s.MaxLength)
	}
	if s.Pattern != "" {
		re, err := regexp.Compile(s.Pattern)
		if err != nil {
			return c.fail("pattern %q: %v", s.Pattern, err)
		}
		n.pattern = re
	}
	if s.Format != "" {
		if n.format = c.f.format(s.Format); n.format == nil {
			return c.fail("format %q", s.Format)
		}
	}
	n.min, n.max = s.Min, s.Max
	n.exclMin, n.exclMax = s.ExclusiveMin.IsTrue(), s.ExclusiveMax.IsTrue()
	if s.ExclusiveMin.Value != nil || s.ExclusiveMax.Value != nil {
		return c.fail("numeric exclusive bounds")
	}
	for _, v := range s.Enum {
		switch v.(type) {
		case string, float64, bool, nil:
			n.enum = append(n.enum, v)
		case int:
			n.enum = append(n.enum, float64(v.(int)))
		default:
			return c.fail("enum value %T", v)
		}
	}
	for _, list := range []struct {
		in  openapi3.SchemaRefs
		out *[]*fastNode
	}{{s.AllOf, &n.allOf}, {s.AnyOf, &n.anyOf}, {s.OneOf, &n.oneOf}} {
		for _, ref := range list.in {
			if ref == nil {
				return c.fail("composition part unresolved")
			}
			*list.out = append(*list.out, c.node(ref.Value))
		}
	}
	if c.err != nil {
		return nil
	}
	if len(n.allOf)+len(n.anyOf)+len(n.oneOf) > 0 {
		if n.nullable {
			return c.fail("nullable beside allOf/anyOf/oneOf") // the library adds null alternatives its own way
		}
		own := *n
		own.allOf, own.anyOf, own.oneOf = nil, nil, nil
		n.own = &own
	}
	return n
}

// checkKeywords refuses a schema with any keyword outside fastKeywords (kin's own rendering
// of the schema, so a keyword kin knows and the fast path does not is never ignored).
func (c *fastCompiler) checkKeywords(s *openapi3.Schema) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	for k := range m {
		if strings.HasPrefix(k, "x-") {
			continue
		}
		if !fastKeywords[k] {
			return fmt.Errorf("keyword %s", k)
		}
	}
	if s.UniqueItems || s.ReadOnly || s.WriteOnly || s.Not != nil || s.Discriminator != nil || s.MultipleOf != nil {
		return fmt.Errorf("keyword outside the fast path")
	}
	return nil
}

// fastFormat checks one format as libopenapi-validator does (its compiler, its formats).
type fastFormat struct {
	name   string
	schema *jsonschema.Schema
	quick  func(string) bool // a test of the common shape; false means "ask the library"
}

func (f *fastValidator) format(name string) *fastFormat {
	if v, ok := f.formats.Load(name); ok {
		return v.(*fastFormat)
	}
	c := jsonschema.NewCompiler()
	helpers.ConfigureCompiler(c, config.NewValidationOptions(config.WithFormatAssertions()))
	if err := c.AddResource("format.json", map[string]any{"format": name}); err != nil {
		return nil
	}
	sch, err := c.Compile("format.json")
	if err != nil {
		return nil
	}
	ff := &fastFormat{name: name, schema: sch}
	if name == "date-time" {
		ff.quick = quickDateTime
	}
	v, _ := f.formats.LoadOrStore(name, ff)
	return v.(*fastFormat)
}

func (ff *fastFormat) string(s string) bool {
	if ff.quick != nil && ff.quick(s) {
		return true
	}
	return ff.schema.Validate(s) == nil
}

func (ff *fastFormat) number(raw []byte) bool {
	return ff.schema.Validate(json.Number(raw)) == nil
}

// quickDateTime accepts the common shape of an RFC 3339 date-time, a strict subset of what
// the library's date-time format accepts: 2006-01-02T15:04:05(.fraction)?(Z|±07:00), a real
// calendar date, hours below 24, minutes and seconds below 60 (no leap second).
func quickDateTime(s string) bool {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return false
	}
	num := func(i, j int) int {
		n := 0
		for k := i; k < j; k++ {
			if s[k] < '0' || s[k] > '9' {
				return -1
			}
			n = n*10 + int(s[k]-'0')
		}
		return n
	}
	year, month, day := num(0, 4), num(5, 7), num(8, 10)
	hour, minute, sec := num(11, 13), num(14, 16), num(17, 19)
	if year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) ||
		hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 59 {
		return false
	}
	rest := s[19:]
	if rest[0] == '.' {
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 1 {
			return false
		}
		rest = rest[i:]
	}
	switch {
	case rest == "Z":
		return true
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, om := num(len(s)-5, len(s)-3), num(len(s)-2, len(s))
		return oh >= 0 && oh <= 23 && om >= 0 && om <= 59
	}
	return false
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

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
		return d.SkipValue() == nil
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

func (n *fastNode) validNumber(v jsontext.Value) bool {
	integer := bytes.IndexAny(v, ".eE") < 0
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
			if d.SkipValue() != nil {
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
