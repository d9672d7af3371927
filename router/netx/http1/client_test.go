package http1

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestGet(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		w.Header().Set("ETag", `"v1"`)
		fmt.Fprint(w, "hello")
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/x/y?q=1", nil)
	req.Header.Set("User-Agent", "Wget/1.11.4")
	req.Header.Set("If-None-Match", `"v0"`)
	resp, err := (&Client{}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(b) != "hello" || resp.StatusCode != 200 || resp.ContentLength != 5 || resp.Header.Get("ETag") != `"v1"` {
		t.Fatalf("%d %q %v, length %d, header %v", resp.StatusCode, b, err, resp.ContentLength, resp.Header)
	}
	if resp.Request == nil || resp.Request.URL.String() != srv.URL+"/x/y?q=1" {
		t.Fatalf("resp.Request %v", resp.Request)
	}
	u, _ := url.Parse(srv.URL)
	if got.Host != u.Host || got.RequestURI != "/x/y?q=1" || !got.Close || got.UserAgent() != "Wget/1.11.4" ||
		got.Header.Get("If-None-Match") != `"v0"` || got.Header.Get("Accept-Encoding") != "" || got.Proto != "HTTP/1.1" {
		t.Fatalf("server saw %s %s %s host %q close %v header %v", got.Method, got.RequestURI, got.Proto, got.Host, got.Close, got.Header)
	}
	if req.Close {
		t.Fatal("Do changed the request")
	}
}

func TestChunked(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := range 5 {
			fmt.Fprintf(w, "part%d;", i)
			w.(http.Flusher).Flush()
		}
	}))
	defer srv.Close()
	resp, err := get(t, &Client{}, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || string(b) != "part0;part1;part2;part3;part4;" {
		t.Fatalf("%q %v", b, err)
	}
	if len(resp.TransferEncoding) != 1 || resp.TransferEncoding[0] != "chunked" {
		t.Fatalf("transfer encoding %v", resp.TransferEncoding)
	}
}

func TestCloseDelimited(t *testing.T) {
	addr := rawServer(t, func(c net.Conn, _ *http.Request) {
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end")
	})
	code, body := getBody(t, &Client{}, "http://"+addr+"/")
	if code != 200 || body != "until the end" {
		t.Fatalf("%d %q", code, body)
	}
}

func TestInformational(t *testing.T) {
	addr := rawServer(t, func(c net.Conn, _ *http.Request) {
		io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"+
			"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	})
	code, body := getBody(t, &Client{}, "http://"+addr+"/")
	if code != 200 || body != "ok" {
		t.Fatalf("%d %q", code, body)
	}
}

func TestHead(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
	}))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodHead, srv.URL, nil)
	resp, err := (&Client{}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, err := io.ReadAll(resp.Body); err != nil || len(b) != 0 || resp.ContentLength != 1000 {
		t.Fatalf("%q %v length %d", b, err, resp.ContentLength)
	}
}

func TestPost(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s", r.Method, b)
	}))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("payload"))
	resp, err := (&Client{}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); string(b) != "POST payload" {
		t.Fatalf("%q", b)
	}
}

// redirectServer serves /r/N as a redirect with status code to /r/N-1 and
// /r/0 as the body "end".
func redirectServer(t *testing.T, code int) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		if _, err := fmt.Sscanf(r.URL.Path, "/r/%d", &n); err != nil {
			http.NotFound(w, r)
			return
		}
		if n == 0 {
			fmt.Fprintf(w, "end %s ua=%s", r.Method, r.UserAgent())
			return
		}
		w.Header().Set("Location", fmt.Sprintf("%d", n-1)) // relative
		w.WriteHeader(code)
		io.WriteString(w, "moved")
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestRedirects(t *testing.T) {
	for _, code := range []int{301, 302, 303, 307, 308} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			srv := redirectServer(t, code)
			// No redirects followed by default: the 3xx as is.
			status, body := getBody(t, &Client{}, srv.URL+"/r/1")
			if status != code || body != "moved" {
				t.Fatalf("%d %q", status, body)
			}
			c := &Client{MaxRedirects: 3}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/r/3", nil)
			req.Header.Set("User-Agent", "agent")
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(b) != "end GET ua=agent" || resp.Request.URL.Path != "/r/0" {
				t.Fatalf("%q at %s", b, resp.Request.URL)
			}
			if _, err := get(t, c, srv.URL+"/r/4"); !errors.Is(err, ErrTooManyRedirects) {
				t.Fatalf("4 redirects: %v", err)
			}
		})
	}
}

