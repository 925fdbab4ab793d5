package mock

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/store"
	"github.com/contextgpt/sandbox/spec"
)

// Uploaded icons (base64 data URIs and files) are stored as CDN-like URLs, the way the
// reference re-hosts uploads on ImageKit: https://ik.imagekit.io/contextgpt/<chatbotId>/
// <field>-<hash8>.<ext>, where hash8 is the first 8 hex digits of the SHA-256 of the image
// bytes, so the same image always gets the same URL. An icon given as a URL is kept as given.
const (
	iconCDNHost   = "ik.imagekit.io"
	iconCDNPrefix = "https://" + iconCDNHost + "/contextgpt/"
	// maxIconBytes bounds one decoded icon (base64 data URI or uploaded file): 413 past it.
	maxIconBytes = 2 << 20
)

// iconFields are the five icon fields of the appearance settings (and of the icons routes).
func iconFields() []string {
	return []string{"botIconSrc", "userIconSrc", "agentIconSrc", "bubbleIconSrc", "watermarkBrandIcon"}
}

func isIconField(name string) bool {
	for _, f := range iconFields() {
		if f == name {
			return true
		}
	}
	return false
}

// appearanceMultipartAlias maps the text parts that only the reference's multipart form
// lists onto appearance fields. Decisions (the reference does not say):
//   - primaryColor → brandPrimaryColor (the widget's main colour);
//   - secondaryColor → brandIconBgColor (the second brand colour, behind the launcher icon);
//   - chatInputPlaceholder → inputPlaceholderText (same meaning);
//   - chatWindowTitle is accepted and ignored: no appearance field holds a window title
//     (`tooltip` is the bubble's tooltip, another element), so it is not stored.
func appearanceMultipartAlias(name string) (field string, ignored bool) {
	switch name {
	case "primaryColor":
		return "brandPrimaryColor", false
	case "secondaryColor":
		return "brandIconBgColor", false
	case "chatInputPlaceholder":
		return "inputPlaceholderText", false
	case "chatWindowTitle":
		return "", true
	}
	return name, false
}

func (m *Mock) getAppearanceSettings(c *call) (result, error) {
	doc, err := m.store.Appearance(c.param("chatbotId"))
	if err != nil {
		return result{}, err
	}
	return result{Message: "Success", Data: doc}, nil
}

func (m *Mock) createAppearanceSettings(c *call) (result, error) {
	chatbotID := c.param("chatbotId")
	patch, err := m.appearanceInput(c, "AppearanceSettingsInput")
	if err != nil {
		return result{}, err
	}
	doc := m.defaultsFor("AppearanceSettings")
	for k, v := range patch {
		doc[k] = v
	}
	out, err := m.store.CreateAppearance(chatbotID, doc)
	if err != nil {
		return result{}, err
	}
	return result{Status: http.StatusCreated, Message: "Appearance settings created successfully", Data: out}, nil
}

func (m *Mock) updateAppearanceSettings(c *call) (result, error) {
	patch, err := m.appearanceInput(c, "AppearanceSettingsInput")
	if err != nil {
		return result{}, err
	}
	out, err := m.store.UpdateAppearance(c.param("chatbotId"), patch)
	if err != nil {
		return result{}, err
	}
	return result{Message: "Appearance settings updated successfully", Data: out}, nil
}

func (m *Mock) getIcons(c *call) (result, error) {
	doc, err := m.store.Appearance(c.param("chatbotId"))
	if err != nil {
		return result{}, iconsNotFound(err)
	}
	return result{Message: "Icons fetched successfully", Data: viewIcons(doc)}, nil
}

func (m *Mock) updateIcons(c *call) (result, error) {
	patch, err := m.appearanceInput(c, "IconSettingsInput")
	if err != nil {
		return result{}, err
	}
	if len(patch) == 0 {
		msg := "At least one icon is required: " + strings.Join(iconFields(), ", ")
		e := &apierr.Error{Code: apierr.MissingRequiredField, Message: msg}
		for _, f := range iconFields() {
			e.Fields = append(e.Fields, apierr.FieldError{Path: []any{f}, Message: msg})
		}
		return result{}, e
	}
	doc, err := m.store.UpdateAppearance(c.param("chatbotId"), patch)
	if err != nil {
		return result{}, iconsNotFound(err)
	}
	return result{Message: "Icons updated successfully", Data: viewIcons(doc)}, nil
}

// iconsNotFound answers the icons routes' documented RESOURCE_NOT_FOUND where the appearance
// routes answer APPEARANCE_SETTINGS_NOT_FOUND.
func iconsNotFound(err error) error {
	e := apierr.As(err)
	if e.Code == apierr.AppearanceNotFound {
		return apierr.New(apierr.ResourceNotFound, "Appearance settings not found for this chatbot; create them first")
	}
	return e
}

