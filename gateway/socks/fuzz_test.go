package socks

import (
	"bytes"
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"i2pgate/gateway"
)

// memConn is a client connection that sends fixed bytes and records replies.
type memConn struct {
	in  *bytes.Reader
	mu  sync.Mutex
	out bytes.Buffer
}

func (c *memConn) Read(p []byte) (int, error) { return c.in.Read(p) }
func (c *memConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.Write(p)
}
func (c *memConn) Close() error                       { return nil }
func (c *memConn) LocalAddr() net.Addr                { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4447} }
func (c *memConn) RemoteAddr() net.Addr               { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000} }
func (c *memConn) SetDeadline(t time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(t time.Time) error { return nil }

// closedDialer records targets and returns streams whose far end is closed.
type closedDialer struct {
	mu      sync.Mutex
	targets []string
}

func (d *closedDialer) DialContext(_ context.Context, _, addr string) (net.Conn, error) {
	d.mu.Lock()
	d.targets = append(d.targets, addr)
	d.mu.Unlock()
	if strings.HasPrefix(addr, "unknown.i2p:") {
		return nil, gateway.ErrUnknownName
	}
	a, b := net.Pipe()
	b.Close()
	return a, nil
}

// FuzzServeConn feeds raw bytes to the SOCKS5 exchange (go-socks5's parser and
// this package's classification, rewriting and reply patching): no panic, every
// reply is SOCKS5, and only I2P names or mapped virtual IPs are dialed.
func FuzzServeConn(f *testing.F) {
	f.Add([]byte{5, 1, 0, 5, 1, 0, 3, 9, 's', 'i', 't', 'e', '.', 'i', '2', 'p', 0, 80})
	f.Add([]byte{5, 1, 0, 5, 1, 0, 3, 11, 'u', 'n', 'k', 'n', 'o', 'w', 'n', '.', 'i', '2', 'p', 0, 80})
	f.Add([]byte{5, 1, 0, 5, 1, 0, 1, 10, 192, 0, 5, 1, 187})
	f.Add([]byte{5, 1, 0, 5, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 80})
	f.Add([]byte{5, 1, 0, 5, 1, 0, 3, 11, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm', 0, 80})
	f.Add([]byte{5, 2, 0, 2, 1, 3, 'l', 'a', 'n', 1, 'x', 5, 2, 0, 1, 1, 2, 3, 4, 0, 1})
	f.Add([]byte{4, 1, 0, 80, 1, 2, 3, 4, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		d := &closedDialer{}
		virt := netip.MustParseAddr("10.192.0.5")
		s, err := New(Config{Dialer: d, Reverse: func(a netip.Addr) (string, bool) {
			return "mapped.i2p", a == virt
		}})
		if err != nil {
			t.Fatal(err)
		}
		c := &memConn{in: bytes.NewReader(in)}
		s.serveConn(c, netip.MustParseAddr("127.0.0.1"))
		s.Close()
		out := c.out.Bytes()
		if len(out) > 0 && out[0] != 5 {
			t.Fatalf("reply %x", out)
		}
		for _, a := range d.targets {
			host, _, err := net.SplitHostPort(a)
			if err != nil {
				t.Fatalf("dialed %q", a)
			}
			if _, ok := gateway.I2PName(host); !ok {
				t.Fatalf("dialed clearnet %q", a)
			}
		}
	})
}
