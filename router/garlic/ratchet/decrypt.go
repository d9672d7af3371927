package ratchet

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"i2pgate/router/crypto"
	"i2pgate/router/garlic"
	"i2pgate/router/i2np"
)

// Decrypted is the content of one Garlic message to us.
type Decrypted struct {
	// Kind is garlic.NewSession, garlic.NewSessionReply or
	// garlic.ExistingSession.
	Kind garlic.Kind
	// Remote is the sender's static key when Bound: always for NSR and
	// ES, for a New Session when it carried one. The caller should check
	// that it belongs to the sender's lease set before trusting a
	// binding it has no other reason to believe.
	Remote crypto.X25519PublicKey
	Bound  bool
	// Blocks are all payload blocks; they alias a buffer of their own.
	Blocks []garlic.Block
	// Acked names our ACK requests this message answered.
	Acked []AckID
	// NeedsReply is set when the protocol wants a message back soon (a
	// bound New Session or a Reply, an ACK Request, a forward NextKey):
	// if the caller has nothing to send, Encrypt(Remote, nil) makes one.
	NeedsReply bool
	// Terminated is set when the remote ended the session; it is gone.
	Terminated bool
}

// Cloves returns the Garlic Clove blocks of d.
func (d Decrypted) Cloves() []garlic.Clove { return garlic.Cloves(d.Blocks) }

// Decrypt opens body, the data of a Garlic message sent to our
// destination (i2np.Garlic.Data): a tag we expect makes it an ES message
// or an NSR, otherwise it is tried as a New Session. Failures are
// garlic.ErrDecrypt (not for us, or forged), garlic.ErrReplay (a New
// Session seen before or outside the DateTime window), or the parse
// errors of garlic.ParseBlocks and garlic.CheckOrder for authentic but
// malformed payloads.
func (m *Manager) Decrypt(body []byte) (Decrypted, error) {
	now := m.clock.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mu.closed {
		return Decrypted{}, ErrClosed
	}
	d, err := m.decryptLocked(body, now)
	if err != nil {
		m.mu.stats.Rejected++
		if errors.Is(err, garlic.ErrReplay) {
			m.mu.stats.RejectedReplay++
		} else if !errors.Is(err, garlic.ErrDecrypt) {
			m.mu.stats.RejectedMalformed++
		}
	}
	return d, err
}

func (m *Manager) decryptLocked(body []byte, now time.Time) (Decrypted, error) {
	var tag i2np.RatchetTag
	if len(body) >= MinESSize {
		copy(tag[:], body)
		if ref, ok := m.mu.tags[tag]; ok {
			if ref.ts.nsr {
				return m.openNSRLocked(ref, body, now)
			}
			return m.openESLocked(ref, body, now)
		}
	}
	d, err := m.openNSLocked(body, now)
	if err == nil || !errors.Is(err, garlic.ErrDecrypt) {
		return d, err
	}
	if len(body) < MinESSize {
		m.mu.stats.RejectedUnknown++
		return d, err
	}
	if ref, ok := m.searchLocked(tag); ok {
		return m.openESLocked(ref, body, now)
	}
	m.mu.stats.RejectedUnknown++
	return Decrypted{}, fmt.Errorf("ratchet: no session has tag %x (%s) and not a new session: %w", tag[:], m.diagnoseLocked(tag, now), garlic.ErrDecrypt)
}

// searchLocked looks for tag a little beyond the look-ahead of the tag set
// the last ES came on, as i2pd does when neither the tag table nor a New
// Session fits: up to one look-ahead of new tags, while the tag set's
// window has room (a search never pushes out tags not yet received). The
// tag set is not searched again until another ES arrives on it.
func (m *Manager) searchLocked(tag i2np.RatchetTag) (tagRef, bool) {
	ts := m.mu.last
	if ts == nil {
		return tagRef{}, false
	}
	m.mu.last = nil
	for range m.lim.lookAhead {
		if len(ts.window) >= m.lim.maxPerTagSet {
			return tagRef{}, false
		}
		before := ts.nextTag
		m.extendLocked(ts, 1)
		if ts.nextTag == before {
			return tagRef{}, false
		}
		if ref, ok := m.mu.tags[tag]; ok {
			m.mu.stats.Found++
			return ref, true
		}
	}
	return tagRef{}, false
}

