package gateway_test

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"i2pgate/gateway"
)

func TestAllowList(t *testing.T) {
	tests := []struct {
		entries []string
		addr    string
		want    bool
	}{
		{nil, "127.0.0.1", true},
		{nil, "127.4.5.6", true},
		{nil, "::1", true},
		{nil, "::ffff:127.0.0.1", true},
		{nil, "192.168.1.2", false},
		{nil, "10.0.0.1", false},
		{[]string{}, "192.168.1.2", false},
		{[]string{"192.168.1.0/24"}, "192.168.1.2", true},
		{[]string{"192.168.1.0/24"}, "::ffff:192.168.1.2", true},
		{[]string{"192.168.1.0/24"}, "192.168.2.2", false},
		{[]string{"192.168.1.0/24"}, "127.0.0.1", false}, // a non-empty list replaces the loopback default
		{[]string{"192.168.1.5"}, "192.168.1.5", true},
		{[]string{"192.168.1.5"}, "192.168.1.6", false},
		{[]string{"192.168.1.77/24"}, "192.168.1.1", true}, // host bits masked
		{[]string{"::ffff:10.0.0.0/104"}, "10.1.2.3", true},
		{[]string{"::ffff:10.0.0.0/104"}, "11.1.2.3", false},
		{[]string{"fd00::/8"}, "fd12::1", true},
		{[]string{"fd00::/8"}, "fe80::1%eth0", false},
		{[]string{"fe80::/10"}, "fe80::1%eth0", true},
		{[]string{"0.0.0.0/0", "::/0"}, "8.8.8.8", true},
	}
	for _, tt := range tests {
		a, err := gateway.NewAllowList(tt.entries)
		if err != nil {
			t.Fatalf("NewAllowList(%q): %v", tt.entries, err)
		}
		if got := a.Allows(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("%v.Allows(%s) = %v, want %v", tt.entries, tt.addr, got, tt.want)
		}
	}
	var nilList *gateway.AllowList
	if !nilList.Allows(netip.MustParseAddr("127.0.0.1")) || nilList.Allows(netip.MustParseAddr("10.0.0.1")) {
		t.Error("nil AllowList is not loopback only")
	}
	if nilList.Allows(netip.Addr{}) {
		t.Error("invalid address allowed")
	}
	if s := nilList.String(); s != "loopback only" {
		t.Errorf("String() = %q", s)
	}
}

func TestAllowListErrors(t *testing.T) {
	for _, e := range []string{"", "192.168.1.0/33", "lan", "10.0.0.1/8/8", "fe80::1%eth0"} {
		if _, err := gateway.NewAllowList([]string{e}); err == nil || !strings.HasPrefix(err.Error(), "gateway: ") {
			t.Errorf("NewAllowList(%q) err = %v", e, err)
		}
	}
}

func TestClientAddr(t *testing.T) {
	tests := []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4(192, 168, 1, 2), Port: 5}, "192.168.1.2"},
		{&net.TCPAddr{IP: net.ParseIP("::1"), Port: 5}, "::1"},
		{&net.UDPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 5}, "10.0.0.1"},
		{pipeAddr{}, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		got, ok := gateway.ClientAddr(tt.addr)
		if tt.want == "" {
			if ok {
				t.Errorf("ClientAddr(%v) = %v, want none", tt.addr, got)
			}
			continue
		}
		if !ok || got != netip.MustParseAddr(tt.want) {
			t.Errorf("ClientAddr(%v) = %v %v, want %s", tt.addr, got, ok, tt.want)
		}
	}
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

func listen(t *testing.T, cfg gateway.ListenerConfig) *gateway.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := gateway.NewListener(ln, cfg)
	t.Cleanup(func() { l.Close() })
	return l
}