func TestRedirectChecks(t *testing.T) {
	srv := redirectServer(t, http.StatusFound)
	stop := errors.New("stop here")
	var seen []string
	c := &Client{MaxRedirects: 3, CheckRedirect: func(u *url.URL) error {
		seen = append(seen, u.Path)
		if u.Path == "/r/0" {
			return stop
		}
		return nil
	}}
	if _, err := get(t, c, srv.URL+"/r/2"); !errors.Is(err, stop) {
		t.Fatalf("err %v", err)
	}
	if strings.Join(seen, ",") != "/r/1,/r/0" {
		t.Fatalf("CheckRedirect saw %v", seen)
	}
	// A POST is not redirected.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/r/1", strings.NewReader("x"))
	resp, err := (&Client{MaxRedirects: 3}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("POST: %d", resp.StatusCode)
	}
}

func TestRedirectBadTarget(t *testing.T) {
	for _, loc := range []string{"ftp://127.0.0.1/x", "http://[::1"} {
		addr := rawServer(t, func(c net.Conn, _ *http.Request) {
			fmt.Fprintf(c, "HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\n\r\n", loc)
		})
		if _, err := get(t, &Client{MaxRedirects: 3}, "http://"+addr+"/"); err == nil {
			t.Fatalf("redirect to %q followed", loc)
		}
	}
}

// A redirect to another host drops the credentials and keeps the rest.
func TestRedirectOtherHost(t *testing.T) {
	final := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "auth=%q x=%q host=%s", r.Header.Get("Authorization"), r.Header.Get("X-Keep"), r.Host)
	}))
	defer final.Close()
	first := httptest.NewServer(http.RedirectHandler(final.URL+"/there", http.StatusMovedPermanently))
	defer first.Close()
	req, _ := http.NewRequest(http.MethodGet, first.URL, nil)
	req.Header.Set("Authorization", "secret")
	req.Header.Set("X-Keep", "yes")
	resp, err := (&Client{MaxRedirects: 1}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	u, _ := url.Parse(final.URL)
	if want := fmt.Sprintf(`auth="" x="yes" host=%s`, u.Host); string(b) != want {
		t.Fatalf("%q, want %q", b, want)
	}
}

func TestHeaderLimit(t *testing.T) {
	big := strings.Repeat("a", 20<<10)
	addr := rawServer(t, func(c net.Conn, req *http.Request) {
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nX-Big: %s\r\nContent-Length: 2\r\n\r\nok", big[:len(req.URL.Path)<<10])
	})
	// 15 KiB of header passes the default 16 KiB, 17 KiB does not.
	if code, body := getBody(t, &Client{}, "http://"+addr+"/"+strings.Repeat("x", 14)); code != 200 || body != "ok" {
		t.Fatalf("%d %q", code, body)
	}
	if _, err := get(t, &Client{}, "http://"+addr+"/"+strings.Repeat("x", 16)); !errors.Is(err, ErrHeaderTooLarge) {
		t.Fatalf("17 KiB header: %v", err)
	}
	if _, err := get(t, &Client{MaxHeaderBytes: 1 << 10}, "http://"+addr+"/x"); !errors.Is(err, ErrHeaderTooLarge) {
		t.Fatalf("2 KiB header with a 1 KiB limit: %v", err)
	}
	// The limit is on the header only: a large body is read whole.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, big) }))
	defer srv.Close()
	if _, body := getBody(t, &Client{MaxHeaderBytes: 1 << 10}, srv.URL); body != big {
		t.Fatalf("body of %d bytes", len(body))
	}
}

// neverAnswers is a server that reads the request and waits until the
// client goes away or the test ends.
func neverAnswers(t *testing.T) string {
	done := make(chan struct{})
	addr := rawServer(t, func(c net.Conn, _ *http.Request) {
		go func() {
			<-done
			c.Close()
		}()
		io.Copy(io.Discard, c)
	})
	t.Cleanup(func() { close(done) }) // runs before rawServer's cleanup
	return addr
}

