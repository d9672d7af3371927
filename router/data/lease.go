package data

import (
	"encoding/binary"
	"fmt"
	"time"
)

// Lease sizes on the wire.
const (
	LeaseSize  = 44 // gateway 32, tunnel id 4, end date 8 (ms)
	Lease2Size = 40 // gateway 32, tunnel id 4, end date 4 (s)
	// MaxLeases is the largest lease count accepted in a lease set.
	MaxLeases = 16

	leaseTunnelIDOffset = HashSize
	leaseEndOffset      = HashSize + 4
)

// Lease is a common-structures "Lease" of a LeaseSet (type 1): a tunnel
// gateway, the tunnel id and an end Date in milliseconds.
type Lease struct {
	Gateway  Hash
	TunnelID uint32
	EndDate  Date
}

// Lease2 is a common-structures "Lease2" of a LeaseSet2: like Lease with a
// 4-byte end date in seconds.
type Lease2 struct {
	Gateway  Hash
	TunnelID uint32
	EndDate  uint32
}

// ParseLease decodes a Lease from the start of b and returns the rest.
func ParseLease(b []byte) (Lease, []byte, error) {
	if len(b) < LeaseSize {
		return Lease{}, nil, fmt.Errorf("data: lease: %w", ErrTruncated)
	}
	l := Lease{
		Gateway:  Hash(b[:HashSize]),
		TunnelID: binary.BigEndian.Uint32(b[leaseTunnelIDOffset:]),
		EndDate:  Date(binary.BigEndian.Uint64(b[leaseEndOffset:])),
	}
	return l, b[LeaseSize:], nil
}

// Append appends the 44-byte wire form.
func (l Lease) Append(dst []byte) []byte {
	dst = append(dst, l.Gateway[:]...)
	dst = binary.BigEndian.AppendUint32(dst, l.TunnelID)
	return binary.BigEndian.AppendUint64(dst, uint64(l.EndDate))
}

// End returns the end time.
func (l Lease) End() time.Time { return l.EndDate.Time() }

// ParseLease2 decodes a Lease2 from the start of b and returns the rest.
func ParseLease2(b []byte) (Lease2, []byte, error) {
	if len(b) < Lease2Size {
		return Lease2{}, nil, fmt.Errorf("data: lease2: %w", ErrTruncated)
	}
	l := Lease2{
		Gateway:  Hash(b[:HashSize]),
		TunnelID: binary.BigEndian.Uint32(b[leaseTunnelIDOffset:]),
		EndDate:  binary.BigEndian.Uint32(b[leaseEndOffset:]),
	}
	return l, b[Lease2Size:], nil
}

// Append appends the 40-byte wire form.
func (l Lease2) Append(dst []byte) []byte {
	dst = append(dst, l.Gateway[:]...)
	dst = binary.BigEndian.AppendUint32(dst, l.TunnelID)
	return binary.BigEndian.AppendUint32(dst, l.EndDate)
}

// End returns the end time.
func (l Lease2) End() time.Time { return secondsTime(l.EndDate) }
