package transparent

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

// fakeI2P serves echo "eepsites" on net.Pipe; unknown.i2p fails.
type fakeI2P struct {
	name  string
	mu    sync.Mutex
	dials []string
	wg    sync.WaitGroup
}

func (f *fakeI2P) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	f.mu.Lock()
	f.dials = append(f.dials, addr)
	f.mu.Unlock()
	if strings.HasPrefix(addr, "unknown.i2p:") {
		return nil, fmt.Errorf("router: %w", gateway.ErrUnknownName)
	}
	a, b := net.Pipe()
	f.wg.Add(1)
	go func() {
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

var (
	automap4 = netip.MustParsePrefix("10.192.0.0/10")
	automap6 = netip.MustParsePrefix("fd49:3250::/32")
	names    = map[netip.Addr]string{
		netip.MustParseAddr("10.192.0.1"):     "site.i2p",
		netip.MustParseAddr("fd49:3250::1"):   "six.i2p",
		netip.MustParseAddr("10.192.0.2"):     "unknown.i2p",
		netip.MustParseAddr("10.192.0.3"):     "not a name",
		netip.MustParseAddr("192.168.1.1"):    "outside.i2p", // mapped, but outside the range
		netip.MustParseAddr("10.192.255.254"): "Upper.I2P",
	}
)

func reverse(a netip.Addr) (string, bool) {
	n, ok := names[a]
	return n, ok
}

// origDsts hands out the original destination of each accepted connection in
// order; the tests connect one at a time.
type origDsts chan netip.AddrPort

func (o origDsts) get(net.Conn) (netip.AddrPort, error) {
	select {
	case ap := <-o:
		if !ap.IsValid() {
			return ap, errors.New("no conntrack entry")
		}
		return ap, nil
	case <-time.After(5 * time.Second):
		return netip.AddrPort{}, errors.New("test: no original destination queued")
	}
}

func start(t *testing.T, cfg Config) (*Server, origDsts) {
	t.Helper()
	o := make(origDsts, 1)
	cfg.Address = "127.0.0.1:0"
	cfg.Networks = []netip.Prefix{automap4, automap6}
	cfg.Reverse = reverse
	cfg.OriginalDst = o.get
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, o
}

func connect(t *testing.T, s *Server, o origDsts, from, orig string) net.Conn {
	t.Helper()
	o <- netip.MustParseAddrPort(orig)
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	c, err := d.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatalf("connect for %s: %v", orig, err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
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

// expectClosed checks that the proxy closed c without sending anything.
func expectClosed(t *testing.T, c net.Conn, what string) {
	t.Helper()
	n, err := c.Read(make([]byte, 1))
	if n != 0 || err == nil || errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "timeout") {
		t.Errorf("%s: read %d %v, want closed", what, n, err)
	}
}

func TestRelay(t *testing.T) {
	f := &fakeI2P{name: "i2p"}
	s, o := start(t, Config{Dialer: f})
	c := connect(t, s, o, "127.0.0.1", "10.192.0.1:80")
	expectEcho(t, c, "i2p site.i2p:80")
	c6 := connect(t, s, o, "127.0.0.1", "[fd49:3250::1]:8443")
	expectEcho(t, c6, "i2p six.i2p:8443")
	c7 := connect(t, s, o, "127.0.0.1", "[::ffff:10.192.255.254]:6667")
	expectEcho(t, c7, "i2p upper.i2p:6667")

	// The client's end of input reaches the eepsite, whose close ends the relay.
	c.(*net.TCPConn).CloseWrite()
	if rest, err := io.ReadAll(c); err != nil || len(rest) != 0 {
		t.Errorf("after half-close: %q %v", rest, err)
	}
	c6.Close()
	c7.Close()
	f.wg.Wait()
	s.Close()
	st := s.Stats()
	if st.Connected != 3 || st.BytesUp != 12 || st.Open != 0 {
		t.Errorf("stats %+v", st)
	}
}

// Nothing outside the automap range, unmapped or failing is forwarded anywhere.
// The proxy resets such connections, so fast that the client's connect may
// already fail.
func TestRefusedTargets(t *testing.T) {
	f := &fakeI2P{}
	s, o := start(t, Config{Dialer: f})
	for _, orig := range []string{
		"192.168.1.1:80", // outside the range, even though Reverse knows it
		"8.8.8.8:53",     // outside
		"127.0.0.1:7040", // not redirected: the listener's own address
		"10.192.0.9:80",  // in range, unmapped
		"10.192.0.3:80",  // mapped to something that is not an I2P name
		"[fd00::1]:80",   // outside the IPv6 range
		"10.192.0.2:80",  // dial fails
		"",               // no conntrack entry
	} {
		ap, _ := netip.ParseAddrPort(orig)
		o <- ap
		c, err := net.Dial("tcp", s.Addr().String())
		if err != nil { // reset before connect returned; the counters below tell why
			continue
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		c.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
		expectClosed(t, c, orig)
	}
	s.Close()
	if d := f.dialed(); len(d) != 1 || d[0] != "unknown.i2p:80" {
		t.Errorf("dialed %v", d)
	}
	st := s.Stats()
	if st.OutOfRange != 4 || st.Unmapped != 2 || st.DialFailed != 1 || st.NoOrigDst != 1 || st.Connected != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestAllowListAndIsolation(t *testing.T) {
	var mu sync.Mutex
	dialers := map[netip.Addr]*fakeI2P{}
	allow, _ := gateway.NewAllowList([]string{"127.0.0.1", "127.0.0.2"})
	s, o := start(t, Config{Allow: allow, DialerFor: func(client netip.Addr) gateway.Dialer {
		mu.Lock()
		defer mu.Unlock()
		if dialers[client] == nil {
			dialers[client] = &fakeI2P{name: client.String()}
		}
		return dialers[client]
	}})
	expectEcho(t, connect(t, s, o, "127.0.0.1", "10.192.0.1:80"), "127.0.0.1 site.i2p:80")
	expectEcho(t, connect(t, s, o, "127.0.0.2", "10.192.0.1:80"), "127.0.0.2 site.i2p:80")

	// 127.0.0.3 is refused before its original destination is even read.
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.3")}}
	c, err := d.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	expectClosed(t, c, "refused client")
	if st := s.Stats(); st.Refused != 1 || st.Accepted != 2 {
		t.Errorf("stats %+v", st)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(dialers) != 2 {
		t.Errorf("dialers %v", dialers)
	}
}

func TestCloseEndsRelays(t *testing.T) {
	f := &fakeI2P{name: "i2p"}
	s, o := start(t, Config{Dialer: f})
	c := connect(t, s, o, "127.0.0.1", "10.192.0.1:80")
	expectEcho(t, c, "i2p site.i2p:80")
	s.Close()
	if _, err := io.ReadAll(c); err != nil && !strings.Contains(err.Error(), "reset") {
		t.Errorf("after Close: %v", err)
	}
	f.wg.Wait()
}

func TestNewChecks(t *testing.T) {
	ok := Config{Address: ":0", Dialer: &fakeI2P{}, Reverse: reverse, Networks: []netip.Prefix{automap4}}
	for i, mutate := range []func(*Config){
		func(c *Config) { c.Address = "" },
		func(c *Config) { c.Dialer = nil },
		func(c *Config) { c.Reverse = nil },
		func(c *Config) { c.Networks = nil },
		func(c *Config) { c.Networks = []netip.Prefix{{}} },
	} {
		c := ok
		mutate(&c)
		if _, err := New(c); err == nil || !strings.HasPrefix(err.Error(), "transparent: ") {
			t.Errorf("case %d: New: %v", i, err)
		}
	}
	if _, err := New(ok); err != nil {
		t.Errorf("New: %v", err)
	}
}

func sockaddrIn(family uint16, port uint16, ip [4]byte) []byte {
	b := binary.NativeEndian.AppendUint16(nil, family)
	b = binary.BigEndian.AppendUint16(b, port)
	b = append(b, ip[:]...)
	return append(b, make([]byte, 8)...)
}

func sockaddrIn6(family uint16, port uint16, ip [16]byte) []byte {
	b := binary.NativeEndian.AppendUint16(nil, family)
	b = binary.BigEndian.AppendUint16(b, port)
	b = append(b, 0, 0, 0, 0)
	b = append(b, ip[:]...)
	return append(b, 0, 0, 0, 0)
}

func TestDecodeSockaddr(t *testing.T) {
	got, err := decodeSockaddrIn(sockaddrIn(afInet, 8080, [4]byte{10, 192, 0, 1}))
	if err != nil || got != netip.MustParseAddrPort("10.192.0.1:8080") {
		t.Errorf("sockaddr_in: %v %v", got, err)
	}
	// 20 bytes (IPv6Mreq) also decode.
	got, err = decodeSockaddrIn(append(sockaddrIn(afInet, 1, [4]byte{1, 2, 3, 4}), 9, 9, 9, 9))
	if err != nil || got != netip.MustParseAddrPort("1.2.3.4:1") {
		t.Errorf("sockaddr_in+4: %v %v", got, err)
	}
	ip6 := netip.MustParseAddr("fd49:3250::1").As16()
	got, err = decodeSockaddrIn6(sockaddrIn6(afInet6, 65535, ip6))
	if err != nil || got != netip.MustParseAddrPort("[fd49:3250::1]:65535") {
		t.Errorf("sockaddr_in6: %v %v", got, err)
	}
	mapped := netip.MustParseAddr("::ffff:10.192.0.1").As16()
	got, err = decodeSockaddrIn6(sockaddrIn6(afInet6, 80, mapped))
	if err != nil || got != netip.MustParseAddrPort("10.192.0.1:80") {
		t.Errorf("mapped sockaddr_in6: %v %v", got, err)
	}
	for i, b := range [][]byte{
		nil,
		sockaddrIn(afInet, 80, [4]byte{})[:15],
		sockaddrIn(afInet6, 80, [4]byte{1, 2, 3, 4}),
	} {
		if _, err := decodeSockaddrIn(b); err == nil {
			t.Errorf("sockaddr_in case %d decoded", i)
		}
	}
	if _, err := decodeSockaddrIn6(sockaddrIn6(afInet, 80, ip6)); err == nil {
		t.Error("sockaddr_in6 with AF_INET decoded")
	}
	if _, err := decodeSockaddrIn6(sockaddrIn6(afInet6, 80, ip6)[:27]); err == nil {
		t.Error("short sockaddr_in6 decoded")
	}
}
