package fake

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// The scalar generators: strings (by format, then by the property's name), numbers within
// their bounds, and dates in a fixed range.

// date is a time in 2024-2025: fixed bounds keep output independent of the wall clock.
func (w walker) date() time.Time {
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	return w.f.DateRange(from, from.AddDate(2, 0, 0)).UTC().Truncate(time.Second)
}

func (w walker) str(s *openapi3.Schema, name string) any {
	switch s.Format {
	case "email":
		return w.f.Email()
	case "uuid":
		return w.f.UUID()
	case "date-time":
		return w.date().Format(time.RFC3339)
	case "date":
		return w.date().Format(time.DateOnly)
	case "time":
		return w.date().Format(time.TimeOnly)
	case "uri", "url", "uri-reference":
		return w.f.URL()
	case "hostname":
		return w.f.DomainName()
	case "ipv4":
		return w.f.IPv4Address()
	case "ipv6":
		return w.f.IPv6Address()
	case "byte":
		return "aGVsbG8gd29ybGQ=" // base64 of "hello world"
	case "password":
		return w.fit(s, w.f.Password(true, true, true, false, false, 16))
	}
	if s.Pattern != "" {
		return w.f.Regex(s.Pattern)
	}
	return w.fit(s, w.byName(name))
}

// byName picks realistic text from the property name (camelCase or snake_case).
func (w walker) byName(name string) string {
	n := strings.ToLower(name)
	has := func(subs ...string) bool {
		for _, sub := range subs {
			if strings.Contains(n, sub) {
				return true
			}
		}
		return false
	}
	suffix := func(subs ...string) bool {
		for _, sub := range subs {
			if strings.HasSuffix(n, sub) {
				return true
			}
		}
		return false
	}
	switch {
	case n == "":
		return w.f.Word()
	case has("email"):
		return w.f.Email()
	case n == "id" || strings.HasSuffix(name, "Id") || strings.HasSuffix(name, "ID") || suffix("_id"):
		if has("chatbot", "account") {
			return w.f.Numerify("3616##############") // the 18-digit ids the API uses
		}
		return w.f.UUID()
	case strings.HasSuffix(name, "At") || suffix("_at", "date", "timestamp"):
		return w.date().Format(time.RFC3339)
	case suffix("url", "uri", "link", "href", "src") || n == "website":
		return w.f.URL()
	case has("color", "colour"):
		return w.f.HexColor()
	case has("phone", "mobile"):
		return w.f.Phone()
	case has("keyword", "tag", "category"):
		return w.f.Noun()
	case has("token", "secret", "apikey", "hash", "signature", "cursor") || n == "key":
		return w.f.Regex("[a-f0-9]{32}")
	case has("firstname", "first_name", "givenname"):
		return w.f.FirstName()
	case has("lastname", "last_name", "surname", "familyname"):
		return w.f.LastName()
	case has("username", "login"):
		return w.f.Username()
	case has("company", "organization", "organisation", "accountname"):
		return w.f.Company()
	case has("name"):
		return w.f.Name()
	case has("city"):
		return w.f.City()
	case has("country"):
		return w.f.Country()
	case has("street", "address"):
		return w.f.Street()
	case has("zip", "postal", "postcode"):
		return w.f.Zip()
	case has("currency"):
		return w.f.CurrencyShort()
	case has("locale", "language", "lang"):
		return w.f.LanguageAbbreviation()
	case has("title", "label", "subject", "heading", "placeholder"):
		return w.f.Phrase()
	case has("message", "content", "description", "text", "body", "note", "comment", "summary", "instruction", "prompt", "snippet", "error"):
		return w.f.Sentence()
	case has("version"):
		return w.f.Numerify("#.#.#")
	}
	return w.f.Word()
}

// fit pads or truncates to minLength/maxLength (counted in runes, as JSON Schema does).
func (w walker) fit(s *openapi3.Schema, v string) string {
	if s.MaxLength != nil && uint64(utf8.RuneCountInString(v)) > *s.MaxLength {
		r := []rune(v)
		v = strings.TrimRight(string(r[:*s.MaxLength]), " ")
		if uint64(utf8.RuneCountInString(v)) < s.MinLength {
			v = string(r[:*s.MaxLength])
		}
	}
	if n := uint64(utf8.RuneCountInString(v)); n < s.MinLength {
		v += w.f.LetterN(uint(s.MinLength - n))
	}
	return v
}

// bounds returns the inclusive range of a numeric schema, with defaults by name.
func (w walker) bounds(s *openapi3.Schema, name string, integer bool) (float64, float64) {
	lo, hi := 0.0, 1000.0
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "page"):
		lo, hi = 1, 10
	case strings.Contains(n, "limit"), strings.Contains(n, "size"):
		lo, hi = 1, 100
	case strings.Contains(n, "count"), strings.Contains(n, "total"):
		lo, hi = 0, 100
	case n == "age":
		lo, hi = 18, 90
	case strings.Contains(n, "price"), strings.Contains(n, "amount"):
		lo, hi = 1, 500
	case strings.Contains(n, "temperature"), strings.Contains(n, "ratio"), strings.Contains(n, "level"):
		lo, hi = 0, 1
	}
	step := 1e-6
	if integer {
		step = 1
	}
	minB, minExcl := s.Min, s.ExclusiveMin.IsTrue()
	if v := s.ExclusiveMin.Value; v != nil { // OpenAPI 3.1: the bound itself
		minB, minExcl = v, true
	}
	maxB, maxExcl := s.Max, s.ExclusiveMax.IsTrue()
	if v := s.ExclusiveMax.Value; v != nil {
		maxB, maxExcl = v, true
	}
	if minB != nil {
		lo = *minB
		if minExcl {
			lo += step
		}
		if hi < lo {
			hi = lo + 100
		}
	}
	if maxB != nil {
		hi = *maxB
		if maxExcl {
			hi -= step
		}
		if lo > hi {
			lo = hi - 100
			if minB != nil {
				lo = hi
			}
		}
	}
	return lo, hi
}

func (w walker) integer(s *openapi3.Schema, name string) any {
	lo, hi := w.bounds(s, name, true)
	a, b := int(math.Ceil(lo)), int(math.Floor(hi))
	if b < a {
		b = a
	}
	v := w.f.IntRange(a, b)
	if s.MultipleOf != nil && *s.MultipleOf >= 1 {
		m := int(*s.MultipleOf)
		v = (v / m) * m
		if v < a {
			v += m
		}
	}
	return v
}

func (w walker) number(s *openapi3.Schema, name string) any {
	lo, hi := w.bounds(s, name, false)
	v := math.Round(w.f.Float64Range(lo, hi)*100) / 100
	if v < lo || v > hi {
		v = lo
	}
	if s.MultipleOf != nil && *s.MultipleOf > 0 {
		v = math.Ceil(lo / *s.MultipleOf) * *s.MultipleOf
	}
	return v
}
