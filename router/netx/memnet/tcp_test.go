package memnet_test

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/net/nettest"

	"i2pgate/router/netx/memnet"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var ctx = context.Background()

// pair returns a connected client and server conn between hosts a and b.
func pair(t *testing.T, n *memnet.Network, a, b string) (client, server net.Conn) {
	t.Helper()
	ln, err := n.Host(b).Listen(ctx, "tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err = n.Host(a).Dial(ctx, "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err = ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	return client, server
}

func TestConnConforms(t *testing.T) {
	nettest.TestConn(t, func() (c1, c2 net.Conn, stop func(), err error) {
		n := memnet.New(memnet.Options{TCPBuffer: 4096})
		ln, err := n.Host("198.18.0.2").Listen(ctx, "tcp", "198.18.0.2:7654")
		if err != nil {
			return nil, nil, nil, err
		}
		defer ln.Close()
		c1, err = n.Host("198.18.0.1").Dial(ctx, "tcp", "198.18.0.2:7654")
		if err != nil {
			return nil, nil, nil, err
		}
		c2, err = ln.Accept()
		if err != nil {
			return nil, nil, nil, err
		}
		return c1, c2, func() { c1.Close(); c2.Close(); n.Close() }, nil
	})
}

func TestConnConformsWithLatency(t *testing.T) {
	nettest.TestConn(t, func() (c1, c2 net.Conn, stop func(), err error) {
		n := memnet.New(memnet.Options{Link: memnet.LinkOptions{Latency: time.Millisecond}})
		c1, c2 = pair(t, n, "198.18.0.1", "198.18.0.2")
		return c1, c2, func() { c1.Close(); c2.Close(); n.Close() }, nil
	})
}

func TestAddresses(t *testing.T) {
	n := memnet.New(memnet.Options{})
	defer n.Close()
	b := n.Host("198.18.0.2")
	tests := []struct {
		addr    string
		want    string
		wantErr error
	}{
		{":12345", "198.18.0.2:12345", nil},
		{"0.0.0.0:12346", "198.18.0.2:12346", nil},
		{"198.18.0.2:12347", "198.18.0.2:12347", nil},
		{":12345", "", syscall.EADDRINUSE},
		{"198.18.0.9:1", "", syscall.EADDRNOTAVAIL},
		{"127.0.0.1:1", "", syscall.EADDRNOTAVAIL},
		{"example.com:1", "", nil},
		{"nonsense", "", nil},
	}
	var keep []net.Listener
	defer func() {
		for _, l := range keep {
			l.Close()
		}
	}()
	for _, tc := range tests {
		ln, err := b.Listen(ctx, "tcp", tc.addr)
		if tc.want == "" {
			if err == nil {
				ln.Close()
				t.Errorf("Listen(%q) succeeded", tc.addr)
			} else if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("Listen(%q) = %v, want %v", tc.addr, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Listen(%q): %v", tc.addr, err)
			continue
		}
		keep = append(keep, ln)
		if _, ok := ln.Addr().(*net.TCPAddr); !ok || ln.Addr().String() != tc.want {
			t.Errorf("Listen(%q).Addr() = %v, want %s", tc.addr, ln.Addr(), tc.want)
		}
	}
	if _, err := b.Listen(ctx, "udp", ":1"); err == nil {
		t.Error("Listen on udp succeeded")
	}
	if _, err := n.Host("not-an-ip").Dial(ctx, "tcp", "198.18.0.2:12345"); err == nil {
		t.Error("Dial from an invalid host succeeded")
	}

	c, err := n.Host("198.18.0.1").Dial(ctx, "tcp4", "198.18.0.2:12345")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := keep[0].Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if c.RemoteAddr().String() != "198.18.0.2:12345" || s.LocalAddr().String() != "198.18.0.2:12345" ||
		c.LocalAddr().String() != s.RemoteAddr().String() {
		t.Errorf("addresses: client %v->%v server %v<-%v", c.LocalAddr(), c.RemoteAddr(), s.LocalAddr(), s.RemoteAddr())
	}
	if _, ok := c.LocalAddr().(*net.TCPAddr); !ok {
		t.Errorf("LocalAddr is %T", c.LocalAddr())
	}
}

func TestDialErrors(t *testing.T) {
	n := memnet.New(memnet.Options{})
	defer n.Close()
	a := n.Host("198.18.0.1")
	n.Host("198.18.0.2")
	_, err := a.Dial(ctx, "tcp", "198.18.0.2:80")
	var ne net.Error
	if !errors.Is(err, syscall.ECONNREFUSED) || !errors.As(err, &ne) {
		t.Fatalf("dial with no listener: %v", err)
	}
	if _, err := a.Dial(ctx, "tcp", "198.18.9.9:80"); !errors.Is(err, syscall.ETIMEDOUT) {
		t.Fatalf("dial to nowhere: %v", err)
	}
	if _, err := a.Dial(ctx, "udp", "198.18.0.2:80"); err == nil {
		t.Fatal("Dial udp succeeded")
	}
	if _, err := a.Dial(ctx, "tcp", "host:80"); err == nil {
		t.Fatal("Dial to a name succeeded")
	}
}

func TestHalfClose(t *testing.T) {
	n := memnet.New(memnet.Options{})
	defer n.Close()
	c, s := pair(t, n, "198.18.0.1", "198.18.0.2")
	defer c.Close()
	defer s.Close()
	c.Write([]byte("request"))
	if err := c.(*memnet.Conn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(s)
	if err != nil || string(got) != "request" {
		t.Fatalf("server read %q %v", got, err)
	}
	if _, err := c.Write([]byte("x")); !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("write after CloseWrite: %v", err)
	}
	s.Write([]byte("response"))
	s.Close()
	got, err = io.ReadAll(c)
	if err != nil || string(got) != "response" {
		t.Fatalf("client read %q %v", got, err)
	}
}

func TestCloseErrors(t *testing.T) {
	n := memnet.New(memnet.Options{})
	defer n.Close()
	c, s := pair(t, n, "198.18.0.1", "198.18.0.2")
	s.Close()
	if _, err := s.Read(make([]byte, 1)); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("read after own Close: %v", err)
	}
	if _, err := s.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("write after own Close: %v", err)
	}
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("read after peer Close: %v", err)
	}
	if _, err := c.Write([]byte("x")); !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("write after peer Close: %v", err)
	}
	if err := c.Close(); err != nil || c.Close() != nil {
		t.Fatal("Close not idempotent")
	}
}

