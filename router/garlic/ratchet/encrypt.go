package ratchet

import (
	"fmt"
	"io"
	"time"

	"i2pgate/router/crypto"
	"i2pgate/router/garlic"
)

// SealOptions are the choices of one Seal.
type SealOptions struct {
	// RequestAck asks the remote to confirm the message. In an ES message
	// it is an ACK Request block answered by an ACK block; a New Session
	// is confirmed by a reply to it, a New Session Reply by the first ES
	// of the session. Decrypted.Acked reports the answer.
	RequestAck bool
}

// Sealed is one message made by Seal.
type Sealed struct {
	// Body is the Garlic message data (i2np.Garlic.Data).
	Body []byte
	// Kind is garlic.NewSession, garlic.NewSessionReply or
	// garlic.ExistingSession.
	Kind garlic.Kind
	// Ack names the ACK request when SealOptions.RequestAck was set.
	Ack AckID
}

// Encrypt is Seal without options; it returns the Garlic message data.
func (m *Manager) Encrypt(remote *crypto.X25519PublicKey, blocks []garlic.Block) ([]byte, error) {
	s, err := m.Seal(remote, blocks, SealOptions{})
	return s.Body, err
}

// Seal encrypts blocks to the destination whose lease set encryption key
// is remote, in the message its session calls for: a New Session when
// there is none (or it must be restarted, or our last one is unanswered:
// every retry is a new session), a New Session Reply while we answer
// theirs, else an Existing Session message. blocks may hold Garlic Clove,
// Options and a final Padding block; Seal adds DateTime to a New Session,
// ACK, NextKey and ACK Request blocks to ES messages as due, and random
// padding when blocks have none.
func (m *Manager) Seal(remote *crypto.X25519PublicKey, blocks []garlic.Block, opts SealOptions) (Sealed, error) {
	if err := checkCallerBlocks(blocks); err != nil {
		return Sealed{}, err
	}
	now := m.clock.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mu.closed {
		return Sealed{}, ErrClosed
	}
	s := m.mu.byRemote[*remote]
	switch {
	case s == nil || s.state == stateNSSent || s.inactive(now):
		return m.sealNSLocked(remote, blocks, opts, now)
	case s.state == stateEstablished && s.send.exhausted():
		// Out of tags and key IDs: a new session, while messages in
		// flight to this one still open.
		m.demoteLocked(s, now)
		return m.sealNSLocked(remote, blocks, opts, now)
	case s.state == stateEstablished:
		return m.sealESLocked(s, blocks, opts, nil, now)
	default:
		return m.sealNSRLocked(s, blocks, opts, now)
	}
}

// EncryptOneTime encrypts blocks to remote as a one-time New Session
// message without our static key (ecies.rst "1d)"): no session, no reply
// possible.
func (m *Manager) EncryptOneTime(remote *crypto.X25519PublicKey, blocks []garlic.Block) ([]byte, error) {
	if err := checkCallerBlocks(blocks); err != nil {
		return nil, err
	}
	now := m.clock.Now()
	m.mu.Lock() // also serialises the use of m.rand
	defer m.mu.Unlock()
	if m.mu.closed {
		return nil, ErrClosed
	}
	payload, err := m.payload(garlic.NewSession, now, blocks, nil)
	if err != nil {
		return nil, err
	}
	out, _, err := appendNS(make([]byte, 0, NSOverhead+garlic.BlocksLen(payload)), m.rand, remote, nil, blocksPayload(payload))
	if err != nil {
		return nil, err
	}
	m.mu.stats.SentNS++
	return out, nil
}

// Terminate ends the session with remote. If it is established the
// returned message carries blocks and a Termination block and should be
// sent; otherwise it is nil. The session is freed either way.
func (m *Manager) Terminate(remote *crypto.X25519PublicKey, blocks []garlic.Block) ([]byte, error) {
	if err := checkCallerBlocks(blocks); err != nil {
		return nil, err
	}
	now := m.clock.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mu.closed {
		return nil, ErrClosed
	}
	s := m.mu.byRemote[*remote]
	if s == nil {
		return nil, nil
	}
	defer m.removeLocked(s)
	if s.state != stateEstablished || s.send.exhausted() {
		return nil, nil
	}
	term := garlic.Termination{Reason: garlic.TerminationNormal}
	sealed, err := m.sealESLocked(s, blocks, SealOptions{}, &term, now)
	return sealed.Body, err
}

