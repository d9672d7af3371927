package httpproxy

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"i2pgate/gateway"
)

// The browser's connection is kept alive; each request to the site has a
// stream of its own, closed after the answer.
func TestForwardAndKeepAlive(t *testing.T) {
	f := newFakeI2P(t, "site")
	s := start(t, Config{Dialer: f})
	c := client(t, s, "127.0.0.1")
	var reused []bool
	for i := 0; i < 3; i++ {
		req, _ := http.NewRequest(http.MethodGet, "http://Stats.I2P/a/b?x=1#frag", nil)
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
			GotConn: func(i httptrace.GotConnInfo) { reused = append(reused, i.Reused) },
		}))
		resp, body := do(t, c, req)
		if resp.StatusCode != 200 || !strings.HasPrefix(body, "site=site method=GET uri=/a/b?x=1 host=stats.i2p\n") {
			t.Fatalf("response %d %q", resp.StatusCode, body)
		}
	}
	if len(reused) != 3 || reused[0] || !reused[1] || !reused[2] {
		t.Errorf("client connection reuse %v, want one kept-alive connection", reused)
	}
	if d := f.dialed(); len(d) != 3 || d[0] != "stats.i2p:80" || d[2] != "stats.i2p:80" {
		t.Errorf("dials %v, want a stream to stats.i2p:80 per request", d)
	}
	// Other methods, another port.
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND"} {
		req, _ := http.NewRequest(m, "http://site.i2p:8080/x", strings.NewReader("payload"))
		resp, body := do(t, c, req)
		if resp.StatusCode != 200 || !strings.Contains(body, "method="+m+" uri=/x host=site.i2p:8080") ||
			!strings.Contains(body, "body=payload") {
			t.Errorf("%s: %d %q", m, resp.StatusCode, body)
		}
	}
	req, _ := http.NewRequest(http.MethodHead, "http://site.i2p/", nil)
	if resp, _ := do(t, c, req); resp.StatusCode != 200 {
		t.Errorf("HEAD: %d", resp.StatusCode)
	}
	if st := s.Stats(); st.Forwarded != 10 || st.Requests != 10 {
		t.Errorf("stats %+v", st)
	}
}

func TestHeaderHygieneEndToEnd(t *testing.T) {
	f := newFakeI2P(t, "site")
	s := start(t, Config{Dialer: f})
	c := client(t, s, "127.0.0.1")
	req, _ := http.NewRequest(http.MethodGet, "http://site.i2p/page", nil)
	h := req.Header
	h.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0")
	h.Set("Accept", "text/html,application/xhtml+xml;q=0.9")
	h.Set("Accept-Language", "de-CH,de;q=0.9")
	h.Set("Accept-Encoding", "gzip")
	h.Set("Via", "1.1 squid")
	h.Set("X-Forwarded-For", "192.168.1.20")
	h.Set("Forwarded", "for=192.168.1.20")
	h.Set("From", "me@example.com")
	h.Set("Referer", "http://other.i2p/")
	h.Set("Proxy-Authorization", "Basic Zm9vOmJhcg==")
	h.Set("Sec-CH-UA-Platform", "Linux")
	h.Set("Cookie", "a=b")
	h.Set("Connection", "keep-alive, X-Secret")
	h.Set("X-Secret", "hop-by-hop")
	resp, body := do(t, c, req)
	if resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	for _, want := range []string{"User-Agent: MYOB/6.66 (AN/ON)\n", "Accept: " + acceptHTML + "\n",
		"Accept-Encoding: gzip\n", "Cookie: a=b\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("site did not get %q:\n%s", want, body)
		}
	}
	for _, gone := range []string{"Accept-Language", "Via", "X-Forwarded", "Forwarded", "From", "Referer",
		"Proxy-", "Sec-Ch-Ua", "X-Secret", "192.168.1.20"} {
		if strings.Contains(body, gone) {
			t.Errorf("site got %q:\n%s", gone, body)
		}
	}
	h.Set("Referer", "http://site.i2p/index.html")
	if _, body := do(t, c, req); !strings.Contains(body, "Referer: http://site.i2p/index.html\n") {
		t.Errorf("same-site Referer dropped:\n%s", body)
	}
}

