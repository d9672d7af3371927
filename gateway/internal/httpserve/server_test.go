package httpserve

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// countingListener counts accepted connections.
type countingListener struct {
	net.Listener
	n atomic.Int32
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// start serves h on a loopback listener until the test ends.
func start(t *testing.T, s *Server) (*countingListener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := &countingListener{Listener: ln}
	done := make(chan error, 1)
	go func() { done <- s.Serve(cl) }()
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	return cl, "http://" + ln.Addr().String()
}

func client(t *testing.T) *http.Client {
	tr := &http.Transport{ExpectContinueTimeout: 10 * time.Second}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 20 * time.Second}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestGetHeadPost(t *testing.T) {
	s := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			b, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			fmt.Fprintf(w, "got %d bytes: %s", len(b), b)
		default:
			w.Header().Set("X-Path", r.URL.Path)
			io.WriteString(w, "<html><body>hello</body></html>")
		}
	})}
	_, base := start(t, s)
	c := client(t)

	resp, err := c.Get(base + "/a?b=c")
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.StatusCode != 200 || body != "<html><body>hello</body></html>" || resp.ContentLength != int64(len(body)) {
		t.Errorf("GET: %d %d %q", resp.StatusCode, resp.ContentLength, body)
	}
	if resp.Header.Get("X-Path") != "/a" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || resp.Header.Get("Date") == "" {
		t.Errorf("GET header: %v", resp.Header)
	}

	resp, err = c.Head(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); resp.StatusCode != 200 || body != "" || resp.ContentLength != 31 {
		t.Errorf("HEAD: %d %d %q", resp.StatusCode, resp.ContentLength, body)
	}

	resp, err = c.Post(base+"/", "text/plain", strings.NewReader("payload"))
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); body != "got 7 bytes: payload" {
		t.Errorf("POST: %q", body)
	}
}

func TestKeepAlive(t *testing.T) {
	s := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.URL.Path)
	})}
	ln, base := start(t, s)
	c := client(t)
	for i := range 3 {
		resp, err := c.Post(base+fmt.Sprintf("/%d", i), "text/plain", strings.NewReader(strings.Repeat("x", 1000)))
		if err != nil {
			t.Fatal(err)
		}
		if body := readAll(t, resp); body != fmt.Sprintf("/%d", i) {
			t.Errorf("request %d: %q", i, body)
		}
	}
	if n := ln.n.Load(); n != 1 {
		t.Errorf("%d connections for 3 requests, want 1", n)
	}
}

func TestChunked(t *testing.T) {
	want := bytes.Repeat([]byte("0123456789abcdef"), 2000) // 32000 bytes
	s := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		for p := want; len(p) > 0; {
			n := min(len(p), 1+len(p)%3001)
			w.Write(p[:n])
			p = p[n:]
		}
	})}
	_, base := start(t, s)
	resp, err := client(t).Get(base)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if body != string(want) {
		t.Errorf("body: %d bytes, want %d", len(body), len(want))
	}
	if len(resp.TransferEncoding) != 1 || resp.TransferEncoding[0] != "chunked" {
		t.Errorf("Transfer-Encoding %v", resp.TransferEncoding)
	}
}

func TestDeclaredLength(t *testing.T) {
	excess := make(chan error, 1)
	s := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5")
		w.Header()["Content-Type"] = nil
		w.Write([]byte("abc"))
		_, err := w.Write([]byte("defg"))
		excess <- err
		w.Write([]byte("de"))
	})}
	_, base := start(t, s)
	resp, err := client(t).Get(base)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); body != "abcde" || resp.ContentLength != 5 {
		t.Errorf("body %q length %d", body, resp.ContentLength)
	}
	if _, ok := resp.Header["Content-Type"]; ok {
		t.Errorf("Content-Type %q set though the handler suppressed it", resp.Header.Get("Content-Type"))
	}
	if err := <-excess; !errors.Is(err, http.ErrContentLength) {
		t.Errorf("excess write: %v", err)
	}
}

