package console

import (
	"crypto/subtle"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// The access rules, checked in this order for every request:
//
//  1. a listener that is not on a loopback address serves the console only with
//     Options.Anywhere (--console), else 403;
//  2. without Options.Token, the Host must be a loopback name (localhost, 127.0.0.1,
//     [::1]), else 403: a page of another site whose name an attacker pointed at
//     127.0.0.1 (DNS rebinding) is refused;
//  3. with Options.Token, the request carries it (cookie or Authorization: Bearer), or
//     is /console/?token=<token>, which sets the cookie and redirects; else 403;
//  4. a request that may change state (any method but GET and HEAD) carries the CSRF
//     token of the page in X-Shardlog-CSRF, and no Origin or Sec-Fetch-Site of another
//     site, else 403. A page of another origin cannot read the token: the console sends
//     no CORS headers.

const (
	csrfHeader = "X-Shardlog-CSRF"
	cookieName = "shardlog_console"
)

// admit applies the access rules and answers the requests they refuse.
func (c *Console) admit(w http.ResponseWriter, r *http.Request) bool {
	if !c.opts.Anywhere && !loopbackListener(r) {
		http.Error(w, "console: served only on a loopback listener; "+
			"give serve --console with --console-token to serve it on every listener", http.StatusForbidden)
		return false
	}
	if c.opts.Token == "" && !loopbackHost(r.Host) {
		http.Error(w, "console: without --console-token, the console answers only to localhost, "+
			"127.0.0.1 and [::1], not to Host "+r.Host, http.StatusForbidden)
		return false
	}
	if c.opts.Token != "" && !c.hasToken(r) {
		if c.tokenInQuery(w, r) {
			return false
		}
		http.Error(w, "console: access token required: open /console/?token=<the --console-token>", http.StatusForbidden)
		return false
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if why := c.crossSite(r); why != "" {
			http.Error(w, "console: refused a request that may change state: "+why, http.StatusForbidden)
			return false
		}
	}
	return true
}

// loopbackListener reports whether the connection of r came in on a loopback address.
func loopbackListener(r *http.Request) bool {
	addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return false
	}
	ap, err := netip.ParseAddrPort(addr.String())
	return err == nil && ap.Addr().Unmap().IsLoopback()
}

// loopbackHost reports whether a Host header names the local machine.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

func (c *Console) hasToken(r *http.Request) bool {
	if ck, err := r.Cookie(cookieName); err == nil && c.tokenMatches(ck.Value) {
		return true
	}
	bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && c.tokenMatches(bearer)
}

func (c *Console) tokenMatches(s string) bool {
	return subtle.ConstantTimeCompare([]byte(s), []byte(c.opts.Token)) == 1
}

// tokenInQuery answers /console/?token=<token>: it sets the cookie and redirects to the
// page without the token in its address. It reports whether it answered.
func (c *Console) tokenInQuery(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet || !c.tokenMatches(r.URL.Query().Get("token")) {
		return false
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: c.opts.Token, Path: "/console/",
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/console/", http.StatusSeeOther)
	return true
}

// crossSite says why a state-changing request may come from another site, or "".
func (c *Console) crossSite(r *http.Request) string {
	if subtle.ConstantTimeCompare([]byte(r.Header.Get(csrfHeader)), []byte(c.csrf)) != 1 {
		return "missing or wrong " + csrfHeader + " token"
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return "Sec-Fetch-Site " + site
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		scheme := "http://"
		if r.TLS != nil {
			scheme = "https://"
		}
		if origin != scheme+r.Host {
			return "Origin " + origin + " is not " + scheme + r.Host
		}
	}
	return ""
}
