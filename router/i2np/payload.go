package i2np

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"
)

// Payload is the decoded body of one message type. Append appends exactly
// the bytes that the type's parser accepts; it fails when a field violates
// the spec's bounds or disagrees with the flags that describe it.
type Payload interface {
	Type() Type
	Append(dst []byte) ([]byte, error)
}

// Compile-time checks that every message type is a Payload.
var (
	_ Payload = DatabaseStore{}
	_ Payload = DatabaseLookup{}
	_ Payload = DatabaseSearchReply{}
	_ Payload = DeliveryStatus{}
	_ Payload = Garlic{}
	_ Payload = TunnelData{}
	_ Payload = TunnelGateway{}
	_ Payload = Data{}
	_ Payload = TunnelBuild{}
	_ Payload = TunnelBuildReply{}
	_ Payload = VariableTunnelBuild{}
	_ Payload = VariableTunnelBuildReply{}
	_ Payload = ShortTunnelBuild{}
	_ Payload = OutboundTunnelBuildReply{}
)

// ParsePayload decodes payload as a message of type t.
func ParsePayload(t Type, payload []byte) (Payload, error) {
	switch t {
	case TypeDatabaseStore:
		return ParseDatabaseStore(payload)
	case TypeDatabaseLookup:
		return ParseDatabaseLookup(payload)
	case TypeDatabaseSearchReply:
		return ParseDatabaseSearchReply(payload)
	case TypeDeliveryStatus:
		return ParseDeliveryStatus(payload)
	case TypeGarlic:
		return ParseGarlic(payload)
	case TypeTunnelData:
		return ParseTunnelData(payload)
	case TypeTunnelGateway:
		return ParseTunnelGateway(payload)
	case TypeData:
		return ParseData(payload)
	}
	return parseBuild(t, payload)
}

func parseBuild(t Type, payload []byte) (Payload, error) {
	switch t {
	case TypeTunnelBuild:
		return ParseTunnelBuild(payload)
	case TypeTunnelBuildReply:
		return ParseTunnelBuildReply(payload)
	case TypeVariableTunnelBuild:
		return ParseVariableTunnelBuild(payload)
	case TypeVariableTunnelBuildReply:
		return ParseVariableTunnelBuildReply(payload)
	case TypeShortTunnelBuild:
		return ParseShortTunnelBuild(payload)
	case TypeOutboundTunnelBuildReply:
		return ParseOutboundTunnelBuildReply(payload)
	}
	return nil, fmt.Errorf("i2np: message type %d: %w", uint8(t), ErrInvalid)
}

// Decode parses m's payload according to m.Type.
func (m Message) Decode() (Payload, error) {
	return ParsePayload(m.Type, m.Payload)
}

// NewMessage encodes p into a new Message with the given id and expiration.
func NewMessage(p Payload, id uint32, expiration time.Time) (Message, error) {
	b, err := p.Append(nil)
	if err != nil {
		return Message{}, err
	}
	return Message{Type: p.Type(), ID: id, Expiration: expiration, Payload: b}, nil
}

// AppendStandardPayload appends a standard-header message carrying p to
// dst, encoding p in place after the header (no intermediate buffer). It is
// generic so that a concrete p is not boxed: with enough room in dst it does
// not allocate.
func AppendStandardPayload[P Payload](dst []byte, p P, id uint32, expiration time.Time) ([]byte, error) {
	start := len(dst)
	dst, err := Message{Type: p.Type(), ID: id, Expiration: expiration}.AppendStandard(dst)
	if err != nil {
		return dst, err
	}
	out, err := p.Append(dst)
	if err != nil {
		return dst[:start], err
	}
	size := len(out) - start - HeaderSize
	if size > MaxPayloadSize {
		return dst[:start], fmt.Errorf("i2np: header: payload %d bytes: %w", size, ErrTooLarge)
	}
	hdr := out[start : start+HeaderSize]
	binary.BigEndian.PutUint16(hdr[sizeOffset:], uint16(size))
	sum := sha256.Sum256(out[start+HeaderSize:])
	hdr[checksumOffset] = sum[0]
	return out, nil
}

// AppendShortPayload appends a short-header message carrying p to dst,
// encoding p in place after the header, without allocating when dst has
// room.
func AppendShortPayload[P Payload](dst []byte, p P, id uint32, expiration time.Time) ([]byte, error) {
	start := len(dst)
	dst, err := Message{Type: p.Type(), ID: id, Expiration: expiration}.AppendShort(dst)
	if err != nil {
		return dst, err
	}
	out, err := p.Append(dst)
	if err != nil {
		return dst[:start], err
	}
	if size := len(out) - start - ShortHeaderSize; size > MaxShortPayloadSize {
		return dst[:start], fmt.Errorf("i2np: short header: payload %d bytes: %w", size, ErrTooLarge)
	}
	return out, nil
}
