package streaming

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"i2pgate/router/clock"
	"i2pgate/router/data"
)

// dialAsync dials in a goroutine and waits until the SYN is on the link.
func dialAsync(t testing.TB, a, b *node, l *link, port uint16) <-chan error {
	t.Helper()
	before := int(l.sent.Load())
	res := make(chan error, 1)
	go func() {
		c, err := a.m.Dial(context.Background(), b.dest, port)
		if err == nil {
			c.Close()
		}
		res <- err
	}()
	l.submitted.WaitFor(before + 1)
	quiet(t, a.m)
	return res
}

func isSyn(f frame) bool {
	p, err := decodeFrame(f)
	return err == nil && p.Has(FlagSynchronize)
}

// TestConnectTimeout dials a peer that never answers: the SYN is resent
// after the initial RTO and again after twice that, and Dial fails at the
// connect timeout.
func TestConnectTimeout(t *testing.T) {
	a, b, l, clk := fakePair(t, nil)
	l.setFilter(func(f frame) bool { return f.to.Hash() != b.dest.Hash() })
	res := dialAsync(t, a, b, l, 80)
	elapsed := advance(l, clk, time.Second, 2*DefaultConnectTimeout, func() bool { return a.m.Stats().Conns == 0 })
	if err := <-res; !errors.Is(err, ErrTimeout) {
		t.Fatalf("dial: %v, want ErrTimeout", err)
	}
	if elapsed != DefaultConnectTimeout {
		t.Errorf("dial failed after %v, want %v", elapsed, DefaultConnectTimeout)
	}
	// SYNs at 0, 9 s and 27 s, and a RESET when giving up.
	if got := l.lost.Load(); got != 4 {
		t.Errorf("%d packets sent to the silent peer, want 4", got)
	}
	if st := a.m.Stats(); st.Conns != 0 || st.PacketsResent != 2 {
		t.Errorf("stats after the timeout: %+v", st)
	}
}

// TestDialCancel gives up through the context.
func TestDialCancel(t *testing.T) {
	a, b, l, _ := fakePair(t, nil)
	l.setFilter(func(f frame) bool { return f.to.Hash() != b.dest.Hash() })
	ctx, cancel := context.WithCancel(context.Background())
	res := make(chan error, 1)
	go func() {
		_, err := a.m.Dial(ctx, b.dest, 1)
		res <- err
	}()
	l.submitted.WaitFor(1)
	cancel()
	if err := <-res; !errors.Is(err, context.Canceled) {
		t.Fatalf("dial: %v", err)
	}
	if st := a.m.Stats(); st.Conns != 0 {
		t.Fatalf("%d connections after a canceled dial", st.Conns)
	}
}

// TestLostSynReply loses the first SYN reply: the retransmitted SYN gets
// the reply again and the connection opens after one RTO.
func TestLostSynReply(t *testing.T) {
	a, b, l, clk := fakePair(t, nil)
	ln, err := b.m.Listen(80)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	lostOne := false
	l.setFilter(func(f frame) bool {
		if f.to.Hash() == a.dest.Hash() && isSyn(f) && !lostOne {
			lostOne = true
			return false
		}
		return true
	})
	res := dialAsync(t, a, b, l, 80)
	elapsed := advance(l, clk, time.Second, time.Minute, func() bool { return a.m.established() == 1 })
	if dialErr := <-res; dialErr != nil || elapsed != InitialRTO {
		t.Fatalf("dial: %v after %v, want success after %v", dialErr, elapsed, InitialRTO)
	}
	c, err := ln.AcceptConn()
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if st := b.m.Stats(); st.Inbound > 1 {
		t.Errorf("the repeated SYN made %d connections", st.Inbound)
	}
}

