package mock

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// decodedTarget has a field of every kind fromDecoded handles.
type decodedTarget struct {
	Title    *string   `json:"title"`
	Name     string    `json:"name"`
	Flag     bool      `json:"flag"`
	Anon     *bool     `json:"anonymous"`
	Level    float64   `json:"level"`
	LevelP   *float64  `json:"levelP"`
	Rank     int       `json:"rank"`
	RankP    *int      `json:"rankP,omitempty"`
	Tags     []string  `json:"tags"`
	TagsP    *[]string `json:"tagsP"`
	Prefixed string    `json:"prefixed"`
}

// TestFromDecodedMatchesUnmarshal: on random JSON objects (right and wrong types, null,
// numbers out of range or with fractions, keys in another case, unknown keys), whenever
// fromDecoded fills a struct, json.Unmarshal of the same bytes succeeds with the same
// struct; whenever it declines, it has changed nothing. Both start from the same
// prefilled struct, so "null leaves a non-pointer field alone" is checked too.
func TestFromDecodedMatchesUnmarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	keys := []string{"title", "name", "flag", "anonymous", "level", "levelP", "rank", "rankP", "tags", "tagsP", "prefixed",
		"Title", "NAME", "unknown", "prefix"}
	values := []string{`null`, `""`, `"text"`, `"\u00e9\n"`, `true`, `false`, `0`, `12`, `-7`, `1.5`, `1e3`, `1e400`,
		`9223372036854775808`, `[]`, `["a","b"]`, `["a",1]`, `[null]`, `{}`, `{"a":1}`}
	filled, declined := 0, 0
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		b.WriteString("{")
		for k := range r.IntN(5) {
			if k > 0 {
				b.WriteString(",")
			}
			b.WriteString(`"` + keys[r.IntN(len(keys))] + `":` + values[r.IntN(len(values))])
		}
		b.WriteString("}")
		body := []byte(b.String())
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var doc any
		if err := dec.Decode(&doc); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if bytes.Count(body, []byte(`":`)) != len(doc.(map[string]any)) {
			continue // a repeated key: see fromDecoded's doc (the last one counts)
		}
		title := "before"
		start := decodedTarget{Title: &title, Name: "before", Flag: true, Level: 2, Rank: 3, Tags: []string{"x"}}
		got, want := start, start
		if !fromDecoded(&got, doc) {
			declined++
			if !reflect.DeepEqual(got, start) {
				t.Fatalf("%s: declined but changed the struct: %+v", body, got)
			}
			continue
		}
		filled++
		if err := json.Unmarshal(body, &want); err != nil {
			t.Fatalf("%s: fromDecoded filled %+v, json.Unmarshal refuses: %v", body, got, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s:\n fromDecoded    %+v\n json.Unmarshal %+v", body, got, want)
		}
	}
	if filled < 1000 || declined < 1000 {
		t.Fatalf("filled %d, declined %d: the cases do not cover both ways", filled, declined)
	}
	if fromDecoded(&struct{ X map[string]any }{}, map[string]any{}) {
		t.Fatal("a struct with a field of another kind was filled")
	}
	if fromDecoded(&decodedTarget{}, []any{}) || fromDecoded(decodedTarget{}, map[string]any{}) {
		t.Fatal("an array body, or a non-pointer, was filled")
	}
}
