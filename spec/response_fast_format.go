package spec

import (
	"encoding/json"

	"github.com/pb33f/jsonschema/v6"
	"github.com/pb33f/libopenapi-validator/config"
	"github.com/pb33f/libopenapi-validator/helpers"
)

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