// appearanceInput reads the fields of the named input schema from a JSON or multipart body.
// Unknown fields are ignored; icons are turned into stored CDN URLs.
func (m *Mock) appearanceInput(c *call, schemaName string) (store.Doc, error) {
	props, ok := m.spec.Properties(schemaName)
	if !ok {
		return nil, internalError(fmt.Errorf("the spec has no schema %s", schemaName))
	}
	mediaType, params, _ := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if mediaType == "multipart/form-data" {
		return m.appearanceMultipart(c, props, params["boundary"])
	}
	raw, err := c.fields()
	if err != nil {
		return nil, err
	}
	chatbotID := c.param("chatbotId")
	out := store.Doc{}
	for name, msg := range raw {
		prop, ok := props[name]
		if !ok {
			continue
		}
		var v any
		if err := json.Unmarshal(msg, &v); err != nil {
			return nil, appearanceFieldInvalid(name, err.Error())
		}
		if isIconField(name) {
			s, ok := v.(string)
			if !ok {
				return nil, appearanceFieldInvalid(name, "must be a string")
			}
			if v, err = storeIconText(chatbotID, name, s); err != nil {
				return nil, err
			}
		} else if v, err = appearanceValue(name, prop, v); err != nil {
			return nil, err
		}
		out[name] = v
	}
	return out, nil
}

// appearanceMultipart reads a multipart body: icon parts as files (or as URL / data URI
// text), the reference's form-only text parts through appearanceMultipartAlias, and text
// parts named like a field of the input schema, converted to the field's type.
func (m *Mock) appearanceMultipart(c *call, props map[string]*spec.Property, boundary string) (store.Doc, error) {
	if boundary == "" {
		return nil, appearanceFieldInvalid("", "multipart body has no boundary")
	}
	chatbotID := c.param("chatbotId")
	out := store.Doc{}
	mr := multipart.NewReader(bytes.NewReader(c.body), boundary)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, appearanceFieldInvalid("", "multipart body is not valid: "+err.Error())
		}
		name := part.FormName()
		content, err := io.ReadAll(io.LimitReader(part, maxIconBytes+1))
		_ = part.Close()
		if err != nil {
			return nil, appearanceFieldInvalid(name, "part could not be read: "+err.Error())
		}
		if isIconField(name) {
			if _, known := props[name]; !known {
				continue
			}
			var v any
			if part.FileName() != "" {
				v, err = storeIconFile(chatbotID, name, part.Header.Get("Content-Type"), content)
			} else {
				v, err = storeIconText(chatbotID, name, string(content))
			}
			if err != nil {
				return nil, err
			}
			out[name] = v
			continue
		}
		field, ignored := appearanceMultipartAlias(name)
		if ignored {
			continue
		}
		prop, ok := props[field]
		if !ok {
			continue
		}
		v, err := appearanceText(name, prop, string(content))
		if err != nil {
			return nil, err
		}
		out[field] = v
	}
	return out, nil
}

// appearanceValue checks a JSON value against its property schema (the request validator
// has done so already) and turns integral numbers into ints.
func appearanceValue(name string, p *spec.Property, v any) (any, error) {
	if f, ok := v.(float64); ok && p.Type == "integer" {
		if f != float64(int64(f)) {
			return nil, appearanceFieldInvalid(name, "must be an integer")
		}
		v = int(f)
	}
	if err := p.Check(v); err != nil {
		return nil, appearanceFieldInvalid(name, err.Error())
	}
	return v, nil
}

// appearanceText converts a multipart text part to its field's type and checks it.
func appearanceText(name string, p *spec.Property, text string) (any, error) {
	var v any = text
	switch p.Type {
	case "boolean":
		b, err := strconv.ParseBool(strings.TrimSpace(text))
		if err != nil {
			return nil, appearanceFieldInvalid(name, "must be true or false")
		}
		v = b
	case "integer":
		n, err := strconv.Atoi(strings.TrimSpace(text))
		if err != nil {
			return nil, appearanceFieldInvalid(name, "must be an integer")
		}
		v = n
	case "object":
		var obj map[string]any
		if err := json.Unmarshal([]byte(text), &obj); err != nil || obj == nil {
			return nil, appearanceFieldInvalid(name, "must be a JSON object")
		}
		v = obj
	}
	if err := p.Check(v); err != nil {
		return nil, appearanceFieldInvalid(name, err.Error())
	}
	return v, nil
}

