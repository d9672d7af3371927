package ntcp2

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Handshake options blocks (ntcp2.rst "1) SessionRequest" and
// "2) SessionCreated", "Options block"): 16 bytes, big endian.
const (
	OptionsSize = 16

	reqNetIDOffset     = 0
	reqVersionOffset   = 1
	reqPadLenOffset    = 2
	reqM3P2LenOffset   = 4
	reqTimestampOffset = 8

	createdPadLenOffset    = 2
	createdTimestampOffset = 8
)

// Version is the NTCP2 protocol version carried in message 1 ("ver").
const Version = 2

// ErrTruncated is returned by parsers for input shorter than its structure.
var ErrTruncated = errors.New("ntcp2: truncated input")

// RequestOptions is the options block of message 1 (ntcp2.rst
// "1) SessionRequest", "Options block"). Byte 0, reserved in the
// specification, carries the network ID as i2pd and Java I2P send it.
type RequestOptions struct {
	NetID     uint8
	Version   uint8
	PadLen    uint16 // cleartext padding after the AEAD frame
	M3P2Len   uint16 // size of message 3 part 2 including its MAC
	Timestamp uint32 // tsA, Unix seconds
}

// Append appends the 16-byte wire form of o.
func (o RequestOptions) Append(dst []byte) []byte {
	var b [OptionsSize]byte
	b[reqNetIDOffset] = o.NetID
	b[reqVersionOffset] = o.Version
	binary.BigEndian.PutUint16(b[reqPadLenOffset:], o.PadLen)
	binary.BigEndian.PutUint16(b[reqM3P2LenOffset:], o.M3P2Len)
	binary.BigEndian.PutUint32(b[reqTimestampOffset:], o.Timestamp)
	return append(dst, b[:]...)
}

// ParseRequestOptions decodes a message 1 options block. Reserved bytes are
// ignored, for compatibility with future options.
func ParseRequestOptions(b []byte) (RequestOptions, error) {
	if len(b) < OptionsSize {
		return RequestOptions{}, fmt.Errorf("ntcp2: request options: %w", ErrTruncated)
	}
	return RequestOptions{
		NetID:     b[reqNetIDOffset],
		Version:   b[reqVersionOffset],
		PadLen:    binary.BigEndian.Uint16(b[reqPadLenOffset:]),
		M3P2Len:   binary.BigEndian.Uint16(b[reqM3P2LenOffset:]),
		Timestamp: binary.BigEndian.Uint32(b[reqTimestampOffset:]),
	}, nil
}

// CreatedOptions is the options block of message 2 (ntcp2.rst
// "2) SessionCreated", "Options block").
type CreatedOptions struct {
	PadLen    uint16
	Timestamp uint32 // tsB, Unix seconds
}

// Append appends the 16-byte wire form of o.
func (o CreatedOptions) Append(dst []byte) []byte {
	var b [OptionsSize]byte
	binary.BigEndian.PutUint16(b[createdPadLenOffset:], o.PadLen)
	binary.BigEndian.PutUint32(b[createdTimestampOffset:], o.Timestamp)
	return append(dst, b[:]...)
}

// ParseCreatedOptions decodes a message 2 options block.
func ParseCreatedOptions(b []byte) (CreatedOptions, error) {
	if len(b) < OptionsSize {
		return CreatedOptions{}, fmt.Errorf("ntcp2: created options: %w", ErrTruncated)
	}
	return CreatedOptions{
		PadLen:    binary.BigEndian.Uint16(b[createdPadLenOffset:]),
		Timestamp: binary.BigEndian.Uint32(b[createdTimestampOffset:]),
	}, nil
}

// Timestamp returns t as NTCP2's unsigned 32-bit Unix seconds, rounded to
// the nearest second as i2pd does.
func Timestamp(t time.Time) uint32 {
	return uint32((t.UnixMilli() + 500) / 1000)
}

// TimestampSkew returns how far the peer's timestamp ts is ahead of local
// (negative when behind), correct across the 2106 wrap of the 32-bit field.
func TimestampSkew(ts uint32, local time.Time) time.Duration {
	return time.Duration(int32(ts-Timestamp(local))) * time.Second
}

// timestampTime converts a 32-bit timestamp near local into a time.Time.
func timestampTime(ts uint32, local time.Time) time.Time {
	return time.Unix((local.UnixMilli()+500)/1000, 0).Add(TimestampSkew(ts, local))
}
