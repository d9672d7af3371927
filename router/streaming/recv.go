package streaming

import (
	"fmt"
	"slices"
	"time"
)

// recvState is the receiving half of a connection: data waiting for Read,
// packets that came out of order, and what to acknowledge. Guarded by
// Conn.mu.
type recvState struct {
	limit    int      // ReceiveBuffer
	oooLimit int      // OutOfOrderBuffer
	budget   *budget  // the Manager's OutOfOrderBudget
	next     uint32   // next expected sequence number; 0 before the SYN
	chunks   [][]byte // in order, waiting for Read
	bytes    int      // bytes in chunks
	ooo      map[uint32]oooPacket
	oooBytes int
	oooPeer  uint32 // outbound: the stream ID the out-of-order packets named

	remoteClosed bool
	discarding   bool // closed locally: data is ACKed and dropped
	ackNow       bool // send an ACK at the end of this locked section
	choking      bool // we dropped data for lack of room and told the peer
}

type oooPacket struct {
	payload []byte
	flags   uint16
}

func (r *recvState) read(b []byte) int {
	n := 0
	for n < len(b) && len(r.chunks) > 0 {
		k := copy(b[n:], r.chunks[0])
		n += k
		if k == len(r.chunks[0]) {
			r.chunks[0] = nil
			r.chunks = r.chunks[1:]
		} else {
			r.chunks[0] = r.chunks[0][k:]
		}
	}
	r.bytes -= n
	if len(r.chunks) == 0 {
		r.chunks = nil
	}
	return n
}

// discard drops unread data; later data is dropped on arrival.
func (r *recvState) discard() {
	r.chunks, r.bytes = nil, 0
	r.discarding = true
}

func (r *recvState) drop() {
	r.discard()
	r.clearOOO()
}

// clearOOO forgets the out-of-order packets and gives their bytes back to
// the budget.
func (r *recvState) clearOOO() {
	r.budget.release(r.oooBytes)
	r.ooo, r.oooBytes = nil, 0
}

// fits reports whether n more bytes may be kept in order: the reader must
// make room beyond the receive buffer.
func (r *recvState) fits(n int) bool {
	return r.discarding || r.bytes+n <= r.limit
}

// fitsOOO reports whether n more out-of-order bytes may be kept, and if so
// takes them from the budget; store adds them to oooBytes.
func (r *recvState) fitsOOO(n int) bool {
	if r.discarding || n == 0 {
		return true
	}
	return r.oooBytes+n <= r.oooLimit && r.budget.take(n)
}

// deliver appends an in-order packet's data and advances next.
func (r *recvState) deliver(payload []byte, flags uint16) {
	if len(payload) > 0 && !r.discarding {
		r.chunks = append(r.chunks, payload)
		r.bytes += len(payload)
	}
	r.next++
	if flags&FlagClose != 0 {
		r.remoteClosed = true
		r.ackNow = true
	}
}

// drain delivers the stored packets that are now in order.
func (r *recvState) drain() {
	for {
		q, ok := r.ooo[r.next]
		if !ok {
			return
		}
		delete(r.ooo, r.next)
		r.oooBytes -= len(q.payload)
		r.budget.release(len(q.payload))
		r.deliver(q.payload, q.flags)
	}
}

// hasOOO reports whether the out-of-order packet seq is kept.
func (r *recvState) hasOOO(seq uint32) bool {
	_, ok := r.ooo[seq]
	return ok
}

// store keeps an out-of-order packet whose bytes fitsOOO took; it reports
// false if it had it.
func (r *recvState) store(seq uint32, payload []byte, flags uint16) bool {
	if _, dup := r.ooo[seq]; dup {
		if !r.discarding {
			r.budget.release(len(payload))
		}
		return false
	}
	if r.ooo == nil {
		r.ooo = make(map[uint32]oooPacket)
	}
	if r.discarding {
		payload = nil
	}
	r.ooo[seq] = oooPacket{payload: clone(payload), flags: flags}
	r.oooBytes += len(payload)
	return true
}

// ackFieldsLocked fills ackThrough and NACKs: everything through the
// highest packet received, except the gaps; with more gaps than an ACK can
// name, up to the first one it cannot.
func (c *Conn) ackFieldsLocked(p *Packet) {
	r := &c.mu.recv
	if r.next == 0 {
		p.Flags |= FlagNoAck
		return
	}
	p.AckThrough, p.NACKs = r.next-1, nil
	if len(r.ooo) > 0 {
		seqs := make([]uint32, 0, len(r.ooo))
		for seq := range r.ooo {
			seqs = append(seqs, seq)
		}
		slices.Sort(seqs)
		p.AckThrough, p.NACKs = ackRange(r.next, seqs)
	}
	if r.choking {
		p.Flags |= FlagDelayRequested
		p.Delay = ChokeDelay
	}
}

