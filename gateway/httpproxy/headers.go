package httpproxy

import (
	"net/http"
	"net/url"
	"strings"
)

// User-Agent values. The I2P one is what i2pd and Java I2P send to eepsites; the
// clearnet one (through an outproxy) is a common browser's, so that the exit's
// sites see nothing unusual.
const (
	userAgentI2P      = "MYOB/6.66 (AN/ON)"
	userAgentClearnet = "Mozilla/5.0 (Windows NT 10.0; rv:128.0) Gecko/20100101 Firefox/128.0"
)

// Standard Accept values (Java I2PTunnelHTTPClient): a browser's own Accept is
// replaced by the common one for its kind of request.
const (
	acceptHTML  = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	acceptImage = "image/webp,image/apng,image/*,*/*;q=0.8"
	acceptCSS   = "text/css,*/*;q=0.1"
)

// droppedHeaders leak the client's identity, software or locale, or the proxy
// chain (i2pd HTTPProxy.cpp SanitizeHTTPRequest, Java I2PTunnelHTTPClient).
var droppedHeaders = []string{"Via", "From", "Forwarded", "Dnt", "X-Real-Ip", "X-Client-Ip", "Client-Ip"}

// droppedPrefixes are dropped as families (canonical header keys): proxy
// disclosure, proxy credentials meant for us, client hints that restate what
// User-Agent hides.
var droppedPrefixes = []string{"X-Forwarded-", "Proxy-", "Sec-Ch-Ua"}

// sanitizeHeader applies the I2P HTTP proxies' request header hygiene to h, a
// request's headers going to target (absolute, without fragment):
//
//   - Via, From, Forwarded, DNT, X-Forwarded-*, X-Real-IP, Proxy-* and the
//     Sec-CH-UA client hints are dropped;
//   - every Accept-* but Accept-Encoding is dropped (Accept-Language,
//     Accept-Charset: as i2pd), and Accept is replaced by the standard value for
//     HTML, image and CSS requests (as Java);
//   - User-Agent is replaced (MYOB/6.66 (AN/ON) for I2P, a common browser's
//     through an outproxy);
//   - Referer survives only when it has the target's scheme, host and port;
//   - X-Requested-With survives only for XMLHttpRequest-style values (Android
//     WebView puts the app's ID there);
//   - NTLM and Negotiate Authorization are dropped (they name the Windows user
//     and domain).
//
// Hop-by-hop headers (Connection and those it lists, Keep-Alive, Upgrade unless
// upgrading, TE, Trailer, Transfer-Encoding) are the caller's (outgoing).
func sanitizeHeader(h http.Header, target *url.URL, clearnet bool) {
	for _, k := range droppedHeaders {
		delete(h, k)
	}
	for k := range h {
		for _, p := range droppedPrefixes {
			if strings.HasPrefix(k, p) {
				delete(h, k)
				break
			}
		}
		if strings.HasPrefix(k, "Accept-") && k != "Accept-Encoding" {
			delete(h, k)
		}
	}
	if v := h.Get("Accept"); v != "" {
		h.Set("Accept", normalizeAccept(v))
	}
	if clearnet {
		h.Set("User-Agent", userAgentClearnet)
	} else {
		h.Set("User-Agent", userAgentI2P)
	}
	if ref := h.Get("Referer"); ref != "" && !sameOrigin(ref, target) {
		delete(h, "Referer")
	}
	if xr := h.Get("X-Requested-With"); xr != "" && !strings.Contains(xr, "HttpRequest") {
		delete(h, "X-Requested-With")
	}
	if auth := strings.ToLower(strings.TrimSpace(h.Get("Authorization"))); strings.HasPrefix(auth, "ntlm ") ||
		strings.HasPrefix(auth, "negotiate ") {
		delete(h, "Authorization")
	}
}

// normalizeAccept maps a browser's Accept to the standard one of its kind;
// others (an API client's application/json) pass unchanged.
func normalizeAccept(v string) string {
	l := strings.ToLower(v)
	html, img, css := strings.Contains(l, "text/html"), strings.Contains(l, "image/"), strings.Contains(l, "text/css")
	switch {
	case html && !img && !css:
		return acceptHTML
	case img && !html && !css:
		return acceptImage
	case css && !html && !img:
		return acceptCSS
	}
	return v
}

// sameOrigin reports whether ref has target's scheme, host and port (default
// ports made explicit).
func sameOrigin(ref string, target *url.URL) bool {
	r, err := url.Parse(ref)
	if err != nil || !r.IsAbs() {
		return false
	}
	return strings.EqualFold(r.Scheme, target.Scheme) &&
		strings.EqualFold(r.Hostname(), target.Hostname()) &&
		portOf(r) == portOf(target)
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}
