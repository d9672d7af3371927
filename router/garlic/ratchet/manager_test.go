package ratchet

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"i2pgate/router/garlic"
)

func TestHandshake(t *testing.T) {
	a, b, _ := newPair(t, nil)

	ns := seal(t, a, b, "hello", SealOptions{})
	if ns.Kind != garlic.NewSession || len(ns.Body) < MinNSSize {
		t.Fatalf("first message %v, %d bytes", ns.Kind, len(ns.Body))
	}
	d := open(t, b, ns.Body, "hello")
	if d.Kind != garlic.NewSession || !d.Bound || d.Remote != a.key.Public || !d.NeedsReply {
		t.Fatalf("bob read %+v", d)
	}
	if _, ok := d.Blocks[0].(garlic.DateTime); !ok {
		t.Fatal("new session without a leading DateTime")
	}
	if a.m.Established(&b.key.Public) || b.m.Established(&a.key.Public) {
		t.Fatal("established before the reply")
	}

	d = exchange(t, b, a, "reply", garlic.NewSessionReply)
	if d.Remote != b.key.Public || !d.NeedsReply {
		t.Fatalf("alice read %+v", d)
	}
	if !a.m.Established(&b.key.Public) {
		t.Fatal("alice not established after the NSR")
	}
	// Bob must not send ES before Alice's first ES arrives.
	exchange(t, b, a, "reply 2", garlic.NewSessionReply)

	exchange(t, a, b, "es 1", garlic.ExistingSession)
	if !b.m.Established(&a.key.Public) {
		t.Fatal("bob not established after the first ES")
	}
	for i := range 5 {
		exchange(t, b, a, "es b", garlic.ExistingSession)
		exchange(t, a, b, "es a", garlic.ExistingSession)
		_ = i
	}
	checkInvariants(t, a)
	checkInvariants(t, b)
	if st := a.m.Stats(); st.Sessions != 1 || st.SentNS != 1 || st.ReceivedNSR != 2 {
		t.Fatalf("alice stats %+v", st)
	}
}

func TestMessageSizes(t *testing.T) {
	a, b, _ := newPair(t, nil)
	pad := []garlic.Block{garlic.Padding{Size: 0}}
	ns, err := a.m.Encrypt(&b.key.Public, pad)
	if err != nil {
		t.Fatal(err)
	}
	// DateTime (7) and an empty Padding block (3).
	if len(ns) != NSOverhead+10 {
		t.Fatalf("NS of %d bytes", len(ns))
	}
	if _, err := b.m.Decrypt(ns); err != nil {
		t.Fatal(err)
	}
	nsr, err := b.m.Encrypt(&a.key.Public, pad)
	if err != nil {
		t.Fatal(err)
	}
	if len(nsr) != NSROverhead+3 {
		t.Fatalf("NSR of %d bytes", len(nsr))
	}
	if _, err := a.m.Decrypt(nsr); err != nil {
		t.Fatal(err)
	}
	es, err := a.m.Encrypt(&b.key.Public, pad)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != ESOverhead+3 {
		t.Fatalf("ES of %d bytes", len(es))
	}
	if _, err := b.m.Decrypt(es); err != nil {
		t.Fatal(err)
	}
}

func TestLostNewSessionRetried(t *testing.T) {
	a, b, _ := newPair(t, nil)
	lost := seal(t, a, b, "lost", SealOptions{})
	retry := seal(t, a, b, "retry", SealOptions{})
	if retry.Kind != garlic.NewSession || bytes.Equal(lost.Body[:32], retry.Body[:32]) {
		t.Fatal("a retry must be a New Session with a new ephemeral key")
	}
	open(t, b, retry.Body, "retry")
	exchange(t, b, a, "reply", garlic.NewSessionReply)
	exchange(t, a, b, "es", garlic.ExistingSession)
	exchange(t, b, a, "es", garlic.ExistingSession)

	// The lost one turns up late: its payload is still delivered, and
	// it does not disturb the session.
	open(t, b, lost.Body, "lost")
	exchange(t, b, a, "es 2", garlic.ExistingSession)
	exchange(t, a, b, "es 2", garlic.ExistingSession)
	checkInvariants(t, a)
	checkInvariants(t, b)
}

