package httpproxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"i2pgate/gateway"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// pipeListener hands the server ends of net.Pipe connections to an http.Server.
type pipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// fakeI2P is a Dialer onto in-memory eepsites: an http.Server over net.Pipe for
// most names, a raw echo for raw.i2p, failures for the names in dialErrors.
type fakeI2P struct {
	name string
	ln   *pipeListener
	srv  *http.Server
	wg   sync.WaitGroup
	// release lets /stream finish; uploadSeen reports the first part of an
	// upload arriving.
	release    chan struct{}
	uploadSeen chan string

	mu    sync.Mutex
	dials []string
}

var dialErrors = map[string]error{
	"unknown.i2p": fmt.Errorf("router: naming: %w", gateway.ErrUnknownName),
	"gone.i2p":    fmt.Errorf("netdb: %w", gateway.ErrNotFound),
	"slow.i2p":    fmt.Errorf("streaming: %w", gateway.ErrTimeout),
	"notun.i2p":   gateway.ErrNoTunnels,
	"refuse.i2p":  fmt.Errorf("streaming: reset: %w", gateway.ErrRefused),
	"weird.i2p":   errors.New("something else"),
}

func newFakeI2P(t *testing.T, name string) *fakeI2P {
	f := &fakeI2P{name: name, ln: newPipeListener(), release: make(chan struct{}), uploadSeen: make(chan string, 1)}
	f.srv = &http.Server{Handler: http.HandlerFunc(f.serve)}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		f.srv.Serve(f.ln)
	}()
	t.Cleanup(func() {
		f.srv.Close()
		f.wg.Wait()
	})
	return f
}

func (f *fakeI2P) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	f.mu.Lock()
	f.dials = append(f.dials, addr)
	f.mu.Unlock()
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if err := dialErrors[host]; err != nil {
		return nil, err
	}
	if host == "hang.i2p" {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	a, b := net.Pipe()
	if host == "raw.i2p" {
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			defer b.Close()
			fmt.Fprintf(b, "%s %s\n", f.name, addr)
			io.Copy(b, b)
		}()
		return a, nil
	}
	select {
	case f.ln.conns <- b:
		return a, nil
	case <-ctx.Done():
		a.Close()
		b.Close()
		return nil, ctx.Err()
	}
}

func (f *fakeI2P) dialed() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.dials...)
}

// serve is every eepsite (and the outproxy, exit.i2p).
func (f *fakeI2P) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodConnect { // the outproxy's CONNECT
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprintf(brw, "HTTP/1.1 200 OK\r\n\r\n%s tunnel to %s\n", f.name, r.Host)
		brw.Flush()
		io.Copy(conn, brw)
		return
	}
	switch r.URL.Path {
	case "/ws": // a WebSocket-style upgrade, then echo
		if r.Header.Get("Upgrade") != "websocket" {
			http.Error(w, "no upgrade", http.StatusBadRequest)
			return
		}
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		io.WriteString(brw, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
		brw.Flush()
		io.Copy(conn, brw)
	case "/stream": // a response streamed in two parts, the second on release
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "first part\n")
		w.(http.Flusher).Flush()
		select {
		case <-f.release:
		case <-r.Context().Done():
			return
		}
		io.WriteString(w, "second part\n")
	case "/upload": // reports the first line as soon as it arrives, then the total
		buf := make([]byte, 6)
		io.ReadFull(r.Body, buf)
		f.uploadSeen <- string(buf)
		rest, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "te=%v len=%d", r.TransferEncoding, len(buf)+len(rest))
	default: // echo of what arrived
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "site=%s method=%s uri=%s host=%s\n", f.name, r.Method, r.RequestURI, r.Host)
		keys := make([]string, 0, len(r.Header))
		for k := range r.Header {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "%s: %s\n", k, strings.Join(r.Header[k], ","))
		}
		fmt.Fprintf(w, "body=%s\n", body)
	}
}

// fakeBook records AddLocal calls.
type fakeBook struct {
	mu    sync.Mutex
	added map[string]string
	fail  bool
}

func (b *fakeBook) AddLocal(name, dest string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail {
		return errors.New("book: read-only")
	}
	if b.added == nil {
		b.added = map[string]string{}
	}
	b.added[name] = dest
	return nil
}

func (b *fakeBook) get(name string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.added[name]
}

func start(t *testing.T, cfg Config) *Server {
	t.Helper()
	return startWith(t, cfg, nil)
}

// startWith starts a Server after tweak has changed its unexported settings.
func startWith(t *testing.T, cfg Config, tweak func(*Server)) *Server {
	t.Helper()
	cfg.Address = "127.0.0.1:0"
	if cfg.DialTimeout == 0 {
		cfg.DialTimeout = 5 * time.Second
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if tweak != nil {
		tweak(s)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// client is an HTTP client using the proxy from local address from.
func client(t *testing.T, s *Server, from string) *http.Client {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	tr := &http.Transport{
		Proxy:              http.ProxyURL(&url.URL{Scheme: "http", Host: s.Addr().String()}),
		DialContext:        d.DialContext,
		DisableCompression: true,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{
		Transport:     tr,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return do(t, c, req)
}

func do(t *testing.T, c *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: body: %v", req.Method, req.URL, err)
	}
	return resp, string(b)
}

// waitStats returns the Server's counters once ok holds for them, or after 5
// seconds.
func waitStats(s *Server, ok func(Stats) bool) Stats {
	st := s.Stats()
	for deadline := time.Now().Add(5 * time.Second); !ok(st) && time.Now().Before(deadline); st = s.Stats() {
		time.Sleep(5 * time.Millisecond)
	}
	return st
}
