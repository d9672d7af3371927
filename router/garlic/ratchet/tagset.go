package ratchet

import (
	"slices"
	"time"

	"i2pgate/router/i2np"
)

// sendTagSet is an outbound tag set: the sender needs no stored tags, only
// the two chains (ecies.rst "4b)": "No additional tags must be stored").
type sendTagSet struct {
	chains
	id uint16
}

// newSendTagSet returns an outbound tag set on chains c that starts at
// index 1: index 0 is never sent. i2pd 2.45.1 (RatchetTagSet::GetSymmKey)
// keeps the keys it skips for later only from index 1 on, so when the
// message of index 0 of a new tag set reaches it after a later one (two
// tunnels, a burst right after the handshake or a DH ratchet) it logs
// "Missing symmetric key for index 0" and drops it. Without an index 0
// nothing can arrive late for it; the spec leaves the receiver's
// look-ahead to cover a missing index.
func newSendTagSet(c chains, id uint16) *sendTagSet {
	ts := &sendTagSet{chains: c, id: id}
	ts.tag()
	ts.key()
	return ts
}

// recvTagSet is an inbound tag set. Its tags from base to nextTag-1 sit in
// window, those not yet received also in the Manager's tag table; the
// symmetric key chain lags behind the tag chain and is only run forward
// when a message arrives, keeping the keys of skipped indexes (lost or
// reordered messages) in skipped until they arrive or fall behind base.
type recvTagSet struct {
	chains
	// origin is the chains at index 0, for diagnose.go.
	origin chains
	id     uint16
	sess   *session
	// nsr marks the NSR tag set of an outgoing New Session (Alice's).
	nsr bool
	// expires, when not zero, is when the whole tag set goes: a previous
	// tag set after a DH ratchet, an NSR tag set, or any tag set of a
	// session that was replaced.
	expires time.Time

	base    int
	window  []slot
	live    int
	skipped map[int][KeySize]byte
}

// slot is one generated tag; live means it is in the tag table.
type slot struct {
	tag  i2np.RatchetTag
	live bool
}

// tagRef is a tag table entry: the tag set and index of a tag.
type tagRef struct {
	ts  *recvTagSet
	idx uint16
}

// keyStep is the result of looking up the key of one index without
// changing the tag set; commitKey applies it once the message
// authenticated, so that a forged message changes nothing.
type keyStep struct {
	key   [KeySize]byte
	ahead bool // the chain moved: ck, from and skipped are valid
	ck    [KeySize]byte
	from  int
	// skipped are the keys of indexes from to idx-1.
	skipped [][KeySize]byte
}

// keyAt returns the key of index idx, which must be a live tag of ts.
func (ts *recvTagSet) keyAt(idx int) (keyStep, bool) {
	if idx < ts.nextKey {
		k, ok := ts.skipped[idx]
		return keyStep{key: k}, ok
	}
	st := keyStep{ahead: true, ck: ts.keyCK, from: ts.nextKey}
	for i := ts.nextKey; i <= idx; i++ {
		var k [KeySize]byte
		st.ck, k = hkdf64(&st.ck, nil, infoSymmetricRatchet)
		if i < idx {
			st.skipped = append(st.skipped, k)
		} else {
			st.key = k
		}
	}
	return st, true
}

// commitKey records that the key of idx was used.
func (ts *recvTagSet) commitKey(idx int, st keyStep) {
	if !st.ahead {
		delete(ts.skipped, idx)
		return
	}
	for i, k := range st.skipped {
		j := st.from + i
		if j < ts.base || !ts.window[j-ts.base].live {
			continue
		}
		if ts.skipped == nil {
			ts.skipped = make(map[int][KeySize]byte)
		}
		ts.skipped[j] = k
	}
	ts.keyCK, ts.nextKey = st.ck, idx+1
}

// expireAt sets the tag set to expire at t unless it expires earlier.
func (ts *recvTagSet) expireAt(t time.Time) {
	if ts.expires.IsZero() || t.Before(ts.expires) {
		ts.expires = t
	}
}

// newRecvTagSetLocked adds an empty inbound tag set to s.
func (m *Manager) newRecvTagSetLocked(s *session, c chains, id uint16, nsr bool) *recvTagSet {
	ts := &recvTagSet{chains: c, origin: c, id: id, sess: s, nsr: nsr}
	s.recv = append(s.recv, ts)
	return ts
}