func TestFirstNewSessionAnswered(t *testing.T) {
	// Bob answers the first NS before the retry arrives: his session for
	// the first stays (too young to replace) and Alice adopts it.
	a, b, _ := newPair(t, nil)
	first := seal(t, a, b, "one", SealOptions{})
	second := seal(t, a, b, "two", SealOptions{})
	open(t, b, first.Body, "one")
	nsr := seal(t, b, a, "reply", SealOptions{})
	open(t, b, second.Body, "two")
	exchange(t, b, a, "reply 2", garlic.NewSessionReply)
	open(t, a, nsr.Body, "reply")
	if !a.m.Established(&b.key.Public) {
		t.Fatal("alice did not adopt the answered session")
	}
	exchange(t, a, b, "es", garlic.ExistingSession)
	exchange(t, b, a, "es", garlic.ExistingSession)
	checkInvariants(t, a)
	checkInvariants(t, b)
}

func TestNewSessionReplyLost(t *testing.T) {
	a, b, _ := newPair(t, nil)
	exchange(t, a, b, "ns", garlic.NewSession)
	lost := seal(t, b, a, "lost reply", SealOptions{})
	exchange(t, b, a, "reply", garlic.NewSessionReply)
	exchange(t, a, b, "es", garlic.ExistingSession)
	exchange(t, b, a, "es", garlic.ExistingSession)
	// The first reply arrives late, after the ES traffic began.
	d := open(t, a, lost.Body, "lost reply")
	if d.Kind != garlic.NewSessionReply {
		t.Fatalf("late reply read as %v", d.Kind)
	}
	exchange(t, a, b, "es 2", garlic.ExistingSession)
	exchange(t, b, a, "es 2", garlic.ExistingSession)
}

func TestManyNewSessionReplies(t *testing.T) {
	// More NSRs than Alice's first NSR tag set holds: she refills it.
	a, b, _ := newPair(t, nil)
	exchange(t, a, b, "ns", garlic.NewSession)
	for range 3 * NSRTags {
		exchange(t, b, a, "reply", garlic.NewSessionReply)
	}
	checkInvariants(t, a)
}

func TestOneTime(t *testing.T) {
	a, b, _ := newPair(t, nil)
	body, err := a.m.EncryptOneTime(&b.key.Public, blocks("once"))
	if err != nil {
		t.Fatal(err)
	}
	d := open(t, b, body, "once")
	if d.Kind != garlic.NewSession || d.Bound || d.NeedsReply {
		t.Fatalf("one-time read as %+v", d)
	}
	if st := b.m.Stats(); st.Reachable != 0 || st.Tags != 0 {
		t.Fatalf("one-time message left state: %+v", st)
	}
	if st := a.m.Stats(); st.Reachable != 0 || st.Tags != 0 {
		t.Fatalf("one-time message left state at the sender: %+v", st)
	}
	if _, err := b.m.Decrypt(body); !errors.Is(err, garlic.ErrReplay) {
		t.Fatalf("replayed one-time message: %v", err)
	}
}

func TestReplay(t *testing.T) {
	a, b, clk := newPair(t, nil)
	ns := seal(t, a, b, "ns", SealOptions{})
	open(t, b, ns.Body, "ns")
	if _, err := b.m.Decrypt(ns.Body); !errors.Is(err, garlic.ErrReplay) {
		t.Fatalf("replayed NS: %v", err)
	}
	// The representative's two random top bits do not make it new.
	again := bytes.Clone(ns.Body)
	again[31] ^= 0x80
	if _, err := b.m.Decrypt(again); !errors.Is(err, garlic.ErrReplay) {
		t.Fatalf("replayed NS with another representative: %v", err)
	}
	// Stale: the DateTime is older than the window.
	old := seal(t, a, b, "old", SealOptions{})
	clk.Advance(garlic.DateTimeMaxAge + time.Second)
	if _, err := b.m.Decrypt(old.Body); !errors.Is(err, garlic.ErrReplay) {
		t.Fatalf("stale NS: %v", err)
	}
	// An NSR or ES delivered twice: the tag is gone the second time.
	b2 := newPeer(t, "bob2", clk, nil)
	exchange(t, a, b2, "ns", garlic.NewSession)
	nsr := seal(t, b2, a, "nsr", SealOptions{})
	open(t, a, nsr.Body, "nsr")
	if _, err := a.m.Decrypt(nsr.Body); !errors.Is(err, garlic.ErrDecrypt) {
		t.Fatalf("replayed NSR: %v", err)
	}
	es := seal(t, a, b2, "es", SealOptions{})
	open(t, b2, es.Body, "es")
	if _, err := b2.m.Decrypt(es.Body); !errors.Is(err, garlic.ErrDecrypt) {
		t.Fatalf("replayed ES: %v", err)
	}
}

