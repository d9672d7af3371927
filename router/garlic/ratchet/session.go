package ratchet

import (
	"fmt"
	"time"

	"i2pgate/router/crypto"
	"i2pgate/router/crypto/noise"
	"i2pgate/router/garlic"
)

// state is where a session stands in the handshake.
type state uint8

const (
	// stateNSSent: Alice sent a New Session and waits for a reply.
	stateNSSent state = iota + 1
	// stateNSReceived: Bob read a New Session and has not replied.
	stateNSReceived
	// stateNSRSent: Bob replied and waits for Alice's first ES.
	stateNSRSent
	// stateEstablished: ES messages both ways.
	stateEstablished
)

// session is one bound session with a remote static key, in one of the
// two roles. Like i2pd's ECIESX25519AEADRatchetSession it lives as long as
// the Manager names it the remote's session (primary) or some of its
// inbound tags are still expected.
type session struct {
	remote  crypto.X25519PublicKey
	state   state
	primary bool
	// initiator: we sent the New Session (Alice's role).
	initiator bool
	// seq orders the sessions by creation (Manager.addLocked).
	seq uint64

	// Handshake: the New Session's symmetric state (Alice reads NSRs
	// with it while her NSR tag set lives; Bob builds his NSRs from it),
	// Alice's or Bob's ephemeral key pair, Bob's encoded NSR key and
	// Alice's ephemeral public key, and the tags of Bob's NSRs.
	hasHS   bool
	hs      noise.SymmetricState
	eph     crypto.X25519KeyPair
	ephRepr [crypto.ElligatorSize]byte
	aepk    crypto.X25519PublicKey
	nsrOut  *chains

	send *sendTagSet
	recv []*recvTagSet
	// current is the newest ES inbound tag set, the one the remote
	// sends on.
	current *recvTagSet
	live    int // tags of recv in the Manager's table

	// DH ratchet, as i2pd's m_NextSendRatchet / m_NextReceiveRatchet and
	// m_SendForwardKey / m_SendReverseKey.
	nextSend, nextRecv *dhRatchet
	sendForward        bool
	sendReverse        bool

	acksOut []garlic.AckEntry // owed to the remote
	waits   []ackWait         // our unanswered requests

	// created is when the handshake completed on our side (NSR sent or
	// received), zero before; it decides whether a newer session may
	// replace this one.
	created, lastRecv, lastSent time.Time
}

// dhRatchet is the next DH ratchet of one direction.
type dhRatchet struct {
	keyID     int
	newKey    bool
	hasKey    bool
	key       crypto.X25519KeyPair
	hasRemote bool
	remote    crypto.X25519PublicKey
}

// AckID names one ACK request. The zero AckID is no request.
type AckID uint32

type waitKind uint8

const (
	waitNSR waitKind = iota + 1 // an NS, answered by any NSR of its session
	waitES                      // an NSR, answered by Alice's first ES
	waitAck                     // an ES with an ACK Request block
)

type ackWait struct {
	id     AckID
	kind   waitKind
	tagSet uint16
	n      uint16
}

func newSession(remote *crypto.X25519PublicKey, st state) *session {
	return &session{remote: *remote, state: st}
}

// canRestart reports whether a newer session may replace s (i2pd
// CanBeRestarted; a session that has not completed its handshake always
// may).
func (s *session) canRestart(now time.Time) bool {
	return s.created.IsZero() || now.Sub(s.created) > RestartAfter
}

// inactive reports whether the next message should start a new session
// instead (i2pd IsInactive).
func (s *session) inactive(now time.Time) bool {
	return now.Sub(s.lastRecv) > InactivityTimeout && s.canRestart(now)
}

// expired reports whether Tick frees s (i2pd CheckExpired).
func (s *session) expired(now time.Time) bool {
	return now.Sub(s.lastRecv) > ReceiveExpiration && now.Sub(s.lastSent) > SendExpiration
}

// activity is the last time anything went either way.
func (s *session) activity() time.Time {
	if s.lastSent.After(s.lastRecv) {
		return s.lastSent
	}
	return s.lastRecv
}

// dropHandshake forgets the handshake secrets.
func (s *session) dropHandshake() {
	s.hasHS = false
	s.hs = noise.SymmetricState{}
	s.eph = crypto.X25519KeyPair{}
	s.nsrOut = nil
}

// addWait records an ACK request, forgetting the oldest beyond
// MaxAckWaits.
func (s *session) addWait(w ackWait) {
	if len(s.waits) >= MaxAckWaits {
		s.waits = append(s.waits[:0], s.waits[1:]...)
	}
	s.waits = append(s.waits, w)
}

// answered removes the waits that match and appends their IDs to dst.
func (s *session) answered(dst []AckID, match func(*ackWait) bool) []AckID {
	keep := s.waits[:0]
	for _, w := range s.waits {
		if match(&w) {
			dst = append(dst, w.id)
		} else {
			keep = append(keep, w)
		}
	}
	clear(s.waits[len(keep):])
	s.waits = keep
	return dst
}

