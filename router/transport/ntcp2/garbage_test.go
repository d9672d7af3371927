package ntcp2

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"i2pgate/router/clock"
	"i2pgate/router/netx/memnet"
	"i2pgate/router/transport"
)

// rawAlice runs Alice's handshake by hand over c, so the test can then
// misbehave in the data phase. It returns the data-phase keys.
func rawAlice(t *testing.T, c net.Conn, alice, bob *testRouter, seed uint64) (Keys, []byte) {
	t.Helper()
	ini, err := NewInitiator(InitiatorConfig{
		NetID: testNetID, Static: alice.static, RouterInfo: alice.ri.Bytes(),
		PeerHash: bob.hash, PeerStatic: bob.static.Public, PeerIV: bob.iv, Rand: seeded(seed),
	})
	if err != nil {
		t.Fatal(err)
	}
	m1, _ := ini.CreateSessionRequest()
	if _, err := c.Write(m1); err != nil {
		t.Fatal(err)
	}
	m2 := make([]byte, SessionCreatedSize)
	if _, err := io.ReadFull(c, m2); err != nil {
		t.Fatal(err)
	}
	pad, err := ini.ConsumeSessionCreated(m2)
	if err != nil {
		t.Fatal(err)
	}
	padding := make([]byte, pad)
	if _, err := io.ReadFull(c, padding); err != nil {
		t.Fatal(err)
	}
	if err := ini.ConsumePadding(padding); err != nil {
		t.Fatal(err)
	}
	m3, err := ini.CreateSessionConfirmed()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(m3); err != nil {
		t.Fatal(err)
	}
	k, _ := ini.Keys()
	return k, m1
}

// readTermination reads frames from c until a Termination block or EOF.
func readTermination(c net.Conn, k Keys) (Termination, error) {
	o := newOpener(&k.RecvKey, &k.RecvSipKeys)
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		var lb [LengthSize]byte
		if _, err := io.ReadFull(c, lb[:]); err != nil {
			return Termination{}, err
		}
		n, err := o.length(lb)
		if err != nil {
			return Termination{}, err
		}
		f := make([]byte, n)
		if _, err := io.ReadFull(c, f); err != nil {
			return Termination{}, err
		}
		p, err := o.open(nil, f)
		if err != nil {
			return Termination{}, err
		}
		blocks, _ := ParseBlocks(p)
		for _, b := range blocks {
			if b.Type == BlockTermination {
				return b.Termination()
			}
		}
	}
}

// TestGarbagePeers attacks a transport with garbage while a good peer
// exchanges messages with it: every bad peer is dropped, the good session
// is unaffected.
func TestGarbagePeers(t *testing.T) {
	n := memnet.New(memnet.Options{Seed: 9})
	defer n.Close()
	clk := clock.System()
	bob := newNode(t, n, "11.0.0.2", 2, clk, nil)
	good := newNode(t, n, "11.0.0.1", 1, clk, nil)
	gs, err := good.tr.Dial(context.Background(), bob.id.ri)
	if err != nil {
		t.Fatal(err)
	}
	bob.rec.waitEvent(t, transport.EventEstablished)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the good peer keeps talking
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			_ = gs.Send(testMessage(i, 500))
		}
	}()

	attacker := newTestRouter(t, 5, routerOpts{published: time.Now()})
	dial := func(ip string) net.Conn {
		c, err := n.Host(ip).Dial(context.Background(), "tcp", "11.0.0.2:12345")
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	closed := func(name string, c net.Conn) {
		t.Helper()
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.Copy(io.Discard, c); err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && !isReset(err) {
			t.Errorf("%s: not closed by bob: %v", name, err)
		}
		_ = c.Close()
	}

	// 1. Random bytes: no answer, closed.
	c := dial("11.0.0.10")
	_, _ = c.Write(bytes.Repeat([]byte{0x5a}, 300))
	_ = c.(*memnet.Conn).CloseWrite()
	closed("random bytes", c)

	// 2. Truncated message 1.
	c = dial("11.0.0.11")
	_, _ = c.Write(make([]byte, 30))
	_ = c.(*memnet.Conn).CloseWrite()
	closed("truncated", c)

	// 3. Bad MAC in the data phase: AEAD failure, Termination reason 4.
	c = dial("11.0.0.12")
	k, m1 := rawAlice(t, c, attacker, bob.id, 77)
	s := newSealer(&k.SendKey, &k.SendSipKeys)
	f, _ := s.seal(nil, AppendDateTime(nil, 1))
	f[len(f)-1] ^= 1
	_, _ = c.Write(f)
	if tm, err := readTermination(c, k); err != nil || tm.Reason != transport.ReasonAEADFailure {
		t.Errorf("bad MAC: termination %+v %v", tm, err)
	}
	closed("bad MAC", c)
	bob.rec.waitEvent(t, transport.EventEstablished)
	bob.rec.waitEvent(t, transport.EventClosed)

	// 4. Replay of that message 1 from elsewhere: dropped.
	c = dial("11.0.0.13")
	_, _ = c.Write(m1)
	_ = c.(*memnet.Conn).CloseWrite()
	closed("replay", c)

	// 5. Oversized (too short) length, then a malformed payload.
	for i, frame := range []func(*sealer) []byte{
		func(s *sealer) []byte { // length below 16 after unmasking
			l := s.mask.Next() ^ 3
			return []byte{byte(l >> 8), byte(l)}
		},
		func(s *sealer) []byte { // authenticates but blocks are malformed
			f, _ := s.seal(nil, []byte{3, 0xff, 0xff, 1})
			return f
		},
	} {
		c = dial("11.0.0.14")
		k, _ := rawAlice(t, c, attacker, bob.id, uint64(80+i))
		_, _ = c.Write(frame(newSealer(&k.SendKey, &k.SendSipKeys)))
		tm, err := readTermination(c, k)
		want := []transport.Reason{transport.ReasonFramingError, transport.ReasonPayloadError}[i]
		if err != nil || tm.Reason != want {
			t.Errorf("frame %d: termination %+v %v", i, tm, err)
		}
		closed("bad frame", c)
		bob.rec.waitEvent(t, transport.EventEstablished)
		bob.rec.waitEvent(t, transport.EventClosed)
	}

	close(stop)
	wg.Wait()
	select {
	case <-gs.Done():
		t.Fatalf("good session ended: %v", gs.Err())
	default:
	}
	if err := gs.Send(testMessage(424242, 10)); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(5 * time.Second)
	for {
		select {
		case m := <-bob.rec.msgs:
			if m.ID == 424242 {
				return
			}
		case <-deadline:
			t.Fatal("good peer's last message not received")
		}
	}
}

func isReset(err error) bool {
	var ne *net.OpError
	return errors.As(err, &ne)
}
