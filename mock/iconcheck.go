package mock

import (
	"bytes"
	"encoding/xml"
	"io"

	"github.com/contextgpt/sandbox/mock/apierr"
)

// iconContentIs reports whether an icon's bytes are the image type its extension (from
// the declared media type) names: the format's magic bytes, and for SVG an XML document
// whose root element is <svg>. An icon declared image/png that is a text file, an HTML
// page or another format is refused rather than re-hosted under a .png URL.
func iconContentIs(ext string, b []byte) bool {
	switch ext {
	case "png":
		return bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n"))
	case "jpg":
		return bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF})
	case "gif":
		return bytes.HasPrefix(b, []byte("GIF87a")) || bytes.HasPrefix(b, []byte("GIF89a"))
	case "webp":
		return len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP"
	case "ico":
		return bytes.HasPrefix(b, []byte{0, 0, 1, 0}) || bytes.HasPrefix(b, []byte{0, 0, 2, 0}) // icon or cursor
	case "bmp":
		return bytes.HasPrefix(b, []byte("BM"))
	case "avif":
		return isAVIF(b)
	case "svg":
		return isSVG(b)
	}
	return false
}

// isAVIF: an ISO-BMFF file whose leading ftyp box names avif or avis (as its major or a
// compatible brand).
func isAVIF(b []byte) bool {
	if len(b) < 16 || string(b[4:8]) != "ftyp" {
		return false
	}
	size := int(b[0])<<24 | int(b[1])<<16 | int(b[2])<<8 | int(b[3])
	if size < 16 || size > len(b) {
		size = len(b)
	}
	for i := 8; i+4 <= size; i += 4 {
		if i == 12 { // minor version, not a brand
			continue
		}
		if brand := string(b[i : i+4]); brand == "avif" || brand == "avis" {
			return true
		}
	}
	return false
}

// isSVG: well-formed XML up to its root element (after an optional byte-order mark, XML
// declaration, comments, processing instructions and a DOCTYPE), and that root is <svg>.
func isSVG(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for {
		tok, err := dec.Token()
		if err != nil {
			return false // io.EOF included: no root element
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t.Name.Local == "svg"
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return false
			}
		case xml.ProcInst, xml.Comment, xml.Directive:
		default:
			return false
		}
	}
}

// iconNotItsType is the 400 for an icon whose bytes are not the image type it declares.
func iconNotItsType(field, mediaType string) *apierr.Error {
	msg := "the icon is declared " + mediaType + " but its bytes are not that image format"
	return appearanceFieldInvalid(field, msg)
}
