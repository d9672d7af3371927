package httpproxy

import (
	"bufio"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// scriptedI2P is a Dialer whose every stream is served by handle with the raw
// bytes of the site's side; it counts the streams the proxy closes.
type scriptedI2P struct {
	handle func(c net.Conn, br *bufio.Reader)
	wg     sync.WaitGroup
	dials  atomic.Int32
	closes atomic.Int32
	// requests are the request heads the sites read (readRequest).
	requests chan string
}

func newScripted(t *testing.T, handle func(c net.Conn, br *bufio.Reader)) *scriptedI2P {
	d := &scriptedI2P{handle: handle, requests: make(chan string, 16)}
	t.Cleanup(d.wg.Wait)
	return d
}

func (d *scriptedI2P) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d.dials.Add(1)
	a, b := net.Pipe()
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		defer b.Close()
		d.handle(b, bufio.NewReader(b))
	}()
	return &countingConn{Conn: a, closes: &d.closes}, nil
}

// readRequest reads a request head and body, records the head and returns
// the request.
func (d *scriptedI2P) readRequest(br *bufio.Reader) *http.Request {
	var head strings.Builder
	for {
		line, err := br.ReadString('\n')
		head.WriteString(line)
		if err != nil || line == "\r\n" {
			break
		}
	}
	d.requests <- head.String()
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(head.String())))
	if err != nil {
		return nil
	}
	return r
}

// waitCloses waits until n streams are closed.
func (d *scriptedI2P) waitCloses(t *testing.T, n int32) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); d.closes.Load() < n; {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d streams closed", d.closes.Load(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type countingConn struct {
	net.Conn
	once   sync.Once
	closes *atomic.Int32
}

func (c *countingConn) Close() error {
	c.once.Do(func() { c.closes.Add(1) })
	return c.Conn.Close()
}

// The site's answer reaches the browser whatever its framing; informational
// answers are skipped; hop-by-hop headers and Alt-Svc are removed; the request
// goes out in origin form with "Connection: close" and the stream is closed
// after the answer.
func TestResponseFraming(t *testing.T) {
	answers := map[string]string{
		"/length":  "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
		"/chunked": "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n",
		"/close":   "HTTP/1.0 200 OK\r\n\r\nhello",
		"/1xx": "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n" +
			"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
		"/hop": "HTTP/1.1 200 OK\r\nConnection: X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\n" +
			"Alt-Svc: h3=\":443\"\r\nX-Kept: yes\r\nContent-Length: 5\r\n\r\nhello",
	}
	var d *scriptedI2P
	d = newScripted(t, func(c net.Conn, br *bufio.Reader) {
		r := d.readRequest(br)
		if r == nil {
			return
		}
		io.WriteString(c, answers[r.URL.Path])
	})
	s := start(t, Config{Dialer: d})
	c := client(t, s, "127.0.0.1")
	n := int32(0)
	for path := range answers {
		resp, body := get(t, c, "http://site.i2p"+path)
		n++
		if resp.StatusCode != 200 || body != "hello" {
			t.Errorf("%s: %d %q", path, resp.StatusCode, body)
		}
		head := <-d.requests
		if !strings.HasPrefix(head, "GET "+path+" HTTP/1.1\r\nHost: site.i2p\r\n") ||
			!strings.Contains(head, "\r\nConnection: close\r\n") {
			t.Errorf("%s: site got\n%s", path, head)
		}
		if path == "/hop" {
			if resp.Header.Get("X-Kept") != "yes" || resp.Header.Get("X-Hop") != "" ||
				resp.Header.Get("Keep-Alive") != "" || resp.Header.Get("Alt-Svc") != "" {
				t.Errorf("headers %v", resp.Header)
			}
		}
		d.waitCloses(t, n)
	}
	if st := s.Stats(); st.Forwarded != int64(len(answers)) {
		t.Errorf("stats %+v", st)
	}
}

