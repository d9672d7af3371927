package datagram

import (
	"errors"
	"fmt"
	"log/slog"

	"i2pgate/router/clock"
	"i2pgate/router/data"
	"i2pgate/router/i2cp"
)

// I2CP protocol numbers of the datagram formats (datagrams.rst "Overview").
const (
	ProtoDatagram        = i2cp.ProtoDatagram // 17, Datagram1: repliable, signed
	ProtoRaw             = i2cp.ProtoRaw      // 18, raw: the payload alone
	ProtoDatagram2 uint8 = 19                 // Datagram2: signed, replay-resistant, offline keys
	ProtoDatagram3 uint8 = 20                 // Datagram3: repliable, not authenticated
)

// Sizes of a whole datagram (header and payload: the I2CP payload data).
const (
	// MaxSize is the hard limit: the most one I2CP payload carries
	// (i2cp.MaxDataSize). Builders and parsers refuse more. Less crosses
	// the network: i2pd builds and accepts I2NP messages of at most 62708
	// bytes (I2NP_MAX_MESSAGE_SIZE), I2NP, garlic and gzip headers included.
	MaxSize = i2cp.MaxDataSize
	// DefaultMaxSize bounds what a Conn sends unless Config.MaxSize says
	// otherwise: i2pd (2.45.1 to 2.58 at least) inflates every datagram into a
	// 32768-byte buffer (MAX_DATAGRAM_SIZE), so a larger stored payload
	// arrives cut at 32768 bytes (a signed one then fails its check) and
	// a larger compressed one is dropped. The spec recommends payloads of
	// a few KB, at most about 10 KB, for delivery through 1 KB tunnel
	// messages.
	DefaultMaxSize = 32768
)

// Receive queue bounds of each Conn; low-memory defaults. A full queue
// drops new datagrams and counts them.
const (
	DefaultQueueSize  = 64        // datagrams
	DefaultQueueBytes = 128 << 10 // payload bytes
)

// Sender sends one datagram to the destination whose hash is to. The
// caller frames it as an I2CP payload, i2cp.EncodePayload(proto, srcPort,
// dstPort, datagram, compress), and sends it through the local
// destination (garlic, tunnels, LeaseSet lookup). It must not block for
// long and may drop the datagram, reporting an error or not: datagrams
// are unreliable. The Manager never modifies datagram after the call, so
// an asynchronous Sender may keep it; the Sender must not modify it. The
// Manager holds no lock while calling.
type Sender interface {
	SendDatagram(to data.Hash, proto uint8, srcPort, dstPort uint16, datagram []byte) error
}

// Config configures a Manager. Local and Sender are required, and so is
// Signer for Conns that send Datagram1 or Datagram2.
type Config struct {
	// Local is our destination: the sender of our signed datagrams and the
	// target that Datagram2 signatures we accept must name.
	Local *data.Destination
	// Signer signs our Datagram1 and Datagram2: the destination's key, or
	// the transient key when Offline is set (then Datagram1 is refused).
	Signer data.Signer
	// Offline is the offline signature of the transient Signer, if the
	// destination's keys are offline.
	Offline *data.OfflineSignature
	// Sender delivers our datagrams.
	Sender Sender
	// Clock is the time source of deadlines and of offline signature
	// expiry; nil means clock.System().
	Clock clock.Clock
	// Logger receives debug messages about Conns (never about datagrams);
	// nil discards them.
	Logger *slog.Logger

	// MaxSize bounds the datagrams a Conn sends, header included; 0 means
	// DefaultMaxSize. It is clamped to MaxSize.
	MaxSize int
	// QueueSize bounds the datagrams waiting in each Conn's receive
	// queue; 0 means DefaultQueueSize.
	QueueSize int
	// QueueBytes bounds the payload bytes waiting in each Conn's receive
	// queue; 0 means DefaultQueueBytes. A datagram larger than the bound
	// is still taken when the queue is empty.
	QueueBytes int
}

// settings is Config with the defaults applied.
type settings struct {
	Config
	clock   clock.Clock
	log     *slog.Logger
	offline *Offline
	hash    data.Hash // Local's
}

func (c Config) settings() (*settings, error) {
	switch {
	case c.Local == nil || c.Sender == nil:
		return nil, errors.New("datagram: Config needs Local and Sender")
	case c.Signer != nil && c.Offline == nil && !c.Signer.Public().Equal(c.Local.SigningPublicKey()):
		return nil, fmt.Errorf("datagram: Signer does not hold the destination's key: %w", data.ErrKeyMismatch)
	case c.Signer != nil && c.Offline != nil && !c.Signer.Public().Equal(c.Offline.TransientKey()):
		return nil, fmt.Errorf("datagram: Signer does not hold the transient key: %w", data.ErrKeyMismatch)
	}
	s := &settings{Config: c, clock: clock.Or(c.Clock), log: c.Logger, hash: c.Local.Hash()}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.log = s.log.With("component", "datagram")
	s.offline = OfflineFrom(c.Offline)
	s.MaxSize = clampDefault(s.MaxSize, DefaultMaxSize, 1, MaxSize)
	s.QueueSize = clampDefault(s.QueueSize, DefaultQueueSize, 1, 1<<16)
	s.QueueBytes = clampDefault(s.QueueBytes, DefaultQueueBytes, 1, 1<<30)
	return s, nil
}

func clampDefault(v, def, lo, hi int) int {
	if v == 0 {
		v = def
	}
	return max(lo, min(v, hi))
}
