package streaming

import (
	"fmt"
	"time"
)

// sendState is the sending half of a connection: the queued data, the
// packets in flight, the congestion window (in packets, slow start then
// congestion avoidance) and the RTT estimate (RFC 6298). Guarded by
// Conn.mu.
type sendState struct {
	limit    int     // SendBuffer: queued plus in-flight payload bytes
	maxWin   int     // MaxWindow
	buf      []byte  // written, not yet packetized
	unacked  []*sent // in flight, by sequence number
	inflight int     // payload bytes in unacked
	nextSeq  uint32  // sequence number of the next packet
	mtu      int     // payload per packet: ours, or less if the peer asks

	cwnd, ssthresh int
	caAcked        int // ACKed packets counted toward the next cwnd step
	choked         bool
	recovering     bool
	recoverSeq     uint32 // recovery ends when this is ACKed

	srtt, rttvar, rto time.Duration
	sampled           bool

	closeQueued, closeAcked bool
}

// sent is a packet in flight.
type sent struct {
	seq     uint32
	wire    []byte
	payload int
	flags   uint16
	sentAt  time.Time
	sends   int
	nacks   int
}

func (s *sendState) init(st *settings) {
	s.limit = st.SendBuffer
	s.maxWin = st.MaxWindow
	s.mtu = st.MTU
	s.cwnd = min(InitialWindow, st.MaxWindow)
	s.ssthresh = st.MaxWindow
	s.rto = InitialRTO
}

// room is how many more bytes Write may queue.
func (s *sendState) room() int { return s.limit - len(s.buf) - s.inflight }

// drop releases the buffers of a dead connection.
func (s *sendState) drop() {
	s.buf = nil
	clear(s.unacked)
	s.unacked = nil
	s.inflight = 0
}

// window is how many packets may be in flight now.
func (s *sendState) window() int {
	if s.choked {
		return MinWindow
	}
	return s.cwnd
}

// sample folds an RTT measurement into the estimate (RFC 6298 2.2, 2.3).
func (s *sendState) sample(r time.Duration) {
	if !s.sampled {
		s.srtt, s.rttvar, s.sampled = r, r/2, true
	} else {
		d := s.srtt - r
		if d < 0 {
			d = -d
		}
		s.rttvar = (3*s.rttvar + d) / 4
		s.srtt = (7*s.srtt + r) / 8
	}
	s.rto = min(max(s.srtt+max(4*s.rttvar, time.Millisecond), MinRTO), MaxRTO)
}

// grow opens the window for n newly ACKed packets: by n in slow start, by
// one per window of ACKs in congestion avoidance.
func (s *sendState) grow(n int) {
	if s.choked {
		return
	}
	if s.cwnd < s.ssthresh {
		s.cwnd = min(s.cwnd+n, s.ssthresh)
	} else {
		s.caAcked += n
		for s.caAcked >= s.cwnd {
			s.caAcked -= s.cwnd
			s.cwnd++
		}
	}
	s.cwnd = min(s.cwnd, s.maxWin)
}

// shrink halves the window after a loss (Java I2P halves on timeouts too;
// a full reset to one packet stalls on I2P's long RTTs).
func (s *sendState) shrink() {
	s.cwnd = max(s.cwnd/2, MinWindow)
	s.ssthresh = max(s.cwnd, 2)
	s.caAcked = 0
}

// ackDelay is how long an ACK may wait: a tenth of the RTT, as i2pd.
func (s *sendState) ackDelay() time.Duration {
	if !s.sampled {
		return MaxAckDelay
	}
	return min(max(s.srtt/10, MinAckDelay), MaxAckDelay)
}

// resendGap is how long after a send a NACKed packet may be sent again.
func (s *sendState) resendGap() time.Duration {
	if !s.sampled {
		return s.rto / 2
	}
	return max(s.srtt+s.rttvar, MinAckDelay)
}

// resendDelay is the header's resendDelay field: the RTO in seconds.
func (s *sendState) resendDelay() uint8 {
	return uint8(min(s.rto/time.Second, 255))
}

func (c *Conn) newPacketLocked(flags uint16, payload []byte) *Packet {
	p := &Packet{
		SendStreamID:    c.mu.peerID,
		ReceiveStreamID: c.localID,
		Flags:           flags,
		ResendDelay:     c.mu.send.resendDelay(),
		Payload:         payload,
	}
	c.ackFieldsLocked(p)
	return p
}

