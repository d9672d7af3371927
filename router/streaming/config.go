package streaming

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"i2pgate/router/clock"
	"i2pgate/router/data"
)

// Packet sizes (streaming.html "MTU Selection and Negotiation").
const (
	// DefaultMTU is the payload we put in a packet and advertise with
	// MAX_PACKET_SIZE: i2pd's STREAMING_MTU_RATCHETS, which fits two tunnel
	// messages on ECIES-X25519 sessions.
	DefaultMTU = 1812
	// MinMTU is the smallest payload size we accept from a peer's
	// MAX_PACKET_SIZE (Java I2P MIN_MESSAGE_SIZE).
	MinMTU = 512
	// MaxMTU bounds Config.MTU: i2pd drops what does not fit its 4096-byte
	// packet buffer.
	MaxMTU = 4000
)

// Connection limits; low-memory defaults. A Conn costs about 1 KB idle;
// a busy one holds up to SendBuffer + ReceiveBuffer + OutOfOrderBuffer
// bytes of data, and all of them together at most OutOfOrderBudget out of
// order.
const (
	DefaultMaxConns        = 64
	DefaultMaxConnsPerPeer = 16
	DefaultAcceptBacklog   = 16
	DefaultSendBuffer      = 64 << 10
	DefaultReceiveBuffer   = 64 << 10
	// DefaultOutOfOrderBuffer bounds the out-of-order bytes one
	// connection keeps, DefaultOutOfOrderBudget those of all connections
	// of a Manager together. A sender that only resends on its timeout
	// (i2pd 2.45.1: no fast retransmit, and choke is ignored) goes on
	// sending past a lost packet for a whole RTO; what we cannot keep
	// becomes more holes and the stream stalls once per RTO.
	DefaultOutOfOrderBuffer = 2 << 20
	DefaultOutOfOrderBudget = 4 << 20
	// MinBuffer bounds the buffers from below: two full packets.
	MinBuffer = 2 * MaxMTU
)

// Window and timers (streaming.html "Other Parameters", RFC 6298).
const (
	// InitialWindow is the congestion window, in packets, of a new
	// connection (Java I2P i2p.streaming.initialWindowSize).
	InitialWindow = 6
	// MinWindow is the smallest congestion window.
	MinWindow = 1
	// DefaultMaxWindow is the largest congestion window (Java I2P
	// i2p.streaming.maxWindowSize, i2pd 2.45 MAX_WINDOW_SIZE).
	DefaultMaxWindow = 128
	// InitialRTO is the retransmission timeout before an RTT sample.
	InitialRTO = 9 * time.Second
	// MinRTO and MaxRTO bound the retransmission timeout.
	MinRTO = 100 * time.Millisecond
	MaxRTO = 45 * time.Second
	// MaxResends is how often one packet is sent again before the
	// connection is given up (Java I2P i2p.streaming.maxResends).
	MaxResends = 8
	// FastRetransmitNACKs is how many NACKs of a packet trigger its
	// retransmission before its timeout (streaming.rst "NACKs").
	FastRetransmitNACKs = 2
	// MinAckDelay and MaxAckDelay bound the delay of an ACK, which is a
	// tenth of the RTT as in i2pd.
	MinAckDelay = 2 * time.Millisecond
	MaxAckDelay = 200 * time.Millisecond
	// MaxOutOfOrder bounds the congestion window and how far past the
	// next expected sequence number an early packet (before the SYN
	// reply) may be.
	MaxOutOfOrder = MaxNACKs
	// MaxReorder is how far past the next expected sequence number a
	// packet may be and still be kept; an ACK names at most MaxNACKs
	// gaps and acknowledges up to the first one it cannot name.
	MaxReorder = 4096
	// DefaultConnectTimeout bounds Dial, on top of its context.
	DefaultConnectTimeout = time.Minute
	// DefaultIdleTimeout closes a connection that has seen no packet for
	// this long.
	DefaultIdleTimeout = 10 * time.Minute
	// CloseTimeout bounds how long a closed connection keeps trying to
	// deliver its data and CLOSE.
	CloseTimeout = 2 * time.Minute
	// TimeWait is how long a finished connection stays to acknowledge a
	// retransmitted CLOSE. It no longer counts against the limits.
	TimeWait = 10 * time.Second
	// PendingTimeout and MaxPending bound the packets kept for a
	// connection whose SYN has not arrived yet (i2pd
	// PENDING_INCOMING_TIMEOUT).
	PendingTimeout = 10 * time.Second
	MaxPending     = 32
	// MaxPingPayload is the most payload a pong echoes (streaming.html
	// "Ping / Pong").
	MaxPingPayload = 32
)

// Sender sends a streaming packet to a destination. The caller wraps it in
// an I2CP payload (protocol i2cp.ProtoStreaming, these ports), garlic and
// tunnels. It must not block for long and may drop the packet, reporting
// an error or not; retransmission copes. The Manager never modifies packet
// after the call, so an asynchronous Sender may keep it without copying;
// the Sender must not modify it. The Manager holds no lock while calling.
type Sender interface {
	SendPacket(to *data.Destination, srcPort, dstPort uint16, packet []byte) error
}

