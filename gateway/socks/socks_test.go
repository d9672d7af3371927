package socks

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"i2pgate/gateway"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeI2P is a Dialer whose "eepsites" are echo servers on net.Pipe. Names
// select failures.
type fakeI2P struct {
	name  string
	mu    sync.Mutex
	dials []string
	wg    sync.WaitGroup
}

var dialErrors = map[string]error{
	"unknown.i2p": fmt.Errorf("router: %w", gateway.ErrUnknownName),
	"gone.i2p":    fmt.Errorf("netdb: %w", gateway.ErrNotFound),
	"slow.i2p":    fmt.Errorf("streaming: %w", gateway.ErrTimeout),
	"notun.i2p":   gateway.ErrNoTunnels,
	"refuse.i2p":  fmt.Errorf("streaming: reset: %w", gateway.ErrRefused),
	"weird.i2p":   errors.New("something else"),
	"clear.i2p":   gateway.ErrNotAllowed,
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
	if host == "silent.i2p" {
		// A site that never answers nor closes, behind a stream whose
		// half-close leaves it readable (as an I2P stream).
		a, b := net.Pipe()
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			io.Copy(io.Discard, b)
			b.Close()
		}()
		return halfConn{a}, nil
	}
	a, b := net.Pipe()
	f.wg.Add(1)
	go func() { // the eepsite: greets with its name and the address, then echoes
		defer f.wg.Done()
		defer b.Close()
		fmt.Fprintf(b, "%s %s\n", f.name, addr)
		io.Copy(b, b)
	}()
	return a, nil
}

func (f *fakeI2P) dialed() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.dials...)
}

