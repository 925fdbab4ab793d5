package mock

import (
	"encoding/base64"
	"net/http"
	"testing"
)

// iconTinyWEBP is a valid 1×1 lossless WebP.
const iconTinyWEBP = "UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA=="

// Attack 8 (issue 10): an icon declared image/png was not checked; any bytes were
// re-hosted under a .png URL. Now the bytes must be the declared type (magic bytes; SVG by
// its XML root), in a data URI and in an uploaded file, or the request is a 400 in the
// envelope that stores nothing.
func TestAttackIconDeclaredTypeIsChecked(t *testing.T) {
	tm := newTestMock(t)
	bot := freshAppearanceBot(t, tm)
	tm.do("POST", appearanceRoute(bot), keyEnterprise, map[string]any{}).must(t, http.StatusCreated)
	png := iconTinyPNGBytes(t)
	b64 := base64.StdEncoding.EncodeToString
	html := []byte("<html><script>alert(1)</script></html>")
	for _, tc := range []struct {
		name, mediaType string
		content         []byte
		ok              bool
	}{
		{"png", "image/png", png, true},
		{"html as png", "image/png", html, false},
		{"png as jpeg", "image/jpeg", png, false},
		{"jpeg", "image/jpeg", []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00"), true},
		{"gif", "image/gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), true},
		{"text as gif", "image/gif", []byte("GIF is a format"), false},
		{"webp", "image/webp", mustB64(t, iconTinyWEBP), true},
		{"riff wave as webp", "image/webp", []byte("RIFF\x24\x00\x00\x00WAVEfmt "), false},
		{"svg", "image/svg+xml", []byte(`<?xml version="1.0"?><!-- logo --><svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>`), true},
		{"svg with doctype", "image/svg+xml", []byte("\xEF\xBB\xBF<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x\">\n<svg></svg>"), true},
		{"html as svg", "image/svg+xml", html, false},
		{"text before svg", "image/svg+xml", []byte("hello <svg/>"), false},
		{"unterminated svg", "image/svg+xml", []byte("<svg"), false},
		{"ico", "image/x-icon", []byte{0, 0, 1, 0, 1, 0, 16, 16}, true},
		{"png as ico", "image/x-icon", png, false},
		{"bmp", "image/bmp", []byte("BM\x3a\x00\x00\x00"), true},
		{"avif", "image/avif", []byte("\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf"), true},
		{"mp4 as avif", "image/avif", []byte("\x00\x00\x00\x18ftypisom\x00\x00\x00\x00isomiso2"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := tm.do("GET", iconsRoute(bot), keyEnterprise, nil).must(t, 200).Raw
			r := tm.do("PATCH", iconsRoute(bot), keyEnterprise, map[string]any{"botIconSrc": "data:" + tc.mediaType + ";base64," + b64(tc.content)})
			file := tm.doAppearanceMultipart("PATCH", iconsRoute(bot), keyEnterprise, nil,
				appearanceFilePart{name: "agentIconSrc", filename: "icon", contentType: tc.mediaType, content: tc.content})
			if tc.ok {
				r.must(t, 200)
				file.must(t, 200)
				return
			}
			for _, r := range []resp{r, file} {
				r.must(t, http.StatusBadRequest)
				if r.code() != "REQUEST_VALIDATION_FAILED" {
					t.Fatalf("code %q: %s", r.code(), r.Raw)
				}
			}
			if after := tm.do("GET", iconsRoute(bot), keyEnterprise, nil).must(t, 200).Raw; string(after) != string(before) {
				t.Fatalf("a refused icon changed the icons: %s -> %s", before, after)
			}
		})
	}
}

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
