package mock

import (
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/ui"
	"github.com/contextgpt/sandbox/mock/webhook"
)

// The mock's control plane (/__mock) acts on every tenant at once, so nothing a tenant or a
// web page controls may reach it: not a webhook URL (the mock's own outgoing requests), not
// a cross-site request from a browser, not a DNS-rebound host name.

// sinkPrefix is the one control-plane route webhooks may target: the built-in receiver.
const sinkPrefix = "/__mock/webhook-sink/"

// controlPlaneTarget tells whether a webhook URL points at the control plane other than the
// built-in sink, whatever the host (the mock's own address has many spellings: 127.0.0.1,
// localhost, [::1], 0.0.0.0, 2130706433, 0x7f000001, trailing dots) and however the path is
// spelled (percent-encoding, several times over; case; dot segments; doubled slashes). It
// looks at the path alone, so another mock's control plane is refused as well.
func controlPlaneTarget(u *url.URL) bool {
	p := u.EscapedPath()
	for i := 0; i < 8; i++ { // %255F → %5F → _
		d, err := url.PathUnescape(p)
		if err != nil || d == p {
			break
		}
		p = d
	}
	p = strings.ToLower(strings.ReplaceAll(p, "\\", "/"))
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	p = path.Clean("/" + p)
	if p != "/__mock" && !strings.HasPrefix(p, "/__mock/") {
		return false
	}
	name, ok := strings.CutPrefix(p, sinkPrefix)
	return !ok || name == "" || strings.Contains(name, "/")
}

// controlPlaneHopRefused is the dispatcher's check of every URL it is about to post to.
func controlPlaneHopRefused(u *url.URL) bool { return controlPlaneTarget(u) }

// fromWebhookDispatcher tells a request the mock's own webhook dispatcher sent (its
// User-Agent and signature): the control plane answers such requests only on the sink, a
// second line of defence behind the URL checks.
func fromWebhookDispatcher(r *http.Request) bool {
	return r.Header.Get("User-Agent") == webhook.UserAgent && r.Header.Get("X-Signature") != ""
}

// crossSite refuses what a browser sends on behalf of another site: a Sec-Fetch-Site other
// than same-origin or none, or an Origin that is not the request's own host.
func crossSite(r *http.Request) (bool, string) {
	if sfs := strings.ToLower(strings.TrimSpace(r.Header.Get("Sec-Fetch-Site"))); sfs != "" && sfs != "same-origin" && sfs != "none" {
		return true, "Sec-Fetch-Site: " + sfs
	}
	origins := r.Header.Values("Origin")
	if len(origins) == 0 {
		return false, ""
	}
	if len(origins) > 1 {
		return true, "several Origin headers"
	}
	o, err := url.Parse(strings.TrimSpace(origins[0]))
	if err != nil || o.Host == "" || !strings.EqualFold(o.Host, r.Host) {
		return true, "Origin: " + origins[0]
	}
	return false, ""
}

// localHost tells whether a Host header names the mock without DNS: an IP literal,
// localhost or a name under .localhost (RFC 6761). A DNS name that resolves to the mock
// (DNS rebinding) is not one.
func localHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "" {
		return false
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	if i := strings.IndexByte(host, '%'); i > 0 { // fe80::1%lo0
		host = host[:i]
	}
	return net.ParseIP(host) != nil
}

// adminGuard runs before the token check on every /__mock request: the control plane
// refuses cross-site browser requests, webhook deliveries other than to the sink, and a
// Host that is not the mock's own unless the request carries the admin token.
func (m *Mock) adminGuard(r *http.Request) (code, msg string) {
	// The dashboard refuses cross-site requests itself (CSRF_REJECTED, its CSRF token).
	if bad, why := crossSite(r); bad && !ui.Owns(r.URL.Path) {
		return apierr.AdminCrossSite, "the control plane does not answer cross-site browser requests (" + why + ")"
	}
	sink := strings.HasPrefix(r.URL.EscapedPath(), sinkPrefix) && r.Method == http.MethodPost
	if fromWebhookDispatcher(r) && !sink {
		return apierr.AdminForbidden, "webhook deliveries reach only the webhook sink (" + sinkPrefix + "{name})"
	}
	if m.cfg.AdminToken != "" && strings.TrimSpace(r.Header.Get("Authorization")) == "Bearer "+m.cfg.AdminToken {
		return "", ""
	}
	if !localHost(r.Host) {
		return apierr.AdminHostNotAllowed, "the control plane answers Host: an IP address or localhost without the admin token, not " + r.Host + " (DNS rebinding)"
	}
	return "", ""
}
