package mock

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReadAllSizedMatchesReadAll reads bodies of many sizes, with right, wrong and unknown
// size hints and limits below, at and above them, through readers that return one byte at a
// time, data with EOF, and an error part-way: readAllSized must return what io.ReadAll of
// an io.LimitReader returns.
func TestReadAllSizedMatchesReadAll(t *testing.T) {
	boom := errors.New("boom")
	for _, n := range []int{0, 1, 2, 110, 511, 512, 513, 1000, 4096, 70000} {
		data := []byte(strings.Repeat("abcdefghij", n/10+1)[:n])
		for _, hint := range []int64{-1, 0, 1, int64(n) - 1, int64(n), int64(n) + 1, 1 << 20} {
			for _, max := range []int64{1, int64(n), int64(n) + 1, 1 << 20} {
				readers := map[string]func() io.Reader{
					"plain":    func() io.Reader { return bytes.NewReader(data) },
					"one-byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) },
					"data-eof": func() io.Reader { return iotest.DataErrReader(bytes.NewReader(data)) },
					"error":    func() io.Reader { return io.MultiReader(bytes.NewReader(data), iotest.ErrReader(boom)) },
				}
				for name, mk := range readers {
					got, gotErr := readAllSized(mk(), hint, max)
					want, wantErr := io.ReadAll(io.LimitReader(mk(), max))
					if !bytes.Equal(got, want) || gotErr != wantErr {
						t.Fatalf("n=%d hint=%d max=%d %s: got %d bytes, %v; io.ReadAll: %d bytes, %v", n, hint, max, name, len(got), gotErr, len(want), wantErr)
					}
				}
			}
		}
	}
}

// TestBodyMediaTypeMatchesParseMediaType: the shortcut for "application/json" and the
// parsed answers agree with mime.ParseMediaType, error included.
func TestBodyMediaTypeMatchesParseMediaType(t *testing.T) {
	for _, ct := range []string{"application/json", "Application/JSON", "application/json; charset=utf-8", "application/json; charset",
		"", "text/plain", "multipart/form-data; boundary=x", "application/json;;", " application/json"} {
		got, gotErr := bodyMediaType(ct)
		want, wantErr := parseMediaTypeOnly(ct)
		if got != want || (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("%q: got %q, %v; mime.ParseMediaType: %q, %v", ct, got, gotErr, want, wantErr)
		}
	}
}

func parseMediaTypeOnly(ct string) (string, error) {
	mt, _, err := mime.ParseMediaType(ct)
	return mt, err
}

// TestParseQueryIntoMatchesParseQuery: for every query it takes, parseQueryInto fills the
// map url.ParseQuery returns (keys, values and their order); it must take the usual ones.
func TestParseQueryIntoMatchesParseQuery(t *testing.T) {
	queries := []string{"", "page=1&limit=20", "a", "a=", "=b", "&&a=1&&", "a=1&a=2&a=", "a=b=c", "mode=AI&resolved=true",
		"x=%41", "x=a+b", "a=1;b=2", "é=ü", "a=1&b", strings.Repeat("k=v&", 300), strings.Repeat("k", 1025)}
	taken := 0
	for _, q := range queries {
		dst := url.Values{}
		if !parseQueryInto(dst, q) {
			if len(dst) != 0 {
				t.Fatalf("%q: refused, but left %v in the map", q, dst)
			}
			continue
		}
		taken++
		want, err := url.ParseQuery(q)
		if err != nil || !reflect.DeepEqual(map[string][]string(dst), map[string][]string(want)) {
			t.Fatalf("%q: got %v; url.ParseQuery: %v, %v", q, dst, want, err)
		}
	}
	if taken < 10 {
		t.Fatalf("only %d queries taken", taken)
	}
	for _, q := range []string{"x=%41", "x=a+b", "a=1;b=2", strings.Repeat("k", 1025)} {
		if parseQueryInto(url.Values{}, q) {
			t.Fatalf("%q was taken", q)
		}
	}
}
