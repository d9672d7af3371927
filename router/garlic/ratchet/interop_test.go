package ratchet

import (
	"strings"
	"testing"

	"i2pgate/router/garlic"
)

// Cases seen against i2pd 2.45.1 under load: many streams opened at once
// (a burst of New Sessions before the first reply), messages reordered by
// the tunnels right after a new tag set begins, and bursts wider than the
// look-ahead.

// TestNewSessionBurst sends more New Sessions before the first reply than
// the Manager holds sessions. Bob, like i2pd, answers the first and then
// every later one on that same session (too young to be replaced): Alice
// must still read those replies, so the burst must not push out the
// session of her first New Session.
func TestNewSessionBurst(t *testing.T) {
	a, b, _ := newPair(t, nil)
	n := DefaultMaxSessions + 72
	var ns []Sealed
	for range n {
		ns = append(ns, seal(t, a, b, "syn", SealOptions{}))
	}
	open(t, b, ns[0].Body, "syn")
	first := seal(t, b, a, "syn ack", SealOptions{})
	if first.Kind != garlic.NewSessionReply {
		t.Fatalf("bob answers with %v", first.Kind)
	}
	var replies []Sealed
	for _, m := range ns[1:] {
		open(t, b, m.Body, "syn")
		replies = append(replies, seal(t, b, a, "syn ack", SealOptions{}))
	}
	if st := a.m.Stats(); st.Reachable > DefaultMaxSessions {
		t.Fatalf("alice holds %d sessions", st.Reachable)
	}
	open(t, a, first.Body, "syn ack")
	for i, r := range replies {
		if r.Kind != garlic.NewSessionReply {
			t.Fatalf("reply %d is %v", i, r.Kind)
		}
		open(t, a, r.Body, "syn ack")
	}
	exchange(t, a, b, "data", garlic.ExistingSession)
	exchange(t, b, a, "data", garlic.ExistingSession)
	checkInvariants(t, a)
	checkInvariants(t, b)
}

// TestNewSessionBurstLaterAnswered: Bob replaced his session with each New
// Session until he answered (i2pd replaces one that has not replied), so
// the reply comes for one in the middle of the burst.
func TestNewSessionBurstLaterAnswered(t *testing.T) {
	a, b, _ := newPair(t, nil)
	var ns []Sealed
	for range DefaultMaxSessions + 40 {
		ns = append(ns, seal(t, a, b, "syn", SealOptions{}))
	}
	for _, m := range ns[:30] {
		open(t, b, m.Body, "syn")
	}
	r := seal(t, b, a, "answer to the 30th", SealOptions{})
	for _, m := range ns[30:] {
		open(t, b, m.Body, "syn")
	}
	open(t, a, r.Body, "answer to the 30th")
	exchange(t, a, b, "data", garlic.ExistingSession)
	exchange(t, b, a, "data", garlic.ExistingSession)
}

// sentIndex is the tag index of the next ES p sends to q.
func sentIndex(p, q *peer) int {
	p.m.mu.Lock()
	defer p.m.mu.Unlock()
	return p.m.mu.byRemote[q.key.Public].send.nextTag
}

// TestNoIndexZero: no ES message uses index 0 of a tag set, neither the
// first tag sets after the handshake nor those after a DH ratchet. i2pd
// 2.45.1 loses the key of index 0 when a later index of the tag set
// arrives first ("Missing symmetric key for index 0").
func TestNoIndexZero(t *testing.T) {
	a, b, _ := newPair(t, func(c *Config) { c.RatchetAfter = 8 })
	exchange(t, a, b, "ns", garlic.NewSession)
	exchange(t, b, a, "nsr", garlic.NewSessionReply)
	sets := map[[2]uint16]bool{}
	for i := range 200 {
		p, q := a, b
		if i%3 == 2 {
			p, q = b, a
		}
		idx := sentIndex(p, q)
		if idx == 0 {
			t.Fatalf("message %d: %s sends index 0", i, p.name)
		}
		p.m.mu.Lock()
		id := p.m.mu.byRemote[q.key.Public].send.id
		p.m.mu.Unlock()
		sets[[2]uint16{uint16(i % 3 / 2), id}] = true
		exchange(t, p, q, "x", garlic.ExistingSession)
	}
	if len(sets) < 6 {
		t.Fatalf("only %d tag sets used: no DH ratchet", len(sets))
	}
}

