package tunnel

import (
	"encoding/binary"
	"fmt"

	"i2pgate/router/data"
)

// DeliveryType is the delivery type of first-fragment delivery
// instructions (tunnel-message.rst "First Fragment Delivery
// Instructions", flag bits 6-5).
type DeliveryType uint8

// Delivery types; 3 is unused and invalid.
const (
	DeliveryLocal  DeliveryType = 0
	DeliveryTunnel DeliveryType = 1
	DeliveryRouter DeliveryType = 2
)

// String returns the spec name of t.
func (t DeliveryType) String() string {
	switch t {
	case DeliveryLocal:
		return "LOCAL"
	case DeliveryTunnel:
		return "TUNNEL"
	case DeliveryRouter:
		return "ROUTER"
	}
	return fmt.Sprintf("DeliveryType(%d)", uint8(t))
}

// Delivery says where a message leaving a tunnel goes: to the endpoint's
// router itself (LOCAL), to tunnel TunnelID at gateway router Hash
// (TUNNEL), or to router Hash (ROUTER).
type Delivery struct {
	Type     DeliveryType
	TunnelID uint32 // TUNNEL only
	Hash     data.Hash
}

// Local delivers to the endpoint's router itself.
func Local() Delivery { return Delivery{Type: DeliveryLocal} }

// ToTunnel delivers to tunnel id at gateway router gw.
func ToTunnel(gw data.Hash, id uint32) Delivery {
	return Delivery{Type: DeliveryTunnel, TunnelID: id, Hash: gw}
}

// ToRouter delivers to router r.
func ToRouter(r data.Hash) Delivery { return Delivery{Type: DeliveryRouter, Hash: r} }

// Flag bits and field sizes of tunnel message delivery instructions.
const (
	flagFollowOn     = 0x80
	flagTypeShift    = 5
	flagTypeMask     = 0x03
	flagDelay        = 0x10
	flagFragmented   = 0x08
	flagExtended     = 0x04
	flagLast         = 0x01
	fragNumShift     = 1
	fragNumMask      = 0x3f
	flagSize         = 1
	tunnelIDSize     = 4
	messageIDSize    = 4
	fragmentSizeSize = 2

	// FollowOnInstructionsSize is the fixed size of follow-on
	// instructions: flag, message id, size.
	FollowOnInstructionsSize = flagSize + messageIDSize + fragmentSizeSize
	// MaxInstructionsSize is the longest first-fragment instructions we
	// write or accept: flag, tunnel id, hash, message id, size.
	MaxInstructionsSize = flagSize + tunnelIDSize + data.HashSize + messageIDSize + fragmentSizeSize
	// MaxFragmentNumber is the highest follow-on fragment number (6 bits);
	// a message has at most MaxFragmentNumber+1 fragments.
	MaxFragmentNumber = 63
)

// Instructions are the tunnel message delivery instructions in front of
// one fragment (tunnel-message.rst "Tunnel Message Delivery
// Instructions"). A first fragment (FollowOn false) carries Delivery and,
// when Fragmented, the MessageID that its follow-on fragments repeat; a
// follow-on fragment carries Number (1 to 63), Last and MessageID. Size is
// the length of the fragment that follows.
//
// The unimplemented delay and extended-options flags and delivery type 3
// are rejected; the two reserved flag bits are ignored on parse and
// written as zero.
type Instructions struct {
	FollowOn   bool
	Delivery   Delivery // first fragment only
	Fragmented bool     // first fragment only
	Number     uint8    // follow-on only: 1..63
	Last       bool     // follow-on only
	MessageID  uint32   // follow-on, or first when Fragmented
	Size       uint16
}

// Len is the encoded length of in.
func (in Instructions) Len() int {
	if in.FollowOn {
		return FollowOnInstructionsSize
	}
	n := flagSize + fragmentSizeSize
	switch in.Delivery.Type {
	case DeliveryTunnel:
		n += tunnelIDSize + data.HashSize
	case DeliveryRouter:
		n += data.HashSize
	}
	if in.Fragmented {
		n += messageIDSize
	}
	return n
}

