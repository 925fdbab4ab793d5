// Package ui is the mock's dashboard at /__mock/ui: the request journal, the domain state,
// webhook deliveries, fault rules, the clock, reset and snapshot download, in a browser.
//
// The page, script and style sheet are embedded (no build step). The page talks to JSON
// routes under /__mock/ui/api/: read-only views of the store and journal, and
// /__mock/ui/api/control/..., which forwards to the control plane (/__mock/...) once the
// dashboard has checked access and CSRF. Access follows the control plane's rules:
// loopback clients need nothing; with an admin token, other clients log in with it and get
// a session cookie (HttpOnly, SameSite=Strict). Every change (any method but GET and HEAD)
// needs the page's CSRF token in X-CSRF-Token and must not come from another site. Data is
// rendered with textContent only, and a Content-Security-Policy forbids inline script.
package ui

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/contextgpt/sandbox/mock/journal"
	"github.com/contextgpt/sandbox/mock/store"
	"github.com/contextgpt/sandbox/mock/webhook"
)

// Prefix is where the dashboard lives.
const Prefix = "/__mock/ui"

// CookieName is the session cookie set by the login.
const CookieName = "contextgpt_mock_ui"

const (
	sessionTTL  = 12 * time.Hour
	maxSessions = 1024
	maxPage     = 500
)

//go:embed assets
var assets embed.FS

// Config wires the dashboard to the mock.
type Config struct {
	// AdminToken is the control plane's --admin-token; empty means loopback clients only.
	AdminToken string
	Store      *store.Store
	Journal    *journal.Journal
	// Control serves the control plane's routes (/__mock/...) without checking access:
	// the dashboard checks it first.
	Control http.Handler
	// Sinks lists the webhook sinks' names.
	Sinks func() []string
	// Retries is the webhook retry schedule (delays after each failed attempt).
	Retries []time.Duration
}

// Handler serves the dashboard.
type Handler struct {
	cfg    Config
	key    []byte // CSRF tokens are HMACs of the session under it
	page   *template.Template
	login  *template.Template
	static http.Handler

	mu       sync.Mutex
	sessions map[string]time.Time // session id → expiry
}

// Owns tells whether a request path belongs to the dashboard.
func Owns(path string) bool { return path == Prefix || strings.HasPrefix(path, Prefix+"/") }

// New builds the dashboard handler.
func New(cfg Config) *Handler {
	if cfg.Retries == nil {
		cfg.Retries = webhook.DefaultRetries()
	}
	if cfg.Sinks == nil {
		cfg.Sinks = func() []string { return nil }
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	sub, _ := fs.Sub(assets, "assets")
	return &Handler{
		cfg:      cfg,
		key:      key,
		page:     template.Must(template.ParseFS(assets, "assets/index.html")),
		login:    template.Must(template.ParseFS(assets, "assets/login.html")),
		static:   http.StripPrefix(Prefix+"/static/", http.FileServer(http.FS(sub))),
		sessions: map[string]time.Time{},
	}
}

// who is how a request is allowed in.
type who struct {
	ok      bool
	bearer  bool   // Authorization: Bearer <admin token> (a script, not a browser session)
	session string // "loopback" or the session id
}

func (h *Handler) identify(r *http.Request) who {
	tok := h.cfg.AdminToken
	if tok != "" {
		if auth := strings.TrimSpace(r.Header.Get("Authorization")); auth != "" {
			if subtle.ConstantTimeCompare([]byte(auth), []byte("Bearer "+tok)) == 1 {
				return who{ok: true, bearer: true, session: "bearer"}
			}
			if !loopback(r.RemoteAddr) {
				return who{}
			}
		}
		if c, err := r.Cookie(CookieName); err == nil && h.validSession(c.Value) {
			return who{ok: true, session: c.Value}
		}
	}
	if loopback(r.RemoteAddr) {
		return who{ok: true, session: "loopback"}
	}
	return who{}
}

func loopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (h *Handler) csrfToken(session string) string {
	mac := hmac.New(sha256.New, h.key)
	mac.Write([]byte(session))
	return hex.EncodeToString(mac.Sum(nil))
}

// sameSite tells whether a browser says the request comes from this origin (or is not a
// browser's cross-site request at all): Sec-Fetch-Site, else Origin against Host.
func sameSite(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return false
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return false
		}
	}
	return true
}

func (h *Handler) validSession(id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	exp, ok := h.sessions[id]
	if ok && time.Now().After(exp) {
		delete(h.sessions, id)
		return false
	}
	return ok
}

func (h *Handler) newSession() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.sessions) >= maxSessions {
		oldest, at := "", time.Time{}
		for k, exp := range h.sessions {
			if now.After(exp) {
				delete(h.sessions, k)
				continue
			}
			if oldest == "" || exp.Before(at) {
				oldest, at = k, exp
			}
		}
		if len(h.sessions) >= maxSessions {
			delete(h.sessions, oldest)
		}
	}
	h.sessions[id] = now.Add(sessionTTL)
	return id
}

func securityHeaders(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-store")
}