// A body that breaks off breaks off the browser's response too.
func TestResponseBrokenOff(t *testing.T) {
	var d *scriptedI2P
	d = newScripted(t, func(c net.Conn, br *bufio.Reader) {
		d.readRequest(br)
		io.WriteString(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
	})
	s := start(t, Config{Dialer: d})
	resp, err := client(t, s, "127.0.0.1").Get("http://site.i2p/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, err := io.ReadAll(resp.Body); err == nil {
		t.Errorf("truncated answer read as complete: %q", b)
	}
}

// A huge answer streams through without being held: the site writes the last
// part only after the browser has read most of it, and the proxy's
// allocations stay far below the answer's size.
func TestHugeResponseStreamed(t *testing.T) {
	const size, hold = 64 << 20, 48 << 20
	read := make(chan struct{})
	var d *scriptedI2P
	d = newScripted(t, func(c net.Conn, br *bufio.Reader) {
		d.readRequest(br)
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", size)
		chunk := make([]byte, 1<<20)
		for i := range chunk {
			chunk[i] = byte(i)
		}
		for sent := 0; sent < size; sent += len(chunk) {
			if sent == hold {
				select {
				case <-read:
				case <-time.After(10 * time.Second):
					return
				}
			}
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
	})
	s := start(t, Config{Dialer: d})
	c := client(t, s, "127.0.0.1")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	resp, err := c.Get("http://site.i2p/big")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	h := sha256.New()
	if _, err := io.CopyN(h, resp.Body, hold-1<<20); err != nil {
		t.Fatalf("first part: %v", err)
	}
	close(read)
	n, err := io.Copy(h, resp.Body)
	if err != nil || n != size-hold+1<<20 {
		t.Fatalf("rest: %d %v", n, err)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/4 {
		t.Errorf("%d bytes allocated for a %d-byte answer", alloc, size)
	}
}

// A site whose header does not end within the limit gets a 502 page; one that
// never answers the timeout page.
func TestBadAnswers(t *testing.T) {
	var d *scriptedI2P
	d = newScripted(t, func(c net.Conn, br *bufio.Reader) {
		r := d.readRequest(br)
		if r == nil {
			return
		}
		switch r.URL.Path {
		case "/huge-header":
			io.WriteString(c, "HTTP/1.1 200 OK\r\n")
			line := "X-Filler: " + strings.Repeat("a", 1000) + "\r\n"
			for range 2 * maxHeaderBytes / len(line) {
				if _, err := io.WriteString(c, line); err != nil {
					return
				}
			}
			io.WriteString(c, "\r\n")
		case "/silent":
			io.Copy(io.Discard, c) // until the proxy closes
		case "/garbage":
			io.WriteString(c, "SSH-2.0-OpenSSH\r\n\r\n")
		case "/status":
			io.WriteString(c, "HTTP/1.1 042 Odd\r\n\r\n")
		case "/early-close":
		case "/switch": // 101 without an upgrade asked for
			io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
		}
	})
	s := startWith(t, Config{Dialer: d}, func(s *Server) { s.headerTimeout = 100 * time.Millisecond })
	c := client(t, s, "127.0.0.1")
	for path, want := range map[string]int{"/huge-header": 502, "/silent": 504, "/garbage": 502,
		"/status": 502, "/early-close": 502, "/switch": 502} {
		resp, body := get(t, c, "http://site.i2p"+path)
		<-d.requests
		title := pageTitles[pageFailed]
		if want == 504 {
			title = pageTitles[pageTimeout]
		}
		if resp.StatusCode != want || !strings.Contains(body, "<h1>"+title+"</h1>") {
			t.Errorf("%s: %d %q", path, resp.StatusCode, body)
		}
	}
	d.waitCloses(t, 6)
	if st := s.Stats(); st.Timeout != 1 || st.OtherError != 5 {
		t.Errorf("stats %+v", st)
	}
}

// A browser that goes away mid-answer closes the stream.
func TestClientGoneClosesStream(t *testing.T) {
	var d *scriptedI2P
	d = newScripted(t, func(c net.Conn, br *bufio.Reader) {
		d.readRequest(br)
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n")
		for {
			if _, err := io.WriteString(c, "data: tick\n\n"); err != nil {
				return
			}
			time.Sleep(time.Millisecond)
		}
	})
	s := start(t, Config{Dialer: d})
	conn, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(conn, "GET http://site.i2p/events HTTP/1.1\r\nHost: site.i2p\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%v %v", resp, err)
	}
	if line, err := bufio.NewReader(resp.Body).ReadString('\n'); err != nil || line != "data: tick\n" {
		t.Fatalf("first event %q %v", line, err)
	}
	conn.Close()
	d.waitCloses(t, 1)
}

// Close aborts a request waiting for its answer.
func TestCloseAbortsForward(t *testing.T) {
	var d *scriptedI2P
	d = newScripted(t, func(c net.Conn, br *bufio.Reader) {
		d.readRequest(br)
		io.Copy(io.Discard, c)
	})
	s := start(t, Config{Dialer: d})
	c := client(t, s, "127.0.0.1")
	got := make(chan error, 1)
	go func() {
		resp, err := c.Get("http://site.i2p/")
		if err == nil {
			resp.Body.Close()
		}
		got <- err
	}()
	<-d.requests
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	d.waitCloses(t, 1)
	<-got
}

// An upload with a Content-Length reaches the site as it comes.
func TestUploadContentLengthStreamed(t *testing.T) {
	f := newFakeI2P(t, "site")
	s := start(t, Config{Dialer: f})
	c := client(t, s, "127.0.0.1")
	pr, pw := io.Pipe()
	req, _ := http.NewRequest(http.MethodPut, "http://site.i2p/upload", pr)
	req.ContentLength = 100006
	done := make(chan string, 1)
	go func() {
		_, body := do(t, c, req)
		done <- body
	}()
	pw.Write([]byte("hello\n"))
	select {
	case got := <-f.uploadSeen:
		if got != "hello\n" {
			t.Errorf("site saw %q", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the first part of the upload did not reach the site")
	}
	pw.Write([]byte(strings.Repeat("x", 100000)))
	pw.Close()
	if body := <-done; body != "te=[] len=100006" {
		t.Errorf("upload answer %q", body)
	}
}

// Through the outproxy the request line has the absolute form.
func TestOutproxyRequestLine(t *testing.T) {
	var d *scriptedI2P
	d = newScripted(t, func(c net.Conn, br *bufio.Reader) {
		d.readRequest(br)
		io.WriteString(c, "HTTP/1.1 204 No Content\r\n\r\n")
	})
	s := start(t, Config{Dialer: d, Outproxy: "exit.i2p:4444"})
	resp, _ := get(t, client(t, s, "127.0.0.1"), "http://example.com:8080/a?b=c#frag")
	if resp.StatusCode != 204 {
		t.Errorf("status %d", resp.StatusCode)
	}
	head := <-d.requests
	if !strings.HasPrefix(head, "GET http://example.com:8080/a?b=c HTTP/1.1\r\nHost: example.com:8080\r\n") {
		t.Errorf("outproxy got\n%s", head)
	}
}

// A request with an unknown length and a chunked answer pass through HEAD and
// bodiless statuses too.
func TestBodilessAnswers(t *testing.T) {
	var d *scriptedI2P
	d = newScripted(t, func(c net.Conn, br *bufio.Reader) {
		r := d.readRequest(br)
		if r == nil {
			return
		}
		code, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		fmt.Fprintf(c, "HTTP/1.1 %d X\r\nContent-Length: 7\r\nETag: \"e\"\r\n\r\n", code)
		if r.Method != http.MethodHead && code != 204 && code != 304 {
			io.WriteString(c, "content")
		}
	})
	s := start(t, Config{Dialer: d})
	c := client(t, s, "127.0.0.1")
	for _, tt := range []struct {
		method string
		code   int
	}{{"HEAD", 200}, {"GET", 304}, {"GET", 404}} {
		req, _ := http.NewRequest(tt.method, "http://site.i2p/"+strconv.Itoa(tt.code), nil)
		resp, body := do(t, c, req)
		<-d.requests
		wantBody := "content"
		if tt.method == "HEAD" || tt.code == 304 {
			wantBody = ""
		}
		if resp.StatusCode != tt.code || body != wantBody || resp.Header.Get("Etag") != `"e"` {
			t.Errorf("%s %d: %d %q %v", tt.method, tt.code, resp.StatusCode, body, resp.Header)
		}
	}
}

// A site may answer before the upload has ended: the browser gets the answer
// while it is still sending.
func TestAnswerBeforeUploadEnds(t *testing.T) {
	var d *scriptedI2P
	d = newScripted(t, func(c net.Conn, br *bufio.Reader) {
		d.readRequest(br)
		io.WriteString(c, "HTTP/1.1 413 Too Large\r\nContent-Length: 3\r\n\r\nbig")
		io.Copy(io.Discard, br)
	})
	s := start(t, Config{Dialer: d})
	c := client(t, s, "127.0.0.1")
	pr, pw := io.Pipe()
	defer pw.Close()
	req, _ := http.NewRequest(http.MethodPost, "http://site.i2p/up", pr)
	go pw.Write([]byte("hello\n"))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 413 || string(b) != "big" {
		t.Errorf("%d %q", resp.StatusCode, b)
	}
	pw.Close()
	d.waitCloses(t, 1)
}