// Bodies stream both ways: the browser gets the first part of a response before
// the site has written the rest, and the site gets the first part of a chunked
// upload before the browser has sent the rest.
func TestStreamingChunked(t *testing.T) {
	f := newFakeI2P(t, "site")
	s := start(t, Config{Dialer: f})
	c := client(t, s, "127.0.0.1")

	resp, err := c.Get("http://site.i2p/stream")
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.TransferEncoding) != 1 || resp.TransferEncoding[0] != "chunked" {
		t.Errorf("download transfer encoding %v", resp.TransferEncoding)
	}
	br := bufio.NewReader(resp.Body)
	if line, err := br.ReadString('\n'); err != nil || line != "first part\n" {
		t.Fatalf("first part %q %v", line, err)
	}
	close(f.release)
	rest, _ := io.ReadAll(br)
	resp.Body.Close()
	if string(rest) != "second part\n" {
		t.Errorf("second part %q", rest)
	}

	pr, pw := io.Pipe()
	req, _ := http.NewRequest(http.MethodPost, "http://site.i2p/upload", pr)
	done := make(chan string, 1)
	go func() {
		_, body := do(t, c, req)
		done <- body
	}()
	pw.Write([]byte("hello\n"))
	if got := <-f.uploadSeen; got != "hello\n" {
		t.Errorf("site saw %q", got)
	}
	pw.Write([]byte(strings.Repeat("x", 100000)))
	pw.Close()
	if body := <-done; body != "te=[chunked] len=100006" {
		t.Errorf("upload answer %q", body)
	}
}

func TestErrorPages(t *testing.T) {
	f := newFakeI2P(t, "site")
	s := start(t, Config{Dialer: f, DialTimeout: 50 * time.Millisecond,
		JumpServices: []string{"http://stats.i2p/cgi-bin/jump.cgi?a=", "http://reg.i2p/jump/"}})
	c := client(t, s, "127.0.0.1")
	tests := []struct {
		url    string
		status int
		title  string
		more   []string
	}{
		{"http://unknown.i2p/x", 404, pageTitles[pageUnknownName], []string{
			`href="http://stats.i2p/cgi-bin/jump.cgi?a=unknown.i2p"`, `href="http://reg.i2p/jump/unknown.i2p"`}},
		{"http://gone.i2p/", 502, pageTitles[pageNotFound], nil},
		{"http://slow.i2p/", 504, pageTitles[pageTimeout], nil},
		{"http://hang.i2p/", 504, pageTitles[pageTimeout], nil},
		{"http://notun.i2p/", 503, pageTitles[pageNoTunnels], nil},
		{"http://refuse.i2p/", 502, pageTitles[pageRefused], nil},
		{"http://weird.i2p/", 502, pageTitles[pageFailed], nil},
		{"http://example.com/", 403, pageTitles[pageNotAllowed], []string{"example.com:80"}},
		{"http://10.192.0.1/", 403, pageTitles[pageNotAllowed], nil},
		{"http://[2001:db8::1]:8080/", 403, pageTitles[pageNotAllowed], nil},
		{"http://bad_name.i2p/", 403, pageTitles[pageNotAllowed], nil},
	}
	for _, tt := range tests {
		resp, body := get(t, c, tt.url)
		if resp.StatusCode != tt.status || !strings.Contains(body, "<h1>"+tt.title+"</h1>") {
			t.Errorf("%s: %d %q", tt.url, resp.StatusCode, body)
			continue
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" ||
			!strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("%s: headers %v", tt.url, resp.Header)
		}
		if strings.Contains(body, "<script") || strings.Contains(body, "src=") {
			t.Errorf("%s: page has external assets or script", tt.url)
		}
		for _, m := range tt.more {
			if !strings.Contains(body, m) {
				t.Errorf("%s: page lacks %q:\n%s", tt.url, m, body)
			}
		}
	}
	for _, d := range f.dialed() {
		host, _, _ := net.SplitHostPort(d)
		if _, ok := gateway.I2PName(host); !ok {
			t.Errorf("dialed %s outside I2P", d)
		}
	}
	st := s.Stats()
	if st.UnknownName != 1 || st.NotFound != 1 || st.Timeout != 2 || st.NoTunnels != 1 || st.PeerRefused != 1 ||
		st.OtherError != 1 || st.NotAllowed != 4 || st.BadRequest != 0 || st.Forwarded != 0 {
		t.Errorf("stats %+v", st)
	}

	// A request for the proxy itself.
	conn, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || resp.StatusCode != 400 {
		t.Errorf("relative request: %v %v", resp, err)
	}
}