func TestHeaderTimeout(t *testing.T) {
	addr := neverAnswers(t)
	start := time.Now()
	_, err := get(t, &Client{HeaderTimeout: 200 * time.Millisecond}, "http://"+addr+"/")
	if err == nil || !strings.Contains(err.Error(), "no response header") {
		t.Fatalf("err %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
}

func TestCancelWaitingForHeader(t *testing.T) {
	addr := neverAnswers(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/", nil)
	if _, err := (&Client{}).Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
}

func TestCancelReadingBody(t *testing.T) {
	done := make(chan struct{})
	addr := rawServer(t, func(c net.Conn, _ *http.Request) {
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsome")
		select {
		case <-done:
		case <-time.After(10 * time.Second):
		}
	})
	defer close(done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/", nil)
	resp, err := (&Client{}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 4)
	if _, err := io.ReadFull(resp.Body, buf); err != nil || string(buf) != "some" {
		t.Fatalf("%q %v", buf, err)
	}
	time.AfterFunc(100*time.Millisecond, cancel)
	if _, err := resp.Body.Read(buf); !errors.Is(err, context.Canceled) {
		t.Fatalf("read after cancel: %v", err)
	}
}

func TestCloseBodyEarly(t *testing.T) {
	done := make(chan struct{})
	addr := rawServer(t, func(c net.Conn, _ *http.Request) {
		io.WriteString(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nsome\r\n")
		select {
		case <-done:
		case <-time.After(10 * time.Second):
		}
	})
	defer close(done)
	resp, err := get(t, &Client{}, "http://"+addr+"/")
	if err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() {
		resp.Body.Close()
		resp.Body.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for the rest of the body")
	}
	if _, err := resp.Body.Read(make([]byte, 1)); err == nil {
		t.Fatal("read after Close")
	}
}

func TestDialErrors(t *testing.T) {
	ln, _ := net.Listen("tcp4", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	if _, err := get(t, &Client{}, "http://"+addr+"/"); err == nil || !strings.HasPrefix(err.Error(), "http1: ") {
		t.Fatalf("refused: %v", err)
	}
	for _, u := range []string{"ftp://127.0.0.1/", "http:///x"} {
		req := &http.Request{Method: "GET", URL: mustParse(t, u), Header: http.Header{}}
		if _, err := (&Client{}).Do(req); err == nil {
			t.Fatalf("%s: no error", u)
		}
	}
	if _, err := (&Client{}).Do(&http.Request{}); err == nil {
		t.Fatal("no URL: no error")
	}
}

func mustParse(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Dial is the one used, with the URL's port or the scheme's default.
func TestDialAndDefaultPorts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.Host) }))
	defer srv.Close()
	var dialed []string
	c := &Client{Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dialed = append(dialed, network+" "+addr)
		var d net.Dialer
		return d.DialContext(ctx, "tcp", srv.Listener.Addr().String())
	}}
	if _, body := getBody(t, c, "http://reg.i2p/hosts.txt"); body != "reg.i2p" {
		t.Fatalf("Host %q", body)
	}
	getBody(t, c, "http://reg.i2p:8080/")
	if strings.Join(dialed, ",") != "tcp reg.i2p:80,tcp reg.i2p:8080" {
		t.Fatalf("dialed %v", dialed)
	}
}

func TestNoTLS(t *testing.T) {
	var dials atomic.Int32
	c := &Client{Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return nil, errors.New("no")
	}}
	if _, err := get(t, c, "https://reseed.example/"); !errors.Is(err, ErrNoTLS) || dials.Load() != 0 {
		t.Fatalf("err %v after %d dials", err, dials.Load())
	}
	// Nor by a redirect.
	srv := httptest.NewServer(http.RedirectHandler("https://reseed.example/", http.StatusFound))
	defer srv.Close()
	if _, err := get(t, &Client{MaxRedirects: 3}, srv.URL); !errors.Is(err, ErrNoTLS) {
		t.Fatalf("redirect: %v", err)
	}
}

// tlsSecure trusts only srv's certificate.
func tlsSecure(srv *httptest.Server) func(ctx context.Context, conn net.Conn, serverName string) (net.Conn, error) {
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return func(ctx context.Context, conn net.Conn, serverName string) (net.Conn, error) {
		tc := tls.Client(conn, &tls.Config{RootCAs: pool, ServerName: serverName})
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, err
		}
		return tc, nil
	}
}

func TestTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "tls %v %s", r.TLS != nil, r.Proto)
	}))
	defer srv.Close()
	c := &Client{Secure: tlsSecure(srv)}
	// httptest's certificate is for example.com and 127.0.0.1.
	if _, body := getBody(t, c, srv.URL); body != "tls true HTTP/1.1" {
		t.Fatalf("%q", body)
	}
	untrusting := func(ctx context.Context, conn net.Conn, serverName string) (net.Conn, error) {
		tc := tls.Client(conn, &tls.Config{RootCAs: x509.NewCertPool(), ServerName: serverName})
		return tc, tc.HandshakeContext(ctx)
	}
	if _, err := get(t, &Client{Secure: untrusting}, srv.URL); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("untrusted server: %v", err)
	}
}

// A handshake that the context cancels ends at once.
func TestCancelDuringHandshake(t *testing.T) {
	addr := neverAnswers(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	c := &Client{Secure: func(ctx context.Context, conn net.Conn, _ string) (net.Conn, error) {
		_, err := conn.Read(make([]byte, 1)) // the server never speaks
		return nil, err
	}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+addr+"/", nil)
	if _, err := c.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
}
