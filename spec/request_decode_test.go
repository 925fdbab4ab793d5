package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
)

// decodeWithDecoder is decodeJSONBody as kin's JSON body decoder reads a body, with no
// shortcut: the reference decodeJSONBody's json.Unmarshal path must match.
func decodeWithDecoder(body []byte) (any, bool, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false, err
	}
	return v, len(bytes.TrimLeft(body[dec.InputOffset():], " \t\r\n")) == 0, nil
}

// TestDecodeJSONBodyMatchesDecoder holds decodeJSONBody to the decoder's value (numbers as
// json.Number), wholeness and error on every request body case of the document and on
// bodies made to trip its number scan (digits in strings, escaped quotes, numbers in
// arrays and nested objects, trailing data, invalid text and UTF-8).
func TestDecodeJSONBodyMatchesDecoder(t *testing.T) {
	s := mustLoad(t, ContextGPTDocument())
	bodies := [][]byte{
		[]byte(`{"title":"Load test","visitorName":"Ada Lovelace","visitorEmail":"ada@example.com","platformSource":"api"}`),
		[]byte(`{"a":"12","b":"-x"}`), []byte(`{"a":"\"12"}`), []byte(`{"a":"\\","b":1}`), []byte(`{"a":"\\"}`),
		[]byte(`{"a":[1,2]}`), []byte(`{"a":{"b":-0.5e3}}`), []byte(`[true,null,"x"]`), []byte(`[1]`), []byte(`1`), []byte(`-1`),
		[]byte(`{"a":"x"} {"b":1}`), []byte(`{"a":"x"} 1`), []byte(`{"a":"x"}x`), []byte(`{"a":"x"`), []byte(`{"a":"\u00e9\ud83d\ude00"}`),
		[]byte("{\"a\":\"\xff\"}"), []byte(`{"a":tru}`), []byte(`{"a":"x",}`), []byte(``), []byte(`   `), []byte(`{"a":"x","a":"y"}`),
		[]byte(`{"a":"x","a":2}`), []byte(`{"a":1e400}`), []byte(`"1"`), []byte(`{"a":"\"","b":[-1]}`),
	}
	for _, item := range s.Doc().Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil {
				bodies = append(bodies, requestBodyCases(t, mt)...)
			}
		}
	}
	shortcut := 0
	for _, body := range bodies {
		gotV, gotWhole, gotErr := decodeJSONBody(body)
		wantV, wantWhole, wantErr := decodeWithDecoder(body)
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || gotWhole != wantWhole || !reflect.DeepEqual(gotV, wantV) {
			t.Fatalf("%s: got (%#v, %v, %v), the decoder gives (%#v, %v, %v)", body, gotV, gotWhole, gotErr, wantV, wantWhole, wantErr)
		}
		if !hasJSONNumber(body) && gotErr == nil && gotWhole {
			shortcut++
		}
	}
	t.Logf("%d bodies, %d through json.Unmarshal", len(bodies), shortcut)
	if shortcut < 100 {
		t.Fatalf("only %d bodies went through json.Unmarshal", shortcut)
	}
}
