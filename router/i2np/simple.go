package i2np

import (
	"encoding/binary"
	"fmt"
	"slices"

	"i2pgate/router/data"
)

// DeliveryStatus layout.
const (
	deliveryStatusIDOffset        = 0
	deliveryStatusTimestampOffset = deliveryStatusIDOffset + 4
	// DeliveryStatusSize is the payload size of a DeliveryStatus.
	DeliveryStatusSize = deliveryStatusTimestampOffset + data.DateSize
)

// DeliveryStatus acknowledges a message (i2np.rst "DeliveryStatus",
// type 10).
type DeliveryStatus struct {
	// MessageID is the id of the acknowledged message (or the reply token
	// of a DatabaseStore).
	MessageID uint32
	// Timestamp is the creation or arrival time in ms; SSU establishment
	// put the network id here instead.
	Timestamp data.Date
}

// Type returns TypeDeliveryStatus.
func (DeliveryStatus) Type() Type { return TypeDeliveryStatus }

// ParseDeliveryStatus decodes a DeliveryStatus payload.
func ParseDeliveryStatus(payload []byte) (DeliveryStatus, error) {
	if err := exactSize("delivery status", payload, DeliveryStatusSize); err != nil {
		return DeliveryStatus{}, err
	}
	return DeliveryStatus{
		MessageID: binary.BigEndian.Uint32(payload[deliveryStatusIDOffset:]),
		Timestamp: data.Date(binary.BigEndian.Uint64(payload[deliveryStatusTimestampOffset:])),
	}, nil
}

// Append appends the payload encoding of d to dst.
func (d DeliveryStatus) Append(dst []byte) ([]byte, error) {
	dst = binary.BigEndian.AppendUint32(dst, d.MessageID)
	return binary.BigEndian.AppendUint64(dst, uint64(d.Timestamp)), nil
}

// exactSize checks that a fixed-size payload has exactly size bytes.
func exactSize(what string, payload []byte, size int) error {
	switch {
	case len(payload) < size:
		return fmt.Errorf("i2np: %s: %d bytes, want %d: %w", what, len(payload), size, ErrTruncated)
	case len(payload) > size:
		return fmt.Errorf("i2np: %s: %d bytes, want %d: %w", what, len(payload), size, ErrTrailingData)
	}
	return nil
}

// lengthPrefixSize is the 4-byte length of Garlic and Data payloads.
const lengthPrefixSize = 4

// Garlic carries encrypted cloves (i2np.rst "Garlic", type 11). Data is
// opaque here: an ElGamal/AES block or an ECIES-X25519-AEAD-Ratchet
// message, decrypted by router/garlic.
type Garlic struct {
	Data []byte
}

// Type returns TypeGarlic.
func (Garlic) Type() Type { return TypeGarlic }

// ParseGarlic decodes a Garlic payload.
func ParseGarlic(payload []byte) (Garlic, error) {
	b, err := parseLengthPrefixed("garlic", payload)
	return Garlic{Data: b}, err
}

// Append appends the payload encoding of g to dst.
func (g Garlic) Append(dst []byte) ([]byte, error) {
	return appendLengthPrefixed("garlic", dst, g.Data)
}

// Data carries opaque client data inside garlic cloves (i2np.rst "Data",
// type 20).
type Data struct {
	Data []byte
}

// Type returns TypeData.
func (Data) Type() Type { return TypeData }

// ParseData decodes a Data payload.
func ParseData(payload []byte) (Data, error) {
	b, err := parseLengthPrefixed("data", payload)
	return Data{Data: b}, err
}

// Append appends the payload encoding of d to dst.
func (d Data) Append(dst []byte) ([]byte, error) {
	return appendLengthPrefixed("data", dst, d.Data)
}

// parseLengthPrefixed reads a 4-byte length and exactly that many bytes.
func parseLengthPrefixed(what string, payload []byte) ([]byte, error) {
	if len(payload) < lengthPrefixSize {
		return nil, fmt.Errorf("i2np: %s: %d bytes: %w", what, len(payload), ErrTruncated)
	}
	n := binary.BigEndian.Uint32(payload)
	rest := payload[lengthPrefixSize:]
	switch {
	case uint64(n) > uint64(len(rest)):
		return nil, fmt.Errorf("i2np: %s: length %d, %d bytes follow: %w", what, n, len(rest), ErrTruncated)
	case uint64(n) < uint64(len(rest)):
		return nil, fmt.Errorf("i2np: %s: length %d, %d bytes follow: %w", what, n, len(rest), ErrTrailingData)
	}
	return rest[:len(rest):len(rest)], nil
}

func appendLengthPrefixed(what string, dst, b []byte) ([]byte, error) {
	if len(b) > MaxPayloadSize-lengthPrefixSize {
		return dst, fmt.Errorf("i2np: %s: %d bytes: %w", what, len(b), ErrTooLarge)
	}
	dst = slices.Grow(dst, lengthPrefixSize+len(b))
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(b)))
	return append(dst, b...), nil
}
