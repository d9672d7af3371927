package i2np

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"time"
)

// Standard header layout (i2np.rst "I2NP message header", 16 bytes).
const (
	HeaderSize       = 16
	typeOffset       = 0
	idOffset         = typeOffset + 1
	expirationOffset = idOffset + 4
	sizeOffset       = expirationOffset + 8
	checksumOffset   = sizeOffset + 2
)

// Short header layout used in NTCP2 and SSU2 I2NP blocks and ECIES garlic
// cloves (i2np.rst "Short (NTCP2, SSU2, and ECIES-Ratchet Garlic Cloves)"):
// type 1, message id 4, expiration in seconds 4. The payload length is the
// block length minus ShortHeaderSize.
const (
	ShortHeaderSize       = 9
	shortExpirationOffset = idOffset + 4
)

// Size limits.
const (
	// MaxPayloadSize is the largest payload the 2-byte size field of the
	// standard header can describe.
	MaxPayloadSize = math.MaxUint16
	// MaxShortPayloadSize is the largest payload of a short-header message
	// that fits the 2-byte length of an NTCP2 or SSU2 block.
	MaxShortPayloadSize = math.MaxUint16 - ShortHeaderSize
	// MaxMessageSize is i2pd's I2NP_MAX_MESSAGE_SIZE: the largest I2NP
	// block it accepts over NTCP2 and SSU2 and the buffer it reassembles
	// tunnel messages into. Messages we originate must stay below it;
	// enforcing it is left to the transports and the tunnel endpoint.
	MaxMessageSize = 62708
)

// Expiration tolerances, as i2pd applies them (I2NPProtocol.h).
const (
	// ExpirationTimeout is the lifetime i2pd gives new messages
	// (I2NP_MESSAGE_EXPIRATION_TIMEOUT); a sensible default for ours.
	ExpirationTimeout = 8 * time.Second
	// ClockSkew is how long after its expiration a message is still
	// accepted (I2NP_MESSAGE_CLOCK_SKEW).
	ClockSkew = 60 * time.Second
	// MaxFutureExpiration is how far in the future an expiration may lie
	// (3 * I2NP_MESSAGE_CLOCK_SKEW in i2pd's IsExpired).
	MaxFutureExpiration = 3 * ClockSkew
)

// Message is one I2NP message: the fields of its header and its raw payload
// (i2np.rst "I2NP message header"). The same value serializes with the
// standard or the short header; the short form keeps whole seconds of the
// expiration only.
type Message struct {
	Type       Type
	ID         uint32
	Expiration time.Time
	// Payload is the message body; parsed messages alias the input.
	Payload []byte
}

// ParseStandard reads one message with a 16-byte standard header from the
// front of b, verifies the checksum, and returns the rest of b.
func ParseStandard(b []byte) (Message, []byte, error) {
	if len(b) < HeaderSize {
		return Message{}, nil, fmt.Errorf("i2np: header: %d bytes: %w", len(b), ErrTruncated)
	}
	size := int(binary.BigEndian.Uint16(b[sizeOffset:]))
	if len(b)-HeaderSize < size {
		return Message{}, nil, fmt.Errorf("i2np: header: size %d, %d bytes follow: %w",
			size, len(b)-HeaderSize, ErrTruncated)
	}
	exp := binary.BigEndian.Uint64(b[expirationOffset:])
	if exp > math.MaxInt64 {
		return Message{}, nil, fmt.Errorf("i2np: header: expiration %d: %w", exp, ErrInvalid)
	}
	end := HeaderSize + size
	payload := b[HeaderSize:end:end]
	if sum := sha256.Sum256(payload); sum[0] != b[checksumOffset] {
		return Message{}, nil, fmt.Errorf("i2np: header: %w", ErrChecksum)
	}
	m := Message{
		Type:       Type(b[typeOffset]),
		ID:         binary.BigEndian.Uint32(b[idOffset:]),
		Expiration: time.UnixMilli(int64(exp)).UTC(),
		Payload:    payload,
	}
	return m, b[end:], nil
}

// AppendStandard appends m with a 16-byte standard header to dst.
func (m Message) AppendStandard(dst []byte) ([]byte, error) {
	if len(m.Payload) > MaxPayloadSize {
		return dst, fmt.Errorf("i2np: header: payload %d bytes: %w", len(m.Payload), ErrTooLarge)
	}
	ms := m.Expiration.UnixMilli()
	if ms < 0 {
		return dst, fmt.Errorf("i2np: header: expiration %v before the epoch: %w", m.Expiration, ErrInvalid)
	}
	sum := sha256.Sum256(m.Payload)
	dst = slices.Grow(dst, HeaderSize+len(m.Payload))
	dst = append(dst, byte(m.Type))
	dst = binary.BigEndian.AppendUint32(dst, m.ID)
	dst = binary.BigEndian.AppendUint64(dst, uint64(ms))
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(m.Payload)))
	dst = append(dst, sum[0])
	return append(dst, m.Payload...), nil
}

// ParseShort reads a message with the 9-byte short header; b is the whole
// content of an NTCP2 or SSU2 I2NP block (or an ECIES clove's message).
func ParseShort(b []byte) (Message, error) {
	if len(b) < ShortHeaderSize {
		return Message{}, fmt.Errorf("i2np: short header: %d bytes: %w", len(b), ErrTruncated)
	}
	if len(b)-ShortHeaderSize > MaxShortPayloadSize {
		return Message{}, fmt.Errorf("i2np: short header: payload %d bytes: %w", len(b)-ShortHeaderSize, ErrTooLarge)
	}
	return Message{
		Type:       Type(b[typeOffset]),
		ID:         binary.BigEndian.Uint32(b[idOffset:]),
		Expiration: time.Unix(int64(binary.BigEndian.Uint32(b[shortExpirationOffset:])), 0).UTC(),
		Payload:    b[ShortHeaderSize:len(b):len(b)],
	}, nil
}

// AppendShort appends m with the 9-byte short header to dst. The
// expiration is truncated to whole seconds, as i2pd does.
func (m Message) AppendShort(dst []byte) ([]byte, error) {
	if len(m.Payload) > MaxShortPayloadSize {
		return dst, fmt.Errorf("i2np: short header: payload %d bytes: %w", len(m.Payload), ErrTooLarge)
	}
	s := m.Expiration.Unix()
	if s < 0 || s > math.MaxUint32 {
		return dst, fmt.Errorf("i2np: short header: expiration %v out of range: %w", m.Expiration, ErrInvalid)
	}
	dst = slices.Grow(dst, ShortHeaderSize+len(m.Payload))
	dst = append(dst, byte(m.Type))
	dst = binary.BigEndian.AppendUint32(dst, m.ID)
	dst = binary.BigEndian.AppendUint32(dst, uint32(s))
	return append(dst, m.Payload...), nil
}

// StandardLen is the length of m with a standard header.
func (m Message) StandardLen() int { return HeaderSize + len(m.Payload) }

// ShortLen is the length of m with a short header.
func (m Message) ShortLen() int { return ShortHeaderSize + len(m.Payload) }

// Expired reports whether a router should drop m at time now: its
// expiration passed more than ClockSkew ago, or lies more than
// MaxFutureExpiration ahead (i2pd I2NPMessage::IsExpired).
func (m Message) Expired(now time.Time) bool {
	return now.After(m.Expiration.Add(ClockSkew)) || now.Before(m.Expiration.Add(-MaxFutureExpiration))
}
