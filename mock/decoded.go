package mock

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// fromDecoded fills the struct dst points to from the body as request validation decoded
// it (spec.ValidateRequestBody: objects map[string]any, numbers json.Number), so a handler
// does not decode the bytes a second time. It does so only where the outcome is exactly
// json.Unmarshal's: doc is an object, every key of it is a field's exact JSON name, every
// field is of a kind handled here (string, bool, float64, int, a pointer to one of them,
// []string), and every value fits its field. Otherwise it changes nothing and reports
// false, and the caller decodes the bytes (TestFromDecodedMatchesUnmarshal holds the two
// to the same result on random bodies). One difference is left on purpose: of a name
// repeated in an object only the last value is seen (as validation saw it), where
// json.Unmarshal also refuses an earlier one of the wrong type.
func fromDecoded(dst any, doc any) bool {
	obj, ok := doc.(map[string]any)
	rv := reflect.ValueOf(dst)
	if !ok || rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return false
	}
	plan := planFor(rv.Elem().Type())
	if plan == nil {
		return false
	}
	for k, v := range obj { // check everything before changing anything
		f, ok := plan[k]
		if !ok || !fits(f.typ, v) {
			return false
		}
	}
	sv := rv.Elem()
	for k, v := range obj {
		f := plan[k]
		set(sv.Field(f.index), v)
	}
	return true
}

type decodedField struct {
	index int
	typ   reflect.Type
}

var decodedPlans sync.Map // reflect.Type → map[string]decodedField, or nil when unsupported

// planFor is a struct's fields by JSON name, nil when a field is of a kind fromDecoded
// does not handle (then json.Unmarshal decides).
func planFor(t reflect.Type) map[string]decodedField {
	if p, ok := decodedPlans.Load(t); ok {
		return p.(map[string]decodedField)
	}
	plan := map[string]decodedField{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || f.Anonymous || name == "-" || name == "" || opts != "" && opts != "omitempty" || !supported(f.Type) {
			plan = nil
			break
		}
		if _, dup := plan[name]; dup {
			plan = nil
			break
		}
		plan[name] = decodedField{index: i, typ: f.Type}
	}
	decodedPlans.Store(t, plan)
	return plan
}

func supported(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Slice {
		return t.Elem().Kind() == reflect.String && t.Elem() == reflect.TypeFor[string]()
	}
	switch t {
	case reflect.TypeFor[string](), reflect.TypeFor[bool](), reflect.TypeFor[float64](), reflect.TypeFor[int]():
		return true
	}
	return false
}

// fits tells whether json.Unmarshal puts v into a field of type t without an error.
func fits(t reflect.Type, v any) bool {
	if v == nil {
		return true // null: nil for a pointer or slice, no effect on the others
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch x := v.(type) {
	case string:
		return t.Kind() == reflect.String
	case bool:
		return t.Kind() == reflect.Bool
	case json.Number:
		switch t.Kind() {
		case reflect.Float64:
			_, err := strconv.ParseFloat(string(x), 64)
			return err == nil
		case reflect.Int:
			_, err := strconv.ParseInt(string(x), 10, 64)
			return err == nil
		}
		return false
	case []any:
		if t.Kind() != reflect.Slice {
			return false
		}
		for _, e := range x {
			if _, ok := e.(string); !ok {
				return false
			}
		}
		return true
	}
	return false
}

// set stores v (checked by fits) into the field f.
func set(f reflect.Value, v any) {
	if v == nil {
		if k := f.Kind(); k == reflect.Pointer || k == reflect.Slice {
			f.SetZero()
		}
		return
	}
	if f.Kind() == reflect.Pointer {
		p := reflect.New(f.Type().Elem())
		f.Set(p)
		f = p.Elem()
	}
	switch x := v.(type) {
	case string:
		f.SetString(x)
	case bool:
		f.SetBool(x)
	case json.Number:
		if f.Kind() == reflect.Float64 {
			n, _ := strconv.ParseFloat(string(x), 64)
			f.SetFloat(n)
		} else {
			n, _ := strconv.ParseInt(string(x), 10, 64)
			f.SetInt(n)
		}
	case []any:
		s := make([]string, len(x))
		for i, e := range x {
			s[i] = e.(string)
		}
		f.Set(reflect.ValueOf(s))
	}
}