// owe queues an ACK for the message n of tag set id.
func (s *session) owe(id uint16, n int) {
	if len(s.acksOut) >= MaxPendingAcks {
		s.acksOut = append(s.acksOut[:0], s.acksOut[1:]...)
	}
	s.acksOut = append(s.acksOut, garlic.AckEntry{TagSetID: id, N: uint16(n)})
}

// newNextSendRatchet prepares the next forward key, as i2pd's
// NewNextSendRatchet: key IDs go 0 (new key, reverse requested), 1 (new
// key), 1 (old key, reverse requested), 2 (new key), 2 (old key, ...).
// It reports false when the key IDs are used up.
func (s *session) newNextSendRatchet(m *Manager) error {
	r := s.nextSend
	switch {
	case r == nil:
		r = &dhRatchet{newKey: true}
	case !r.newKey || r.keyID == 0:
		if r.keyID >= garlic.MaxKeyID {
			return fmt.Errorf("ratchet: next key: key ids used up")
		}
		r.keyID++
		r.newKey = true
	default:
		r.newKey = false
	}
	if r.newKey {
		k, err := crypto.GenerateX25519(m.rand)
		if err != nil {
			return fmt.Errorf("ratchet: next key: %w", err)
		}
		r.key, r.hasKey = k, true
	}
	s.nextSend = r
	s.sendForward = true
	return nil
}

// forwardKeyBlock is the NextKey block the tag sender repeats until the
// reverse key arrives.
func (s *session) forwardKeyBlock() garlic.NextKey {
	r := s.nextSend
	nk := garlic.NextKey{HasKey: r.newKey, KeyID: uint16(r.keyID)}
	nk.RequestReverse = !r.newKey || r.keyID == 0
	if r.newKey {
		nk.Key = r.key.Public
	}
	return nk
}

// reverseKeyBlock is the NextKey block the tag receiver answers with: his
// new key with the sender's key ID, or the ID of his old key.
func (s *session) reverseKeyBlock() garlic.NextKey {
	r := s.nextRecv
	nk := garlic.NextKey{Reverse: true, HasKey: r.newKey, KeyID: uint16(max(r.keyID-1, 0))}
	if r.newKey {
		nk.KeyID = uint16(r.keyID)
		nk.Key = r.key.Public
	}
	return nk
}

// handleNextKeyLocked acts on a NextKey block that came on ts (i2pd
// HandleNextKey). A reverse key completes our outbound ratchet; a forward
// key makes a new inbound tag set and queues our reverse key. Blocks that
// do not fit the exchange in progress are ignored, as i2pd does.
func (m *Manager) handleNextKeyLocked(s *session, ts *recvTagSet, nk garlic.NextKey, now time.Time) {
	if nk.Reverse {
		m.reverseKeyLocked(s, nk)
		return
	}
	kid := int(nk.KeyID)
	if kid > garlic.MaxKeyID {
		return
	}
	r := s.nextRecv
	if r != nil && kid == r.keyID && nk.RequestReverse == r.newKey {
		// A repeat: our reverse key was lost or is on its way.
		s.sendReverse = true
		return
	}
	if r == nil {
		r = &dhRatchet{}
	}
	if !nk.RequestReverse && !r.hasKey {
		return // asked to reuse a key we never made
	}
	if !nk.HasKey && !r.hasRemote {
		return
	}
	next := *r
	next.keyID = kid
	id := 2 * kid
	if nk.RequestReverse {
		k, err := crypto.GenerateX25519(m.rand)
		if err != nil {
			return
		}
		next.key, next.hasKey, next.newKey = k, true, true
		id++
	} else {
		next.newKey = false
	}
	if nk.HasKey {
		next.remote, next.hasRemote = nk.Key, true
	}
	shared, err := crypto.X25519(&next.key.Private, &next.remote)
	if err != nil {
		return
	}
	s.nextRecv = &next
	s.sendReverse = true
	nts := m.newRecvTagSetLocked(s, ratchetChains(&ts.nextRoot, &shared), uint16(id), false)
	s.current = nts
	ts.expireAt(now.Add(PreviousTagSetTimeout))
	m.extendLocked(nts, m.lim.lookAhead)
}

// reverseKeyLocked completes our outbound DH ratchet with the tag
// receiver's reverse key (or the ID of his old one).
func (m *Manager) reverseKeyLocked(s *session, nk garlic.NextKey) {
	r := s.nextSend
	if !s.sendForward || r == nil || s.send == nil {
		return
	}
	kid := int(nk.KeyID)
	ok := ((!r.newKey || r.keyID == 0) && kid == r.keyID) || (r.newKey && kid == r.keyID-1)
	if !ok {
		return
	}
	remote, hasRemote := r.remote, r.hasRemote
	if nk.HasKey {
		remote, hasRemote = nk.Key, true
	}
	if !hasRemote {
		return
	}
	shared, err := crypto.X25519(&r.key.Private, &remote)
	if err != nil {
		return
	}
	id := 1 + r.keyID + kid
	if id > MaxTagSetID {
		return
	}
	r.remote, r.hasRemote = remote, true
	s.send = newSendTagSet(ratchetChains(&s.send.nextRoot, &shared), uint16(id))
	s.sendForward = false
}

// MaxTagSetID is the last tag set ID (ecies.rst "KEY AND TAG SET IDS").
const MaxTagSetID = 65535