// connectRaw sends CONNECT on a fresh connection from 127.0.0.1 and returns the
// connection and the proxy's answer.
func connectRaw(t *testing.T, s *Server, target string) (net.Conn, *bufio.Reader, *http.Response) {
	t.Helper()
	conn, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(conn, "CONNECT "+target+" HTTP/1.1\r\nHost: "+target+"\r\n\r\nearly")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		t.Fatalf("CONNECT %s: %v", target, err)
	}
	return conn, br, resp
}

func TestConnect(t *testing.T) {
	f := newFakeI2P(t, "site")
	s := start(t, Config{Dialer: f})
	conn, br, resp := connectRaw(t, s, "raw.i2p:443")
	if resp.StatusCode != 200 {
		t.Fatalf("CONNECT: %d", resp.StatusCode)
	}
	if line, _ := br.ReadString('\n'); line != "site raw.i2p:443\n" {
		t.Errorf("greeting %q", line)
	}
	io.WriteString(conn, "-ping")
	b := make([]byte, 10)
	if _, err := io.ReadFull(br, b); err != nil || string(b) != "early-ping" {
		t.Errorf("echo %q %v", b, err)
	}
	conn.(*net.TCPConn).CloseWrite()
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Errorf("after half-close %q %v", rest, err)
	}

	for target, want := range map[string]int{"unknown.i2p:443": 404, "example.com:443": 403, "10.0.0.1:22": 403,
		"raw.i2p": 400} {
		_, _, resp := connectRaw(t, s, target)
		if resp.StatusCode != want {
			t.Errorf("CONNECT %s: %d, want %d", target, resp.StatusCode, want)
		}
	}
	if d := f.dialed(); len(d) != 2 {
		t.Errorf("dials %v", d)
	}
	// The tunnel's byte counts are added when both directions have ended,
	// which may be just after the client saw the end.
	if st := waitStats(s, func(st Stats) bool { return st.BytesUp == 10 }); st.Connects != 1 ||
		st.BytesUp != 10 || st.NotAllowed != 2 {
		t.Errorf("stats %+v", st)
	}
}

// TLS through CONNECT to an eepsite, with an http.Client as a browser would.
func TestConnectTLSClient(t *testing.T) {
	f := newFakeI2P(t, "site")
	s := start(t, Config{Dialer: f})
	c := client(t, s, "127.0.0.1")
	tr := c.Transport.(*http.Transport)
	tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	_, err := c.Get("https://raw.i2p/")
	// raw.i2p echoes, so the TLS handshake fails, but only after the tunnel
	// carried it: the dial went to raw.i2p:443.
	if err == nil {
		t.Fatal("TLS to an echo server succeeded")
	}
	if d := f.dialed(); len(d) != 1 || d[0] != "raw.i2p:443" {
		t.Errorf("dials %v", d)
	}
}

