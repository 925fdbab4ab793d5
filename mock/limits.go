package mock

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/limits"
	"github.com/contextgpt/sandbox/mock/store"
)

// uploadOperations are the routes under the upload concurrency limit (DESIGN: appearance
// create/update, icons update), whatever the content type.
var uploadOperations = map[string]bool{
	"createAppearanceSettings": true,
	"updateAppearanceSettings": true,
	"updateIconsApi":           true,
}

// limitsName names the limits in force, for GET /__mock/health.
func (m *Mock) limitsName() string {
	if m.limits == nil {
		return "off"
	}
	return m.limits.Config().Name
}

// rateHeaders collects the decisions of the limits that apply to one request; the one with
// the least remaining goes into X-RateLimit-Limit/-Remaining/-Reset.
type rateHeaders struct {
	set  bool
	best limits.Decision
	now  time.Time // the mock's clock when the request arrived
}

func (h *rateHeaders) consider(d limits.Decision) {
	if d.Limit < 0 {
		return
	}
	if !h.set || d.Remaining < h.best.Remaining || (d.Remaining == h.best.Remaining && h.reset(d) > h.reset(h.best)) {
		h.best, h.set = d, true
	}
}

func (h *rateHeaders) reset(d limits.Decision) int {
	if !d.Allowed {
		return limits.Seconds(d.RetryAfter)
	}
	return limits.Seconds(d.Reset)
}

// write puts the headers on w (before the status line is written). X-RateLimit-Reset is
// the Unix time (seconds since the epoch, on the mock's clock) when the window frees a
// slot, as the developers' overview shows (1640000000), not a number of seconds.
func (h *rateHeaders) write(w http.ResponseWriter) {
	if !h.set {
		return
	}
	hd := w.Header()
	hd.Set("X-RateLimit-Limit", strconv.Itoa(h.best.Limit))
	hd.Set("X-RateLimit-Remaining", strconv.Itoa(h.best.Remaining))
	hd.Set("X-RateLimit-Reset", strconv.FormatInt(h.resetAt(), 10))
}

// resetAt is the Unix time of the reset: the arrival second plus the whole seconds to wait.
func (h *rateHeaders) resetAt() int64 {
	return h.now.Unix() + int64(h.reset(h.best))
}

// rateLimited is the 429 of a refused decision.
func rateLimited(code string, d limits.Decision, kind limits.Kind, msg string) *apierr.Error {
	ra := limits.Seconds(d.RetryAfter)
	return &apierr.Error{
		Code:      code,
		Message:   msg,
		Details:   map[string]any{"limit": string(kind)},
		RateLimit: &apierr.RateLimit{RetryAfter: ra, Limit: max(d.Limit, 0), Remaining: max(d.Remaining, 0), WindowSeconds: limits.Seconds(d.Window)},
	}
}

const rateLimitMessage = "Rate limit exceeded. Too many requests, please wait before trying again."

// limitIP applies the per-IP limit: /api/* except /api/v1/chatting/*, before auth.
func (m *Mock) limitIP(w http.ResponseWriter, r *http.Request, info *reqInfo) *apierr.Error {
	// The escaped path, as routing sees it: /api/v1/chatting%2F... is not a chatting route.
	path := r.URL.EscapedPath()
	if m.limits == nil || !info.api || strings.HasPrefix(path, m.chattingPrefix) || path+"/" == m.chattingPrefix {
		return nil
	}
	d := m.limits.PerIP.Allow(clientIP(r), m.clock.Now())
	info.rate.consider(d)
	info.rate.write(w)
	if !d.Allowed {
		return rateLimited(apierr.RateLimitExceeded, d, limits.KindPerIP, rateLimitMessage)
	}
	return nil
}

// peekIP puts X-RateLimit headers on an /api response that no limit counted (under
// /api/v1/chatting/: a 404, 405, 401 or 403 answered before the per-user limit). They describe
// the client's per-IP bucket as it stands; nothing is counted.
func (m *Mock) peekIP(w http.ResponseWriter, r *http.Request, info *reqInfo) {
	if m.limits == nil || !info.api || info.rate.set {
		return
	}
	info.rate.consider(m.limits.PerIP.Check(clientIP(r), m.clock.Now(), 0))
	info.rate.write(w)
}

// limitUser applies the per-user limit, after auth.
func (m *Mock) limitUser(w http.ResponseWriter, who store.Principal, info *reqInfo) *apierr.Error {
	if m.limits == nil || who.UserID == "" {
		return nil
	}
	d := m.limits.PerUser.Allow(who.UserID, m.clock.Now())
	info.rate.consider(d)
	info.rate.write(w)
	if !d.Allowed {
		return rateLimited(apierr.RateLimitExceeded, d, limits.KindPerUser, rateLimitMessage)
	}
	return nil
}

// limitUpload takes an upload slot of the caller's account; release frees it when the
// handler returns.
func (m *Mock) limitUpload(w http.ResponseWriter, c *call, info *reqInfo) (release func(), e *apierr.Error) {
	if m.limits == nil || !uploadOperations[c.route.OperationID] || c.who.AccountID == "" {
		return func() {}, nil
	}
	d, release := m.limits.Uploads.Acquire(c.who.AccountID)
	info.rate.consider(d)
	info.rate.write(w)
	if !d.Allowed {
		return release, rateLimited(apierr.RateLimitExceeded, d, limits.KindUploadConcurrency,
			"Too many uploads in progress for this account. Please wait for one to finish.")
	}
	return release, nil
}

// clientIP is the request's peer address (X-Forwarded-For is not trusted: the mock listens
// on loopback).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