func TestStreamFlush(t *testing.T) {
	const total = 1 << 20
	got := make(chan struct{})
	s := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("first"))
		w.(http.Flusher).Flush()
		select {
		case <-got: // the client saw the flushed bytes before the handler went on
		case <-r.Context().Done():
			return
		}
		chunk := bytes.Repeat([]byte{'z'}, 8192)
		for n := 0; n < total; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			if err := http.NewResponseController(w).Flush(); err != nil {
				return
			}
		}
	})}
	_, base := start(t, s)
	resp, err := client(t).Get(base)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	first := make([]byte, 5)
	if _, err := io.ReadFull(resp.Body, first); err != nil || string(first) != "first" {
		t.Fatalf("first %q %v", first, err)
	}
	close(got)
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil || n != total {
		t.Errorf("streamed %d bytes, %v", n, err)
	}
}

func TestHijack(t *testing.T) {
	s := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "no", 400)
			return
		}
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		brw.WriteString("HTTP/1.1 200 Connection established\r\n\r\n")
		brw.Flush()
		// Echo lines until the client stops.
		for {
			line, err := brw.ReadString('\n')
			if err != nil {
				return
			}
			brw.WriteString("echo " + line)
			brw.Flush()
		}
	})}
	_, base := start(t, s)
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(conn, "CONNECT example.i2p:443 HTTP/1.1\r\nHost: example.i2p:443\r\n\r\nearly\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%v %v", resp, err)
	}
	if line, _ := br.ReadString('\n'); line != "echo early\n" {
		t.Errorf("early bytes: %q", line)
	}
	io.WriteString(conn, "later\n")
	if line, _ := br.ReadString('\n'); line != "echo later\n" {
		t.Errorf("later: %q", line)
	}
}

func TestExpectContinue(t *testing.T) {
	s := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Write(b)
	})}
	_, base := start(t, s)
	req, _ := http.NewRequest(http.MethodPut, base, strings.NewReader("body after continue"))
	req.Header.Set("Expect", "100-continue")
	t0 := time.Now()
	resp, err := client(t).Do(req) // waits 10 s for 100 Continue if it does not come
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); body != "body after continue" || time.Since(t0) > 5*time.Second {
		t.Errorf("%q after %v", body, time.Since(t0))
	}

	// Raw: the 100 comes before the body is sent; another Expect gets 417.
	conn := dial(t, base)
	io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
	br := bufio.NewReader(conn)
	line, _ := br.ReadString('\n')
	if line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("got %q", line)
	}
	br.ReadString('\n')
	io.WriteString(conn, "abc")
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); body != "abc" {
		t.Errorf("body %q", body)
	}
	io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: fancy\r\n\r\n")
	if resp, err := http.ReadResponse(br, nil); err != nil || resp.StatusCode != http.StatusExpectationFailed {
		t.Errorf("other Expect: %v %v", resp, err)
	}
}

func dial(t *testing.T, base string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { conn.Close() })
	return conn
}

func TestHTTP10(t *testing.T) {
	big := strings.Repeat("y", 10000)
	s := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			io.WriteString(w, big)
			return
		}
		io.WriteString(w, "small")
	})}
	_, base := start(t, s)

	// Close-delimited: no length, no chunks, the connection ends the body.
	conn := dial(t, base)
	io.WriteString(conn, "GET /big HTTP/1.0\r\n\r\n")
	all, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	head, body, _ := strings.Cut(string(all), "\r\n\r\n")
	if body != big || strings.Contains(head, "Content-Length") || strings.Contains(head, "chunked") || !strings.Contains(head, "Connection: close") {
		t.Errorf("head %q, body %d bytes", head, len(body))
	}

	// Keep-alive when asked.
	conn = dial(t, base)
	br := bufio.NewReader(conn)
	for range 2 {
		io.WriteString(conn, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		if body := readAll(t, resp); body != "small" || resp.Header.Get("Connection") != "keep-alive" {
			t.Errorf("%q %v", body, resp.Header)
		}
	}
}