func TestForgedMessagesChangeNothing(t *testing.T) {
	a, b, _ := newPair(t, nil)
	ns := seal(t, a, b, "ns", SealOptions{})
	forged := bytes.Clone(ns.Body)
	forged[len(forged)-1] ^= 1
	if _, err := b.m.Decrypt(forged); !errors.Is(err, garlic.ErrDecrypt) {
		t.Fatalf("forged NS: %v", err)
	}
	open(t, b, ns.Body, "ns") // the real one is not taken for a replay
	nsr := seal(t, b, a, "nsr", SealOptions{})
	forged = bytes.Clone(nsr.Body)
	forged[len(forged)-1] ^= 1
	if _, err := a.m.Decrypt(forged); !errors.Is(err, garlic.ErrDecrypt) {
		t.Fatalf("forged NSR: %v", err)
	}
	open(t, a, nsr.Body, "nsr")
	// ES: skip two messages so that the forgery would move the key chain.
	seal(t, a, b, "skipped 1", SealOptions{})
	seal(t, a, b, "skipped 2", SealOptions{})
	es := seal(t, a, b, "es", SealOptions{})
	forged = bytes.Clone(es.Body)
	forged[TagSize] ^= 1
	if _, err := b.m.Decrypt(forged); !errors.Is(err, garlic.ErrDecrypt) {
		t.Fatalf("forged ES: %v", err)
	}
	open(t, b, es.Body, "es")
	checkInvariants(t, b)
}

func TestAcks(t *testing.T) {
	a, b, _ := newPair(t, nil)
	ns := seal(t, a, b, "ns", SealOptions{RequestAck: true})
	if ns.Ack == 0 {
		t.Fatal("no AckID for a New Session")
	}
	open(t, b, ns.Body, "ns")
	nsr := seal(t, b, a, "nsr", SealOptions{RequestAck: true})
	d := open(t, a, nsr.Body, "nsr")
	if len(d.Acked) != 1 || d.Acked[0] != ns.Ack {
		t.Fatalf("NSR acked %v, want [%d]", d.Acked, ns.Ack)
	}
	es := seal(t, a, b, "es", SealOptions{RequestAck: true})
	d = open(t, b, es.Body, "es")
	if len(d.Acked) != 1 || d.Acked[0] != nsr.Ack {
		t.Fatalf("first ES acked %v, want [%d]", d.Acked, nsr.Ack)
	}
	if !d.NeedsReply {
		t.Fatal("an ACK request does not ask for a reply")
	}
	if !hasBlock(d.Blocks, garlic.BlockAckRequest) {
		t.Fatal("no ACK Request block")
	}
	// Bob answers with an empty message carrying the ACK.
	reply, err := b.m.Encrypt(&a.key.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err = a.m.Decrypt(reply)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Acked) != 1 || d.Acked[0] != es.Ack {
		t.Fatalf("ACK answered %v, want [%d]", d.Acked, es.Ack)
	}
	// Two requests, answered together.
	e1 := seal(t, a, b, "1", SealOptions{RequestAck: true})
	e2 := seal(t, a, b, "2", SealOptions{RequestAck: true})
	open(t, b, e2.Body, "2")
	open(t, b, e1.Body, "1")
	d = exchange(t, b, a, "acks", garlic.ExistingSession)
	if len(d.Acked) != 2 {
		t.Fatalf("acked %v, want %d and %d", d.Acked, e1.Ack, e2.Ack)
	}
	// Nothing is acked twice.
	d = exchange(t, b, a, "more", garlic.ExistingSession)
	if len(d.Acked) != 0 {
		t.Fatalf("acked again: %v", d.Acked)
	}
}

func hasBlock(blocks []garlic.Block, t garlic.BlockType) bool {
	for _, b := range blocks {
		if b.Type() == t {
			return true
		}
	}
	return false
}