// queueLocked numbers, serializes and sends a packet that will be
// retransmitted until ACKed.
func (c *Conn) queueLocked(now time.Time, p *Packet, a *actions) error {
	s := &c.mu.send
	p.Seq = s.nextSeq
	var wire []byte
	var err error
	if p.Flags&FlagSignatureIncluded != 0 {
		wire, err = c.m.sign(p)
	} else {
		wire, err = p.Append(make([]byte, 0, HeaderSize+4*len(p.NACKs)+len(p.Payload)+4), nil)
	}
	if err != nil {
		return err
	}
	s.nextSeq++
	s.unacked = append(s.unacked, &sent{
		seq: p.Seq, wire: wire, payload: len(p.Payload), flags: p.Flags, sentAt: now, sends: 1,
	})
	s.inflight += len(p.Payload)
	if c.mu.rtoAt.IsZero() {
		c.mu.rtoAt = now.Add(s.rto)
	}
	if p.Flags&FlagNoAck == 0 {
		c.ackSentLocked()
	}
	c.mu.lastActivity = now
	a.out = append(a.out, outPacket{wire: wire})
	return nil
}

// synLocked sends the first SYN of an outbound connection, carrying the
// target's hash in the NACK field as i2pd and Java I2P do.
func (c *Conn) synLocked(now time.Time, a *actions) error {
	p := &Packet{
		ReceiveStreamID: c.localID,
		ResendDelay:     c.mu.send.resendDelay(),
		Flags: FlagSynchronize | FlagFromIncluded | FlagSignatureIncluded |
			FlagMaxPacketSizeIncluded | FlagNoAck,
		From:          c.m.s.Local,
		MaxPacketSize: uint16(c.m.s.MTU),
	}
	p.SetTargetHash(c.remoteHash)
	return c.queueLocked(now, p, a)
}

// synReplyLocked answers the SYN of an inbound connection.
func (c *Conn) synReplyLocked(now time.Time, a *actions) error {
	p := c.newPacketLocked(FlagSynchronize|FlagFromIncluded|FlagSignatureIncluded|FlagMaxPacketSizeIncluded, nil)
	p.From = c.m.s.Local
	p.MaxPacketSize = uint16(c.m.s.MTU)
	return c.queueLocked(now, p, a)
}

// resetPacketLocked builds a RESET for this connection. It takes the next
// sequence number, as i2pd only acts on packets in order.
func (c *Conn) resetPacketLocked() ([]byte, error) {
	p := c.newPacketLocked(FlagReset|FlagSignatureIncluded, nil)
	p.Seq = c.mu.send.nextSeq
	c.mu.send.nextSeq++
	return c.m.sign(p)
}

// flushLocked packetizes queued data, then the CLOSE, as far as the window
// allows.
func (c *Conn) flushLocked(now time.Time, a *actions) {
	s := &c.mu.send
	if c.mu.state != stateOpen {
		return
	}
	for len(s.unacked) < s.window() {
		if len(s.buf) > 0 {
			k := min(len(s.buf), s.mtu)
			p := c.newPacketLocked(0, s.buf[:k])
			if err := c.queueLocked(now, p, a); err != nil {
				c.failLocked(now, err, true, a)
				return
			}
			s.buf = s.buf[k:]
			continue
		}
		if c.mu.writeClosed && !s.closeQueued {
			// A separate CLOSE without data, as i2pd sends it.
			p := c.newPacketLocked(FlagClose|FlagSignatureIncluded, nil)
			if err := c.queueLocked(now, p, a); err != nil {
				c.failLocked(now, err, true, a)
				return
			}
			s.closeQueued = true
		}
		break
	}
	if len(s.buf) == 0 {
		s.buf = nil
	}
	c.wakeLocked()
}

// resendLocked sends p again.
func (c *Conn) resendLocked(now time.Time, p *sent, a *actions) {
	p.sends++
	p.sentAt = now
	p.nacks = 0
	a.out = append(a.out, outPacket{wire: p.wire, resend: true})
}

