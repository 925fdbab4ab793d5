package spec

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// ValidateRequestBody is ValidateRequest for a request whose body the caller has read
// (body): it validates parameters and body as ValidateRequest does, and hands on the body
// as validation decoded it (objects map[string]any, numbers json.Number), so the caller
// need not decode it again. decoded is false when the body was not decoded here (no body,
// not application/json, or an operation without a JSON schema for it: then the whole
// request went through kin-openapi's own path) or when the body holds more than the one
// JSON value validated (kin reads the first value and ignores the rest; json.Unmarshal
// refuses such a body, so the caller must see it whole): then value is nil.
//
// For a JSON body it does what openapi3filter.ValidateRequestBody does, minus reading the
// body again: the same decoder settings (encoding/json, UseNumber), the same schema
// options (request, all errors, the document's formats, no defaults written), the same
// error wrapping, in the same order after the parameters' errors (kin checks them first).
// TestValidateRequestBodyMatchesKin proves the two agree on every operation's examples and
// on invalid bodies. A body a compiled acceptor takes (request_fast.go) skips kin's walk,
// and so do parameters the route's compiled check takes (request_params.go).
func (s *Spec) ValidateRequestBody(ctx context.Context, r *http.Request, route *Route, body []byte) (value any, decoded bool, err error) {
	return s.ValidateRequestQueryBody(ctx, r, route, nil, body)
}

// ValidateRequestQueryBody is ValidateRequestBody for a caller that has parsed the query
// too: query is url.ParseQuery(r.URL.RawQuery) (what r.URL.Query() returns), or nil to
// have it parsed here; it is read, never changed. Parameters the route's compiled check
// accepts (request_params.go) skip kin's walk of them; anything else goes through kin.
// Before kin reads the request, r.Body is set to a fresh reader of body (when body is not
// nil): the caller need not leave one.
func (s *Spec) ValidateRequestQueryBody(ctx context.Context, r *http.Request, route *Route, query url.Values, body []byte) (value any, decoded bool, err error) {
	if query == nil {
		query = r.URL.Query()
	}
	freshBody := func() {
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
	}
	paramsOK := route.params != nil && route.params.accepts(route.PathParams, query)
	mt := jsonBodyMedia(r, route, body)
	if mt == nil {
		if paramsOK && route.Operation.RequestBody == nil {
			return nil, false, nil // kin has no body to check either
		}
		in := s.requestInput(r, route, s.requestOptions)
		in.QueryParams = query
		freshBody()
		return nil, false, requestError(openapi3filter.ValidateRequest(ctx, in))
	}
	var in *openapi3filter.RequestValidationInput
	input := func() *openapi3filter.RequestValidationInput {
		if in == nil {
			in = s.requestInput(r, route, s.paramOptions)
			in.QueryParams = query
		}
		return in
	}
	var all openapi3.MultiError
	if !paramsOK {
		freshBody()
		if err := openapi3filter.ValidateRequest(ctx, input()); err != nil {
			if multi, ok := err.(openapi3.MultiError); ok {
				all = append(all, multi...)
			} else {
				all = append(all, err)
			}
		}
	}
	rb := route.Operation.RequestBody.Value
	value, whole, derr := decodeJSONBody(body, route.bodyNames)
	switch {
	case derr != nil:
		all = append(all, &openapi3filter.RequestError{Input: input(), RequestBody: rb, Reason: "failed to decode request body",
			Err: &openapi3filter.ParseError{Kind: openapi3filter.KindInvalidFormat, Cause: derr}})
		value = nil
	default:
		if fastBodyAccepts(mt.Schema.Value, value, s.stringFormats, s.bodySchemaOptions) {
			break
		}
		if verr := mt.Schema.Value.VisitJSON(value, s.bodySchemaOptions...); verr != nil {
			all = append(all, &openapi3filter.RequestError{Input: input(), RequestBody: rb,
				Reason: "doesn't match schema" + schemaID(mt.Schema), Err: verr})
		}
	}
	if len(all) > 0 {
		return nil, false, requestError(all)
	}
	if !whole {
		return nil, false, nil
	}
	return value, true, nil
}