func start(t *testing.T, cfg Config) *Server {
	t.Helper()
	if cfg.Address == "" {
		cfg.Address = "127.0.0.1:0"
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func dialFrom(t *testing.T, local string, s *Server) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}
	c, err := d.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

// greet sends the method selection and expects method back.
func greet(t *testing.T, c net.Conn, offer []byte, want byte) {
	t.Helper()
	c.Write(append([]byte{5, byte(len(offer))}, offer...))
	b := make([]byte, 2)
	if _, err := io.ReadFull(c, b); err != nil {
		t.Fatalf("method reply: %v", err)
	}
	if b[0] != 5 || b[1] != want {
		t.Fatalf("method reply %x, want 05%02x", b, want)
	}
}

func connectName(c net.Conn, host string, port uint16) {
	req := []byte{5, 1, 0, 3, byte(len(host))}
	req = append(req, host...)
	req = binary.BigEndian.AppendUint16(req, port)
	c.Write(req)
}

func connectIP(c net.Conn, ip netip.Addr, port uint16, cmd byte) {
	req := []byte{5, cmd, 0, 1}
	if ip.Is6() {
		req[3] = 4
	}
	req = append(req, ip.AsSlice()...)
	req = binary.BigEndian.AppendUint16(req, port)
	c.Write(req)
}

// reply reads a reply and returns its code.
func reply(t *testing.T, c net.Conn) byte {
	t.Helper()
	h := make([]byte, 4)
	if _, err := io.ReadFull(c, h); err != nil {
		t.Fatalf("reply: %v", err)
	}
	var n int
	switch h[3] {
	case 1:
		n = 4
	case 4:
		n = 16
	case 3:
		l := make([]byte, 1)
		io.ReadFull(c, l)
		n = int(l[0])
	default:
		t.Fatalf("reply address type %d", h[3])
	}
	if _, err := io.ReadFull(c, make([]byte, n+2)); err != nil {
		t.Fatalf("reply address: %v", err)
	}
	return h[1]
}

func expectEcho(t *testing.T, c net.Conn, greeting string) {
	t.Helper()
	line := make([]byte, len(greeting)+1)
	if _, err := io.ReadFull(c, line); err != nil || string(line) != greeting+"\n" {
		t.Fatalf("greeting %q %v, want %q", line, err, greeting)
	}
	c.Write([]byte("ping"))
	b := make([]byte, 4)
	if _, err := io.ReadFull(c, b); err != nil || string(b) != "ping" {
		t.Fatalf("echo %q %v", b, err)
	}
}

func TestConnectName(t *testing.T) {
	f := &fakeI2P{name: "site"}
	s := start(t, Config{Dialer: f})
	c := dialFrom(t, "127.0.0.1", s)
	greet(t, c, []byte{0}, 0)
	connectName(c, "Stats.I2P", 80)
	if code := reply(t, c); code != ReplySucceeded {
		t.Fatalf("reply %#x", code)
	}
	expectEcho(t, c, "site stats.i2p:80")
	c.Close()
	f.wg.Wait()
	s.Close()
	if st := s.Stats(); st.Accepted != 1 || st.Connected != 1 || st.BytesUp != 4 || st.BytesDown != int64(len("site stats.i2p:80\n")+4) {
		t.Errorf("stats %+v", st)
	}
}

func TestReplyCodes(t *testing.T) {
	tests := []struct {
		host string
		want byte
	}{
		{"unknown.i2p", ReplyHostUnreachable},
		{"gone.i2p", ReplyHostUnreachable},
		{"slow.i2p", ReplyTTLExpired},
		{"notun.i2p", ReplyNetworkUnreachable},
		{"refuse.i2p", ReplyConnectionRefused},
		{"weird.i2p", ReplyGeneralFailure},
		{"clear.i2p", ReplyNotAllowed},
		{"hang.i2p", ReplyTTLExpired}, // DialTimeout
		{"example.com", ReplyNotAllowed},
		{"bad..i2p", ReplyNotAllowed}, // not a valid I2P name: clearnet
	}
	f := &fakeI2P{}
	s := start(t, Config{Dialer: f, DialTimeout: 50 * time.Millisecond})
	for _, tt := range tests {
		c := dialFrom(t, "127.0.0.1", s)
		greet(t, c, []byte{0}, 0)
		connectName(c, tt.host, 80)
		if code := reply(t, c); code != tt.want {
			t.Errorf("%s: reply %#x, want %#x", tt.host, code, tt.want)
		}
		if n, err := c.Read(make([]byte, 1)); err != io.EOF {
			t.Errorf("%s: after failure read %d %v, want EOF", tt.host, n, err)
		}
	}
	for _, d := range f.dialed() {
		if d == "example.com:80" || strings.HasPrefix(d, "bad") {
			t.Errorf("clearnet target dialed: %s", d)
		}
	}
	st := s.Stats()
	if st.UnknownName != 1 || st.NotFound != 1 || st.Timeout != 2 || st.NoTunnels != 1 || st.PeerRefused != 1 ||
		st.OtherError != 1 || st.NotAllowed != 3 || st.Connected != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestReverseAndClearnet(t *testing.T) {
	virt := netip.MustParseAddr("10.192.0.5")
	reverse := func(a netip.Addr) (string, bool) {
		if a == virt {
			return "mapped.i2p", true
		}
		return "", false
	}
	f := &fakeI2P{name: "i2p"}
	out := &fakeI2P{name: "outproxy"}
	s := start(t, Config{Dialer: f, Reverse: reverse})
	c := dialFrom(t, "127.0.0.1", s)
	greet(t, c, []byte{0}, 0)
	connectIP(c, virt, 8080, 1)
	if code := reply(t, c); code != ReplySucceeded {
		t.Fatalf("virtual IP reply %#x", code)
	}
	expectEcho(t, c, "i2p mapped.i2p:8080")

	// An unmapped IP is clearnet: refused without an outproxy...
	c2 := dialFrom(t, "127.0.0.1", s)
	greet(t, c2, []byte{0}, 0)
	connectIP(c2, netip.MustParseAddr("10.192.0.6"), 80, 1)
	if code := reply(t, c2); code != ReplyNotAllowed {
		t.Errorf("unmapped IP reply %#x", code)
	}
	if d := f.dialed(); len(d) != 1 {
		t.Errorf("dials %v", d)
	}

	// ... and dialed through it with one.
	s2 := start(t, Config{Dialer: f, Reverse: reverse, Outproxy: out})
	for _, host := range []string{"example.com", "2001:db8::1"} {
		c3 := dialFrom(t, "127.0.0.1", s2)
		greet(t, c3, []byte{0}, 0)
		if ip, err := netip.ParseAddr(host); err == nil {
			connectIP(c3, ip, 443, 1)
		} else {
			connectName(c3, host, 443)
		}
		if code := reply(t, c3); code != ReplySucceeded {
			t.Fatalf("outproxy reply %#x", code)
		}
		expectEcho(t, c3, "outproxy "+net.JoinHostPort(host, "443"))
	}
	if d := f.dialed(); len(d) != 1 {
		t.Errorf("I2P dials %v", d)
	}
}

func TestUnsupportedCommands(t *testing.T) {
	f := &fakeI2P{}
	s := start(t, Config{Dialer: f})
	for _, cmd := range []byte{2, 3} {
		c := dialFrom(t, "127.0.0.1", s)
		greet(t, c, []byte{0}, 0)
		connectIP(c, netip.MustParseAddr("10.0.0.1"), 80, cmd)
		if code := reply(t, c); code != ReplyCommandUnsupported {
			t.Errorf("command %d: reply %#x", cmd, code)
		}
	}
	// Unknown address type.
	c := dialFrom(t, "127.0.0.1", s)
	greet(t, c, []byte{0}, 0)
	c.Write([]byte{5, 1, 0, 9, 0, 0})
	if code := reply(t, c); code != 0x08 {
		t.Errorf("address type: reply %#x", code)
	}
	if len(f.dialed()) != 0 {
		t.Errorf("dialed %v", f.dialed())
	}
}

func TestAuth(t *testing.T) {
	f := &fakeI2P{name: "site"}
	s := start(t, Config{Dialer: f, Username: "lan", Password: "secret"})

	// No acceptable method without credentials.
	c := dialFrom(t, "127.0.0.1", s)
	greet(t, c, []byte{0}, 0xff)

	auth := func(user, pass string) (net.Conn, byte) {
		c := dialFrom(t, "127.0.0.1", s)
		greet(t, c, []byte{0, 2}, 2)
		msg := append([]byte{1, byte(len(user))}, user...)
		msg = append(append(msg, byte(len(pass))), pass...)
		c.Write(msg)
		b := make([]byte, 2)
		if _, err := io.ReadFull(c, b); err != nil {
			t.Fatalf("auth reply: %v", err)
		}
		return c, b[1]
	}
	if _, st := auth("lan", "wrong"); st == 0 {
		t.Error("wrong password accepted")
	}
	if _, st := auth("lanx", "secret"); st == 0 {
		t.Error("wrong user accepted")
	}
	c, st := auth("lan", "secret")
	if st != 0 {
		t.Fatalf("auth status %d", st)
	}
	connectName(c, "site.i2p", 80)
	if code := reply(t, c); code != ReplySucceeded {
		t.Fatalf("reply %#x", code)
	}
	expectEcho(t, c, "site site.i2p:80")
	if n := s.Stats().AuthFailed; n != 2 {
		t.Errorf("AuthFailed = %d", n)
	}
}

// Each client IP gets its own Dialer with per-client isolation.
func TestIsolation(t *testing.T) {
	var mu sync.Mutex
	dialers := map[netip.Addr]*fakeI2P{}
	dialerFor := func(client netip.Addr) gateway.Dialer {
		mu.Lock()
		defer mu.Unlock()
		if dialers[client] == nil {
			dialers[client] = &fakeI2P{name: client.String()}
		}
		return dialers[client]
	}
	allow, _ := gateway.NewAllowList([]string{"127.0.0.0/8"})
	s := start(t, Config{DialerFor: dialerFor, Allow: allow})
	for _, ip := range []string{"127.0.0.1", "127.0.0.2", "127.0.0.1"} {
		c := dialFrom(t, ip, s)
		greet(t, c, []byte{0}, 0)
		connectName(c, "site.i2p", 80)
		if code := reply(t, c); code != ReplySucceeded {
			t.Fatalf("reply %#x", code)
		}
		expectEcho(t, c, ip+" site.i2p:80")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(dialers) != 2 || len(dialers[netip.MustParseAddr("127.0.0.1")].dialed()) != 2 {
		t.Errorf("dialers %v", dialers)
	}
}

// A client outside lan.allow is closed before it gets a method reply.
func TestAllowList(t *testing.T) {
	allow, _ := gateway.NewAllowList([]string{"127.0.0.1"})
	f := &fakeI2P{}
	s := start(t, Config{Dialer: f, Allow: allow})
	c := dialFrom(t, "127.0.0.2", s)
	c.Write([]byte{5, 1, 0})
	if n, err := c.Read(make([]byte, 2)); err == nil || n != 0 {
		t.Errorf("refused client read %d %v", n, err)
	}
	if st := s.Stats(); st.Refused != 1 || st.Accepted != 0 {
		t.Errorf("stats %+v", st)
	}
}

// Close aborts a dial in progress and closes relayed connections.
func TestCloseAbortsDialsAndRelays(t *testing.T) {
	f := &fakeI2P{name: "site"}
	s := start(t, Config{Dialer: f})
	relayed := dialFrom(t, "127.0.0.1", s)
	greet(t, relayed, []byte{0}, 0)
	connectName(relayed, "site.i2p", 80)
	if code := reply(t, relayed); code != ReplySucceeded {
		t.Fatal(code)
	}
	hanging := dialFrom(t, "127.0.0.1", s)
	greet(t, hanging, []byte{0}, 0)
	connectName(hanging, "hang.i2p", 80)
	for len(f.dialed()) < 2 {
		time.Sleep(time.Millisecond)
	}
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	if _, err := io.ReadAll(relayed); err != nil {
		t.Errorf("relayed: %v", err)
	}
	f.wg.Wait()
}

// A client that never finishes its request is dropped after HandshakeTimeout.
func TestHandshakeTimeout(t *testing.T) {
	s := start(t, Config{Dialer: &fakeI2P{}, HandshakeTimeout: 50 * time.Millisecond})
	c := dialFrom(t, "127.0.0.1", s)
	c.Write([]byte{5})
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("read %v, want EOF", err)
	}
}

func TestNewNeedsDialer(t *testing.T) {
	if _, err := New(Config{}); err == nil || !strings.HasPrefix(err.Error(), "socks: ") {
		t.Errorf("New: %v", err)
	}
}

// halfConn half-closes without ending its reads, as an I2P stream does.
type halfConn struct{ net.Conn }

func (halfConn) CloseWrite() error { return nil }

// Close ends relays whose stream would never end on its own.
func TestCloseEndsSilentStreams(t *testing.T) {
	f := &fakeI2P{name: "site"}
	s := start(t, Config{Dialer: f})
	c := dialFrom(t, "127.0.0.1", s)
	greet(t, c, []byte{0}, 0)
	connectName(c, "silent.i2p", 80)
	if code := reply(t, c); code != ReplySucceeded {
		t.Fatal(code)
	}
	c.Close() // the client leaves; the stream stays open at the far end
	time.Sleep(50 * time.Millisecond)
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for a stream that never ends")
	}
	f.wg.Wait()
}

// bigSite is a Dialer whose one site sends size bytes and closes; its streams
// record the largest buffer the relay reads them with.
type bigSite struct {
	size int
	wg   sync.WaitGroup
	mu   sync.Mutex
	max  int
}

func (d *bigSite) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	a, b := net.Pipe()
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		defer b.Close()
		b.Write(pattern(d.size))
	}()
	return &sizedReads{Conn: halfConn{a}, d: d}, nil
}

func (d *bigSite) largestRead() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.max
}

type sizedReads struct {
	net.Conn
	d *bigSite
}

func (c *sizedReads) Read(p []byte) (int, error) {
	c.d.mu.Lock()
	c.d.max = max(c.d.max, len(p))
	c.d.mu.Unlock()
	return c.Conn.Read(p)
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// The relay copies a stream to the client intact, through a buffer of at most
// relayBufferSize (not io.Copy's 32 KB), since DefaultMaxConns of them may be
// open at once.
func TestRelayBuffer(t *testing.T) {
	d := &bigSite{size: 200 << 10}
	s := start(t, Config{Dialer: d})
	c := dialFrom(t, "127.0.0.1", s)
	greet(t, c, []byte{0}, 0)
	connectName(c, "big.i2p", 80)
	if code := reply(t, c); code != ReplySucceeded {
		t.Fatal(code)
	}
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(pattern(d.size)) {
		t.Errorf("relayed %d bytes, not the site's %d", len(got), d.size)
	}
	if m := d.largestRead(); m == 0 || m > relayBufferSize {
		t.Errorf("the relay read the stream with a %d-byte buffer, want at most %d", m, relayBufferSize)
	}
	c.Close()
	s.Close()
	d.wg.Wait()
}
