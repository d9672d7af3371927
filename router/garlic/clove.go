package garlic

import (
	"encoding/binary"
	"fmt"

	"i2pgate/router/data"
	"i2pgate/router/i2np"
)

// DeliveryType is bits 6-5 of the delivery instructions flag (i2np.rst
// "Garlic Clove Delivery Instructions").
type DeliveryType uint8

// Delivery types.
const (
	DeliveryLocal       DeliveryType = 0
	DeliveryDestination DeliveryType = 1
	DeliveryRouter      DeliveryType = 2
	DeliveryTunnel      DeliveryType = 3
)

// String returns the spec's name of t.
func (t DeliveryType) String() string {
	switch t {
	case DeliveryLocal:
		return "LOCAL"
	case DeliveryDestination:
		return "DESTINATION"
	case DeliveryRouter:
		return "ROUTER"
	case DeliveryTunnel:
		return "TUNNEL"
	}
	return fmt.Sprintf("DeliveryType(%d)", uint8(t))
}

// Delivery instructions layout: the flag byte, To Hash for DESTINATION,
// ROUTER and TUNNEL, then the Tunnel ID for TUNNEL. The encryption bit (7)
// and the delay bit (4) are unimplemented in the network and rejected here.
const (
	deliveryFlagSize     = 1
	deliveryTypeShift    = 5
	deliveryTypeMask     = 0x03
	deliveryFlagEncrypt  = 0x80
	deliveryFlagDelay    = 0x10
	deliveryTunnelIDSize = 4

	// DeliveryLocalSize, DeliveryHashSize and DeliveryTunnelSize are the
	// three possible lengths of clove delivery instructions.
	DeliveryLocalSize  = deliveryFlagSize
	DeliveryHashSize   = deliveryFlagSize + data.HashSize
	DeliveryTunnelSize = DeliveryHashSize + deliveryTunnelIDSize

	// MinCloveSize is the smallest Garlic Clove block data: LOCAL delivery
	// and a 9-byte I2NP header with an empty body.
	MinCloveSize = DeliveryLocalSize + i2np.ShortHeaderSize
)

// Delivery is a clove's delivery instructions (i2np.rst "Garlic Clove
// Delivery Instructions"). Hash is the destination, router or gateway hash
// (unused for LOCAL); TunnelID, nonzero, is used for TUNNEL only.
type Delivery struct {
	Type     DeliveryType
	Hash     data.Hash
	TunnelID uint32
}

// Len is the encoded size of d.
func (d Delivery) Len() int {
	switch d.Type {
	case DeliveryLocal:
		return DeliveryLocalSize
	case DeliveryTunnel:
		return DeliveryTunnelSize
	}
	return DeliveryHashSize
}

// Append appends the encoding of d to dst.
func (d Delivery) Append(dst []byte) ([]byte, error) {
	if d.Type > DeliveryTunnel {
		return dst, fmt.Errorf("garlic: delivery: type %d: %w", d.Type, ErrInvalid)
	}
	if d.Type == DeliveryTunnel && d.TunnelID == 0 {
		return dst, fmt.Errorf("garlic: delivery: tunnel id 0: %w", ErrInvalid)
	}
	dst = append(dst, byte(d.Type)<<deliveryTypeShift)
	if d.Type != DeliveryLocal {
		dst = append(dst, d.Hash[:]...)
	}
	if d.Type == DeliveryTunnel {
		dst = binary.BigEndian.AppendUint32(dst, d.TunnelID)
	}
	return dst, nil
}

// parseDelivery reads delivery instructions from the front of b and returns
// them with their length.
func parseDelivery(b []byte) (Delivery, int, error) {
	if len(b) < deliveryFlagSize {
		return Delivery{}, 0, fmt.Errorf("garlic: delivery: %w", ErrTruncated)
	}
	flag := b[0]
	if flag&(deliveryFlagEncrypt|deliveryFlagDelay) != 0 {
		return Delivery{}, 0, fmt.Errorf("garlic: delivery: flag %#02x: %w", flag, ErrInvalid)
	}
	d := Delivery{Type: DeliveryType(flag >> deliveryTypeShift & deliveryTypeMask)}
	n := d.Len()
	if len(b) < n {
		return Delivery{}, 0, fmt.Errorf("garlic: delivery %v: %d bytes: %w", d.Type, len(b), ErrTruncated)
	}
	if d.Type != DeliveryLocal {
		copy(d.Hash[:], b[deliveryFlagSize:])
	}
	if d.Type == DeliveryTunnel {
		d.TunnelID = binary.BigEndian.Uint32(b[DeliveryHashSize:])
		if d.TunnelID == 0 {
			return Delivery{}, 0, fmt.Errorf("garlic: delivery: tunnel id 0: %w", ErrInvalid)
		}
	}
	return d, n, nil
}

// Clove is the Garlic Clove block (ecies.rst "Garlic Clove"): delivery
// instructions, then an I2NP message with the 9-byte short header (type,
// message ID, expiration in seconds) and its body.
type Clove struct {
	Delivery Delivery
	// Message's Payload aliases the input of a parse.
	Message i2np.Message
}

// Type implements Block.
func (Clove) Type() BlockType { return BlockGarlicClove }

func (c Clove) dataLen() int { return c.Delivery.Len() + c.Message.ShortLen() }

func (c Clove) appendData(dst []byte) ([]byte, error) {
	start := len(dst)
	dst, err := c.Delivery.Append(dst)
	if err != nil {
		return dst[:start], err
	}
	out, err := c.Message.AppendShort(dst)
	if err != nil {
		return dst[:start], fmt.Errorf("garlic: clove: %w", err)
	}
	return out, nil
}

// ParseClove decodes the data of a Garlic Clove block. The message payload
// aliases b.
func ParseClove(b []byte) (Clove, error) {
	d, n, err := parseDelivery(b)
	if err != nil {
		return Clove{}, err
	}
	m, err := i2np.ParseShort(b[n:])
	if err != nil {
		return Clove{}, fmt.Errorf("garlic: clove: %w", err)
	}
	return Clove{Delivery: d, Message: m}, nil
}

// Cloves returns the Clove blocks of blocks, in order.
func Cloves(blocks []Block) []Clove {
	var out []Clove
	for _, b := range blocks {
		if c, ok := b.(Clove); ok {
			out = append(out, c)
		}
	}
	return out
}
