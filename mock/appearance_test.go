package mock

import (
	"bytes"
	"encoding/base64"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"regexp"
	"strings"
	"testing"
	"time"
)

// iconTinyPNG is a valid 1×1 PNG (the spec's icons example).
const iconTinyPNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

func iconTinyPNGBytes(t testing.TB) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(iconTinyPNG)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// appearanceFilePart is a file part of a multipart request.
type appearanceFilePart struct {
	name, filename, contentType string
	content                     []byte
}

// doAppearanceMultipart sends a multipart/form-data request with text parts and file parts.
func (tm *testMock) doAppearanceMultipart(method, path, key string, texts map[string]string, files ...appearanceFilePart) resp {
	tm.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range texts {
		if err := w.WriteField(k, v); err != nil {
			tm.t.Fatal(err)
		}
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="`+f.name+`"; filename="`+f.filename+`"`)
		h.Set("Content-Type", f.contentType)
		pw, err := w.CreatePart(h)
		if err != nil {
			tm.t.Fatal(err)
		}
		if _, err := pw.Write(f.content); err != nil {
			tm.t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tm.t.Fatal(err)
	}
	req, err := http.NewRequest(method, tm.srv.URL+path, &buf)
	if err != nil {
		tm.t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	return tm.send(req)
}

// freshAppearanceBot creates a chatbot without appearance settings in the enterprise
// account (no chatbot quota) and returns its id; use keyEnterprise with it.
func freshAppearanceBot(t *testing.T, tm *testMock) string {
	t.Helper()
	r := tm.do("POST", "/api/v1/chatbots", keyEnterprise, map[string]any{"chatbotName": "Appearance " + t.Name()}).must(t, http.StatusCreated)
	return r.str("data.chatbotId")
}

func appearanceRoute(bot string) string { return "/api/v1/chatbots/chatbot/" + bot + "/appearance" }
func iconsRoute(bot string) string      { return "/api/v1/chatbots/chatbot/" + bot + "/settings/icons" }

var iconCDNPattern = regexp.MustCompile(`^https://ik\.imagekit\.io/contextgpt/(\d+)/(\w+)-([0-9a-f]{8})\.(\w+)$`)

func testAppearanceLifecycle(t *testing.T, tm *testMock) {
	p := appearanceRoute(botShipping)
	if r := tm.do("GET", p, keyScale, nil).must(t, 404); r.code() != "APPEARANCE_SETTINGS_NOT_FOUND" {
		t.Fatalf("got code %q; want APPEARANCE_SETTINGS_NOT_FOUND", r.code())
	}
	if r := tm.do("PATCH", p, keyScale, map[string]any{"enableDarkMode": true}).must(t, 404); r.code() != "APPEARANCE_SETTINGS_NOT_FOUND" {
		t.Fatalf("got code %q; want APPEARANCE_SETTINGS_NOT_FOUND", r.code())
	}

	created := tm.do("POST", p, keyScale, nil).must(t, http.StatusCreated)
	want := map[string]any{
		"chatbotId": botShipping, "tooltip": nil, "welcomeMessage": "Hi! How can I help you today?",
		"inputPlaceholderText": "Type your message...", "brandPrimaryColor": "#6366f1", "brandTextColor": "#ffffff",
		"brandIconBgColor": "#6366f1", "showBackground": true, "linkColor": "#6366f1", "fontSize": float64(2),
		"chatHeight": float64(80), "externalLink": nil, "iconSize": "medium", "iconPosition": "right", "defaultMode": "widget",
		"watermarkBrandIcon": nil, "watermarkBrandText": nil, "watermarkBrandLink": nil, "watermarkBrandInfoShow": true,
		"hideWatermarkContextGPT": false, "rightToLeftMode": false, "enableDarkMode": false,
		"distanceFromBottomDesktop": float64(20), "horizontalDistanceDesktop": float64(20), "distanceFromBottomMobile": float64(20),
		"horizontalDistanceMobile": float64(20), "botIconSrc": nil, "userIconSrc": nil, "agentIconSrc": nil, "bubbleIconSrc": nil,
		"iconShape": "circle", "fontFamily": nil,
	}
	d := created.data()
	for k, v := range want {
		if got, ok := d[k]; !ok || got != v {
			t.Errorf("default %s: got %v (present %v); want %v", k, got, ok, v)
		}
	}
	if d["id"] == "" || d["createdAt"] != "2026-03-02T09:00:00.000Z" {
		t.Fatalf("got id %v createdAt %v; want an id and the clock's time", d["id"], d["createdAt"])
	}

	if r := tm.do("POST", p, keyScale, map[string]any{"tooltip": "again"}).must(t, http.StatusConflict); r.code() != "APPEARANCE_SETTINGS_ALREADY_EXIST" {
		t.Fatalf("got code %q; want APPEARANCE_SETTINGS_ALREADY_EXIST", r.code())
	}
	tm.clock.Advance(time.Minute)
	upd := tm.do("PATCH", p, keyScale, map[string]any{"enableDarkMode": true, "iconPosition": "left", "fontFamily": map[string]any{"name": "Inter"}, "id": "ignored"}).must(t, 200)
	if upd.at("data.enableDarkMode") != true || upd.str("data.iconPosition") != "left" || upd.str("data.fontFamily.name") != "Inter" {
		t.Fatalf("update not applied: %s", upd.Raw)
	}
	if upd.str("data.id") != created.str("data.id") || upd.str("data.updatedAt") != "2026-03-02T09:01:00.000Z" || upd.str("data.createdAt") != created.str("data.createdAt") {
		t.Fatalf("id or timestamps wrong after update: %s", upd.Raw)
	}
	got := tm.do("GET", p, keyAgent, nil).must(t, 200)
	if got.at("data.enableDarkMode") != true || got.str("data.welcomeMessage") != "Hi! How can I help you today?" {
		t.Fatalf("update did not persist or clobbered other fields: %s", got.Raw)
	}
}

func testAppearanceCreateWithFields(t *testing.T, tm *testMock) {
	bot := freshAppearanceBot(t, tm)
	r := tm.do("POST", appearanceRoute(bot), keyEnterprise, map[string]any{
		"welcomeMessage": "Welcome!", "brandPrimaryColor": "#0f766e", "fontSize": 3, "unknownField": "ignored",
	}).must(t, http.StatusCreated)
	if r.str("data.welcomeMessage") != "Welcome!" || r.str("data.brandPrimaryColor") != "#0f766e" || r.at("data.fontSize") != float64(3) {
		t.Fatalf("fields not taken: %s", r.Raw)
	}
	if r.str("data.linkColor") != "#6366f1" {
		t.Fatalf("got linkColor %q; want the default", r.str("data.linkColor"))
	}
	if _, ok := r.data()["unknownField"]; ok {
		t.Fatal("unknown field was stored")
	}
}

func testAppearanceIconsAsDataURIAndURL(t *testing.T, tm *testMock) {
	bot := freshAppearanceBot(t, tm)
	dataURI := "data:image/png;base64," + iconTinyPNG
	r := tm.do("POST", appearanceRoute(bot), keyEnterprise, map[string]any{
		"botIconSrc":         dataURI,
		"userIconSrc":        dataURI,
		"agentIconSrc":       "https://example.com/assets/agent.jpeg?v=2",
		"bubbleIconSrc":      "https://ik.imagekit.io/contextgpt/icons/bubble.png",
		"watermarkBrandIcon": "",
	}).must(t, http.StatusCreated)
	botURL := r.str("data.botIconSrc")
	m := iconCDNPattern.FindStringSubmatch(botURL)
	if m == nil || m[1] != bot || m[2] != "botIconSrc" || m[4] != "png" {
		t.Fatalf("got botIconSrc %q; want a CDN URL for the chatbot, field and png", botURL)
	}
	user := iconCDNPattern.FindStringSubmatch(r.str("data.userIconSrc"))
	if user == nil || user[2] != "userIconSrc" || user[3] != m[3] {
		t.Fatalf("got userIconSrc %q; want the same hash as botIconSrc (same bytes)", r.str("data.userIconSrc"))
	}
	// The reference: a URL given for an icon is stored as given; only base64 data is re-hosted.
	if got := r.str("data.agentIconSrc"); got != "https://example.com/assets/agent.jpeg?v=2" {
		t.Fatalf("got agentIconSrc %q; want the URL as given", got)
	}
	if r.str("data.bubbleIconSrc") != "https://ik.imagekit.io/contextgpt/icons/bubble.png" {
		t.Fatalf("got bubbleIconSrc %q; want a CDN URL kept as is", r.str("data.bubbleIconSrc"))
	}
	if r.at("data.watermarkBrandIcon") != nil {
		t.Fatalf("got watermarkBrandIcon %v; want null for an empty string", r.at("data.watermarkBrandIcon"))
	}
	// Stable: the same image sent again gives the same URL.
	again := tm.do("PATCH", iconsRoute(bot), keyEnterprise, map[string]any{"botIconSrc": dataURI}).must(t, 200)
	if again.str("data.botIconSrc") != botURL {
		t.Fatalf("got %q on the second upload; want the stable %q", again.str("data.botIconSrc"), botURL)
	}
}

func testAppearanceMultipart(t *testing.T, tm *testMock) {
	bot := freshAppearanceBot(t, tm)
	png := iconTinyPNGBytes(t)
	r := tm.doAppearanceMultipart("POST", appearanceRoute(bot), keyEnterprise, map[string]string{
		"primaryColor": "#112233", "secondaryColor": "#445566", "chatInputPlaceholder": "Ask away", "chatWindowTitle": "Help",
	}, appearanceFilePart{name: "botIconSrc", filename: "bot.png", contentType: "application/octet-stream", content: png}).must(t, http.StatusCreated)
	if r.str("data.brandPrimaryColor") != "#112233" || r.str("data.brandIconBgColor") != "#445566" || r.str("data.inputPlaceholderText") != "Ask away" {
		t.Fatalf("multipart text parts not mapped: %s", r.Raw)
	}
	if r.at("data.tooltip") != nil {
		t.Fatalf("chatWindowTitle must be ignored; got tooltip %v", r.at("data.tooltip"))
	}
	m := iconCDNPattern.FindStringSubmatch(r.str("data.botIconSrc"))
	if m == nil || m[4] != "png" {
		t.Fatalf("got botIconSrc %q; want a png CDN URL", r.str("data.botIconSrc"))
	}
	// The same bytes as a data URI give the same URL as the file.
	icons := tm.do("PATCH", iconsRoute(bot), keyEnterprise, map[string]any{"agentIconSrc": "data:image/png;base64," + iconTinyPNG}).must(t, 200)
	if a := iconCDNPattern.FindStringSubmatch(icons.str("data.agentIconSrc")); a == nil || a[3] != m[3] {
		t.Fatalf("got agentIconSrc %q; want hash %s", icons.str("data.agentIconSrc"), m[3])
	}

	// A multipart update with only the ignored part changes nothing.
	if r := tm.doAppearanceMultipart("PATCH", appearanceRoute(bot), keyEnterprise, map[string]string{"chatWindowTitle": "x"}).must(t, 400); r.code() != "NO_VALID_FIELDS_TO_UPDATE" {
		t.Fatalf("got code %q; want NO_VALID_FIELDS_TO_UPDATE", r.code())
	}
	// A form-only colour part is checked against the field it maps to (at most 7 characters).
	if r := tm.doAppearanceMultipart("PATCH", appearanceRoute(bot), keyEnterprise, map[string]string{"primaryColor": "#12345678"}).must(t, 400); r.code() != "REQUEST_VALIDATION_FAILED" || !errorsNameField(r, "primaryColor") {
		t.Fatalf("got %s; want REQUEST_VALIDATION_FAILED naming primaryColor", r.Raw)
	}
	// Multipart icons update.
	up := tm.doAppearanceMultipart("PATCH", iconsRoute(bot), keyEnterprise, nil,
		appearanceFilePart{name: "watermarkBrandIcon", filename: "w.png", contentType: "image/png", content: png}).must(t, 200)
	if w := iconCDNPattern.FindStringSubmatch(up.str("data.watermarkBrandIcon")); w == nil || w[2] != "watermarkBrandIcon" {
		t.Fatalf("got watermarkBrandIcon %q; want a CDN URL", up.str("data.watermarkBrandIcon"))
	}
	if up.str("data.botIconSrc") != r.str("data.botIconSrc") {
		t.Fatal("icons update changed an icon it was not given")
	}
	// An oversized file.
	big := append(append([]byte{}, png...), bytes.Repeat([]byte{0}, maxIconBytes)...)
	if r := tm.doAppearanceMultipart("PATCH", iconsRoute(bot), keyEnterprise, nil,
		appearanceFilePart{name: "botIconSrc", filename: "big.png", contentType: "image/png", content: big}).must(t, http.StatusRequestEntityTooLarge); r.code() != "PAYLOAD_TOO_LARGE" {
		t.Fatalf("got code %q; want PAYLOAD_TOO_LARGE", r.code())
	}
	// A file that is not an image.
	if r := tm.doAppearanceMultipart("PATCH", iconsRoute(bot), keyEnterprise, nil,
		appearanceFilePart{name: "botIconSrc", filename: "x.txt", contentType: "text/plain", content: []byte("hello")}).must(t, 400); r.code() != "REQUEST_VALIDATION_FAILED" {
		t.Fatalf("got code %q; want REQUEST_VALIDATION_FAILED", r.code())
	}
}

func testIconsLifecycle(t *testing.T, tm *testMock) {
	bot := freshAppearanceBot(t, tm)
	p := iconsRoute(bot)
	if r := tm.do("GET", p, keyEnterprise, nil).must(t, 404); r.code() != "RESOURCE_NOT_FOUND" {
		t.Fatalf("got code %q; want RESOURCE_NOT_FOUND", r.code())
	}
	if r := tm.do("PATCH", p, keyEnterprise, map[string]any{"botIconSrc": "https://example.com/b.png"}).must(t, 404); r.code() != "RESOURCE_NOT_FOUND" {
		t.Fatalf("got code %q; want RESOURCE_NOT_FOUND", r.code())
	}
	tm.do("POST", appearanceRoute(bot), keyEnterprise, map[string]any{}).must(t, http.StatusCreated)
	g := tm.do("GET", p, keyEnterprise, nil).must(t, 200)
	if len(g.data()) != 5 || g.at("data.botIconSrc") != nil {
		t.Fatalf("got %s; want five null icons", g.Raw)
	}
	u := tm.do("PATCH", p, keyEnterprise, map[string]any{"userIconSrc": "data:image/webp;base64," + iconTinyWEBP}).must(t, 200)
	if m := iconCDNPattern.FindStringSubmatch(u.str("data.userIconSrc")); m == nil || m[4] != "webp" {
		t.Fatalf("got userIconSrc %q; want a webp CDN URL", u.str("data.userIconSrc"))
	}
	a := tm.do("GET", appearanceRoute(bot), keyEnterprise, nil).must(t, 200)
	if a.str("data.userIconSrc") != u.str("data.userIconSrc") {
		t.Fatal("icons update is not reflected in the appearance settings")
	}
}

func testAppearanceErrors(t *testing.T, tm *testMock) {
	if r := tm.do("POST", appearanceRoute(botShipping), keyScale, nil); r.Status != http.StatusCreated && r.Status != http.StatusConflict {
		t.Fatalf("got status %d creating the settings", r.Status)
	}
	ap, ic := appearanceRoute(botShipping), iconsRoute(botShipping)
	cases := []struct {
		name              string
		method, path, key string
		body              any
		status            int
		code              string
		field             string
	}{
		{"get unknown chatbot", "GET", appearanceRoute("999999999999999999"), keyScale, nil, 404, "CHATBOT_NOT_FOUND", ""},
		{"get other account", "GET", appearanceRoute(botOutfitters), keyScale, nil, 404, "CHATBOT_NOT_FOUND", ""},
		{"get no key", "GET", ap, "", nil, 401, "MISSING_JWT", ""},
		{"create by agent", "POST", appearanceRoute(botShipping), keyAgent, nil, 403, "INSUFFICIENT_PERMISSIONS", ""},
		{"update by agent", "PATCH", ap, keyAgent, map[string]any{"tooltip": "x"}, 403, "INSUFFICIENT_PERMISSIONS", ""},
		{"update empty", "PATCH", ap, keyScale, map[string]any{}, 400, "NO_VALID_FIELDS_TO_UPDATE", ""},
		{"update only unknown", "PATCH", ap, keyScale, map[string]any{"colour": "red", "createdAt": "x"}, 400, "NO_VALID_FIELDS_TO_UPDATE", ""},
		{"update font size out of range", "PATCH", ap, keyScale, map[string]any{"fontSize": 9}, 400, "REQUEST_VALIDATION_FAILED", "fontSize"},
		{"update bad enum", "PATCH", ap, keyScale, map[string]any{"iconSize": "huge"}, 400, "REQUEST_VALIDATION_FAILED", "iconSize"},
		{"update colour too long", "PATCH", ap, keyScale, map[string]any{"linkColor": "#1234567"}, 400, "REQUEST_VALIDATION_FAILED", "linkColor"},
		{"icon bad base64", "PATCH", ap, keyScale, map[string]any{"botIconSrc": "data:image/png;base64,!!!"}, 400, "REQUEST_VALIDATION_FAILED", "botIconSrc"},
		{"icon not base64", "PATCH", ap, keyScale, map[string]any{"botIconSrc": "data:image/png,rawbytes"}, 400, "REQUEST_VALIDATION_FAILED", "botIconSrc"},
		{"icon not an image", "PATCH", ic, keyScale, map[string]any{"botIconSrc": "data:text/plain;base64,aGVsbG8="}, 400, "REQUEST_VALIDATION_FAILED", "botIconSrc"},
		{"icon not a URL", "PATCH", ic, keyScale, map[string]any{"agentIconSrc": "ftp://example.com/a.png"}, 400, "REQUEST_VALIDATION_FAILED", "agentIconSrc"},
		{"icons none given", "PATCH", ic, keyScale, map[string]any{"tooltip": "not an icon"}, 400, "MISSING_REQUIRED_FIELD", "botIconSrc"},
		{"icons by agent", "PATCH", ic, keyAgent, map[string]any{"botIconSrc": ""}, 403, "INSUFFICIENT_PERMISSIONS", ""},
		{"icons other account", "GET", iconsRoute(botOutfitters), keyScale, nil, 404, "CHATBOT_NOT_FOUND", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tm.do(tc.method, tc.path, tc.key, tc.body).must(t, tc.status)
			if r.code() != tc.code {
				t.Fatalf("got code %q; want %q\nbody: %s", r.code(), tc.code, r.Raw)
			}
			if r.Body["success"] != false || r.at("data") != nil {
				t.Fatalf("got %s; want the error envelope", r.Raw)
			}
			if tc.field != "" && !errorsNameField(r, tc.field) {
				t.Fatalf("errors[] does not name %q: %s", tc.field, r.Raw)
			}
		})
	}
}

// errorsNameField tells whether errors[] has an entry whose path starts with field.
func errorsNameField(r resp, field string) bool {
	list, _ := r.Body["errors"].([]any)
	for _, e := range list {
		em, _ := e.(map[string]any)
		p, _ := em["path"].([]any)
		if len(p) > 0 && p[0] == field {
			return true
		}
		if s, ok := em["path"].(string); ok && strings.Contains(s, field) {
			return true
		}
	}
	return false
}

// TestAppearance runs the appearance and icons cases on one mock (a mock costs seconds to build
// under -race); each case uses its own chatbot, and the error cases need the appearance
// settings the lifecycle case created on botShipping.
func TestAppearance(t *testing.T) {
	tm := newTestMock(t)
	t.Run("AppearanceLifecycle", func(t *testing.T) { testAppearanceLifecycle(t, tm) })
	t.Run("AppearanceCreateWithFields", func(t *testing.T) { testAppearanceCreateWithFields(t, tm) })
	t.Run("AppearanceIconsAsDataURIAndURL", func(t *testing.T) { testAppearanceIconsAsDataURIAndURL(t, tm) })
	t.Run("AppearanceMultipart", func(t *testing.T) { testAppearanceMultipart(t, tm) })
	t.Run("IconsLifecycle", func(t *testing.T) { testIconsLifecycle(t, tm) })
	t.Run("AppearanceErrors", func(t *testing.T) { testAppearanceErrors(t, tm) })
}