// Append appends the encoding of in to dst.
func (in Instructions) Append(dst []byte) ([]byte, error) {
	if in.FollowOn {
		if in.Number < 1 || in.Number > MaxFragmentNumber {
			return dst, fmt.Errorf("tunnel: instructions: fragment number %d: %w", in.Number, ErrInvalid)
		}
		flag := byte(flagFollowOn) | in.Number<<fragNumShift
		if in.Last {
			flag |= flagLast
		}
		dst = append(dst, flag)
		dst = binary.BigEndian.AppendUint32(dst, in.MessageID)
		return binary.BigEndian.AppendUint16(dst, in.Size), nil
	}
	t := in.Delivery.Type
	if t > DeliveryRouter {
		return dst, fmt.Errorf("tunnel: instructions: delivery type %d: %w", t, ErrInvalid)
	}
	flag := byte(t) << flagTypeShift
	if in.Fragmented {
		flag |= flagFragmented
	}
	dst = append(dst, flag)
	if t == DeliveryTunnel {
		dst = binary.BigEndian.AppendUint32(dst, in.Delivery.TunnelID)
	}
	if t != DeliveryLocal {
		dst = append(dst, in.Delivery.Hash[:]...)
	}
	if in.Fragmented {
		dst = binary.BigEndian.AppendUint32(dst, in.MessageID)
	}
	return binary.BigEndian.AppendUint16(dst, in.Size), nil
}

// ParseInstructions decodes the delivery instructions at the front of b
// and returns them with their encoded length. It does not check that Size
// bytes follow; the caller does, against what remains of its body.
func ParseInstructions(b []byte) (Instructions, int, error) {
	if len(b) < flagSize {
		return Instructions{}, 0, fmt.Errorf("tunnel: instructions: flag: %w", ErrTruncated)
	}
	flag := b[0]
	if flag&flagFollowOn != 0 {
		return parseFollowOn(b)
	}
	return parseFirst(b)
}

func parseFollowOn(b []byte) (Instructions, int, error) {
	if len(b) < FollowOnInstructionsSize {
		return Instructions{}, 0, fmt.Errorf("tunnel: instructions: follow-on: %w", ErrTruncated)
	}
	in := Instructions{
		FollowOn:  true,
		Number:    b[0] >> fragNumShift & fragNumMask,
		Last:      b[0]&flagLast != 0,
		MessageID: binary.BigEndian.Uint32(b[flagSize:]),
		Size:      binary.BigEndian.Uint16(b[flagSize+messageIDSize:]),
	}
	if in.Number == 0 {
		return Instructions{}, 0, fmt.Errorf("tunnel: instructions: follow-on fragment number 0: %w", ErrInvalid)
	}
	return in, FollowOnInstructionsSize, nil
}

func parseFirst(b []byte) (Instructions, int, error) {
	flag := b[0]
	if flag&(flagDelay|flagExtended) != 0 {
		return Instructions{}, 0, fmt.Errorf("tunnel: instructions: delay or extended options flag %#02x: %w", flag, ErrInvalid)
	}
	in := Instructions{
		Delivery:   Delivery{Type: DeliveryType(flag >> flagTypeShift & flagTypeMask)},
		Fragmented: flag&flagFragmented != 0,
	}
	if in.Delivery.Type > DeliveryRouter {
		return Instructions{}, 0, fmt.Errorf("tunnel: instructions: delivery type 3: %w", ErrInvalid)
	}
	n := in.Len()
	if len(b) < n {
		return Instructions{}, 0, fmt.Errorf("tunnel: instructions: %s first fragment: %w", in.Delivery.Type, ErrTruncated)
	}
	off := flagSize
	if in.Delivery.Type == DeliveryTunnel {
		in.Delivery.TunnelID = binary.BigEndian.Uint32(b[off:])
		off += tunnelIDSize
	}
	if in.Delivery.Type != DeliveryLocal {
		copy(in.Delivery.Hash[:], b[off:off+data.HashSize])
		off += data.HashSize
	}
	if in.Fragmented {
		in.MessageID = binary.BigEndian.Uint32(b[off:])
		off += messageIDSize
	}
	in.Size = binary.BigEndian.Uint16(b[off:])
	return in, n, nil
}