// openNSLocked reads a New Session message (Bob's side). A bound one makes
// a session that answers with an NSR, unless the remote's session is too
// young to be replaced (then the payload is still delivered).
func (m *Manager) openNSLocked(body []byte, now time.Time) (Decrypted, error) {
	in, err := openNS(&m.init, &m.static, body)
	if err != nil {
		return Decrypted{}, err
	}
	blocks, err := parse(garlic.NewSession, in.payload)
	if err != nil {
		return Decrypted{}, err
	}
	if err := m.checkFresh(in.aepk[:], blocks[0].(garlic.DateTime), now); err != nil {
		return Decrypted{}, err
	}
	m.mu.stats.ReceivedNS++
	d := Decrypted{Kind: garlic.NewSession, Blocks: blocks}
	if !in.bound {
		return d, nil
	}
	d.Remote, d.Bound, d.NeedsReply = in.remote, true, true
	if old := m.mu.byRemote[in.remote]; old != nil && !old.canRestart(now) {
		// A retry, or a restart the remote will repeat: the current
		// session answers (i2pd keeps it for RestartAfter too).
		return d, nil
	}
	s := newSession(&in.remote, stateNSReceived)
	s.hs, s.hasHS, s.aepk = in.hs, true, in.aepk
	s.lastRecv = now
	m.registerLocked(s, now)
	return d, nil
}

// checkFresh applies the DateTime window and the ephemeral-key replay
// filter of ecies.rst "DateTime", as garlic.Decrypter does for routers.
func (m *Manager) checkFresh(ephemeral []byte, dt garlic.DateTime, now time.Time) error {
	t := dt.Time()
	if t.Before(now.Add(-garlic.DateTimeMaxAge)) || t.After(now.Add(garlic.DateTimeMaxFuture)) {
		return fmt.Errorf("ratchet: new session: datetime %v at %v: %w", t, now.UTC(), garlic.ErrReplay)
	}
	if m.replay.DuplicateKey(ephemeral, t.Add(garlic.DateTimeMaxAge-i2np.ClockSkew), now) {
		return fmt.Errorf("ratchet: new session: ephemeral key seen: %w", garlic.ErrReplay)
	}
	return nil
}

// openNSRLocked reads a New Session Reply (Alice's side). The first one
// makes the ES tag sets and the session established; later ones (lost
// order, or several replies) only deliver their payload.
func (m *Manager) openNSRLocked(ref tagRef, body []byte, now time.Time) (Decrypted, error) {
	ts := ref.ts
	s := ts.sess
	if !s.hasHS {
		m.mu.stats.RejectedNSR++
		return Decrypted{}, fmt.Errorf("ratchet: new session reply: handshake state gone: %w", garlic.ErrDecrypt)
	}
	pt, keys, err := openNSR(s.hs, &s.eph.Private, &m.static.Private, body)
	if err != nil {
		m.mu.stats.RejectedNSR++
		return Decrypted{}, err
	}
	idx := int(ref.idx)
	m.consumeLocked(ts, idx)
	m.refillLocked(ts, idx)
	m.mu.recent.add(i2np.RatchetTag(body[:TagSize]))
	s.lastRecv = now
	m.mu.stats.ReceivedNSR++
	blocks, err := parse(garlic.NewSessionReply, pt)
	if err != nil {
		return Decrypted{}, err
	}
	d := Decrypted{Kind: garlic.NewSessionReply, Remote: s.remote, Bound: true, Blocks: blocks, NeedsReply: true}
	if s.state == stateNSSent {
		s.send = newSendTagSet(newChains(&keys.ck, &keys.kab), 0)
		rts := m.newRecvTagSetLocked(s, newChains(&keys.ck, &keys.kba), 0, false)
		s.current = rts
		m.extendLocked(rts, LookAheadMin)
		s.state = stateEstablished
		s.created = now
		d.Acked = s.answered(d.Acked, func(w *ackWait) bool { return w.kind == waitNSR })
		if !m.registerLocked(s, now) {
			if p := m.mu.byRemote[s.remote]; p != nil && p.state == stateNSRSent {
				// Both sides opened at once and we answered theirs:
				// ours is complete, theirs waits for an ES, so use
				// ours (the remote's session for it takes our ES).
				m.promoteLocked(s, now)
			}
		}
	}
	return d, nil
}