func TestDeadlines(t *testing.T) {
	n := memnet.New(memnet.Options{TCPBuffer: 16})
	defer n.Close()
	c, s := pair(t, n, "198.18.0.1", "198.18.0.2")
	defer c.Close()
	defer s.Close()
	c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	start := time.Now()
	_, err := c.Read(make([]byte, 1))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past deadline: %v", err)
	}
	if time.Since(start) < 15*time.Millisecond {
		t.Fatal("read deadline fired early")
	}
	c.SetWriteDeadline(time.Now().Add(20 * time.Millisecond))
	nw, err := c.Write(make([]byte, 100)) // buffer holds 16
	if nw != 16 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("write past deadline: %d %v", nw, err)
	}
	// Clearing the deadline makes the conn usable again.
	c.SetDeadline(time.Time{})
	go s.Write([]byte("z"))
	if _, err := c.Read(make([]byte, 1)); err != nil {
		t.Fatalf("read after clearing deadline: %v", err)
	}
}

func TestTCPLatency(t *testing.T) {
	const lat = 30 * time.Millisecond
	n := memnet.New(memnet.Options{})
	defer n.Close()
	if err := n.SetLink("198.18.0.1", "198.18.0.2", memnet.LinkOptions{Latency: lat}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	c, s := pair(t, n, "198.18.0.1", "198.18.0.2")
	defer c.Close()
	defer s.Close()
	if d := time.Since(start); d < 2*lat {
		t.Fatalf("dial took %v, want >= one round trip %v", d, 2*lat)
	}
	start = time.Now()
	c.Write([]byte("x"))
	if _, err := s.Read(make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < lat {
		t.Fatalf("data took %v, want >= %v", d, lat)
	}
}

func TestNetworkClose(t *testing.T) {
	n := memnet.New(memnet.Options{})
	ln, err := n.Host("198.18.0.2").Listen(ctx, "tcp", ":1")
	if err != nil {
		t.Fatal(err)
	}
	pc, err := n.Host("198.18.0.3").ListenPacket(ctx, "udp", ":1")
	if err != nil {
		t.Fatal(err)
	}
	c, err := n.Host("198.18.0.1").Dial(ctx, "tcp", "198.18.0.2:1")
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 3)
	go func() { _, err := ln.Accept(); _, err2 := ln.Accept(); errs <- errors.Join(err, err2) }()
	go func() { _, err := c.Read(make([]byte, 1)); errs <- err }()
	go func() { _, _, err := pc.ReadFrom(make([]byte, 1)); errs <- err }()
	time.Sleep(10 * time.Millisecond)
	n.Close()
	n.Close()
	for range 3 {
		if err := <-errs; err == nil {
			t.Fatal("blocked call returned no error after Network.Close")
		}
	}
	if _, err := n.Host("198.18.0.1").Listen(ctx, "tcp", ":2"); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Listen after Close: %v", err)
	}
}