// extendLocked generates up to n more tags of ts into the tag table,
// within the limits: the window of one tag set (its oldest tags make
// room), the tags of one session (tag sets on their way out make room)
// and the last index.
func (m *Manager) extendLocked(ts *recvTagSet, n int) {
	s := ts.sess
	for range n {
		if ts.exhausted() {
			return
		}
		if len(ts.window) >= m.lim.maxPerTagSet {
			m.trimLocked(ts, ts.base+1)
		}
		if s.live >= m.lim.maxPerSession && !m.shedLocked(s, ts) {
			return
		}
		tag, idx := ts.tag()
		live := false
		if _, taken := m.mu.tags[tag]; !taken { // a 2^-64 collision stays out
			m.mu.tags[tag] = tagRef{ts: ts, idx: uint16(idx)}
			live = true
			ts.live++
			s.live++
		}
		ts.window = append(ts.window, slot{tag: tag, live: live})
	}
}

// consumeLocked removes the received tag of index idx from the table.
func (m *Manager) consumeLocked(ts *recvTagSet, idx int) {
	i := idx - ts.base
	if i < 0 || i >= len(ts.window) || !ts.window[i].live {
		return
	}
	delete(m.mu.tags, ts.window[i].tag)
	ts.window[i].live = false
	ts.live--
	ts.sess.live--
}

// trimLocked forgets the tags and keys of ts below index newBase.
func (m *Manager) trimLocked(ts *recvTagSet, newBase int) {
	k := min(newBase-ts.base, len(ts.window))
	if k <= 0 {
		return
	}
	for i := range k {
		m.consumeLocked(ts, ts.base+i)
	}
	n := copy(ts.window, ts.window[k:])
	clear(ts.window[n:])
	ts.window = ts.window[:n]
	ts.base += k
	for j := range ts.skipped {
		if j < ts.base {
			delete(ts.skipped, j)
		}
	}
	if len(ts.skipped) == 0 {
		ts.skipped = nil
	}
}

// dropTagSetLocked removes ts from its session and its tags from the
// table.
func (m *Manager) dropTagSetLocked(ts *recvTagSet) {
	m.trimLocked(ts, ts.base+len(ts.window))
	ts.window, ts.skipped = nil, nil
	s := ts.sess
	if i := slices.Index(s.recv, ts); i >= 0 {
		s.recv = slices.Delete(s.recv, i, i+1)
	}
	if m.mu.last == ts {
		m.mu.last = nil
	}
	m.mu.dropped.add(ts, m.clock.Now())
	if s.current == ts {
		s.current = nil
	}
	if ts.nsr && s.state == stateEstablished {
		// No more NSRs can be read: the handshake state can go.
		s.dropHandshake()
	}
}

// shedLocked makes room in s by dropping its oldest tag set that is on its
// way out (one with an expiry), other than keep. It reports whether it
// dropped one.
func (m *Manager) shedLocked(s *session, keep *recvTagSet) bool {
	var victim *recvTagSet
	for _, ts := range s.recv {
		if ts == keep || ts.expires.IsZero() {
			continue
		}
		if victim == nil || ts.expires.Before(victim.expires) {
			victim = ts
		}
	}
	if victim == nil {
		return false
	}
	m.dropTagSetLocked(victim)
	return true
}

// refillLocked keeps the look-ahead of an ES tag set after the message of
// index idx arrived, as i2pd's HandleExistingSessionMessage does: up to
// min(LookAheadMin + idx/4, look-ahead) tags past idx; tags more than
// KeepBehind behind idx are forgotten (i2pd: the look-ahead).
func (m *Manager) refillLocked(ts *recvTagSet, idx int) {
	if ts.nsr {
		if ts.nextTag-idx < NSRTags/2 {
			m.extendLocked(ts, NSRTags)
		}
		return
	}
	want := min(LookAheadMin+idx/4, m.lim.lookAhead)
	if more := want - (ts.nextTag - idx); more > 0 {
		m.extendLocked(ts, more)
	}
	if behind := idx - m.lim.keepBehind; behind > ts.base {
		m.trimLocked(ts, behind)
	}
}