// TestIdleTimeout lets a connection go silent: the first side to time out
// resets it, the other reads the RESET.
func TestIdleTimeout(t *testing.T) {
	const idle = 30 * time.Second
	a, b, l, clk := fakePair(t, func(c *Config) { c.IdleTimeout = idle })
	client, server := connectFake(t, a, b, l, clk)
	advance(l, clk, time.Second, 2*idle, func() bool { return a.m.Stats().Conns == 0 && b.m.Stats().Conns == 0 })
	if _, err := client.Read(make([]byte, 1)); !errors.Is(err, ErrTimeout) {
		t.Errorf("client read: %v, want ErrTimeout", err)
	}
	if _, err := server.Read(make([]byte, 1)); !errors.Is(err, ErrReset) {
		t.Errorf("server read: %v, want ErrReset", err)
	}
	if _, err := client.Write([]byte("x")); !errors.Is(err, ErrTimeout) {
		t.Errorf("client write: %v", err)
	}
}

// connectFake connects over a fake-clock link without moving the clock.
func connectFake(t *testing.T, a, b *node, l *link, clk interface{ Now() time.Time }) (client, server *Conn) {
	t.Helper()
	return connect(t, a, b, 80)
}

// TestRetransmitGivesUp cuts the link after the connection opened: the
// packet is resent MaxResends times with exponential backoff, then the
// connection fails.
func TestRetransmitGivesUp(t *testing.T) {
	a, b, l, clk := fakePair(t, nil)
	client, server := connectFake(t, a, b, l, clk)
	defer server.Close()
	l.settle()
	l.setFilter(func(frame) bool { return false })
	resentBefore := a.m.Stats().PacketsResent
	if _, err := client.Write([]byte("lost")); err != nil {
		t.Fatal(err)
	}
	elapsed := advance(l, clk, 100*time.Millisecond, time.Hour, func() bool { return a.m.Stats().Conns == 0 })
	if _, err := client.Read(make([]byte, 1)); !errors.Is(err, ErrReset) {
		t.Fatalf("read: %v, want ErrReset", err)
	}
	if got := a.m.Stats().PacketsResent - resentBefore; got != MaxResends {
		t.Errorf("%d retransmissions, want %d", got, MaxResends)
	}
	// RTO starts at MinRTO (an instant RTT) and doubles each time.
	var want time.Duration
	for i, rto := 0, MinRTO; i <= MaxResends; i, rto = i+1, min(2*rto, MaxRTO) {
		want += rto
	}
	if elapsed < want || elapsed > want+time.Second {
		t.Errorf("gave up after %v, want about %v", elapsed, want)
	}
}

// TestDeadlines checks Read and Write deadlines on the fake clock.
func TestDeadlines(t *testing.T) {
	a, b, l, clk := fakePair(t, func(c *Config) { c.SendBuffer = MinBuffer; c.ReceiveBuffer = MinBuffer })
	client, server := connectFake(t, a, b, l, clk)
	defer client.Close()
	defer server.Close()

	client.SetReadDeadline(clk.Now().Add(time.Second))
	res := make(chan error, 1)
	go func() {
		_, err := client.Read(make([]byte, 10))
		res <- err
	}()
	clk.Advance(999 * time.Millisecond)
	select {
	case err := <-res:
		t.Fatalf("read returned early: %v", err)
	default:
	}
	clk.Advance(time.Millisecond)
	err := <-res
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read after the deadline: %v", err)
	}
	// A past deadline fails at once; clearing it lets data through.
	if _, err := client.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read with a past deadline: %v", err)
	}
	client.SetReadDeadline(time.Time{})
	server.Write([]byte("ok"))
	buf := make([]byte, 2)
	if n, err := client.Read(buf); err != nil || string(buf[:n]) != "ok" {
		t.Fatalf("read after clearing the deadline: %q %v", buf[:n], err)
	}

	// The server does not read: the client's writes fill both buffers and
	// block until the write deadline.
	l.settle()
	client.SetWriteDeadline(clk.Now().Add(5 * time.Second))
	go func() {
		_, err := client.Write(make([]byte, 10*MinBuffer))
		res <- err
	}()
	elapsed := advance(l, clk, 100*time.Millisecond, 6*time.Second, func() bool { return false })
	if err := <-res; !errors.Is(err, os.ErrDeadlineExceeded) || elapsed < 5*time.Second {
		t.Fatalf("blocked write: %v", err)
	}
}

