package spec

import (
	"net/url"
	"reflect"
	"strconv"
	"unicode/utf16"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// An operation whose security requirements and parameters are simple enough is compiled,
// at load, into a check of the request's path and query parameters that only ever says
// "valid" when kin-openapi's ValidateRequest (body excluded) would say so too: every
// parameter in the path or the query, of type string (minLength, maxLength, enum of
// strings), integer (minimum, maximum) or boolean, in its default style, read from the
// request as kin reads it (decodeStyledParameter, parsePrimitive) and checked as kin's
// VisitJSON checks it; and a security requirement naming only declared schemes (with
// the no-op authentication function, kin's only refusal is an undeclared scheme). A
// request it does not accept, and every operation using anything else, goes through kin
// as before, so the errors a client sees are kin's. TestFastParamsAcceptOnlyWhatKinAccepts
// holds it to that on every operation with valid and invalid values. On a page of
// threads it replaces kin's parameter walk: a third of the bytes the request allocated
// (the security check, the query parsed again, a schema-settings object per parameter).

// fastParams is an operation's compiled parameter check; nil: ask kin.
type fastParams struct {
	params []fastParam
}

type fastParam struct {
	name     string
	inPath   bool
	required bool
	kind     string // openapi3.TypeString, TypeInteger or TypeBoolean
	// strings
	minLen uint64
	maxLen *uint64
	enum   []string // nil: no enum
	// integers
	min, max *float64
}

// compileParams compiles route's parameters and security for the request options
// newRequestOptions builds; nil when anything is outside what fastParams reads as kin.
func compileParams(doc *openapi3.T, route *Route, opts *openapi3filter.Options) *fastParams {
	op, item := route.Operation, route.PathItem
	if op == nil || item == nil || opts.ExcludeRequestQueryParams || !opts.SkipSettingDefaults ||
		opts.AuthenticationFunc == nil || reflect.ValueOf(opts.AuthenticationFunc).Pointer() != reflect.ValueOf(openapi3filter.NoopAuthenticationFunc).Pointer() {
		return nil
	}
	security := op.Security
	if security == nil {
		security = &doc.Security
	}
	if !securityPasses(doc, *security) {
		return nil
	}
	fp := &fastParams{}
	var params []*openapi3.Parameter
	for _, ref := range item.Parameters {
		if ref == nil || ref.Value == nil {
			return nil
		}
		if op.Parameters != nil && op.Parameters.GetByInAndName(ref.Value.In, ref.Value.Name) != nil {
			continue // overridden by the operation, as kin does
		}
		params = append(params, ref.Value)
	}
	for _, ref := range op.Parameters {
		if ref == nil || ref.Value == nil {
			return nil
		}
		params = append(params, ref.Value)
	}
	for _, p := range params {
		if p.Schema == nil && p.Content == nil {
			continue // kin accepts any value of a parameter without a schema
		}
		f, ok := compileParam(p)
		if !ok {
			return nil
		}
		fp.params = append(fp.params, f)
	}
	return fp
}

// securityPasses: kin's ValidateSecurityRequirements with the no-op authentication function
// passes when there is no requirement or one names only declared schemes.
func securityPasses(doc *openapi3.T, srs openapi3.SecurityRequirements) bool {
	if len(srs) == 0 {
		return true
	}
	var schemes openapi3.SecuritySchemes
	if doc.Components != nil {
		schemes = doc.Components.SecuritySchemes
	}
	for _, sr := range srs {
		declared := true
		for name := range sr {
			if ref := schemes[name]; ref == nil || ref.Value == nil {
				declared = false
			}
		}
		if declared {
			return true
		}
	}
	return false
}

func compileParam(p *openapi3.Parameter) (fastParam, bool) {
	if p.Content != nil || p.Schema == nil || p.Schema.Value == nil || p.AllowEmptyValue {
		return fastParam{}, false
	}
	sm, err := p.SerializationMethod()
	if err != nil {
		return fastParam{}, false
	}
	f := fastParam{name: p.Name, required: p.Required}
	switch p.In {
	case openapi3.ParameterInPath:
		f.inPath = true
		if sm.Style != openapi3.SerializationSimple {
			return fastParam{}, false
		}
	case openapi3.ParameterInQuery:
		if sm.Style != openapi3.SerializationForm {
			return fastParam{}, false
		}
	default:
		return fastParam{}, false
	}
	s := p.Schema.Value
	if s.Type == nil || len(*s.Type) != 1 {
		return fastParam{}, false
	}
	// Every field but the supported and the descriptive ones must be at its zero value.
	rest := *s
	rest.Extensions, rest.Origin, rest.Title, rest.Description, rest.Default, rest.Example = nil, nil, "", "", nil, nil
	rest.ExternalDocs, rest.Deprecated, rest.XML, rest.Examples, rest.Comment = nil, false, nil, nil, ""
	rest.Type, rest.Enum, rest.MinLength, rest.MaxLength, rest.Min, rest.Max = nil, nil, 0, nil, nil, nil
	if !reflect.DeepEqual(rest, openapi3.Schema{}) {
		return fastParam{}, false
	}
	f.kind = (*s.Type)[0]
	switch f.kind {
	case openapi3.TypeString:
		if s.Min != nil || s.Max != nil {
			return fastParam{}, false
		}
		f.minLen, f.maxLen = s.MinLength, s.MaxLength
		if len(s.Enum) > 0 {
			f.enum = []string{}
			for _, e := range s.Enum {
				str, ok := e.(string)
				if !ok {
					return fastParam{}, false
				}
				f.enum = append(f.enum, str)
			}
		}
	case openapi3.TypeInteger:
		if s.MinLength != 0 || s.MaxLength != nil || len(s.Enum) > 0 {
			return fastParam{}, false
		}
		f.min, f.max = s.Min, s.Max
	case openapi3.TypeBoolean:
		if s.MinLength != 0 || s.MaxLength != nil || len(s.Enum) > 0 || s.Min != nil || s.Max != nil {
			return fastParam{}, false
		}
	default:
		return fastParam{}, false
	}
	return f, true
}

// accepts is true only when kin would accept the request's parameters (and security).
func (fp *fastParams) accepts(pathParams map[string]string, query url.Values) bool {
	for i := range fp.params {
		p := &fp.params[i]
		var raw string
		if p.inPath {
			raw = pathParams[p.name]
			if raw == "" { // kin: not found
				if p.required {
					return false
				}
				continue
			}
		} else {
			values := query[p.name]
			if len(values) == 0 { // kin: not found
				if p.required {
					return false
				}
				continue
			}
			raw = values[0]
			if raw == "" && len(values) > 1 { // kin: the first non-empty value
				for _, v := range values[1:] {
					if v != "" {
						raw = v
						break
					}
				}
			}
		}
		if !p.acceptsValue(raw) {
			return false
		}
	}
	return true
}

func (p *fastParam) acceptsValue(raw string) bool {
	switch p.kind {
	case openapi3.TypeString:
		if p.enum != nil {
			found := false
			for _, e := range p.enum {
				if e == raw {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		if p.minLen != 0 || p.maxLen != nil {
			n := uint64(0)
			for _, r := range raw { // as kin counts
				if utf16.IsSurrogate(r) {
					n += 2
				} else {
					n++
				}
			}
			if n < p.minLen || p.maxLen != nil && n > *p.maxLen {
				return false
			}
		}
		return true
	case openapi3.TypeInteger:
		if raw == "" { // kin: an empty value
			return false
		}
		v, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return false
		}
		f := float64(v)
		return (p.min == nil || *p.min <= f) && (p.max == nil || *p.max >= f)
	case openapi3.TypeBoolean:
		if raw == "" {
			return false
		}
		_, err := strconv.ParseBool(raw)
		return err == nil
	}
	return false
}