// ServeHTTP routes the dashboard's requests.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w)
	rest := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, Prefix), "/")
	switch {
	case rest == "login":
		h.serveLogin(w, r)
		return
	case strings.HasPrefix(rest, "static/"):
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			methodNotAllowed(w, "GET, HEAD")
			return
		}
		h.static.ServeHTTP(w, r)
		return
	}
	id := h.identify(r)
	api := strings.HasPrefix(rest, "api/")
	if !id.ok {
		switch {
		case api && h.cfg.AdminToken != "":
			jsonError(w, http.StatusUnauthorized, "ADMIN_LOGIN_REQUIRED", "log in at "+Prefix+"/login, or send the admin token as a bearer token")
		case api:
			jsonError(w, http.StatusForbidden, "ADMIN_FORBIDDEN", "the dashboard answers loopback clients only, or clients that log in with the admin token (--admin-token)")
		case h.cfg.AdminToken != "":
			http.Redirect(w, r, Prefix+"/login", http.StatusSeeOther)
		default:
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte("The dashboard answers loopback clients only, or clients that log in with the admin token (--admin-token).\n"))
		}
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && !id.bearer {
		got := r.Header.Get("X-CSRF-Token")
		if !sameSite(r) || subtle.ConstantTimeCompare([]byte(got), []byte(h.csrfToken(id.session))) != 1 {
			jsonError(w, http.StatusForbidden, "CSRF_REJECTED", "a change needs the dashboard's CSRF token (X-CSRF-Token) and a same-origin request")
			return
		}
	}
	switch {
	case rest == "" || rest == "index.html":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			methodNotAllowed(w, "GET, HEAD")
			return
		}
		h.servePage(w, id)
	case rest == "logout":
		h.serveLogout(w, r, id)
	case strings.HasPrefix(rest, "api/control/"):
		h.forward(w, r, strings.TrimPrefix(rest, "api/control/"))
	case api:
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			methodNotAllowed(w, "GET, HEAD")
			return
		}
		h.serveData(w, r, strings.TrimPrefix(rest, "api/"))
	default:
		jsonError(w, http.StatusNotFound, "NOT_FOUND", "no dashboard route "+r.URL.Path)
	}
}

func (h *Handler) servePage(w http.ResponseWriter, id who) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = h.page.Execute(w, map[string]any{
		"CSRF":   h.csrfToken(id.session),
		"Logout": id.session != "loopback" && id.session != "bearer",
	})
}

func (h *Handler) serveLogin(w http.ResponseWriter, r *http.Request) {
	render := func(status int, msg string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		_ = h.login.Execute(w, map[string]any{"Error": msg, "Token": h.cfg.AdminToken != ""})
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		render(http.StatusOK, "")
	case http.MethodPost:
		if h.cfg.AdminToken == "" {
			render(http.StatusForbidden, "This mock runs without --admin-token: only loopback clients may use the dashboard.")
			return
		}
		if !sameSite(r) {
			render(http.StatusForbidden, "The login form must be sent from this page.")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
		if err := r.ParseForm(); err != nil {
			render(http.StatusBadRequest, "The login form could not be read.")
			return
		}
		if subtle.ConstantTimeCompare([]byte(r.PostForm.Get("token")), []byte(h.cfg.AdminToken)) != 1 {
			render(http.StatusUnauthorized, "That is not the admin token.")
			return
		}
		http.SetCookie(w, &http.Cookie{Name: CookieName, Value: h.newSession(), Path: Prefix, MaxAge: int(sessionTTL / time.Second),
			HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
		http.Redirect(w, r, Prefix+"/", http.StatusSeeOther)
	default:
		methodNotAllowed(w, "GET, HEAD, POST")
	}
}

func (h *Handler) serveLogout(w http.ResponseWriter, r *http.Request, id who) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, "POST")
		return
	}
	h.mu.Lock()
	delete(h.sessions, id.session)
	h.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: Prefix, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	w.WriteHeader(http.StatusNoContent)
}

// forward hands a request to the control plane as /__mock/<rest>, without the dashboard's
// cookie and CSRF header.
func (h *Handler) forward(w http.ResponseWriter, r *http.Request, rest string) {
	if rest == "" || strings.HasPrefix(rest, "ui") || strings.Contains(rest, "..") {
		jsonError(w, http.StatusNotFound, "NOT_FOUND", "no control-plane route /__mock/"+rest)
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/__mock/" + rest
	r2.URL.RawPath = ""
	r2.RequestURI = r2.URL.RequestURI()
	r2.Header.Del("Cookie")
	r2.Header.Del("X-CSRF-Token")
	if rest == "state" && r.Method == http.MethodGet && r.URL.Query().Get("download") != "" {
		q := r2.URL.Query()
		q.Del("download")
		r2.URL.RawQuery = q.Encode()
		name := "contextgpt-mock-state-" + time.Now().UTC().Format("20060102-150405") + ".json"
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	}
	h.cfg.Control.ServeHTTP(w, r2)
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	jsonError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "method not allowed; allowed: "+allow)
}

func jsonError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"INTERNAL_ERROR","message":"encoding failed"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// intParam reads a non-negative integer query parameter, def when absent or bad, at most limit.
func intParam(q url.Values, name string, def, limit int) int {
	n, err := strconv.Atoi(q.Get(name))
	if err != nil || n < 0 {
		return def
	}
	if limit > 0 && n > limit {
		return limit
	}
	return n
}
