package data

import (
	"fmt"
	"math"
	"time"

	"golang.org/x/crypto/cryptobyte"
)

const (
	// DateSize is the size of a Date on the wire.
	DateSize = 8
	// MaxStringLen is the longest String payload in bytes.
	MaxStringLen = 255
)

// Date is a common-structures "Date": milliseconds since the Unix epoch,
// 8 bytes big endian; zero means undefined. It is a uint64 so that it stays
// exact on 32-bit targets.
type Date uint64

// DateOf converts t to a Date; times before the epoch become 0.
func DateOf(t time.Time) Date {
	ms := t.UnixMilli()
	if ms < 0 {
		return 0
	}
	return Date(ms)
}

// Time converts d to a time.Time. Values beyond the int64 range saturate.
func (d Date) Time() time.Time {
	if d > math.MaxInt64 {
		return time.UnixMilli(math.MaxInt64).UTC()
	}
	return time.UnixMilli(int64(d)).UTC()
}

// secondsTime converts the 4-byte seconds-since-epoch dates of LeaseSet2
// and Lease2 to a time.Time.
func secondsTime(s uint32) time.Time {
	return time.Unix(int64(s), 0).UTC()
}

// secondsOf converts t to the 4-byte seconds form, rejecting times that do
// not fit.
func secondsOf(t time.Time) (uint32, error) {
	s := t.Unix()
	if s < 0 || s > math.MaxUint32 {
		return 0, fmt.Errorf("data: time %v does not fit in 4-byte seconds: %w", t, ErrInvalid)
	}
	return uint32(s), nil
}

// ParseInteger decodes a common-structures "Integer": 1 to 8 bytes, big
// endian.
func ParseInteger(b []byte) (uint64, error) {
	if len(b) < 1 || len(b) > 8 {
		return 0, fmt.Errorf("data: integer: length %d: %w", len(b), ErrInvalid)
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v, nil
}

// AppendInteger appends v as an n-byte big-endian Integer.
func AppendInteger(dst []byte, v uint64, n int) ([]byte, error) {
	if n < 1 || n > 8 || (n < 8 && v>>(8*uint(n)) != 0) {
		return dst, fmt.Errorf("data: integer: %d does not fit in %d bytes: %w", v, n, ErrInvalid)
	}
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, byte(v>>(8*uint(i))))
	}
	return dst, nil
}

// ParseString decodes a common-structures "String" (a length byte then that
// many bytes) from the start of b and returns the rest.
func ParseString(b []byte) (s string, rest []byte, err error) {
	in := cryptobyte.String(b)
	if !readString(&in, &s) {
		return "", nil, fmt.Errorf("data: string: %w", ErrTruncated)
	}
	return s, in, nil
}

// AppendString appends s as a String; s must be at most 255 bytes.
func AppendString(dst []byte, s string) ([]byte, error) {
	if len(s) > MaxStringLen {
		return dst, fmt.Errorf("data: string: length %d: %w", len(s), ErrInvalid)
	}
	dst = append(dst, byte(len(s)))
	return append(dst, s...), nil
}

func readString(in *cryptobyte.String, out *string) bool {
	var v cryptobyte.String
	if !in.ReadUint8LengthPrefixed(&v) {
		return false
	}
	*out = string(v)
	return true
}

func readDate(in *cryptobyte.String, out *Date) bool {
	var v uint64
	if !in.ReadUint64(&v) {
		return false
	}
	*out = Date(v)
	return true
}

// readCopy reads n bytes and returns a copy so that the result does not
// alias the caller's buffer.
func readCopy(in *cryptobyte.String, n int, out *[]byte) bool {
	var v []byte
	if n < 0 || !in.ReadBytes(&v, n) {
		return false
	}
	*out = append([]byte(nil), v...)
	return true
}
