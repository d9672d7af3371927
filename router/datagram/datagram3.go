package datagram

import (
	"encoding/binary"
	"fmt"

	"i2pgate/router/data"
)

// MinDatagram3Size is the smallest Datagram3: the hash and the flags.
const MinDatagram3Size = data.HashSize + FlagsSize

// Datagram3 is a Datagram3 (datagrams.rst "Datagram3", I2CP protocol 20):
//
//	fromhash  Hash, 32 bytes
//	flags     2 bytes
//	options   Mapping, if FlagOptions
//	payload
//
// It is repliable but not authenticated: anyone can claim any fromhash.
// An all-zero fromhash, which names no destination, is refused.
// i2pd accepts one only from a ratchet session whose static key matches
// the LeaseSet of fromhash; this package cannot check that.
type Datagram3 struct {
	From    data.Hash
	Options data.Mapping // empty: no options section
	Payload []byte
}

// BuildDatagram3 serializes d.
func BuildDatagram3(d *Datagram3) ([]byte, error) {
	if d == nil {
		return nil, fmt.Errorf("datagram: datagram3: nil: %w", ErrInvalid)
	}
	flags := Version3
	var opts []byte
	if d.Options.Len() > 0 {
		var err error
		if opts, err = d.Options.Bytes(); err != nil {
			return nil, fmt.Errorf("datagram: datagram3: options: %w", err)
		}
		flags |= FlagOptions
	}
	size := MinDatagram3Size + len(opts) + len(d.Payload)
	if size > MaxSize {
		return nil, fmt.Errorf("datagram: datagram3: %d bytes: %w", size, ErrTooLarge)
	}
	b := make([]byte, 0, size)
	b = append(b, d.From[:]...)
	b = binary.BigEndian.AppendUint16(b, flags)
	b = append(b, opts...)
	return append(b, d.Payload...), nil
}

// ParseDatagram3 decodes a Datagram3. The payload is a sub-slice of b.
func ParseDatagram3(b []byte) (*Datagram3, error) {
	if len(b) > MaxSize {
		return nil, fmt.Errorf("datagram: datagram3: %d bytes: %w", len(b), ErrTooLarge)
	}
	if len(b) < MinDatagram3Size {
		return nil, fmt.Errorf("datagram: datagram3: %d bytes: %w", len(b), ErrTruncated)
	}
	d := new(Datagram3)
	copy(d.From[:], b)
	if d.From.IsZero() {
		return nil, fmt.Errorf("datagram: datagram3: zero sender hash: %w", ErrInvalid)
	}
	_, off, err := parseFlags(b[data.HashSize:], Version3, &d.Options)
	if err != nil {
		return nil, fmt.Errorf("datagram: datagram3: %w", err)
	}
	d.Payload = b[data.HashSize+off:]
	return d, nil
}