// checkCallerBlocks accepts Garlic Clove and Options blocks and one final
// Padding block.
func checkCallerBlocks(blocks []garlic.Block) error {
	for i, b := range blocks {
		switch b.Type() {
		case garlic.BlockGarlicClove, garlic.BlockOptions:
		case garlic.BlockPadding:
			if i == len(blocks)-1 {
				continue
			}
			return fmt.Errorf("ratchet: padding block at %d of %d: %w", i, len(blocks), garlic.ErrOrder)
		default:
			return fmt.Errorf("ratchet: block type %d is the session's to add: %w", b.Type(), garlic.ErrOrder)
		}
	}
	return nil
}

// payload assembles the blocks of a message of kind k: DateTime for a New
// Session, the caller's blocks without their padding, the session's
// blocks (extra), then the caller's padding or random padding.
func (m *Manager) payload(k garlic.Kind, now time.Time, blocks, extra []garlic.Block) ([]garlic.Block, error) {
	out := make([]garlic.Block, 0, len(blocks)+len(extra)+2)
	if k == garlic.NewSession {
		out = append(out, garlic.NewDateTime(now))
	}
	var pad garlic.Block
	for _, b := range blocks {
		if b.Type() == garlic.BlockPadding {
			pad = b
			continue
		}
		out = append(out, b)
	}
	out = append(out, extra...)
	if pad == nil {
		var b [1]byte
		if _, err := io.ReadFull(m.rand, b[:]); err != nil {
			return nil, fmt.Errorf("ratchet: padding: %w", err)
		}
		pad = garlic.Padding{Size: int(b[0]) % (MaxPadding + 1)}
	}
	out = append(out, pad)
	if err := garlic.CheckOrder(k, out); err != nil {
		return nil, err
	}
	if n := garlic.BlocksLen(out); n > garlic.MaxFramePayloadSize {
		return nil, fmt.Errorf("ratchet: payload of %d bytes: %w", n, garlic.ErrTooLarge)
	}
	return out, nil
}

// sealNSLocked starts a new outbound session with a New Session message.
// An unanswered earlier session stays reachable for its replies.
func (m *Manager) sealNSLocked(remote *crypto.X25519PublicKey, blocks []garlic.Block, opts SealOptions, now time.Time) (Sealed, error) {
	payload, err := m.payload(garlic.NewSession, now, blocks, nil)
	if err != nil {
		return Sealed{}, err
	}
	out, ns, err := appendNS(make([]byte, 0, NSOverhead+garlic.BlocksLen(payload)), m.rand, remote, &m.static, blocksPayload(payload))
	if err != nil {
		return Sealed{}, err
	}
	s := newSession(remote, stateNSSent)
	s.initiator = true
	s.hs, s.hasHS, s.eph = ns.hs, true, ns.eph
	s.lastSent = now
	ck := ns.hs.ChainingKey()
	ts := m.newRecvTagSetLocked(s, nsrChains(&ck), 0, true)
	ts.expireAt(now.Add(PreviousTagSetTimeout))
	m.registerLocked(s, now)
	m.extendLocked(ts, NSRTags)
	sealed := Sealed{Body: out, Kind: garlic.NewSession}
	if opts.RequestAck {
		sealed.Ack = m.newAckIDLocked()
		s.addWait(ackWait{id: sealed.Ack, kind: waitNSR})
	}
	m.mu.stats.SentNS++
	return sealed, nil
}