// ackSentLocked notes that a packet carrying our ACK went out.
func (c *Conn) ackSentLocked() {
	c.mu.recv.ackNow = false
	c.mu.ackAt = time.Time{}
}

// sendAckLocked sends a plain ACK if one is due now.
func (c *Conn) sendAckLocked(now time.Time, a *actions) {
	r := &c.mu.recv
	if !r.ackNow || c.mu.peerID == 0 || r.next == 0 {
		return
	}
	p := c.newPacketLocked(0, nil)
	wire, err := p.Append(nil, nil)
	if err != nil {
		return
	}
	c.ackSentLocked()
	a.out = append(a.out, outPacket{wire: wire})
}

// unchokeLocked tells a choked peer that there is room again, once Read
// has drained half the buffer.
func (c *Conn) unchokeLocked(now time.Time, a *actions) {
	r := &c.mu.recv
	if !r.choking || r.bytes > r.limit/2 {
		return
	}
	r.choking = false
	p := c.newPacketLocked(FlagDelayRequested, nil)
	p.Delay = 0 // below the choke threshold; i2pd reads it as "ACK now"
	if wire, err := p.Append(nil, nil); err == nil {
		c.ackSentLocked()
		a.out = append(a.out, outPacket{wire: wire})
	}
}

// acceptSyn sets up an inbound connection from its SYN and answers it.
func (c *Conn) acceptSyn(syn *Packet) {
	c.run(func(now time.Time, a *actions) {
		c.mu.state = stateOpen
		c.mu.peerID = syn.ReceiveStreamID
		c.receiveLocked(now, syn, a)
		if err := c.synReplyLocked(now, a); err != nil {
			c.failLocked(now, err, false, a)
		}
	})
}

// handle processes a packet the Manager routed to this connection.
func (c *Conn) handle(p *Packet) {
	c.run(func(now time.Time, a *actions) { c.handleLocked(now, p, a) })
}

func (c *Conn) handleLocked(now time.Time, p *Packet, a *actions) {
	switch {
	case c.mu.state == stateDead:
		c.m.drop()
		return
	case p.Flags&FlagReset != 0:
		c.resetLocked(now, p, a)
		return
	case c.mu.state == stateSynSent && p.Flags&FlagSynchronize == 0:
		c.earlyLocked(now, p)
		return
	case c.mu.state == stateSynSent:
		if !c.verifyLocked(now, p) || p.ReceiveStreamID == 0 {
			c.m.drop()
			return
		}
		c.mu.state = stateOpen
		c.mu.peerID = p.ReceiveStreamID
		c.mu.connectAt = time.Time{}
		if c.mu.recv.oooPeer != p.ReceiveStreamID {
			c.mu.recv.clearOOO()
		}
		c.wakeLocked()
	case p.ReceiveStreamID != c.mu.peerID:
		c.m.drop() // Java I2P drops these too
		return
	case p.Flags&(FlagClose|FlagSignatureIncluded|FlagFromIncluded) != 0 && !c.verifyLocked(now, p):
		c.m.drop()
		return
	}
	if p.Flags&FlagMaxPacketSizeIncluded != 0 {
		c.mu.send.mtu = min(max(int(p.MaxPacketSize), MinMTU), c.m.s.MTU)
	}
	c.chokeLocked(now, p, a)
	c.onAckLocked(now, p, a)
	if !p.IsPlainACK() {
		c.receiveLocked(now, p, a)
		if len(p.Payload) > 0 || p.Has(FlagClose) {
			c.armProbeLocked(now)
		}
	}
	c.mu.lastActivity = now
	c.flushLocked(now, a)
}

// chokeLocked follows the peer's DELAY_REQUESTED: above 60000 ms it is
// choked and takes one packet at a time; a packet without it lifts the
// choke, and the first packet in flight goes again at once.
func (c *Conn) chokeLocked(now time.Time, p *Packet, a *actions) {
	s := &c.mu.send
	was := s.choked
	s.choked = p.Flags&FlagDelayRequested != 0 && p.Delay > 60000
	switch {
	case s.choked && !was:
		s.cwnd = MinWindow
	case was && !s.choked && len(s.unacked) > 0:
		c.resendLocked(now, s.unacked[0], a)
		c.mu.rtoAt = now.Add(s.rto)
	}
	if p.Flags&FlagDelayRequested != 0 && p.Delay == 0 && !p.IsPlainACK() {
		c.mu.recv.ackNow = true // i2pd asks for an immediate ACK
	}
}