func dialFrom(t *testing.T, local string, to net.Addr) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}
	c, err := d.Dial("tcp", to.String())
	if err != nil {
		t.Skipf("cannot dial from %s: %v", local, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// A refused client sees its connection closed without a byte read; an allowed one
// is handed out by Accept.
func TestListenerRefuses(t *testing.T) {
	allow, _ := gateway.NewAllowList([]string{"127.0.0.1/32"})
	refused := make(chan netip.Addr, 1)
	l := listen(t, gateway.ListenerConfig{Allow: allow, Refused: func(a netip.Addr) { refused <- a }})
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()

	bad := dialFrom(t, "127.0.0.2", l.Addr())
	bad.Write([]byte("hello")) // never read by the listener
	if got := <-refused; got != netip.MustParseAddr("127.0.0.2") {
		t.Errorf("refused %v", got)
	}
	bad.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := bad.Read(make([]byte, 1)); err == nil || n != 0 {
		t.Errorf("refused client read %d, %v; want closed", n, err)
	}

	good := dialFrom(t, "127.0.0.1", l.Addr())
	c := <-accepted
	if c == nil {
		t.Fatal("accept failed")
	}
	gc := c.(*gateway.Conn)
	if gc.Client() != netip.MustParseAddr("127.0.0.1") {
		t.Errorf("Client() = %v", gc.Client())
	}
	if _, ok := gc.NetConn().(*net.TCPConn); !ok {
		t.Errorf("NetConn() is %T", gc.NetConn())
	}
	good.Write([]byte("x"))
	b := make([]byte, 1)
	if _, err := io.ReadFull(c, b); err != nil || b[0] != 'x' {
		t.Errorf("read %q %v", b, err)
	}
	if l.Open() != 1 {
		t.Errorf("Open() = %d", l.Open())
	}
	c.Close()
	c.Close()
	if l.Open() != 0 {
		t.Errorf("Open() after close = %d", l.Open())
	}
}

// Accept waits while MaxConns connections are open; Close closes them all.
func TestListenerLimitAndClose(t *testing.T) {
	l := listen(t, gateway.ListenerConfig{MaxConns: 1})
	c1 := dialFrom(t, "127.0.0.1", l.Addr())
	a1, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	dialFrom(t, "127.0.0.1", l.Addr())
	second := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		second <- c
	}()
	select {
	case <-second:
		t.Fatal("second connection accepted while the first is open")
	case <-time.After(50 * time.Millisecond):
	}
	a1.Close()
	a2 := <-second
	if a2 == nil {
		t.Fatal("second accept failed")
	}
	c1.Close()

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := a2.Read(make([]byte, 1)); err == nil {
			t.Error("read after Close succeeded")
		}
	}()
	if err := l.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	l.Close()
	wg.Wait()
	if _, err := l.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close: %v", err)
	}
}

func TestI2PName(t *testing.T) {
	b32 := strings.Repeat("a", 52) + ".b32.i2p"
	tests := []struct {
		host, want string
		ok, b32    bool
	}{
		{"stats.i2p", "stats.i2p", true, false},
		{"Stats.I2P.", "stats.i2p", true, false},
		{"forum.i2p-projekt.i2p", "forum.i2p-projekt.i2p", true, false},
		{b32, b32, true, true},
		{strings.ToUpper(b32), b32, true, true},
		{strings.Repeat("a", 51) + ".b32.i2p", strings.Repeat("a", 51) + ".b32.i2p", true, false},
		{strings.Repeat("a", 56) + ".b32.i2p", strings.Repeat("a", 56) + ".b32.i2p", true, true},
		{strings.Repeat("a", 51) + "1.b32.i2p", strings.Repeat("a", 51) + "1.b32.i2p", true, false},
		{"i2p", "", false, false},
		{".i2p", "", false, false},
		{"a..i2p", "", false, false},
		{"-a.i2p", "", false, false},
		{"a_b.i2p", "", false, false},
		{"example.com", "", false, false},
		{"10.0.0.1", "", false, false},
		{"::1", "", false, false},
		{"", "", false, false},
		{"a b.i2p", "", false, false},
		{strings.Repeat("a", 64) + ".i2p", "", false, false},
		{strings.Repeat("a.", 127) + "i2p", "", false, false},
	}
	for _, tt := range tests {
		got, ok := gateway.I2PName(tt.host)
		if got != tt.want || ok != tt.ok {
			t.Errorf("I2PName(%q) = %q %v, want %q %v", tt.host, got, ok, tt.want, tt.ok)
		}
		if ok && gateway.IsB32(got) != tt.b32 {
			t.Errorf("IsB32(%q) = %v", got, !tt.b32)
		}
	}
}

func FuzzI2PName(f *testing.F) {
	for _, s := range []string{"stats.i2p", "A.I2P.", strings.Repeat("a", 52) + ".b32.i2p", "x..i2p", "example.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		name, ok := gateway.I2PName(host)
		if !ok {
			if name != "" {
				t.Fatalf("refused %q but returned %q", host, name)
			}
			return
		}
		if !strings.HasSuffix(name, ".i2p") || strings.ToLower(name) != name || len(name) > 255 {
			t.Fatalf("I2PName(%q) = %q", host, name)
		}
		again, ok2 := gateway.I2PName(name)
		if !ok2 || again != name {
			t.Fatalf("not idempotent: %q -> %q -> %q", host, name, again)
		}
		gateway.IsB32(name)
	})
}
