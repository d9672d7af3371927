package httpproxy

import (
	"bufio"
	"bytes"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"i2pgate/gateway"
)

// FuzzRequest feeds raw bytes through the proxy's request path as far as it is
// pure: http.ReadRequest, classify (host, port, address helper) and
// sanitizeHeader. No panic; an I2P route only ever names a valid I2P host;
// the target URL is absolute http without the helper; the filtered headers
// hold none of the dropped ones.
func FuzzRequest(f *testing.F) {
	for _, s := range []string{
		"GET http://site.i2p/ HTTP/1.1\r\nHost: site.i2p\r\nUser-Agent: x\r\nVia: y\r\n\r\n",
		"POST http://site.i2p:8080/up HTTP/1.1\r\nTransfer-Encoding: chunked\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		"CONNECT site.i2p:443 HTTP/1.1\r\nHost: site.i2p:443\r\n\r\n",
		"CONNECT [::1]:22 HTTP/1.1\r\nHost: [::1]:22\r\n\r\n",
		"GET http://a.i2p/?i2paddresshelper=" + testDest(1) + " HTTP/1.1\r\nReferer: http://b.i2p/\r\n\r\n",
		"GET http://example.com/ HTTP/1.0\r\nAccept-Language: de\r\nProxy-Authorization: x\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
		"GET http://[fe80::1%25eth0]:80/ HTTP/1.1\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			return
		}
		rt, err := classify(r)
		if err != nil {
			return
		}
		switch rt.kind {
		case routeI2P, routeHelper, routeConnectI2P:
			host, _, err := net.SplitHostPort(rt.hostport)
			if name, ok := gateway.I2PName(host); err != nil || !ok || name != rt.name {
				t.Fatalf("I2P route to %q (name %q)", rt.hostport, rt.name)
			}
		case routeClearnet, routeConnectClearnet:
			if rt.name != "" {
				t.Fatalf("clearnet route with name %q", rt.name)
			}
			if _, _, err := net.SplitHostPort(rt.hostport); err != nil {
				t.Fatalf("clearnet hostport %q: %v", rt.hostport, err)
			}
		default:
			t.Fatalf("route kind %d", rt.kind)
		}
		if rt.kind == routeHelper && !validHelper(rt.helper) {
			t.Fatalf("invalid helper %q accepted", rt.helper)
		}
		if rt.url == nil {
			return
		}
		if rt.url.Scheme != "http" || rt.url.Host == "" || rt.url.Fragment != "" {
			t.Fatalf("target URL %q", rt.url)
		}
		if _, _, found := cutHelper(rt.url.RawQuery); found && rt.kind != routeClearnet {
			t.Fatalf("helper left in %q", rt.url.RawQuery)
		}
		if _, err := url.Parse(rt.url.String()); err != nil {
			t.Fatalf("target URL %q does not parse: %v", rt.url, err)
		}
		h := r.Header.Clone()
		if h == nil {
			h = http.Header{}
		}
		sanitizeHeader(h, rt.url, rt.kind == routeClearnet)
		for k := range h {
			if k == "Via" || k == "From" || k == "Forwarded" || strings.HasPrefix(k, "X-Forwarded-") ||
				strings.HasPrefix(k, "Proxy-") || (strings.HasPrefix(k, "Accept-") && k != "Accept-Encoding") {
				t.Fatalf("header %q survived", k)
			}
		}
		if ua := h.Get("User-Agent"); ua != userAgentI2P && ua != userAgentClearnet {
			t.Fatalf("User-Agent %q", ua)
		}
		if ref := h.Get("Referer"); ref != "" && !sameOrigin(ref, rt.url) {
			t.Fatalf("cross-site Referer %q kept for %q", ref, rt.url)
		}
	})
}