func TestOutproxy(t *testing.T) {
	f := newFakeI2P(t, "exit")
	s := start(t, Config{Dialer: f, Outproxy: "Exit.i2p:4444"})
	c := client(t, s, "127.0.0.1")
	req, _ := http.NewRequest(http.MethodGet, "http://example.com/path?q=1", nil)
	req.Header.Set("User-Agent", "curl/8")
	resp, body := do(t, c, req)
	if resp.StatusCode != 200 || !strings.Contains(body, "uri=http://example.com/path?q=1 host=example.com") ||
		!strings.Contains(body, "User-Agent: "+userAgentClearnet) {
		t.Errorf("through outproxy: %d %q", resp.StatusCode, body)
	}
	// I2P sites still go direct.
	if _, body := get(t, c, "http://site.i2p/"); !strings.Contains(body, "uri=/ host=site.i2p") {
		t.Errorf("direct: %q", body)
	}
	conn, br, resp := connectRaw(t, s, "example.com:443")
	if resp.StatusCode != 200 {
		t.Fatalf("CONNECT through outproxy: %d", resp.StatusCode)
	}
	if line, _ := br.ReadString('\n'); line != "exit tunnel to example.com:443\n" {
		t.Errorf("tunnel greeting %q", line)
	}
	conn.Close()
	want := []string{"exit.i2p:4444", "site.i2p:80", "exit.i2p:4444"}
	if d := f.dialed(); strings.Join(d, " ") != strings.Join(want, " ") {
		t.Errorf("dials %v, want %v", d, want)
	}
	if _, err := New(Config{Dialer: f, Outproxy: "exit.example.com:3128"}); err == nil {
		t.Error("clearnet outproxy accepted")
	}
}

func TestIsolationAndAllowList(t *testing.T) {
	var mu sync.Mutex
	sites := map[netip.Addr]*fakeI2P{}
	allow, _ := gateway.NewAllowList([]string{"127.0.0.1", "127.0.0.2"})
	s := start(t, Config{Allow: allow, DialerFor: func(client netip.Addr) gateway.Dialer {
		mu.Lock()
		defer mu.Unlock()
		if sites[client] == nil {
			sites[client] = newFakeI2P(t, client.String())
		}
		return sites[client]
	}})
	for _, ip := range []string{"127.0.0.1", "127.0.0.2", "127.0.0.1"} {
		_, body := get(t, client(t, s, ip), "http://site.i2p/")
		if !strings.HasPrefix(body, "site="+ip+" ") {
			t.Errorf("client %s got %q", ip, body)
		}
	}
	mu.Lock()
	if len(sites) != 2 {
		t.Errorf("%d dialers, want 2", len(sites))
	}
	mu.Unlock()

	_, err := client(t, s, "127.0.0.3").Get("http://site.i2p/")
	if err == nil {
		t.Error("client outside lan.allow was served")
	}
	// Refused is counted just after the connection is closed.
	if st := waitStats(s, func(st Stats) bool { return st.Refused >= 1 }); st.Refused < 1 {
		t.Errorf("stats %+v", st)
	}
}

// Close ends open CONNECT tunnels and waits for them.
func TestCloseEndsTunnels(t *testing.T) {
	f := newFakeI2P(t, "site")
	s := start(t, Config{Dialer: f})
	_, br, resp := connectRaw(t, s, "raw.i2p:443")
	if resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	br.ReadString('\n')
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	if _, err := io.ReadAll(br); err != nil && !strings.Contains(err.Error(), "reset") {
		t.Errorf("tunnel after Close: %v", err)
	}
}

func TestNewChecks(t *testing.T) {
	f := &fakeI2P{}
	for _, c := range []Config{
		{},
		{Dialer: f, JumpServices: []string{"javascript:alert(1)//"}},
		{Dialer: f, Outproxy: "exit.i2p"},
		{Dialer: f, Outproxy: "exit.i2p:0"},
		{Dialer: f, Rand: strings.NewReader("short")},
	} {
		if _, err := New(c); err == nil || !strings.HasPrefix(err.Error(), "httpproxy: ") {
			t.Errorf("New(%+v): %v", c, err)
		}
	}
}

func TestUpgrade(t *testing.T) {
	f := newFakeI2P(t, "site")
	s := start(t, Config{Dialer: f})
	conn, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(conn, "GET http://site.i2p/ws HTTP/1.1\r\nHost: site.i2p\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	io.WriteString(conn, "frame")
	b := make([]byte, 5)
	if _, err := io.ReadFull(br, b); err != nil || string(b) != "frame" {
		t.Errorf("echo %q %v", b, err)
	}
}
