package i2np

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
)

// TunnelData layout.
const (
	tunnelDataIDOffset   = 0
	tunnelDataDataOffset = tunnelDataIDOffset + 4
	// TunnelDataBodySize is the fixed size of the encrypted tunnel message.
	TunnelDataBodySize = 1024
	// TunnelDataSize is the payload size of a TunnelData message.
	TunnelDataSize = tunnelDataDataOffset + TunnelDataBodySize
)

// TunnelData is one fixed-size encrypted tunnel message between hops
// (i2np.rst "TunnelData", type 18; tunnel-message.rst for Data).
type TunnelData struct {
	TunnelID uint32
	// Data is the 1024-byte tunnel message; parsed values alias the
	// input.
	Data []byte
}

// Type returns TypeTunnelData.
func (TunnelData) Type() Type { return TypeTunnelData }

// ParseTunnelData decodes a TunnelData payload. It does not allocate.
func ParseTunnelData(payload []byte) (TunnelData, error) {
	if err := exactSize("tunnel data", payload, TunnelDataSize); err != nil {
		return TunnelData{}, err
	}
	return TunnelData{
		TunnelID: binary.BigEndian.Uint32(payload[tunnelDataIDOffset:]),
		Data:     payload[tunnelDataDataOffset:TunnelDataSize:TunnelDataSize],
	}, nil
}

// Append appends the payload encoding of t to dst.
func (t TunnelData) Append(dst []byte) ([]byte, error) {
	if len(t.Data) != TunnelDataBodySize {
		return dst, fmt.Errorf("i2np: tunnel data: %d bytes of data, want %d: %w", len(t.Data), TunnelDataBodySize, ErrInvalid)
	}
	dst = slices.Grow(dst, TunnelDataSize)
	dst = binary.BigEndian.AppendUint32(dst, t.TunnelID)
	return append(dst, t.Data...), nil
}

// TunnelGateway layout.
const (
	tunnelGatewayIDOffset     = 0
	tunnelGatewayLengthOffset = tunnelGatewayIDOffset + 4
	// TunnelGatewayHeaderSize precedes the wrapped message.
	TunnelGatewayHeaderSize = tunnelGatewayLengthOffset + 2
)

// TunnelGateway hands a message to an inbound tunnel's gateway (i2np.rst
// "TunnelGateway", type 19).
type TunnelGateway struct {
	TunnelID uint32
	// Message is the wrapped I2NP message with its standard header, kept
	// opaque; Inner parses it.
	Message []byte
}

// Type returns TypeTunnelGateway.
func (TunnelGateway) Type() Type { return TypeTunnelGateway }

// NewTunnelGateway wraps m, encoded with its standard header, for tunnel
// tunnelID.
func NewTunnelGateway(tunnelID uint32, m Message) (TunnelGateway, error) {
	b, err := m.AppendStandard(nil)
	if err != nil {
		return TunnelGateway{}, err
	}
	return TunnelGateway{TunnelID: tunnelID, Message: b}, nil
}

// ParseTunnelGateway decodes a TunnelGateway payload. The wrapped message
// is not parsed; see Inner.
func ParseTunnelGateway(payload []byte) (TunnelGateway, error) {
	if len(payload) < TunnelGatewayHeaderSize {
		return TunnelGateway{}, fmt.Errorf("i2np: tunnel gateway: %d bytes: %w", len(payload), ErrTruncated)
	}
	n := int(binary.BigEndian.Uint16(payload[tunnelGatewayLengthOffset:]))
	rest := payload[TunnelGatewayHeaderSize:]
	switch {
	case n > len(rest):
		return TunnelGateway{}, fmt.Errorf("i2np: tunnel gateway: length %d, %d bytes follow: %w", n, len(rest), ErrTruncated)
	case n < len(rest):
		return TunnelGateway{}, fmt.Errorf("i2np: tunnel gateway: length %d, %d bytes follow: %w", n, len(rest), ErrTrailingData)
	}
	return TunnelGateway{
		TunnelID: binary.BigEndian.Uint32(payload[tunnelGatewayIDOffset:]),
		Message:  rest[:n:n],
	}, nil
}

// Inner parses the wrapped message; it must fill Message exactly.
func (g TunnelGateway) Inner() (Message, error) {
	m, rest, err := ParseStandard(g.Message)
	if err != nil {
		return Message{}, err
	}
	if len(rest) != 0 {
		return Message{}, fmt.Errorf("i2np: tunnel gateway: %d bytes after the message: %w", len(rest), ErrTrailingData)
	}
	return m, nil
}

// Append appends the payload encoding of g to dst.
func (g TunnelGateway) Append(dst []byte) ([]byte, error) {
	if len(g.Message) > math.MaxUint16 {
		return dst, fmt.Errorf("i2np: tunnel gateway: message %d bytes: %w", len(g.Message), ErrTooLarge)
	}
	dst = slices.Grow(dst, TunnelGatewayHeaderSize+len(g.Message))
	dst = binary.BigEndian.AppendUint32(dst, g.TunnelID)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(g.Message)))
	return append(dst, g.Message...), nil
}