func TestPipelining(t *testing.T) {
	s := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s", r.URL.Path, b)
	})}
	_, base := start(t, s)
	conn := dial(t, base)
	io.WriteString(conn, "POST /one HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"+
		"GET /two HTTP/1.1\r\nHost: x\r\n\r\n"+
		"POST /three HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n")
	br := bufio.NewReader(conn)
	for _, want := range []string{"/one abc", "/two ", "/three de"} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		if body := readAll(t, resp); body != want {
			t.Errorf("got %q want %q", body, want)
		}
	}
}

func TestUnreadBody(t *testing.T) {
	s := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ignored your body")
	})}
	ln, base := start(t, s)
	c := client(t)
	for _, size := range []int{10, 100 << 10, 10, 1 << 20, 10} {
		resp, err := c.Post(base, "application/octet-stream", bytes.NewReader(make([]byte, size)))
		if err != nil {
			t.Fatal(err)
		}
		if body := readAll(t, resp); body != "ignored your body" {
			t.Errorf("%d: %q", size, body)
		}
	}
	// The 1 MiB body is not drained: that connection closes.
	if n := ln.n.Load(); n != 2 {
		t.Errorf("%d connections, want 2", n)
	}
}

func TestBodyAfterReturn(t *testing.T) {
	bodies := make(chan io.Reader, 1)
	s := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bodies <- r.Body
	})}
	_, base := start(t, s)
	resp, err := client(t).Post(base, "text/plain", strings.NewReader("late"))
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if n, err := (<-bodies).Read(make([]byte, 10)); n != 0 || err == nil {
		t.Errorf("read after return: %d %v", n, err)
	}
}

func rawReply(t *testing.T, base, req string) (*http.Response, string) {
	t.Helper()
	conn := dial(t, base)
	io.WriteString(conn, req)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("connection not closed after %d: %v", resp.StatusCode, err)
	}
	return resp, body
}

func TestBadRequests(t *testing.T) {
	s := &Server{MaxHeaderBytes: 1024, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	})}
	_, base := start(t, s)
	for _, tc := range []struct {
		req    string
		status int
	}{
		{"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 8000) + "\r\n\r\n", 431},
		{"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
		{"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505},
		{"GET / HTTP/1.1\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
	} {
		resp, body := rawReply(t, base, tc.req)
		if resp.StatusCode != tc.status || !strings.HasPrefix(body, fmt.Sprint(tc.status)) {
			t.Errorf("%.30q: %d %q, want %d", tc.req, resp.StatusCode, body, tc.status)
		}
	}
	// The server still serves.
	resp, body := rawReply(t, base, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if resp.StatusCode != 200 || body != "ok" {
		t.Errorf("after bad requests: %d %q", resp.StatusCode, body)
	}
}

func TestTimeouts(t *testing.T) {
	s := &Server{ReadHeaderTimeout: 200 * time.Millisecond, IdleTimeout: 200 * time.Millisecond,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })}
	_, base := start(t, s)

	// Slowloris: a header that never ends.
	slow := dial(t, base)
	t0 := time.Now()
	io.WriteString(slow, "GET / HTTP/1.1\r\nHost: x\r\n")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 20 {
			time.Sleep(50 * time.Millisecond)
			if _, err := io.WriteString(slow, "X-A: b\r\n"); err != nil {
				return
			}
		}
	}()
	// The server closes: EOF, or a reset when the client's bytes were unread.
	if b, err := io.ReadAll(slow); len(b) != 0 || time.Since(t0) > 3*time.Second {
		t.Errorf("slow header: %q %v after %v", b, err, time.Since(t0))
	}
	<-done

	// Idle keep-alive connection.
	conn := dial(t, base)
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	t0 = time.Now()
	if _, err := br.ReadByte(); err != io.EOF || time.Since(t0) > 3*time.Second {
		t.Errorf("idle: %v after %v", err, time.Since(t0))
	}
}

func TestCloseCancelsHandler(t *testing.T) {
	entered := make(chan struct{})
	var returned atomic.Bool
	s := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-r.Context().Done()
		time.Sleep(50 * time.Millisecond)
		returned.Store(true)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	conn := dial(t, "http://"+ln.Addr().String())
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	<-entered
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if !returned.Load() {
		t.Error("Close returned before the handler")
	}
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s.Serve(ln); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve after Close: %v", err)
	}
}