// decodeJSONBody decodes the first JSON value of body as kin-openapi's JSON body decoder
// does (a json.Decoder with UseNumber); whole tells whether nothing but white space follows
// it. A body holding no number that json.Unmarshal takes whole decodes to the same value
// through json.Unmarshal, without the decoder and its read buffer (half the bytes of a
// thread create's decode), and the commonest body of all, a flat object of plain strings,
// booleans and nulls, is read by decodeFlatObject without either; anything else goes
// through the decoder, errors included.
//
// names, when not nil, are the body's property names (Route.bodyNames): the flat reader
// uses these strings for the names it reads instead of making new ones.
func decodeJSONBody(body []byte, names map[string]string) (value any, whole bool, err error) {
	if m, ok := decodeFlatObject(body, names); ok {
		return m, true, nil
	}
	if !hasJSONNumber(body) {
		var v any
		if json.Unmarshal(body, &v) == nil {
			return v, true, nil
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&value); err != nil {
		return nil, false, err
	}
	rest := body[dec.InputOffset():]
	return value, len(bytes.TrimLeft(rest, " \t\r\n")) == 0, nil
}

// decodeFlatObject decodes body as json.Unmarshal into an any does when body is one JSON
// object, white space around it, whose values are strings, true, false or null, and whose
// strings (names too) have no escape, no control character and only valid UTF-8: the same
// map, the same strings, the last of a repeated name winning. It reports false for
// anything else, without deciding whether it is valid.
func decodeFlatObject(body []byte, names map[string]string) (map[string]any, bool) {
	i := skipJSONSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return nil, false
	}
	m := map[string]any{}
	i = skipJSONSpace(body, i+1)
	if i < len(body) && body[i] == '}' {
		return m, skipJSONSpace(body, i+1) == len(body)
	}
	for {
		from, to, ok := plainJSONString(body, i)
		if !ok {
			return nil, false
		}
		key, known := names[string(body[from:to])]
		if !known {
			key = string(body[from:to])
		}
		j := to + 1
		i = skipJSONSpace(body, j)
		if i >= len(body) || body[i] != ':' {
			return nil, false
		}
		i = skipJSONSpace(body, i+1)
		if i >= len(body) {
			return nil, false
		}
		var v any
		switch rest := body[i:]; {
		case rest[0] == '"':
			from, to, ok := plainJSONString(body, i)
			if !ok {
				return nil, false
			}
			v, i = string(body[from:to]), to+1
		case bytes.HasPrefix(rest, []byte("true")):
			v, i = true, i+4
		case bytes.HasPrefix(rest, []byte("false")):
			v, i = false, i+5
		case bytes.HasPrefix(rest, []byte("null")):
			v, i = nil, i+4
		default:
			return nil, false
		}
		m[key] = v
		i = skipJSONSpace(body, i)
		if i >= len(body) {
			return nil, false
		}
		switch body[i] {
		case ',':
			i = skipJSONSpace(body, i+1)
		case '}':
			return m, skipJSONSpace(body, i+1) == len(body)
		default:
			return nil, false
		}
	}
}

func skipJSONSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// plainJSONString finds the string starting at b[i] (a quote) when it has no escape, no
// control character and only valid UTF-8: its contents are b[from:to], the closing quote at
// b[to].
func plainJSONString(b []byte, i int) (from, to int, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return 0, 0, false
	}
	ascii := true
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			if !ascii && !utf8.Valid(b[i+1:j]) {
				return 0, 0, false
			}
			return i + 1, j, true
		case c == '\\' || c < 0x20:
			return 0, 0, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return 0, 0, false
}

// hasJSONNumber tells whether body may hold a JSON number: a '-' or a digit outside a
// string (on text that is not JSON it may say true; then the decoder decides).
func hasJSONNumber(body []byte) bool {
	in := false
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case in && c == '\\':
			i++
		case c == '"':
			in = !in
		case !in && (c == '-' || c >= '0' && c <= '9'):
			return true
		}
	}
	return false
}

// jsonBodyMedia is the operation's application/json content when this request takes the
// JSON path of kin's body validation: a non-empty body sent as application/json (any
// parameters, any case), declared with a schema of objects or arrays (never binary) and no
// encodings. Anything else (nil) goes through kin's whole path.
func jsonBodyMedia(r *http.Request, route *Route, body []byte) *openapi3.MediaType {
	op := route.Operation
	if len(body) == 0 || op == nil || op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	ct := r.Header.Get("Content-Type")
	mediaType, _, _ := strings.Cut(ct, ";")
	if !strings.EqualFold(strings.TrimSpace(mediaType), "application/json") {
		return nil
	}
	content := op.RequestBody.Value.Content
	mt := content.Get(ct)
	if mt == nil || mt != content["application/json"] || len(mt.Encoding) != 0 ||
		mt.Schema == nil || mt.Schema.Value == nil {
		return nil
	}
	if t := mt.Schema.Value.Type; t == nil || !(t.Is(openapi3.TypeObject) || t.Is(openapi3.TypeArray)) {
		return nil
	}
	return mt
}

// schemaID is kin's name of a schema in its "doesn't match schema" reason.
func schemaID(schema *openapi3.SchemaRef) string {
	id := strings.TrimSpace(schema.Ref)
	if id == "" && schema.Value != nil {
		id = strings.TrimSpace(schema.Value.Title)
	}
	if id != "" {
		id = " " + id
	}
	return id
}

// bodySchemaOptions are the schema options kin's ValidateRequestBody builds from
// requestOptions (newRequestOptions): as a request, every error, no defaults written,
// the document's format validators.
func bodySchemaOptions(doc *openapi3.T, o *openapi3filter.Options) []openapi3.SchemaValidationOption {
	if !o.SkipSettingDefaults || !o.MultiError || o.ExcludeReadOnlyValidations || o.RegexCompiler != nil {
		panic(fmt.Sprintf("spec: bodySchemaOptions does not mirror these request options: %+v", o))
	}
	opts := []openapi3.SchemaValidationOption{openapi3.VisitAsRequest(), openapi3.MultiErrors()}
	opts = append(opts, o.SchemaValidationOptions...)
	if doc.IsOpenAPI31OrLater() {
		opts = append(opts, openapi3.EnableJSONSchema2020())
	}
	return opts
}