// TestCloseSequence: both sides close, the connections wait in TIME_WAIT
// (no longer counted) and are then forgotten.
func TestCloseSequence(t *testing.T) {
	a, b, l, clk := fakePair(t, nil)
	client, server := connectFake(t, a, b, l, clk)
	client.Write([]byte("bye"))
	client.Close()
	l.settle()
	buf := make([]byte, 10)
	if n, err := server.Read(buf); err != nil || string(buf[:n]) != "bye" {
		t.Fatalf("read %q %v", buf[:n], err)
	}
	if _, err := server.Read(buf); err != io.EOF {
		t.Fatalf("read after CLOSE: %v", err)
	}
	server.Close()
	l.settle()
	if a.m.Stats().Conns != 0 || b.m.Stats().Conns != 0 {
		t.Fatalf("connections still counted after both CLOSEs")
	}
	if n := tableSize(a.m) + tableSize(b.m); n != 2 {
		t.Fatalf("%d connections in the tables during TIME_WAIT, want 2", n)
	}
	advance(l, clk, time.Second, TimeWait, func() bool { return false })
	if n := tableSize(a.m) + tableSize(b.m); n != 0 {
		t.Fatalf("%d connections in the tables after TIME_WAIT", n)
	}
}

func tableSize(m *Manager) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.mu.conns)
}

// TestCloseTimeout: the peer never closes its side; after CloseTimeout the
// connection is reset.
func TestCloseTimeout(t *testing.T) {
	a, b, l, clk := fakePair(t, nil)
	client, server := connectFake(t, a, b, l, clk)
	client.Close()
	elapsed := advance(l, clk, time.Second, 2*CloseTimeout, func() bool { return tableSize(a.m) == 0 })
	if elapsed != CloseTimeout {
		t.Fatalf("closed connection dropped after %v, want %v", elapsed, CloseTimeout)
	}
	io.ReadAll(server) // the CLOSE: EOF
	if _, err := server.Write([]byte("x")); !errors.Is(err, ErrReset) {
		t.Fatalf("server write after the reset: %v", err)
	}
}

// TestPeerGoneAfterClose: the peer closed first and forgot the stream, as
// i2pd does once its CLOSE is ACKed; our CLOSE is resent only
// closeResends times, and the connection ends quietly.
func TestPeerGoneAfterClose(t *testing.T) {
	a, b, l, clk := fakePair(t, nil)
	client, server := connectFake(t, a, b, l, clk)
	server.Close()
	l.settle()
	if _, err := client.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("read: %v", err)
	}
	l.setFilter(func(f frame) bool { return f.to.Hash() != b.dest.Hash() })
	resent := a.m.Stats().PacketsResent
	client.Close()
	advance(l, clk, 100*time.Millisecond, CloseTimeout, func() bool { return a.m.Stats().Conns == 0 })
	if got := a.m.Stats().PacketsResent - resent; got != closeResends {
		t.Fatalf("CLOSE resent %d times, want %d", got, closeResends)
	}
	if a.m.Stats().Conns != 0 {
		t.Fatal("connection still counted")
	}
}

// TestMTU: each side sends at most what the other advertised.
func TestMTU(t *testing.T) {
	l := newLink(clock.System(), 9)
	defer l.close()
	a := l.add(t, 1, nil)
	b := l.add(t, 2, func(c *Config) { c.MTU = 600 })
	var mu sync.Mutex
	largest := map[data.Hash]int{}
	l.setFilter(func(f frame) bool {
		if p, err := decodeFrame(f); err == nil {
			mu.Lock()
			largest[f.to.Hash()] = max(largest[f.to.Hash()], len(p.Payload))
			mu.Unlock()
		}
		return true
	})
	client, server := connect(t, a, b, 80)
	go func() {
		io.Copy(server, server)
		server.Close()
	}()
	msg := randBytes(3, 20000)
	go func() {
		client.Write(msg)
		client.CloseWrite()
	}()
	if got, err := readAll(client); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("echo: %d bytes, %v", len(got), err)
	}
	client.Close()
	mu.Lock()
	defer mu.Unlock()
	if largest[b.dest.Hash()] != 600 || largest[a.dest.Hash()] != 600 {
		t.Fatalf("largest payloads: to b %d, to a %d; want 600 both", largest[b.dest.Hash()], largest[a.dest.Hash()])
	}
}
