package ratchet

import (
	cryptorand "crypto/rand"
	"errors"
	"io"
	"sync"
	"time"

	"i2pgate/router/clock"
	"i2pgate/router/crypto"
	"i2pgate/router/crypto/noise"
	"i2pgate/router/garlic"
	"i2pgate/router/i2np"
)

// ErrClosed is returned by a Manager after Close.
var ErrClosed = errors.New("ratchet: manager closed")

// Manager runs the ratchet sessions of one local destination. It is a
// state machine over byte slices: Encrypt and Seal make the Garlic message
// data to a remote, Decrypt opens what arrives, Tick expires. It starts no
// goroutine and is safe for concurrent use.
type Manager struct {
	static crypto.X25519KeyPair
	clock  clock.Clock
	rand   io.Reader
	lim    limits
	// init is initState(&static.Public), copied for every New Session
	// we read.
	init   noise.SymmetricState
	replay *i2np.DupFilter

	// mu guards the fields below.
	mu struct {
		sync.Mutex
		closed   bool
		byRemote map[crypto.X25519PublicKey]*session // the primary session
		all      map[*session]struct{}               // primary or still reachable
		tags     map[i2np.RatchetTag]tagRef
		// last is the tag set the last ES came on; a message with an
		// unknown tag may be a little beyond its look-ahead.
		last    *recvTagSet
		nextAck AckID
		nextSeq uint64 // numbers the sessions in the order they were made
		// recent are the tags received last and lastProbe the last
		// search for an unknown tag (diagnose.go).
		recent    tagRing
		dropped   droppedSets
		lastProbe time.Time
		stats     Stats
	}
}

// Stats describe a Manager's state and traffic.
type Stats struct {
	// Sessions counts the remotes with a session, Reachable also the
	// replaced sessions whose inbound tags are still expected.
	Sessions, Reachable int
	// Tags is the number of inbound tags expected.
	Tags int
	// Sent and Received count messages by kind.
	SentNS, SentNSR, SentES             uint64
	ReceivedNS, ReceivedNSR, ReceivedES uint64
	// Rejected counts messages Decrypt refused; the counts below say
	// why (a message is in one of them).
	Rejected uint64
	// RejectedES and RejectedNSR count messages whose tag we expected
	// but that did not authenticate (or whose NSR handshake state was
	// gone).
	RejectedES, RejectedNSR uint64
	// RejectedUnknown counts messages with no expected tag that were
	// not a New Session to us either: late ones whose tag set or
	// session is gone, ones beyond the look-ahead, or not ours at all
	// (a router's garlic through our tunnels).
	RejectedUnknown uint64
	// Of RejectedUnknown: RejectedDuplicate had a tag among the last
	// ones received, RejectedAhead one of an inbound tag set past what
	// was generated (found by an occasional diagnostic search).
	RejectedDuplicate, RejectedAhead uint64
	// RejectedReplay counts New Sessions refused by the replay filter
	// or the DateTime window; RejectedMalformed authentic messages
	// whose payload did not parse.
	RejectedReplay, RejectedMalformed uint64
	// Found counts ES messages whose tag was past the look-ahead and
	// found by a search.
	Found uint64
	// Evicted counts sessions freed because the Manager was full.
	Evicted uint64
}

// NewManager returns a Manager for cfg.
func NewManager(cfg Config) *Manager {
	m := &Manager{
		static: cfg.Static,
		clock:  clock.Or(cfg.Clock),
		rand:   cfg.Rand,
		lim:    cfg.limits(),
		init:   initState(&cfg.Static.Public),
		replay: i2np.NewDupFilter(garlic.ReplayFilterCapacity),
	}
	if m.rand == nil {
		m.rand = cryptorand.Reader
	}
	m.mu.byRemote = make(map[crypto.X25519PublicKey]*session)
	m.mu.all = make(map[*session]struct{})
	m.mu.tags = make(map[i2np.RatchetTag]tagRef)
	return m
}

// Close frees every session. It is idempotent; afterwards every method
// returns ErrClosed or nothing.
func (m *Manager) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mu.closed {
		return nil
	}
	m.mu.closed = true
	for s := range m.mu.all {
		m.removeLocked(s)
	}
	clear(m.mu.tags)
	return nil
}

// Stats returns the current counts.
func (m *Manager) Stats() Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.mu.stats
	st.Sessions = len(m.mu.byRemote)
	st.Reachable = len(m.mu.all)
	st.Tags = len(m.mu.tags)
	return st
}

// Established reports whether the session with remote exchanges Existing
// Session messages: on Alice's side an NSR came back, on Bob's an ES.
func (m *Manager) Established(remote *crypto.X25519PublicKey) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.mu.byRemote[*remote]
	return s != nil && s.state == stateEstablished
}

// Remove forgets the session with remote and its tags, as when the remote
// is known to be gone.
func (m *Manager) Remove(remote *crypto.X25519PublicKey) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s := m.mu.byRemote[*remote]; s != nil {
		m.removeLocked(s)
	}
}