func TestTermination(t *testing.T) {
	a, b, _ := newPair(t, nil)
	establish(t, a, b)
	body, err := a.m.Terminate(&b.key.Public, blocks("bye"))
	if err != nil || body == nil {
		t.Fatalf("Terminate = %v, %v", body, err)
	}
	d := open(t, b, body, "bye")
	if !d.Terminated || !hasBlock(d.Blocks, garlic.BlockTermination) {
		t.Fatalf("termination read as %+v", d)
	}
	for _, p := range []*peer{a, b} {
		if st := p.m.Stats(); st.Reachable != 0 || st.Tags != 0 {
			t.Fatalf("%s keeps state after termination: %+v", p.name, st)
		}
	}
	// A new session follows.
	establish(t, a, b)
	// Terminating a session that is not established sends nothing.
	c := newPeer(t, "carol", nil, nil)
	seal(t, a, c, "ns", SealOptions{})
	if body, err := a.m.Terminate(&c.key.Public, nil); body != nil || err != nil {
		t.Fatalf("Terminate before the reply = %v, %v", body, err)
	}
}

func TestExpiry(t *testing.T) {
	a, b, clk := newPair(t, nil)
	establish(t, a, b)
	clk.Advance(SendExpiration)
	a.m.Tick()
	if a.m.Stats().Sessions != 1 {
		t.Fatal("expired early")
	}
	clk.Advance(ReceiveExpiration - SendExpiration + time.Second)
	for _, p := range []*peer{a, b} {
		p.m.Tick()
		if st := p.m.Stats(); st.Reachable != 0 || st.Tags != 0 {
			t.Fatalf("%s after expiry: %+v", p.name, st)
		}
	}
	// Unanswered New Sessions go with their NSR tag sets.
	for range 3 {
		seal(t, a, b, "ns", SealOptions{})
	}
	if st := a.m.Stats(); st.Reachable != 3 || st.Tags != 3*NSRTags {
		t.Fatalf("three unanswered NS: %+v", st)
	}
	clk.Advance(PreviousTagSetTimeout + time.Second)
	a.m.Tick()
	if st := a.m.Stats(); st.Reachable != 0 || st.Tags != 0 {
		t.Fatalf("unanswered NS after expiry: %+v", st)
	}
}

func TestRestartAfterInactivity(t *testing.T) {
	a, b, clk := newPair(t, nil)
	establish(t, a, b)
	// Bob goes quiet; Alice keeps sending.
	clk.Advance(InactivityTimeout - time.Second)
	exchange(t, a, b, "still", garlic.ExistingSession)
	clk.Advance(RestartAfter - InactivityTimeout + 2*time.Second)
	// Alice has heard nothing for more than InactivityTimeout and the
	// session is older than RestartAfter: restart.
	exchange(t, a, b, "restart", garlic.NewSession)
	exchange(t, b, a, "reply", garlic.NewSessionReply)
	exchange(t, a, b, "es", garlic.ExistingSession)
	exchange(t, b, a, "es", garlic.ExistingSession)
	for range 4 {
		clk.Advance(PreviousTagSetTimeout / 3)
		exchange(t, b, a, "after", garlic.ExistingSession)
		exchange(t, a, b, "after", garlic.ExistingSession)
	}
	for _, p := range []*peer{a, b} {
		p.m.Tick()
		checkInvariants(t, p)
		if st := p.m.Stats(); st.Reachable != 1 {
			t.Fatalf("%s keeps the old session: %+v", p.name, st)
		}
	}
}