// sealNSRLocked answers the New Session of s. The first reply makes the
// ES tag sets of both directions; later ones reuse its ephemeral key with
// the next NSR tag, as i2pd's NextNewSessionReplyMessage does, so that
// every reply leads to the same tag sets.
func (m *Manager) sealNSRLocked(s *session, blocks []garlic.Block, opts SealOptions, now time.Time) (Sealed, error) {
	payload, err := m.payload(garlic.NewSessionReply, now, blocks, nil)
	if err != nil {
		return Sealed{}, err
	}
	first := s.state == stateNSReceived
	if first {
		eph, repr, err := crypto.GenerateElligatorKey(m.rand)
		if err != nil {
			return Sealed{}, fmt.Errorf("ratchet: new session reply: %w", err)
		}
		ck := s.hs.ChainingKey()
		c := nsrChains(&ck)
		s.eph, s.ephRepr, s.nsrOut = eph, repr, &c
	}
	if s.nsrOut.exhausted() {
		m.removeLocked(s)
		return m.sealNSLocked(&s.remote, blocks, opts, now)
	}
	tag, _ := s.nsrOut.tag()
	out, keys, err := appendNSR(make([]byte, 0, NSROverhead+garlic.BlocksLen(payload)), s.hs, tag, &s.eph, &s.ephRepr, &s.aepk, &s.remote, blocksPayload(payload))
	if err != nil {
		return Sealed{}, err
	}
	if first {
		s.send = newSendTagSet(newChains(&keys.ck, &keys.kba), 0)
		ts := m.newRecvTagSetLocked(s, newChains(&keys.ck, &keys.kab), 0, false)
		s.current = ts
		m.extendLocked(ts, LookAheadMin)
		s.state = stateNSRSent
		s.created = now
	}
	s.lastSent = now
	sealed := Sealed{Body: out, Kind: garlic.NewSessionReply}
	if opts.RequestAck {
		sealed.Ack = m.newAckIDLocked()
		s.addWait(ackWait{id: sealed.Ack, kind: waitES})
	}
	m.mu.stats.SentNSR++
	return sealed, nil
}

// sealESLocked sends an Existing Session message on the current outbound
// tag set, with the ACKs owed, the NextKey blocks of a DH ratchet in
// progress and term if set; it starts our next DH ratchet once the tag set
// has carried RatchetAfter messages.
func (m *Manager) sealESLocked(s *session, blocks []garlic.Block, opts SealOptions, term *garlic.Termination, now time.Time) (Sealed, error) {
	var extra []garlic.Block
	if opts.RequestAck {
		extra = append(extra, garlic.AckRequest{})
	}
	if len(s.acksOut) > 0 {
		extra = append(extra, garlic.Ack{Acks: s.acksOut})
	}
	if s.sendReverse && s.nextRecv != nil {
		extra = append(extra, s.reverseKeyBlock())
	}
	if s.sendForward && s.nextSend != nil {
		extra = append(extra, s.forwardKeyBlock())
	}
	if term != nil {
		extra = append(extra, *term)
	}
	payload, err := m.payload(garlic.ExistingSession, now, blocks, extra)
	if err != nil {
		return Sealed{}, err
	}
	ts := s.send
	keyIdx := ts.nextKey
	tag, idx := ts.tag()
	key := ts.key()
	if keyIdx != idx {
		return Sealed{}, fmt.Errorf("ratchet: existing session: tag %d with key %d", idx, keyIdx)
	}
	out, err := appendES(make([]byte, 0, ESOverhead+garlic.BlocksLen(payload)), tag, idx, &key, blocksPayload(payload))
	if err != nil {
		return Sealed{}, err
	}
	s.acksOut = nil
	s.sendReverse = false
	s.lastSent = now
	sealed := Sealed{Body: out, Kind: garlic.ExistingSession}
	if opts.RequestAck {
		sealed.Ack = m.newAckIDLocked()
		s.addWait(ackWait{id: sealed.Ack, kind: waitAck, tagSet: ts.id, n: uint16(idx)})
	}
	if idx >= m.lim.ratchetAfter && !s.sendForward {
		// Without new key IDs the tag set runs out and a new session
		// follows; the message itself is fine.
		_ = s.newNextSendRatchet(m)
	}
	m.mu.stats.SentES++
	return sealed, nil
}