// openESLocked reads an Existing Session message and acts on its protocol
// blocks.
func (m *Manager) openESLocked(ref tagRef, body []byte, now time.Time) (Decrypted, error) {
	ts := ref.ts
	s := ts.sess
	idx := int(ref.idx)
	st, ok := ts.keyAt(idx)
	if !ok {
		m.mu.stats.RejectedES++
		return Decrypted{}, fmt.Errorf("ratchet: existing session: no key for tag %d of tag set %d: %w", idx, ts.id, garlic.ErrDecrypt)
	}
	pt, err := openES(&st.key, idx, body)
	if err != nil {
		m.mu.stats.RejectedES++
		return Decrypted{}, fmt.Errorf("ratchet: tag %d of tag set %d: %w", idx, ts.id, err)
	}
	ts.commitKey(idx, st)
	m.consumeLocked(ts, idx)
	m.mu.recent.add(i2np.RatchetTag(body[:TagSize]))
	m.refillLocked(ts, idx)
	m.mu.last = ts
	s.lastRecv = now
	m.mu.stats.ReceivedES++
	blocks, err := parse(garlic.ExistingSession, pt)
	if err != nil {
		return Decrypted{}, err
	}
	d := Decrypted{Kind: garlic.ExistingSession, Remote: s.remote, Bound: true, Blocks: blocks}
	if s.state == stateNSRSent {
		// Alice has our reply: ES from now on, and no more NSRs.
		s.state = stateEstablished
		s.dropHandshake()
		d.Acked = s.answered(d.Acked, func(w *ackWait) bool { return w.kind == waitES })
	}
	if !s.primary && ts == s.current && m.adoptable(s) {
		m.promoteLocked(s, now)
	}
	terminated := false
	for _, b := range blocks {
		switch b := b.(type) {
		case garlic.NextKey:
			m.handleNextKeyLocked(s, ts, b, now)
			if !b.Reverse {
				d.NeedsReply = true // the reverse key goes back
			}
		case garlic.Ack:
			for _, e := range b.Acks {
				d.Acked = s.answered(d.Acked, func(w *ackWait) bool {
					return w.kind == waitAck && w.tagSet == e.TagSetID && w.n == e.N
				})
			}
		case garlic.AckRequest:
			s.owe(ts.id, idx)
			d.NeedsReply = true
		case garlic.Termination:
			terminated = true
		}
	}
	if terminated {
		m.removeLocked(s)
		d.Terminated, d.NeedsReply = true, false
	}
	return d, nil
}

// parse decodes a payload and checks the ordering rules of kind k.
func parse(k garlic.Kind, pt []byte) ([]garlic.Block, error) {
	blocks, err := garlic.ParseBlocks(pt)
	if err != nil {
		return nil, err
	}
	if err := garlic.CheckOrder(k, blocks); err != nil {
		return nil, err
	}
	return blocks, nil
}

// adoptable reports whether s, a replaced session on which the remote
// still sends ES messages, should be the remote's session again: when the
// remote has none, when ours is an unanswered New Session (the remote did
// not restart: i2pd keeps using a session that receives), or after a
// simultaneous open, where each side has an Alice and a Bob session with
// the other. Then both sides settle on the pair opened by the side with
// the smaller static key.
func (m *Manager) adoptable(s *session) bool {
	if s.state != stateEstablished || s.send == nil || s.send.exhausted() {
		return false
	}
	p := m.mu.byRemote[s.remote]
	switch {
	case p == nil || p.state == stateNSSent:
		return true
	case p.state != stateEstablished || p.initiator == s.initiator:
		return false
	}
	weOpenedWinner := bytes.Compare(m.static.Public[:], s.remote[:]) < 0
	return s.initiator == weOpenedWinner
}
