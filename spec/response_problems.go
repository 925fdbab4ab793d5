package spec

// How libopenapi-validator's errors become Problems: the check's stable code, the JSON
// pointer into the body, the spec location, and what was expected and found.

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	liberrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/helpers"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// problems translates one of the library's validation errors on a response to op.
func (v *libValidator) problems(e *liberrors.ValidationError, op *v3.Operation, opLoc, respLoc string, status int, header http.Header) []Problem {
	switch {
	case e.ValidationSubType == helpers.ResponseBodyResponseCode:
		return []Problem{{Check: CheckStatusDeclared, SpecLocation: opLoc + ".responses",
			Expected: strings.Join(declaredStatuses(op), ", "), Actual: strconv.Itoa(status),
			Message: e.Message}}
	case e.ValidationSubType == helpers.RequestBodyContentType:
		var types []string
		if _, r := responseCode(op, status); r != nil {
			for pair := r.Content.First(); pair != nil; pair = pair.Next() {
				types = append(types, pair.Key())
			}
		}
		actual := header.Get("Content-Type")
		if actual == "" {
			actual = "(none)"
		}
		return []Problem{{Check: CheckContentType, SpecLocation: respLoc + ".content",
			Expected: strings.Join(types, ", "), Actual: actual, Message: e.Message}}
	case e.ValidationSubType == helpers.ParameterValidationHeader:
		return headerProblems(e, respLoc)
	case e.ValidationSubType == headersSubType:
		// A present header's value breaks its schema: named by the parameter, never empty.
		name := http.CanonicalHeaderKey(e.ParameterName)
		if name == "" {
			if m := quoted.FindStringSubmatch(e.Message + " " + e.Reason); m != nil {
				name = m[1]
			}
		}
		return []Problem{{Check: CheckHeaderSchema, Pointer: name, SpecLocation: respLoc + ".headers." + name,
			Expected: "a value of the header's schema", Actual: strconv.Quote(header.Get(name)), Message: e.Message + ": " + e.Reason}}
	case e.ValidationType == liberrors.StrictValidationType && e.ValidationSubType == liberrors.StrictSubTypeProperty:
		p := strictProblem(e, respLoc, header.Get("Content-Type"))
		if declaredMapEntry(op, status, header.Get("Content-Type"), p.Pointer) {
			return nil
		}
		return []Problem{p}
	case e.ValidationType == liberrors.StrictValidationType:
		return nil // undeclared headers: standard ones (Date, Server) are everywhere
	case e.ValidationSubType == helpers.Schema:
		return schemaProblems(e, respLoc, header.Get("Content-Type"))
	}
	// Anything else the library reports is about the body (a missing response object, say):
	// it maps onto the stable codes, never onto an ad-hoc one.
	return []Problem{{Check: CheckBodySchema, SpecLocation: respLoc, Expected: "a body that validates",
		Message: e.Message + ": " + e.Reason}}
}

// strictAt finds the JSONPath of an undeclared property in the strict-mode message.
var strictAt = regexp.MustCompile(`at '([^']*)'`)

// headersSubType is the sub-type libopenapi-validator gives a present response header whose
// value breaks its schema.
const headersSubType = "headers"

// strictProblem turns an undeclared property (strict mode) into a finding at its pointer.
func strictProblem(e *liberrors.ValidationError, respLoc, contentType string) Problem {
	mediaType, _, _ := strings.Cut(contentType, ";")
	at := ""
	if m := strictAt.FindStringSubmatch(e.Message); m != nil {
		at = m[1]
	}
	if rest, ok := strings.CutPrefix(at, "$.body"); ok { // the library roots response paths at "body"
		at = "$" + rest
	}
	ptr := FieldPathToPointer(at)
	if name := e.ParameterName; name != "" && !strings.HasSuffix(ptr, "/"+escapePointer(name)) {
		ptr += "/" + escapePointer(name)
	}
	return Problem{Check: CheckBodyUndeclared, Pointer: ptr,
		SpecLocation: respLoc + ".content." + strings.TrimSpace(mediaType) + ".schema",
		Expected:     "only declared properties", Actual: "property " + e.ParameterName, Message: e.Message}
}