// appearanceFieldInvalid is a 400 REQUEST_VALIDATION_FAILED naming one field ("" for the body).
func appearanceFieldInvalid(field, msg string) *apierr.Error {
	p := []any{}
	if field != "" {
		p = []any{field}
	}
	return &apierr.Error{Code: apierr.RequestValidationFailed, Message: msg,
		Fields: []apierr.FieldError{{Path: p, Message: msg}}}
}

// storeIconText stores an icon given as text: "" clears it (null); a `data:image/...;base64,`
// URI is decoded and re-hosted; an http(s) URL is stored as given.
func storeIconText(chatbotID, field, text string) (any, error) {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return nil, nil
	case len(text) > 5 && strings.EqualFold(text[:5], "data:"):
		mediaType, content, err := iconDecodeDataURI(text)
		if err != nil {
			return nil, appearanceFieldInvalid(field, err.Error())
		}
		if len(content) > maxIconBytes {
			return nil, iconTooLarge(field)
		}
		ext, ok := iconImageExt(mediaType)
		if !ok {
			return nil, appearanceFieldInvalid(field, "a data URI icon must be an image (data:image/...;base64,...)")
		}
		if !iconContentIs(ext, content) {
			return nil, iconNotItsType(field, mediaType)
		}
		return iconURL(chatbotID, field, content, ext), nil
	}
	u, err := url.Parse(text)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, appearanceFieldInvalid(field, "must be an http(s) image URL or a data:image/...;base64, URI")
	}
	// A URL is stored as given, as the reference does; only base64 data and files are
	// uploaded (re-hosted).
	return text, nil
}

// storeIconFile stores an uploaded icon file; its type comes from the part's Content-Type
// when that names an image (and the bytes must be that image), else from its content.
func storeIconFile(chatbotID, field, contentType string, content []byte) (any, error) {
	if len(content) > maxIconBytes {
		return nil, iconTooLarge(field)
	}
	if len(content) == 0 {
		return nil, appearanceFieldInvalid(field, "the uploaded icon file is empty")
	}
	mediaType, _, _ := mime.ParseMediaType(contentType)
	ext, ok := iconImageExt(mediaType)
	if ok && !iconContentIs(ext, content) {
		return nil, iconNotItsType(field, mediaType)
	}
	if !ok {
		sniffed, _, _ := mime.ParseMediaType(http.DetectContentType(content))
		if ext, ok = iconImageExt(sniffed); !ok {
			return nil, appearanceFieldInvalid(field, "the uploaded icon file is not an image")
		}
	}
	return iconURL(chatbotID, field, content, ext), nil
}

func iconTooLarge(field string) *apierr.Error {
	return apierr.New(apierr.PayloadTooLarge, "Icon %s is larger than %d bytes", field, maxIconBytes).
		WithDetails(map[string]any{"field": field, "limitBytes": maxIconBytes})
}

func iconURL(chatbotID, field string, content []byte, ext string) string {
	sum := sha256.Sum256(content)
	return fmt.Sprintf("%s%s/%s-%s.%s", iconCDNPrefix, url.PathEscape(chatbotID), field, hex.EncodeToString(sum[:4]), ext)
}

// iconDecodeDataURI decodes `data:<media type>[;params];base64,<data>`.
func iconDecodeDataURI(text string) (mediaType string, content []byte, err error) {
	meta, data, ok := strings.Cut(text[5:], ",")
	if !ok {
		return "", nil, errors.New("a data URI needs a comma before its data")
	}
	params := strings.Split(meta, ";")
	if !strings.EqualFold(strings.TrimSpace(params[len(params)-1]), "base64") {
		return "", nil, errors.New("a data URI icon must be base64-encoded (data:image/...;base64,...)")
	}
	mediaType = strings.ToLower(strings.TrimSpace(params[0]))
	data = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, data)
	if u, uerr := url.PathUnescape(data); uerr == nil {
		data = u
	}
	if content, err = base64.StdEncoding.DecodeString(data); err != nil {
		if content, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(data, "=")); err != nil {
			return "", nil, errors.New("the data URI's base64 content is not valid")
		}
	}
	if len(content) == 0 {
		return "", nil, errors.New("the data URI has no content")
	}
	return mediaType, content, nil
}

// iconImageExt is the file extension for an image media type.
func iconImageExt(mediaType string) (string, bool) {
	switch strings.ToLower(mediaType) {
	case "image/png":
		return "png", true
	case "image/jpeg", "image/jpg", "image/pjpeg":
		return "jpg", true
	case "image/gif":
		return "gif", true
	case "image/webp":
		return "webp", true
	case "image/svg+xml":
		return "svg", true
	case "image/x-icon", "image/vnd.microsoft.icon":
		return "ico", true
	case "image/bmp":
		return "bmp", true
	case "image/avif":
		return "avif", true
	}
	return "", false
}