// onAckLocked processes the ackThrough and NACKs of an inbound packet.
func (c *Conn) onAckLocked(now time.Time, p *Packet, a *actions) {
	s := &c.mu.send
	if p.Flags&FlagNoAck != 0 || (p.Has(FlagSynchronize) && p.SendStreamID == 0) {
		return // the initiator's SYN acknowledges nothing
	}
	if p.AckThrough >= s.nextSeq {
		return // acknowledges what we never sent
	}
	nacked := nackSet(p.NACKs)
	acked, rtt := 0, time.Duration(-1)
	kept := s.unacked[:0]
	for _, q := range s.unacked {
		if q.seq > p.AckThrough || nacked(q.seq) {
			if q.seq <= p.AckThrough {
				q.nacks++
			}
			kept = append(kept, q)
			continue
		}
		acked++
		s.inflight -= q.payload
		if q.sends == 1 { // Karn: only packets sent once give samples
			rtt = max(rtt, now.Sub(q.sentAt))
		}
		if q.flags&FlagClose != 0 {
			s.closeAcked = true
		}
	}
	clear(s.unacked[len(kept):])
	s.unacked = kept
	if acked > 0 {
		if rtt >= 0 {
			s.sample(rtt)
		}
		s.grow(acked)
		c.mu.rtoAt = time.Time{}
		if len(s.unacked) > 0 {
			c.mu.rtoAt = now.Add(s.rto)
		}
		if s.recovering && p.AckThrough >= s.recoverSeq {
			s.recovering = false
		} else if s.recovering && len(s.unacked) > 0 && now.Sub(s.unacked[0].sentAt) >= s.resendGap() {
			// NewReno partial ACK: the next hole was lost too.
			c.resendLocked(now, s.unacked[0], a)
		}
		c.wakeLocked()
	}
	c.fastRetransmitLocked(now, a)
}

// fastRetransmitLocked resends packets NACKed often enough: at once the
// first time, then at most once per RTT, and halves the window once per
// recovery.
func (c *Conn) fastRetransmitLocked(now time.Time, a *actions) {
	s := &c.mu.send
	if s.choked {
		return // the peer drops for lack of room; resending makes it worse
	}
	gap := s.resendGap()
	for _, q := range s.unacked {
		if q.nacks < FastRetransmitNACKs || (q.sends > 1 && now.Sub(q.sentAt) < gap) {
			continue
		}
		if !s.recovering {
			s.shrink()
			s.recovering = true
			s.recoverSeq = s.nextSeq - 1
		}
		c.resendLocked(now, q, a)
	}
}

// onTimeoutLocked handles the retransmission timer (RFC 6298 5.4-5.6).
func (c *Conn) onTimeoutLocked(now time.Time, a *actions) {
	s := &c.mu.send
	c.mu.rtoAt = time.Time{}
	if len(s.unacked) == 0 {
		return
	}
	q := s.unacked[0]
	if q.flags&FlagClose != 0 && c.mu.recv.remoteClosed && q.sends > closeResends {
		// The peer closed first and may be gone (i2pd forgets a stream
		// once its CLOSE is ACKed): stop asking.
		s.closeAcked = true
		s.inflight -= q.payload
		clear(s.unacked)
		s.unacked = s.unacked[:0]
		return
	}
	if q.sends > MaxResends {
		kind := ErrReset
		if c.mu.state == stateSynSent {
			kind = ErrTimeout
		}
		c.failLocked(now, fmt.Errorf("streaming: no ACK after %d retransmissions: %w", MaxResends, kind), true, a)
		return
	}
	s.shrink()
	s.rto = min(2*s.rto, MaxRTO)
	s.recovering = true
	s.recoverSeq = s.nextSeq - 1
	c.resendLocked(now, q, a)
	c.mu.rtoAt = now.Add(s.rto)
}

// closeResends is how often a CLOSE is resent to a peer that closed first.
const closeResends = 2

// nackSet returns a membership test for the NACK list.
func nackSet(nacks []uint32) func(uint32) bool {
	switch {
	case len(nacks) == 0:
		return func(uint32) bool { return false }
	case len(nacks) <= 8:
		return func(seq uint32) bool {
			for _, n := range nacks {
				if n == seq {
					return true
				}
			}
			return false
		}
	}
	set := make(map[uint32]struct{}, len(nacks))
	for _, n := range nacks {
		set[n] = struct{}{}
	}
	return func(seq uint32) bool {
		_, ok := set[seq]
		return ok
	}
}
