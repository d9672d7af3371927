package httpproxy

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

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

// FuzzResponse feeds raw bytes from a site through the proxy's answer path
// (http.ReadResponse under the header limit, 1xx, 101, the copy to the
// client): no panic, no hang, and the client gets either an error page or
// the site's status.
func FuzzResponse(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
		"HTTP/1.0 200 OK\r\nConnection: keep-alive, X-A\r\nX-A: 1\r\n\r\nclose-delimited",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nframes",
		"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		"HTTP/1.1 099 Low\r\n\r\n",
		"HTTP/1.1 999 High\r\nContent-Type: text/event-stream\r\n\r\ndata: x\n\n",
		"garbage",
	} {
		f.Add([]byte(s), false)
	}
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"), true)
	f.Fuzz(func(t *testing.T, answer []byte, head bool) {
		s, err := New(Config{Dialer: answerDialer(answer), Rand: bytes.NewReader(make([]byte, 32))})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		method := http.MethodGet
		if head {
			method = http.MethodHead
		}
		req := httptest.NewRequest(method, "http://site.i2p/", nil)
		req.RemoteAddr = "127.0.0.1:1234"
		req.Header.Set("Connection", "Upgrade")
		req.Header.Set("Upgrade", "websocket")
		w := httptest.NewRecorder()
		done := make(chan struct{})
		go func() {
			defer close(done)
			s.ServeHTTP(w, req)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("no answer for %q", answer)
		}
		if w.Code < 200 || w.Code > 999 {
			t.Fatalf("status %d for %q", w.Code, answer)
		}
		if w.Code >= 400 && strings.Contains(w.Body.String(), "<h1>") {
			return // an error page
		}
		if !bytes.Contains(answer, []byte(" "+strconv.Itoa(w.Code))) {
			t.Fatalf("status %d not the site's: %q", w.Code, answer)
		}
		if s.Stats().Forwarded != 1 {
			t.Fatalf("stats %+v", s.Stats())
		}
	})
}

// answerDialer's streams discard what is written to them and read answer.
type answerDialer []byte

func (a answerDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return &answerConn{r: bytes.NewReader(a)}, nil
}

type answerConn struct {
	net.Conn // nil: only the methods below are used
	mu       sync.Mutex
	r        *bytes.Reader
	closed   bool
}

func (c *answerConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, net.ErrClosed
	}
	return c.r.Read(p)
}

func (c *answerConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, net.ErrClosed
	}
	return len(p), nil
}

func (c *answerConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	return nil
}
