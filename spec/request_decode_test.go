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
		// the flat-object reader's edges
		[]byte(`{}`), []byte(" \t\r\n{ }\n"), []byte(`{"a":true,"b":false,"c":null}`), []byte(`{"a":tru}`), []byte(`{"a":truex}`),
		[]byte(`{"a":nul}`), []byte(`{"a":true false}`), []byte(`{"a" "b"}`), []byte(`{"a":"b",}`), []byte(`{,}`), []byte(`{"a":"b"`),
		[]byte(`{"a":"b"}}`), []byte(`{"a":"b"} x`), []byte(`{"a":{"b":"c"}}`), []byte(`{"a":["b"]}`), []byte("{\"a\":\"b\tc\"}"),
		[]byte(`{"a":"b\u0041"}`), []byte(`{"\u00e9":"x"}`), []byte(`{"é":"ü😀"}`), []byte("{\"a\":\"\xc3\"}"), []byte("{\"\xff\":1}"),
		[]byte(`{"":""}`), []byte(`{"a":"1","a":"2","a":null}`), []byte(`{"a":"\u2028"}`), []byte("{\"a\":\"\u2028\"}"), []byte(`{"a":'b'}`),
		[]byte(`{"a":True}`), []byte(`{"a" : "b" , "c" : true }`), []byte("{\"a\":\"\x7f\"}"), []byte("\xef\xbb\xbf{}"),
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
	names := map[string]string{"a": "a", "title": "title"} // the names the flat reader reuses
	for _, r := range s.Routes() {
		for k, v := range r.bodyNames {
			names[k] = v
		}
	}
	shortcut, flat := 0, 0
	for _, body := range bodies {
		if _, ok := decodeFlatObject(body, nil); ok {
			flat++
		}
		wantV, wantWhole, wantErr := decodeWithDecoder(body)
		for _, nm := range []map[string]string{nil, names} {
			gotV, gotWhole, gotErr := decodeJSONBody(body, nm)
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || gotWhole != wantWhole || !reflect.DeepEqual(gotV, wantV) {
				t.Fatalf("%s: got (%#v, %v, %v), the decoder gives (%#v, %v, %v)", body, gotV, gotWhole, gotErr, wantV, wantWhole, wantErr)
			}
		}
		if !hasJSONNumber(body) && wantErr == nil && wantWhole {
			shortcut++
		}
	}
	t.Logf("%d bodies, %d without a number (json.Unmarshal or the flat reader), %d read by the flat reader", len(bodies), shortcut, flat)
	if shortcut < 100 || flat < 50 {
		t.Fatalf("only %d bodies without a number, %d flat: the shortcuts are hardly exercised", shortcut, flat)
	}
}

// FuzzDecodeJSONBody holds decodeJSONBody to the decoder on any bytes.
func FuzzDecodeJSONBody(f *testing.F) {
	for _, seed := range []string{`{"title":"Load test","visitorEmail":"ada@example.com","anonymous":false}`, `{"a":"x"} {}`, `{"a":null,"a":"é"}`, `[]`, `{"a":1}`, "{\"a\":\"\xff\"}"} {
		f.Add([]byte(seed))
	}
	names := map[string]string{"a": "a", "title": "title", "visitorEmail": "visitorEmail"}
	f.Fuzz(func(t *testing.T, body []byte) {
		gotV, gotWhole, gotErr := decodeJSONBody(body, names)
		wantV, wantWhole, wantErr := decodeWithDecoder(body)
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || gotWhole != wantWhole || !reflect.DeepEqual(gotV, wantV) {
			t.Fatalf("%q: got (%#v, %v, %v), the decoder gives (%#v, %v, %v)", body, gotV, gotWhole, gotErr, wantV, wantWhole, wantErr)
		}
	})
}
