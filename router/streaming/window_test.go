package streaming

import (
	"context"
	"testing"
	"time"
)

func newSendState() *sendState {
	var s sendState
	s.init(&settings{Config: Config{SendBuffer: DefaultSendBuffer, MaxWindow: DefaultMaxWindow, MTU: DefaultMTU}})
	return &s
}

// TestRTO follows RFC 6298 2.2-2.3 with the spec's bounds.
func TestRTO(t *testing.T) {
	s := newSendState()
	if s.rto != InitialRTO {
		t.Fatalf("initial RTO %v", s.rto)
	}
	for _, tc := range []struct {
		sample, srtt, rttvar, rto time.Duration
	}{
		{time.Second, time.Second, 500 * time.Millisecond, 3 * time.Second},
		// rttvar = 3/4*500 + 1/4*|1000-2000| = 625; srtt = 7/8*1000 + 1/8*2000 = 1125
		{2 * time.Second, 1125 * time.Millisecond, 625 * time.Millisecond, 3625 * time.Millisecond},
	} {
		s.sample(tc.sample)
		if s.srtt != tc.srtt || s.rttvar != tc.rttvar || s.rto != tc.rto {
			t.Fatalf("after %v: srtt %v rttvar %v rto %v, want %v %v %v", tc.sample, s.srtt, s.rttvar, s.rto, tc.srtt, tc.rttvar, tc.rto)
		}
	}
	s = newSendState()
	s.sample(time.Millisecond)
	if s.rto != MinRTO {
		t.Errorf("RTO for a 1 ms RTT: %v, want MinRTO", s.rto)
	}
	s.sample(5 * time.Minute)
	if s.rto != MaxRTO {
		t.Errorf("RTO for a 5 min RTT: %v, want MaxRTO", s.rto)
	}
}

// TestWindow checks slow start, congestion avoidance, halving and the
// choke.
func TestWindow(t *testing.T) {
	s := newSendState()
	if s.window() != InitialWindow {
		t.Fatalf("initial window %d", s.window())
	}
	s.grow(3) // slow start: one packet per ACKed packet
	if s.cwnd != InitialWindow+3 {
		t.Fatalf("slow start: %d", s.cwnd)
	}
	s.shrink()
	if s.cwnd != (InitialWindow+3)/2 || s.ssthresh != s.cwnd {
		t.Fatalf("halved: cwnd %d ssthresh %d", s.cwnd, s.ssthresh)
	}
	// Congestion avoidance: one packet per window of ACKs.
	w := s.cwnd
	s.grow(w - 1)
	if s.cwnd != w {
		t.Fatalf("grew before a full window: %d", s.cwnd)
	}
	s.grow(1)
	if s.cwnd != w+1 {
		t.Fatalf("avoidance: %d, want %d", s.cwnd, w+1)
	}
	for range 100 {
		s.shrink()
	}
	if s.cwnd != MinWindow || s.ssthresh != 2 {
		t.Fatalf("floor: cwnd %d ssthresh %d", s.cwnd, s.ssthresh)
	}
	s.choked = true
	s.grow(10)
	if s.window() != MinWindow || s.cwnd != MinWindow {
		t.Fatalf("choked window %d cwnd %d", s.window(), s.cwnd)
	}
	s.choked = false
	s.ssthresh = 1000
	for range 1000 {
		s.grow(10)
	}
	if s.cwnd != DefaultMaxWindow {
		t.Fatalf("cap: %d", s.cwnd)
	}
}

// TestDelayedAck: an in-order packet is ACKed after a tenth of the RTT
// (at most MaxAckDelay), unless data goes back first.
func TestDelayedAck(t *testing.T) {
	a, b, l, clk := fakePair(t, nil)
	client, server := connectFake(t, a, b, l, clk)
	defer client.Close()
	defer server.Close()
	advance(l, clk, time.Millisecond, time.Second, func() bool { return false })
	before := l.sent.Load()
	client.Write([]byte("ping"))
	l.settle()
	if got := l.sent.Load() - before; got != 1 {
		t.Fatalf("%d packets for one write", got)
	}
	// The delay follows the server's RTT estimate.
	server.mu.Lock()
	delay := server.mu.send.ackDelay()
	server.mu.Unlock()
	clk.Advance(delay - time.Millisecond)
	l.settle()
	if got := l.sent.Load() - before; got != 1 {
		t.Fatalf("ACK sent %v early", time.Millisecond)
	}
	clk.Advance(time.Millisecond)
	l.settle()
	if got := l.sent.Load() - before; got != 2 {
		t.Fatalf("%d packets after the ACK delay, want 2", got)
	}
	// An answer within the delay carries the ACK: no plain ACK.
	client.Write([]byte("ping"))
	l.settle()
	buf := make([]byte, 8)
	server.Read(buf)
	server.Write([]byte("pong"))
	advance(l, clk, time.Millisecond, MaxAckDelay, func() bool { return false })
	if got := l.sent.Load() - before; got != 4+1 {
		// ping, pong (with the ACK), and the client's delayed ACK of pong
		t.Fatalf("%d packets, want 5", got)
	}
}

// TestRTTEstimate runs a connection over a link with 250 ms one-way delay
// on the fake clock: the SYN gives the first sample, data the next.
func TestRTTEstimate(t *testing.T) {
	a, b, l, clk := fakePair(t, nil)
	l.delay = 250 * time.Millisecond
	ln, _ := b.m.Listen(80)
	defer ln.Close()
	res := make(chan *Conn, 1)
	go func() {
		c, err := a.m.Dial(context.Background(), b.dest, 80)
		if err != nil {
			t.Error(err)
		}
		res <- c
	}()
	l.submitted.WaitFor(1)
	quiet(t, a.m)
	elapsed := advance(l, clk, 10*time.Millisecond, time.Minute, func() bool { return a.m.established() == 1 })
	client := <-res
	if client == nil {
		t.FailNow()
	}
	defer client.Close()
	rtt := func() (srtt, rttvar, rto time.Duration) {
		client.mu.Lock()
		defer client.mu.Unlock()
		s := &client.mu.send
		return s.srtt, s.rttvar, s.rto
	}
	if srtt, rttvar, rto := rtt(); elapsed != 500*time.Millisecond || srtt != 500*time.Millisecond ||
		rttvar != 250*time.Millisecond || rto != 1500*time.Millisecond {
		t.Fatalf("connected after %v: srtt %v rttvar %v rto %v", elapsed, srtt, rttvar, rto)
	}
	server, err := ln.AcceptConn()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	client.Write([]byte("data"))
	advance(l, clk, 10*time.Millisecond, 2*time.Second, func() bool { return false })
	// The sample includes the server's delayed ACK.
	if srtt, rttvar, rto := rtt(); srtt <= 500*time.Millisecond || srtt > 600*time.Millisecond || rto != srtt+4*rttvar {
		t.Fatalf("after data: srtt %v rttvar %v rto %v", srtt, rttvar, rto)
	}
}
