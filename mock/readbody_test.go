package mock

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReadAllSizedMatchesReadAll reads bodies of many sizes, with right, wrong and unknown
// size hints, through readers that return one byte at a time, data with EOF, and an error
// part-way: readAllSized must return what io.ReadAll returns.
func TestReadAllSizedMatchesReadAll(t *testing.T) {
	boom := errors.New("boom")
	for _, n := range []int{0, 1, 2, 110, 511, 512, 513, 1000, 4096, 70000} {
		data := []byte(strings.Repeat("abcdefghij", n/10+1)[:n])
		for _, hint := range []int64{-1, 0, 1, int64(n) - 1, int64(n), int64(n) + 1, 1 << 20} {
			readers := map[string]func() io.Reader{
				"plain":    func() io.Reader { return bytes.NewReader(data) },
				"one-byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) },
				"data-eof": func() io.Reader { return iotest.DataErrReader(bytes.NewReader(data)) },
				"error":    func() io.Reader { return io.MultiReader(bytes.NewReader(data), iotest.ErrReader(boom)) },
			}
			for name, mk := range readers {
				got, gotErr := readAllSized(mk(), hint)
				want, wantErr := io.ReadAll(mk())
				if !bytes.Equal(got, want) || !errors.Is(gotErr, wantErr) && gotErr != wantErr {
					t.Fatalf("n=%d hint=%d %s: got %d bytes, %v; io.ReadAll: %d bytes, %v", n, hint, name, len(got), gotErr, len(want), wantErr)
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