func headerProblems(e *liberrors.ValidationError, respLoc string) []Problem {
	var out []Problem
	for _, f := range e.SchemaValidationErrors {
		p := Problem{Check: CheckHeaderSchema, Pointer: f.FieldName,
			SpecLocation: respLoc + ".headers." + f.FieldName, Message: f.Reason}
		if strings.HasSuffix(f.KeywordLocation, "/required") {
			p.Check = CheckHeaderRequired
			p.Expected = "header " + f.FieldName
			p.Actual = "(absent)"
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		out = append(out, Problem{Check: CheckHeaderSchema, SpecLocation: respLoc + ".headers",
			Message: e.Message + ": " + e.Reason})
	}
	return out
}

// quoted finds the property names that the required and additionalProperties reasons quote.
var quoted = regexp.MustCompile(`'([^']*)'`)

func schemaProblems(e *liberrors.ValidationError, respLoc, contentType string) []Problem {
	mediaType, _, _ := strings.Cut(contentType, ";")
	schemaLoc := respLoc + ".content." + strings.TrimSpace(mediaType) + ".schema"
	if len(e.SchemaValidationErrors) == 0 {
		// No schema failures: the body could not be decoded at all.
		return []Problem{{Check: CheckBodyJSON, SpecLocation: schemaLoc, Expected: "a JSON body",
			Message: e.Reason}}
	}
	var out []Problem
	for _, f := range e.SchemaValidationErrors {
		base := instancePointer(f.InstancePath)
		if len(f.InstancePath) == 0 && f.FieldPath != "" {
			base = FieldPathToPointer(f.FieldPath)
		}
		loc := schemaLoc + f.KeywordLocation
		keyword := f.KeywordLocation[strings.LastIndexByte(f.KeywordLocation, '/')+1:]
		if keyword == "required" || keyword == "additionalProperties" {
			names := quoted.FindAllStringSubmatch(f.Reason, -1)
			for _, n := range names {
				p := Problem{Check: CheckBodySchema, Pointer: base + "/" + escapePointer(n[1]),
					SpecLocation: loc, Message: f.Reason}
				if keyword == "required" {
					p.Expected, p.Actual = "property "+n[1], "(absent)"
				} else {
					p.Expected, p.Actual = "no undeclared property", "property "+n[1]
				}
				out = append(out, p)
			}
			if len(names) > 0 {
				continue
			}
		}
		out = append(out, Problem{Check: CheckBodySchema, Pointer: base, SpecLocation: loc,
			Expected: keyword, Message: f.Reason})
	}
	return out
}

// instancePointer turns the validator's instance path segments into a JSON Pointer.
func instancePointer(segments []string) string {
	var b strings.Builder
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(escapePointer(s))
	}
	return b.String()
}

// FieldPathToPointer converts a libopenapi-validator field path ("$.data.items[0].role") into
// a JSON Pointer ("/data/items/0/role"). Bracketed names (`$['a.b']`) are supported.
func FieldPathToPointer(fieldPath string) string {
	s := strings.TrimPrefix(fieldPath, "$")
	var segs []string
	for len(s) > 0 {
		switch s[0] {
		case '.':
			s = s[1:]
			i := strings.IndexAny(s, ".[")
			if i < 0 {
				i = len(s)
			}
			segs = append(segs, s[:i])
			s = s[i:]
		case '[':
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return "/" + escapePointer(s)
			}
			inner := s[1:end]
			if len(inner) >= 2 && (inner[0] == '\'' || inner[0] == '"') {
				inner = inner[1 : len(inner)-1]
			}
			segs = append(segs, inner)
			s = s[end+1:]
		default:
			i := strings.IndexAny(s, ".[")
			if i < 0 {
				i = len(s)
			}
			segs = append(segs, s[:i])
			s = s[i:]
		}
	}
	return instancePointer(slices.DeleteFunc(segs, func(s string) bool { return s == "" }))
}

func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
