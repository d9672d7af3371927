package streaming

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

// dialAsync dials in a goroutine and waits until the SYN is on the link.
func dialAsync(t *testing.T, a, b *node, l *link, port uint16) <-chan error {
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