// verifyLocked checks a packet that must be signed (CLOSE, RESET, SYN)
// or says it is: the signature by the peer's key, FROM if present.
func (c *Conn) verifyLocked(now time.Time, p *Packet) bool {
	if p.Flags&FlagSignatureIncluded == 0 {
		return false
	}
	if p.From != nil {
		if !p.From.Equal(&c.remote.KeysAndCert) {
			return false
		}
		key, err := p.VerifyFrom(c.remote, now)
		if err != nil {
			return false
		}
		c.mu.peerKey = key
		return true
	}
	return p.Verify(c.mu.peerKey) == nil
}

// resetLocked handles a RESET: valid when signed by the peer.
func (c *Conn) resetLocked(now time.Time, p *Packet, a *actions) {
	if !c.verifyLocked(now, p) {
		c.m.drop()
		return
	}
	err := fmt.Errorf("streaming: reset by peer: %w", ErrReset)
	if c.mu.state == stateSynSent {
		err = fmt.Errorf("streaming: %w by peer", ErrRefused)
	}
	c.failLocked(now, err, false, a)
}

// earlyLocked keeps a packet of an outbound connection that arrived
// before the SYN reply; the reply's stream ID must match later.
func (c *Conn) earlyLocked(now time.Time, p *Packet) {
	r := &c.mu.recv
	if p.Seq == 0 || p.ReceiveStreamID == 0 || p.Seq > MaxOutOfOrder || r.hasOOO(p.Seq) ||
		(r.oooPeer != 0 && r.oooPeer != p.ReceiveStreamID) ||
		(p.Flags&(FlagClose|FlagSignatureIncluded|FlagFromIncluded) != 0 && !c.verifyLocked(now, p)) ||
		!r.fitsOOO(len(p.Payload)) {
		c.m.drop()
		return
	}
	r.oooPeer = p.ReceiveStreamID
	r.store(p.Seq, p.Payload, p.Flags)
}

// receiveLocked takes a packet with a sequence number.
func (c *Conn) receiveLocked(now time.Time, p *Packet, a *actions) {
	r := &c.mu.recv
	switch {
	case p.Seq < r.next || (r.next > 0 && p.Has(FlagSynchronize) && p.Seq == 0):
		// A duplicate: our ACK was lost. A repeated SYN also wants our
		// SYN reply again if that is still unacknowledged.
		r.ackNow = true
		s := &c.mu.send
		if !c.outbound && p.Has(FlagSynchronize) && len(s.unacked) > 0 && s.unacked[0].seq == 0 {
			c.resendLocked(now, s.unacked[0], a)
		}
	case r.discarding && len(p.Payload) > 0 && c.mu.userClosed && !c.mu.recv.remoteClosed:
		// New data after Close: nobody will read it (Java I2P resets too).
		c.failLocked(now, fmt.Errorf("streaming: data after Close: %w", ErrClosed), true, a)
	case p.Seq == r.next:
		if !r.fits(len(p.Payload)) {
			r.choking, r.ackNow = true, true
			c.m.drop()
			c.m.stats.droppedFull.Add(1)
			return
		}
		r.deliver(clone(p.Payload), p.Flags)
		r.drain()
		if c.mu.ackAt.IsZero() {
			c.mu.ackAt = now.Add(c.mu.send.ackDelay())
		}
		if !r.choking && r.bytes > r.limit/4*3 {
			// Choke before the buffer overflows: what is in flight
			// still fits. Out-of-order bytes do not count: they wait
			// for a resend, not for the reader.
			r.choking, r.ackNow = true, true
		}
		c.wakeLocked()
	case p.Seq-r.next >= MaxReorder:
		r.ackNow = true
		c.m.drop()
		c.m.stats.droppedFar.Add(1)
	case r.hasOOO(p.Seq):
		r.ackNow = true // a duplicate of a kept packet
	case !r.fitsOOO(len(p.Payload)):
		// No choke: the reader cannot help, only the peer's resend of
		// the missing packet can, and the NACKs ask for it.
		r.ackNow = true
		c.m.drop()
		c.m.stats.droppedFull.Add(1)
	default:
		r.store(p.Seq, p.Payload, p.Flags)
		r.ackNow = true // NACK the gap at once
	}
}

func clone(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}

// ackRange returns the ackThrough and NACKs for the sorted out-of-order
// sequence numbers seqs (all past next): the highest received one and the
// gaps below it, or, when there are more than MaxNACKs gaps, the packet
// before the first gap that does not fit.
func ackRange(next uint32, seqs []uint32) (uint32, []uint32) {
	var nacks []uint32
	expect := next
	for _, seq := range seqs {
		for ; expect < seq; expect++ {
			if len(nacks) == MaxNACKs {
				return expect - 1, nacks
			}
			nacks = append(nacks, expect)
		}
		expect = seq + 1
	}
	return expect - 1, nacks
}