// Config configures a Manager. Local, Signer and Sender are required.
type Config struct {
	// Local is our destination.
	Local *data.Destination
	// Signer signs SYN, CLOSE, RESET and ping packets: the destination's
	// key, or the transient key when Offline is set.
	Signer data.Signer
	// Offline is the offline signature of the transient Signer, if the
	// destination's keys are offline.
	Offline *data.OfflineSignature
	// Sender delivers our packets.
	Sender Sender
	// Clock is the time source; nil means clock.System().
	Clock clock.Clock
	// Rand supplies stream IDs; nil means crypto/rand.Reader.
	Rand io.Reader
	// Logger receives debug and warning messages; nil discards them.
	Logger *slog.Logger

	// MTU is the payload size of our packets and the size we advertise;
	// 0 means DefaultMTU. Values are clamped to [MinMTU, MaxMTU].
	MTU int
	// MaxConns bounds the open connections; 0 means DefaultMaxConns.
	MaxConns int
	// MaxConnsPerPeer bounds the open connections with one remote
	// destination; 0 means DefaultMaxConnsPerPeer.
	MaxConnsPerPeer int
	// AcceptBacklog bounds the connections waiting for Accept on each
	// Listener; 0 means DefaultAcceptBacklog.
	AcceptBacklog int
	// SendBuffer bounds the unacknowledged and unsent bytes of a
	// connection; Write blocks beyond it. 0 means DefaultSendBuffer.
	SendBuffer int
	// ReceiveBuffer bounds the received bytes a connection holds for
	// Read; beyond it packets are dropped and the peer choked. 0 means DefaultReceiveBuffer.
	ReceiveBuffer int
	// OutOfOrderBuffer bounds the bytes of packets a connection keeps
	// that came before a missing one; 0 means DefaultOutOfOrderBuffer.
	OutOfOrderBuffer int
	// OutOfOrderBudget bounds the out-of-order bytes of all connections
	// together; 0 means DefaultOutOfOrderBudget.
	OutOfOrderBudget int
	// MaxWindow bounds the congestion window in packets; 0 means
	// DefaultMaxWindow.
	MaxWindow int
	// ConnectTimeout bounds Dial; 0 means DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// IdleTimeout closes silent connections; 0 means DefaultIdleTimeout,
	// negative never.
	IdleTimeout time.Duration
	// IgnorePings stops answering pings (i2p.streaming.answerPings=false).
	IgnorePings bool
}

// settings is Config with the defaults applied.
type settings struct {
	Config
	clock  clock.Clock
	rand   io.Reader
	log    *slog.Logger
	offl   *OfflineSignature
	sigLen int
}

func (c Config) settings() (*settings, error) {
	switch {
	case c.Local == nil || c.Signer == nil || c.Sender == nil:
		return nil, errors.New("streaming: Config needs Local, Signer and Sender")
	case c.Offline == nil && !c.Signer.Public().Equal(c.Local.SigningPublicKey()):
		return nil, fmt.Errorf("streaming: Signer does not hold the destination's key: %w", data.ErrKeyMismatch)
	case c.Offline != nil && !c.Signer.Public().Equal(c.Offline.TransientKey()):
		return nil, fmt.Errorf("streaming: Signer does not hold the transient key: %w", data.ErrKeyMismatch)
	}
	s := &settings{Config: c, clock: clock.Or(c.Clock), rand: c.Rand, log: c.Logger}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.log = s.log.With("component", "streaming")
	s.offl = OfflineFrom(c.Offline)
	s.sigLen = c.Signer.Type().SignatureLen()
	s.MTU = clampDefault(s.MTU, DefaultMTU, MinMTU, MaxMTU)
	s.MaxConns = clampDefault(s.MaxConns, DefaultMaxConns, 1, 1<<20)
	s.MaxConnsPerPeer = clampDefault(s.MaxConnsPerPeer, DefaultMaxConnsPerPeer, 1, s.MaxConns)
	s.AcceptBacklog = clampDefault(s.AcceptBacklog, DefaultAcceptBacklog, 1, 1<<16)
	s.SendBuffer = clampDefault(s.SendBuffer, DefaultSendBuffer, MinBuffer, 1<<30)
	s.ReceiveBuffer = clampDefault(s.ReceiveBuffer, DefaultReceiveBuffer, MinBuffer, 1<<30)
	s.OutOfOrderBuffer = clampDefault(s.OutOfOrderBuffer, DefaultOutOfOrderBuffer, MinBuffer, 1<<30)
	s.OutOfOrderBudget = clampDefault(s.OutOfOrderBudget, DefaultOutOfOrderBudget, s.OutOfOrderBuffer, 1<<30)
	s.MaxWindow = clampDefault(s.MaxWindow, DefaultMaxWindow, MinWindow, MaxOutOfOrder)
	if s.ConnectTimeout <= 0 {
		s.ConnectTimeout = DefaultConnectTimeout
	}
	if s.IdleTimeout == 0 {
		s.IdleTimeout = DefaultIdleTimeout
	}
	return s, nil
}

func clampDefault(v, def, lo, hi int) int {
	if v == 0 {
		v = def
	}
	return max(lo, min(v, hi))
}
