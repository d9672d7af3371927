package datagram

import (
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/data"
)

var start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fakePeer is a Manager on a fake clock with a Conn on port 1.
func fakePeer(t *testing.T) (*clocktest.Fake, *Manager, *Conn) {
	t.Helper()
	clk := clocktest.New(start)
	n := newNetwork()
	p := newPeer(t, n, 60, Config{Clock: clk})
	return clk, p.m, listen(t, p.m, ListenConfig{Port: 1, Proto: ProtoRaw})
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() && errors.Is(err, os.ErrDeadlineExceeded)
}

func TestReadDeadline(t *testing.T) {
	clk, m, c := fakePeer(t)
	if err := c.SetReadDeadline(start.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, _, err := c.ReadFrom(make([]byte, 10))
		done <- err
	}()
	clk.BlockUntil(1)
	clk.Advance(999 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("ReadFrom returned before the deadline: %v", err)
	default:
	}
	clk.Advance(time.Millisecond)
	if err := <-done; !isTimeout(err) {
		t.Fatalf("after the deadline: %v", err)
	}
	// A passed deadline fails reads even with a datagram waiting.
	m.HandlePayload(ProtoRaw, 0, 1, []byte("waiting"))
	if _, _, err := c.ReadFrom(nil); !isTimeout(err) {
		t.Fatalf("passed deadline with data: %v", err)
	}
	// Clearing it lets the datagram through.
	if err := c.SetReadDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 3)
	n, _, err := c.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "wai" {
		t.Fatalf("after clearing: %q, %v (payload cut to the buffer)", buf[:n], err)
	}
	if clk.Pending() != 0 {
		t.Fatalf("%d timers left armed", clk.Pending())
	}
}

// TestReadDeadlineMoved moves a deadline while a read waits on it.
func TestReadDeadlineMoved(t *testing.T) {
	clk, m, c := fakePeer(t)
	c.SetReadDeadline(start.Add(time.Second))
	done := make(chan error, 1)
	go func() {
		p, _, err := c.ReadDatagram()
		if err == nil && string(p) != "late" {
			err = errors.New("wrong payload " + string(p))
		}
		done <- err
	}()
	clk.BlockUntil(1)
	c.SetReadDeadline(start.Add(time.Hour))
	clk.Advance(time.Minute)
	select {
	case err := <-done:
		t.Fatalf("ReadDatagram returned at the old deadline: %v", err)
	default:
	}
	m.HandlePayload(ProtoRaw, 0, 1, []byte("late"))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(start) // in the past
	if _, _, err := c.ReadDatagram(); !isTimeout(err) {
		t.Fatalf("past deadline: %v", err)
	}
}

func TestWriteDeadline(t *testing.T) {
	clk, _, c := fakePeer(t)
	to := Addr{Hash: data.Hash{9}, Port: 1}
	c.SetWriteDeadline(start.Add(time.Second))
	if _, err := c.WriteTo([]byte("x"), to); err != nil {
		t.Fatalf("before the deadline: %v", err)
	}
	clk.Advance(time.Second)
	if _, err := c.WriteTo([]byte("x"), to); !isTimeout(err) {
		t.Fatalf("after the deadline: %v", err)
	}
	c.SetDeadline(time.Time{})
	if _, err := c.WriteTo([]byte("x"), to); err != nil {
		t.Fatalf("deadline cleared: %v", err)
	}
}

func TestCloseWakesReader(t *testing.T) {
	_, _, c := fakePeer(t)
	done := make(chan error, 1)
	go func() {
		_, _, err := c.ReadFrom(make([]byte, 1))
		done <- err
	}()
	c.Close()
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("ReadFrom after Close: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestWriteToAddrForms(t *testing.T) {
	n := newNetwork()
	a, b := newPeer(t, n, 61, Config{}), newPeer(t, n, 62, Config{})
	c := listen(t, a.m, ListenConfig{Port: 1, Proto: ProtoRaw})
	r := listen(t, b.m, ListenConfig{Port: 0})
	h := b.keys.Destination().Hash()
	for _, addr := range []net.Addr{
		Addr{Hash: h, Port: 5},
		&Addr{Hash: h, Port: 5},
		Addr{Dest: b.keys.Destination(), Port: 5},
		stringAddr(data.B32Address(h) + ":5"),
		stringAddr(data.B32Address(h) + ":5"),
	} {
		if _, err := c.WriteTo([]byte("x"), addr); err != nil {
			t.Fatalf("%T %v: %v", addr, addr, err)
		}
	}
	for range 5 {
		if _, _, err := r.ReadDatagram(); err != nil {
			t.Fatal(err)
		}
	}
	for _, addr := range []net.Addr{
		nil,
		(*Addr)(nil),
		Addr{Port: 5},
		stringAddr("example.i2p:5"),
		stringAddr(data.B32Address(h) + ":99999"),
	} {
		if _, err := c.WriteTo([]byte("x"), addr); err == nil {
			t.Errorf("%T %v accepted", addr, addr)
		}
	}
}

type stringAddr string

func (s stringAddr) Network() string { return "i2p" }
func (s stringAddr) String() string  { return string(s) }

func TestAddr(t *testing.T) {
	h := testKeys(t, 63).Destination().Hash()
	a := Addr{Hash: h, Port: 80}
	if a.Network() != "i2p" || a.String() != data.B32Address(h)+":80" {
		t.Fatalf("%s %s", a.Network(), a)
	}
	got, err := ParseAddr(a.String())
	if err != nil || got.Hash != h || got.Port != 80 {
		t.Fatalf("ParseAddr: %+v, %v", got, err)
	}
	got, err = ParseAddr(data.B32Address(h))
	if err != nil || got.Port != 0 {
		t.Fatalf("ParseAddr without port: %+v, %v", got, err)
	}
	if (Addr{Port: 7}).String() != ":7" {
		t.Fatal("unknown sender")
	}
	host, port, err := net.SplitHostPort(Addr{Port: 7}.String())
	if err != nil || host != "" || port != "7" {
		t.Fatalf("SplitHostPort of an unknown sender: %q %q %v", host, port, err)
	}
	for _, s := range []string{"", ":7", "x.i2p:1", data.B32Address(h) + ":-1", data.B32Address(h) + ":x"} {
		if _, err := ParseAddr(s); err == nil {
			t.Errorf("ParseAddr(%q) accepted", s)
		}
	}
}

func TestLocalAddr(t *testing.T) {
	_, m, c := fakePeer(t)
	la := c.LocalAddr().(Addr)
	if la.Hash != m.s.hash || la.Port != 1 || la.Dest == nil || c.Proto() != ProtoRaw {
		t.Fatalf("LocalAddr %+v proto %d", la, c.Proto())
	}
	if c.MaxPayload() != DefaultMaxSize {
		t.Fatalf("raw MaxPayload %d", c.MaxPayload())
	}
}