// TestReorderAcrossRatchet delivers the first messages of each new tag set
// in reverse order, and the rest of the old tag set after the new one.
func TestReorderAcrossRatchet(t *testing.T) {
	a, b, _ := newPair(t, func(c *Config) { c.RatchetAfter = 16 })
	exchange(t, a, b, "ns", garlic.NewSession)
	exchange(t, b, a, "nsr", garlic.NewSessionReply)
	var first []Sealed
	for range 5 {
		first = append(first, seal(t, a, b, "first", SealOptions{}))
	}
	for i := len(first) - 1; i >= 0; i-- {
		open(t, b, first[i].Body, "first")
	}
	var old []Sealed
	for range 30 {
		old = append(old, seal(t, a, b, "old", SealOptions{}))
	}
	// Bob reads up to the forward key and answers with his reverse key.
	for _, m := range old[:20] {
		open(t, b, m.Body, "old")
	}
	exchange(t, b, a, "reverse", garlic.ExistingSession)
	var next []Sealed
	for range 10 {
		next = append(next, seal(t, a, b, "new", SealOptions{}))
	}
	for i := len(next) - 1; i >= 0; i-- {
		open(t, b, next[i].Body, "new")
	}
	for i := len(old) - 1; i >= 20; i-- {
		open(t, b, old[i].Body, "old")
	}
	exchange(t, b, a, "after", garlic.ExistingSession)
	exchange(t, a, b, "after", garlic.ExistingSession)
	checkInvariants(t, b)
}

// TestReorderedBurst: twenty streams from one i2pd destination share a tag
// set, and its messages reach us through several inbound tunnels of
// different delays: a run of them arrives far ahead of the ones before
// it, which must still open (i2pd keeps 320 tags behind and searches 320
// past its look-ahead).
func TestReorderedBurst(t *testing.T) {
	a, b, _ := newPair(t, nil)
	establish(t, a, b)
	var msgs []Sealed
	for range 800 {
		msgs = append(msgs, seal(t, a, b, "burst", SealOptions{}))
	}
	deliver := func(from, to int) {
		t.Helper()
		for i := from; i != to; {
			open(t, b, msgs[i].Body, "burst")
			if from < to {
				i++
			} else {
				i--
			}
		}
	}
	deliver(0, 400)   // in order
	deliver(600, 700) // a faster tunnel: 200 ahead
	deliver(599, 399) // the slow ones, last first
	deliver(700, 800)
	if st := b.m.Stats(); st.Found == 0 || st.Rejected != 0 {
		t.Fatalf("stats %+v", st)
	}
	exchange(t, a, b, "after", garlic.ExistingSession)
	checkInvariants(t, b)
}

// TestUnknownTagDiagnosis: a duplicate and a tag far past the windows are
// told apart in the stats and the error.
func TestUnknownTagDiagnosis(t *testing.T) {
	a, b, clk := newPair(t, nil)
	establish(t, a, b)
	m := seal(t, a, b, "once", SealOptions{})
	open(t, b, m.Body, "once")
	if _, err := b.m.Decrypt(m.Body); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Fatalf("duplicate: %v", err)
	}
	for range 3 * DefaultLookAhead {
		seal(t, a, b, "lost", SealOptions{})
	}
	far := seal(t, a, b, "far", SealOptions{})
	clk.Advance(probeInterval)
	if _, err := b.m.Decrypt(far.Body); err == nil || !strings.Contains(err.Error(), "past the last") {
		t.Fatalf("far: %v", err)
	}
	if st := b.m.Stats(); st.RejectedDuplicate != 1 || st.RejectedAhead != 1 || st.RejectedUnknown != 2 {
		t.Fatalf("stats %+v", st)
	}
}

// TestLateMessages: seen with i2pd under load, a handful of messages held
// up in one tunnel for seconds reach us about 1300 indexes after their
// neighbours; they must still open.
func TestLateMessages(t *testing.T) {
	a, b, _ := newPair(t, nil)
	establish(t, a, b)
	var msgs []Sealed
	for range 1600 {
		msgs = append(msgs, seal(t, a, b, "m", SealOptions{}))
	}
	late := map[int]bool{100: true, 101: true, 102: true, 103: true, 104: true, 105: true, 106: true}
	for i, m := range msgs {
		if !late[i] {
			open(t, b, m.Body, "m")
		}
	}
	for i := range late {
		open(t, b, msgs[i].Body, "m")
	}
	if st := b.m.Stats(); st.Rejected != 0 {
		t.Fatalf("stats %+v", st)
	}
	checkInvariants(t, b)
}