func TestPanic(t *testing.T) {
	s := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/panic" {
			w.Header().Set("X-Lost", "1")
			io.WriteString(w, "partial")
			panic("handler bug")
		}
		io.WriteString(w, "fine")
	})}
	_, base := start(t, s)
	resp, body := rawReply(t, base, "GET /panic HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp.StatusCode != 500 || resp.Header.Get("X-Lost") != "" || strings.Contains(body, "partial") {
		t.Errorf("panic: %d %v %q", resp.StatusCode, resp.Header, body)
	}
	resp, err := client(t).Get(base)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); body != "fine" {
		t.Errorf("after panic: %q", body)
	}
}

func TestStatusWithoutBody(t *testing.T) {
	s := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/204":
			w.WriteHeader(204)
			if _, err := w.Write([]byte("x")); !errors.Is(err, http.ErrBodyNotAllowed) {
				t.Errorf("write after 204: %v", err)
			}
		case "/103":
			w.Header().Set("Link", "</style.css>; rel=preload")
			w.WriteHeader(103)
			w.Header().Del("Link")
			io.WriteString(w, "final")
		}
	})}
	_, base := start(t, s)
	conn := dial(t, base)
	io.WriteString(conn, "GET /204 HTTP/1.1\r\nHost: x\r\n\r\nGET /103 HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 204 {
		t.Fatalf("%v %v", resp, err)
	}
	if body := readAll(t, resp); body != "" {
		t.Errorf("204 body %q", body)
	}
	resp, err = http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 103 || resp.Header.Get("Link") == "" {
		t.Fatalf("103: %v %v", resp, err)
	}
	resp, err = http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("Link") != "" {
		t.Fatalf("final: %v %v", resp, err)
	}
	if body := readAll(t, resp); body != "final" {
		t.Errorf("final body %q", body)
	}
}

func TestBaseContextAndRemoteAddr(t *testing.T) {
	type key struct{}
	base, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
	defer cancel()
	var mu sync.Mutex
	var got []string
	s := &Server{BaseContext: base, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, fmt.Sprint(r.Context().Value(key{})), r.RemoteAddr, r.Host)
		mu.Unlock()
	})}
	_, u := start(t, s)
	resp, err := client(t).Get(u)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 3 || got[0] != "v" || !strings.HasPrefix(got[1], "127.0.0.1:") || got[2] != strings.TrimPrefix(u, "http://") {
		t.Errorf("got %q", got)
	}
}

func TestAfterReturnAndController(t *testing.T) {
	kept := make(chan http.ResponseWriter, 1)
	s := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.EnableFullDuplex(); err != nil {
			t.Error(err)
		}
		if err := rc.SetReadDeadline(time.Now().Add(time.Minute)); err != nil {
			t.Error(err)
		}
		if err := rc.SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
			t.Error(err)
		}
		io.WriteString(w, r.URL.Path)
		if r.URL.Path == "/keep" {
			kept <- w
		}
	})}
	_, base := start(t, s)
	c := client(t)
	resp, err := c.Get(base + "/keep")
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	w := <-kept
	if _, err := w.Write([]byte("late")); err == nil {
		t.Error("write after return succeeded")
	}
	// The next response on the connection is intact.
	resp, err = c.Get(base + "/next")
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); body != "/next" {
		t.Errorf("next: %q", body)
	}
}
