package ntcp2

import (
	"context"
	"errors"
	"io"
	"net/netip"
	"sync"
	"testing"
	"time"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/netx/memnet"
	"i2pgate/router/transport"
)

// skewRecorder is a SkewSampler that keeps every sample.
type skewRecorder struct {
	mu   sync.Mutex
	list []skewRec
}

type skewRec struct {
	peer            string
	peerTime, local time.Time
}

func (s *skewRecorder) AddPeerSample(peer string, peerTime, local time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.list = append(s.list, skewRec{peer, peerTime, local})
}

func (s *skewRecorder) wait(t *testing.T) skewRec {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		if len(s.list) > 0 {
			r := s.list[0]
			s.mu.Unlock()
			return r
		}
		s.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no skew sample")
	return skewRec{}
}

// As responder, a SessionRequest refused for clock skew still gives Alice's
// time to the sampler, keyed by her address (her identity comes later).
func TestSkewSampledWhenResponderRefuses(t *testing.T) {
	n := memnet.New(memnet.Options{Seed: 21})
	defer n.Close()
	base := time.Now()
	rec := &skewRecorder{}
	a := newNode(t, n, "11.0.0.1", 1, clocktest.New(base), nil)
	b := newNode(t, n, "11.0.0.2", 2, clocktest.New(base.Add(2*time.Hour)), func(c *Config) { c.Skew = rec })
	if _, err := a.tr.Dial(context.Background(), b.id.ri); err == nil {
		t.Fatal("handshake 2 h apart succeeded")
	}
	s := rec.wait(t)
	if s.peer != "ip:11.0.0.1" {
		t.Errorf("sample keyed %q, want ip:11.0.0.1", s.peer)
	}
	if d := s.peerTime.Sub(s.local); d > -2*time.Hour+2*time.Second || d < -2*time.Hour-2*time.Second {
		t.Errorf("sample says Alice is %v off, want -2h", d)
	}
}

// As initiator, Bob's SessionCreated timestamp reaches the sampler even
// though the handshake is refused for skew (i2pd sends SessionCreated to an
// Alice whose clock is off, then closes). Bob here is a Responder whose clock
// jumps 2 h between reading message 1 and writing message 2.
func TestSkewSampledWhenInitiatorRefuses(t *testing.T) {
	n := memnet.New(memnet.Options{Seed: 22})
	defer n.Close()
	base := time.Now()
	rec := &skewRecorder{}
	a := newNode(t, n, "11.0.0.1", 1, clocktest.New(base), func(c *Config) { c.Skew = rec })
	bobAddr := netip.MustParseAddrPort("11.0.0.3:12345")
	bob := newTestRouter(t, 3, routerOpts{addr: bobAddr, published: base})
	ln, err := n.Host("11.0.0.3").Listen(context.Background(), "tcp", bobAddr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	bobClock := clocktest.New(base)
	done := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		r, err := NewResponder(ResponderConfig{NetID: testNetID, Static: bob.static, RouterHash: bob.hash,
			IV: bob.iv, Clock: bobClock, Rand: seeded(5)})
		if err != nil {
			done <- err
			return
		}
		var m1 [SessionRequestSize]byte
		if _, err := io.ReadFull(c, m1[:]); err != nil {
			done <- err
			return
		}
		pad, err := r.ConsumeSessionRequest(m1[:])
		if err != nil {
			done <- err
			return
		}
		if pad != 0 {
			// i2pd answers a skewed Alice without reading her
			// padding: only an unpadded message 1 works.
			done <- errors.New("a fresh transport padded message 1")
			return
		}
		p := make([]byte, pad)
		if _, err := io.ReadFull(c, p); err != nil {
			done <- err
			return
		}
		if err := r.ConsumePadding(p); err != nil {
			done <- err
			return
		}
		bobClock.Advance(2 * time.Hour)
		m2, err := r.CreateSessionCreated()
		if err != nil {
			done <- err
			return
		}
		// Alice closes once she has read enough to refuse: the end of
		// the write may find the connection reset.
		_, _ = c.Write(m2)
		_, _ = io.Copy(io.Discard, c)
		done <- nil
	}()
	_, err = a.tr.Dial(context.Background(), bob.ri)
	if !errors.Is(err, ErrClockSkew) {
		t.Fatalf("dial: %v, want ErrClockSkew", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	s := rec.wait(t)
	if s.peer != "ip:11.0.0.3" {
		t.Errorf("sample keyed %q, want ip:11.0.0.3", s.peer)
	}
	if d := s.peerTime.Sub(s.local); d > 2*time.Hour+2*time.Second || d < 2*time.Hour-2*time.Second {
		t.Errorf("sample says Bob is %v off, want 2h", d)
	}
}

// Message 1 goes unpadded only until a handshake completes.
func TestPaddingAfterHandshake(t *testing.T) {
	n := memnet.New(memnet.Options{Seed: 23})
	defer n.Close()
	clk := clocktest.New(time.Now())
	a := newNode(t, n, "11.0.0.1", 1, clk, nil)
	b := newNode(t, n, "11.0.0.2", 2, clk, nil)
	if !a.tr.clockUnsure.Load() || !b.tr.clockUnsure.Load() {
		t.Fatal("a fresh transport pads message 1")
	}
	if _, err := a.tr.Dial(context.Background(), b.id.ri); err != nil {
		t.Fatal(err)
	}
	b.rec.waitEvent(t, transport.EventEstablished)
	if a.tr.clockUnsure.Load() || b.tr.clockUnsure.Load() {
		t.Fatal("still unpadded after a completed handshake")
	}
}
