package ntcp2

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"crypto/rand"

	"i2pgate/router/clock"
	"i2pgate/router/crypto/noise"
	"i2pgate/router/transport"
)

// Handshake message sizes and limits (ntcp2.rst "1) SessionRequest",
// "2) SessionCreated", "3) SessionConfirmed").
const (
	EphemeralSize       = noise.DHSize
	SessionRequestSize  = EphemeralSize + OptionsSize + MACSize // 64, before padding
	SessionCreatedSize  = SessionRequestSize                    // 64, before padding
	ConfirmedPart1Size  = noise.DHSize + MACSize                // 48
	MaxHandshakeSize    = 65535
	MaxHandshakePadding = MaxHandshakeSize - SessionRequestSize
	MaxM3P2Size         = MaxHandshakeSize - ConfirmedPart1Size // 65487
	MinM3P2Size         = MACSize + BlockHeaderSize + routerInfoFlagSize + 1

	// DefaultMaxPadding bounds the cleartext padding we send in messages 1
	// and 2 so they stay within i2pd's 287-byte NTCP2_SESSION_REQUEST_MAX_SIZE
	// and NTCP2_SESSION_CREATED_MAX_SIZE, which it enforces on receipt.
	DefaultMaxPadding = 287 - SessionRequestSize
	// msg3PaddingMax bounds the padding block we add to message 3 part 2.
	msg3PaddingMax = 16
)

// Time limits (i2pd NTCP2_CLOCK_SKEW; NETDB_MIN_EXPIRATION_TIMEOUT for the
// message 3 RouterInfo).
const (
	ClockSkew           = 60 * time.Second
	MaxRouterInfoAge    = 90 * time.Minute
	MaxRouterInfoFuture = 2 * time.Minute
)

// Handshake errors; the Error type below carries the termination reason.
var (
	ErrAEAD      = errors.New("ntcp2: handshake authentication failed")
	ErrClockSkew = errors.New("ntcp2: clock skew")
	ErrReplay    = errors.New("ntcp2: replayed ephemeral key")
	ErrNetID     = errors.New("ntcp2: wrong network id")
	ErrVersion   = errors.New("ntcp2: unsupported version")
	ErrOrder     = errors.New("ntcp2: handshake call out of order")
	ErrSize      = errors.New("ntcp2: bad handshake message size")
	ErrPeerRI    = errors.New("ntcp2: bad routerinfo in message 3")
)

// Error is a handshake failure with the termination reason that describes
// it (ntcp2.rst "Termination"); errors.Is sees the wrapped sentinel.
type Error struct {
	Reason transport.Reason
	Err    error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

func hsErr(r transport.Reason, err error) error { return &Error{Reason: r, Err: err} }

// ReasonOf returns the termination reason an error carries, or def.
func ReasonOf(err error, def transport.Reason) transport.Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return def
}

// handshake holds what Initiator and Responder share.
type handshake struct {
	hs       *noise.HandshakeState
	clock    clock.Clock
	rand     io.Reader
	replay   *ReplayCache
	netID    uint8
	maxPad   int
	step     int
	padLen   int // padding the peer announced, for ConsumePadding
	peerTime time.Time
	keys     Keys
	done     bool
}

func (h *handshake) init(c clock.Clock, r io.Reader, replay *ReplayCache, netID uint8, maxPad int) {
	h.clock, h.rand, h.replay, h.netID = clock.Or(c), r, replay, netID
	if h.rand == nil {
		h.rand = rand.Reader
	}
	if maxPad <= 0 || maxPad > MaxHandshakePadding {
		maxPad = DefaultMaxPadding
	}
	h.maxPad = maxPad
}

// randN returns a uniform-enough random integer in [0, n) (n <= 65536).
func (h *handshake) randN(n int) (int, error) {
	if n <= 1 {
		return 0, nil
	}
	var b [2]byte
	if _, err := io.ReadFull(h.rand, b[:]); err != nil {
		return 0, fmt.Errorf("ntcp2: random: %w", err)
	}
	return int(binary.BigEndian.Uint16(b[:])) % n, nil
}

// appendPadding appends n random bytes for cleartext handshake padding.
func (h *handshake) appendPadding(dst []byte, n int) ([]byte, error) {
	start := len(dst)
	dst = append(dst, make([]byte, n)...)
	if _, err := io.ReadFull(h.rand, dst[start:]); err != nil {
		return dst[:start], fmt.Errorf("ntcp2: random: %w", err)
	}
	return dst, nil
}

// checkTime applies the ±ClockSkew rule to a peer timestamp and records it.
func (h *handshake) checkTime(ts uint32) error {
	now := h.clock.Now()
	skew := TimestampSkew(ts, now)
	h.peerTime = timestampTime(ts, now)
	if skew > ClockSkew || skew < -ClockSkew {
		return hsErr(transport.ReasonClockSkew, fmt.Errorf("%w: peer is %v off", ErrClockSkew, skew))
	}
	return nil
}

func (h *handshake) checkReplay(key [32]byte) error {
	if h.replay != nil && h.replay.Seen(key, h.clock.Now()) {
		return ErrReplay
	}
	return nil
}

// PadLen returns the length of the cleartext padding the peer announced in
// its last message, to be read and passed to ConsumePadding.
func (h *handshake) PadLen() int { return h.padLen }

// consumePadding mixes the peer's cleartext padding into h (ntcp2.rst: the
// padding of messages 1 and 2 enters the KDF of the next message).
func (h *handshake) consumePadding(pad []byte, want int) error {
	if h.step != want {
		return ErrOrder
	}
	if len(pad) != h.padLen {
		return fmt.Errorf("%w: padding of %d bytes, want %d", ErrSize, len(pad), h.padLen)
	}
	if len(pad) > 0 {
		h.hs.MixHash(pad)
	}
	h.step++
	return nil
}

// PeerTime returns the time the peer claimed in its options block, for the
// skew sampler.
func (h *handshake) PeerTime() time.Time { return h.peerTime }

// Keys returns the data-phase keys once the handshake is complete.
func (h *handshake) Keys() (Keys, error) {
	if !h.done {
		return Keys{}, ErrOrder
	}
	return h.keys, nil
}

func (h *handshake) finish(initiator bool) {
	h.keys = dataPhaseKeys(h.hs.ChainingKey(), h.hs.Hash(), initiator)
	h.done = true
}