func TestEviction(t *testing.T) {
	a, _, fake := newPair(t, func(c *Config) { c.MaxSessions = 4 })
	var bobs []*peer
	for i := range 10 {
		b := newPeer(t, "bob", fake, nil)
		bobs = append(bobs, b)
		establish(t, a, b)
		fake.Advance(time.Second)
		checkInvariants(t, a)
		if st := a.m.Stats(); st.Reachable > 4 {
			t.Fatalf("after %d remotes: %+v", i+1, st)
		}
	}
	if st := a.m.Stats(); st.Evicted != 6 || st.Sessions != 4 {
		t.Fatalf("stats %+v", st)
	}
	// The most recent ones are the ones kept.
	for _, b := range bobs[6:] {
		fake.Advance(time.Second) // so that bobs[6] is the oldest again
		exchange(t, a, b, "kept", garlic.ExistingSession)
	}
	// An evicted remote's ES no longer opens; a new session does.
	old := bobs[0]
	body, err := old.m.Encrypt(&a.key.Public, blocks("gone"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.m.Decrypt(body); !errors.Is(err, garlic.ErrDecrypt) {
		t.Fatalf("ES to an evicted session: %v", err)
	}
	exchange(t, a, old, "again", garlic.NewSession)

	// A flood of New Sessions from unknown keys evicts its own kind, not
	// the established sessions.
	for range 20 {
		f := newPeer(t, "flood", fake, nil)
		exchange(t, f, a, "flood", garlic.NewSession)
		checkInvariants(t, a)
	}
	for _, b := range bobs[7:] {
		exchange(t, a, b, "survived", garlic.ExistingSession)
	}
}

func TestSimultaneousOpen(t *testing.T) {
	a, b, clk := newPair(t, nil)
	na := seal(t, a, b, "from a", SealOptions{})
	nb := seal(t, b, a, "from b", SealOptions{})
	open(t, b, na.Body, "from a")
	open(t, a, nb.Body, "from b")
	// Each answers the other's NS before seeing the other's answer.
	ra := seal(t, a, b, "a answers", SealOptions{})
	rb := seal(t, b, a, "b answers", SealOptions{})
	if ra.Kind != garlic.NewSessionReply || rb.Kind != garlic.NewSessionReply {
		t.Fatalf("answers are %v and %v", ra.Kind, rb.Kind)
	}
	open(t, b, ra.Body, "a answers")
	open(t, a, rb.Body, "b answers")
	for i := range 6 {
		p, q := a, b
		if i%2 == 1 {
			p, q = b, a
		}
		out := seal(t, p, q, "round", SealOptions{})
		open(t, q, out.Body, "round")
	}
	// Both settled on one pair: ES both ways, and it outlives the
	// replaced sessions' tag sets.
	if !a.m.Established(&b.key.Public) || !b.m.Established(&a.key.Public) {
		t.Fatal("not established both ways")
	}
	for range 4 {
		clk.Advance(PreviousTagSetTimeout / 3)
		a.m.Tick()
		b.m.Tick()
		exchange(t, a, b, "later", garlic.ExistingSession)
		exchange(t, b, a, "later", garlic.ExistingSession)
	}
	for _, p := range []*peer{a, b} {
		if st := p.m.Stats(); st.Reachable != 1 {
			t.Fatalf("%s: %+v", p.name, st)
		}
	}
	checkInvariants(t, a)
	checkInvariants(t, b)
}

func TestCallerBlocks(t *testing.T) {
	a, b, _ := newPair(t, nil)
	for _, bad := range [][]garlic.Block{
		{garlic.DateTime{}},
		{garlic.AckRequest{}},
		{garlic.Termination{}},
		{garlic.Padding{}, blocks("x")[0]},
	} {
		if _, err := a.m.Encrypt(&b.key.Public, bad); !errors.Is(err, garlic.ErrOrder) {
			t.Errorf("Encrypt(%T) = %v", bad[0], err)
		}
	}
	if _, err := a.m.Encrypt(&b.key.Public, append(blocks("x"), garlic.Padding{Size: 100})); err != nil {
		t.Fatal(err)
	}
	huge := blocks(string(make([]byte, garlic.MaxFramePayloadSize)))
	if _, err := a.m.Encrypt(&b.key.Public, huge); err == nil {
		t.Fatal("oversized payload accepted")
	}
}

func TestClose(t *testing.T) {
	a, b, _ := newPair(t, nil)
	establish(t, a, b)
	body := seal(t, b, a, "x", SealOptions{}).Body
	if err := a.m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.m.Decrypt(body); !errors.Is(err, ErrClosed) {
		t.Fatalf("Decrypt after Close: %v", err)
	}
	if _, err := a.m.Encrypt(&b.key.Public, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Encrypt after Close: %v", err)
	}
	a.m.Tick()
	if st := a.m.Stats(); st.Tags != 0 || st.Reachable != 0 {
		t.Fatalf("state after Close: %+v", st)
	}
}

func TestTagSetExhaustedStartsNewSession(t *testing.T) {
	a, b, clk := newPair(t, nil)
	establish(t, a, b)
	for range 3 { // older than RestartAfter, so that Bob takes a new session
		clk.Advance(RestartAfter / 2)
		exchange(t, a, b, "keepalive", garlic.ExistingSession)
		exchange(t, b, a, "keepalive", garlic.ExistingSession)
	}
	inFlight := seal(t, b, a, "in flight", SealOptions{})
	s := primary(a, b)
	s.send.nextTag = MaxTagIndex + 1 // as if every tag had been used
	exchange(t, a, b, "new", garlic.NewSession)
	// What Bob sent to the old session still opens.
	open(t, a, inFlight.Body, "in flight")
	exchange(t, b, a, "reply", garlic.NewSessionReply)
	exchange(t, a, b, "es", garlic.ExistingSession)
	checkInvariants(t, a)
	checkInvariants(t, b)
}