// Tick frees what has expired: sessions idle past SendExpiration and
// ReceiveExpiration, tag sets past their expiry, and replaced sessions
// left with no tag set. Call it every few tens of seconds.
func (m *Manager) Tick() {
	now := m.clock.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mu.closed {
		return
	}
	for s := range m.mu.all {
		if s.primary && s.expired(now) {
			m.removeLocked(s)
			continue
		}
		for i := 0; i < len(s.recv); {
			ts := s.recv[i]
			if !ts.expires.IsZero() && now.After(ts.expires) {
				m.dropTagSetLocked(ts)
				continue
			}
			i++
		}
		if s.state == stateNSSent && len(s.recv) == 0 {
			// No NSR can be read any more.
			m.removeLocked(s)
			continue
		}
		if !s.primary && len(s.recv) == 0 {
			m.removeLocked(s)
		}
	}
}

// registerLocked makes s the primary session of its remote unless the
// current one is too young to be replaced (i2pd AddECIESx25519Session).
// Either way s is counted in all. It reports whether s became primary.
func (m *Manager) registerLocked(s *session, now time.Time) bool {
	m.addLocked(s)
	old := m.mu.byRemote[s.remote]
	if old == s {
		return true
	}
	if old != nil {
		if !old.canRestart(now) {
			return false
		}
		m.demoteLocked(old, now)
	}
	m.mu.byRemote[s.remote] = s
	s.primary = true
	return true
}

// addLocked counts s among the sessions, evicting one if that makes too
// many.
func (m *Manager) addLocked(s *session) {
	if _, ok := m.mu.all[s]; ok {
		return
	}
	m.mu.nextSeq++
	s.seq = m.mu.nextSeq
	m.mu.all[s] = struct{}{}
	if len(m.mu.all) > m.lim.maxSessions {
		if v := m.victimLocked(s); v != nil {
			m.removeLocked(v)
			m.mu.stats.Evicted++
		}
	}
}

// victimLocked picks the session to evict, never keep. By class (see
// evictClass): sessions that no longer matter much go first, the one idle
// longest; then the unanswered New Sessions of a remote we have no session
// with, the newest first (i2pd answers all our New Sessions on the session
// of the first one it replied to, which is among the first we sent, so a
// burst of New Sessions must not push those out); then sessions in their
// handshake (a flood of New Sessions evicts its own kind); established
// ones last.
func (m *Manager) victimLocked(keep *session) *session {
	var victim *session
	vc := 0
	for s := range m.mu.all {
		if s == keep {
			continue
		}
		c := m.evictClassLocked(s)
		switch {
		case victim == nil || c < vc:
		case c > vc:
			continue
		case c == evictPendingNS:
			if s.seq < victim.seq {
				continue
			}
		case !s.activity().Before(victim.activity()):
			continue
		}
		victim, vc = s, c
	}
	return victim
}

// Eviction classes, lowest evicted first.
const (
	// evictReplaced: a replaced session, or an unanswered New Session
	// to a remote we have an established session with.
	evictReplaced = iota
	// evictPendingNS: an unanswered New Session, not the latest, to a
	// remote we have no established session with.
	evictPendingNS
	// evictHandshake: the primary session of a remote, in its handshake.
	evictHandshake
	// evictEstablished: the primary session, established.
	evictEstablished
)

func (m *Manager) evictClassLocked(s *session) int {
	switch {
	case s.primary && s.state == stateEstablished:
		return evictEstablished
	case s.primary:
		return evictHandshake
	case s.state == stateNSSent:
		if p := m.mu.byRemote[s.remote]; p == nil || p.state != stateEstablished {
			return evictPendingNS
		}
	}
	return evictReplaced
}

// promoteLocked makes s the primary session of its remote, whatever the
// current one, and keeps its current inbound tag set.
func (m *Manager) promoteLocked(s *session, now time.Time) {
	if old := m.mu.byRemote[s.remote]; old != nil && old != s {
		m.demoteLocked(old, now)
	}
	m.mu.byRemote[s.remote] = s
	s.primary = true
	if s.current != nil {
		s.current.expires = time.Time{}
	}
}

// demoteLocked takes s out of byRemote; its inbound tag sets stay until
// PreviousTagSetTimeout so that messages in flight still open.
func (m *Manager) demoteLocked(s *session, now time.Time) {
	if m.mu.byRemote[s.remote] == s {
		delete(m.mu.byRemote, s.remote)
	}
	s.primary = false
	if len(s.recv) == 0 {
		m.removeLocked(s)
		return
	}
	for _, ts := range s.recv {
		ts.expireAt(now.Add(PreviousTagSetTimeout))
	}
}

// removeLocked frees s and all its tags.
func (m *Manager) removeLocked(s *session) {
	for len(s.recv) > 0 {
		m.dropTagSetLocked(s.recv[len(s.recv)-1])
	}
	if s.primary && m.mu.byRemote[s.remote] == s {
		delete(m.mu.byRemote, s.remote)
	}
	s.primary = false
	delete(m.mu.all, s)
	s.dropHandshake()
	s.send, s.nextSend, s.nextRecv = nil, nil, nil
	s.acksOut, s.waits = nil, nil
}

// newAckIDLocked returns a fresh nonzero AckID.
func (m *Manager) newAckIDLocked() AckID {
	m.mu.nextAck++
	if m.mu.nextAck == 0 {
		m.mu.nextAck++
	}
	return m.mu.nextAck
}
