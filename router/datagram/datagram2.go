package datagram

import (
	"encoding/binary"
	"fmt"
	"time"

	"i2pgate/router/data"
)

// Flags of Datagram2 and Datagram3 (datagrams.rst, proposal 163): bits
// 3-0 hold the version, bit 4 says an options Mapping follows, bit 5 (only
// in Datagram2) that an offline signature section follows. The other bits
// are reserved: we send them as 0 and ignore them, as Java I2P does.
const (
	FlagsSize          = 2
	FlagOptions uint16 = 1 << 4
	FlagOffline uint16 = 1 << 5
	versionMask uint16 = 0x000f
	Version2    uint16 = 2
	Version3    uint16 = 3
)

// MinDatagram2Size is the smallest Datagram2: a Destination with a NULL
// certificate, the flags and a 40-byte DSA_SHA1 signature.
const MinDatagram2Size = data.MinIdentitySize + FlagsSize + 40

// Datagram2 is a Datagram2 (datagrams.rst "Datagram2", I2CP protocol 19):
//
//	from              Destination, 387+ bytes
//	flags             2 bytes
//	options           Mapping, if FlagOptions
//	offline_signature Offline, if FlagOffline
//	payload
//	signature         by from's key, or by the transient key if offline
//
// The signature covers the target destination's hash (not sent), then
// everything from the flags through the payload, whatever the key type:
// a datagram replayed to another destination does not verify.
type Datagram2 struct {
	From    *data.Destination
	Options data.Mapping // empty: no options section
	Offline *Offline     // nil unless the sender's keys are offline
	Payload []byte
}

// BuildDatagram2 signs d for the destination whose hash is to. signer
// must hold the key of d.From, or the transient key of d.Offline.
func BuildDatagram2(signer data.Signer, to data.Hash, d *Datagram2) ([]byte, error) {
	if signer == nil || d == nil || d.From == nil {
		return nil, fmt.Errorf("datagram: datagram2: no signer or destination: %w", ErrInvalid)
	}
	key := d.From.SigningPublicKey()
	flags := Version2
	var opts []byte
	if d.Options.Len() > 0 {
		var err error
		if opts, err = d.Options.Bytes(); err != nil {
			return nil, fmt.Errorf("datagram: datagram2: options: %w", err)
		}
		flags |= FlagOptions
	}
	offLen := 0
	if d.Offline != nil {
		if len(d.Offline.Signature) != d.From.SignatureLen() {
			return nil, fmt.Errorf("datagram: datagram2: offline signature of %d bytes: %w", len(d.Offline.Signature), ErrInvalid)
		}
		key = d.Offline.Transient
		offLen = d.Offline.len()
		flags |= FlagOffline
	}
	if !signer.Public().Equal(key) {
		return nil, fmt.Errorf("datagram: datagram2: signer does not hold the signing key: %w", data.ErrKeyMismatch)
	}
	from := d.From.Bytes()
	sigLen := key.SignatureLen()
	size := len(from) + FlagsSize + len(opts) + offLen + len(d.Payload) + sigLen
	if size > MaxSize {
		return nil, fmt.Errorf("datagram: datagram2: %d bytes: %w", size, ErrTooLarge)
	}
	// Lay out from, the prelude and the signed fields, sign, then move the
	// signed fields over the prelude, which is not sent.
	b := make([]byte, 0, size+data.HashSize)
	b = append(b, from...)
	b = append(b, to[:]...)
	b = binary.BigEndian.AppendUint16(b, flags)
	b = append(b, opts...)
	if d.Offline != nil {
		b = d.Offline.append(b)
	}
	b = append(b, d.Payload...)
	sig, err := signer.Sign(b[len(from):])
	if err != nil {
		return nil, fmt.Errorf("datagram: datagram2: %w", err)
	}
	if len(sig) != sigLen {
		return nil, fmt.Errorf("datagram: datagram2: %v signature of %d bytes: %w", key.Type(), len(sig), ErrInvalid)
	}
	n := copy(b[len(from):], b[len(from)+data.HashSize:])
	b = b[:len(from)+n]
	return append(b, sig...), nil
}

// ParseDatagram2 decodes a Datagram2 sent to the destination whose hash is
// to and verifies it: the offline signature (if any) with from's key and
// its expiry against now, then the datagram's signature. The payload is a
// sub-slice of b.
func ParseDatagram2(b []byte, to data.Hash, now time.Time) (*Datagram2, error) {
	if len(b) > MaxSize {
		return nil, fmt.Errorf("datagram: datagram2: %d bytes: %w", len(b), ErrTooLarge)
	}
	if len(b) < MinDatagram2Size {
		return nil, fmt.Errorf("datagram: datagram2: %d bytes: %w", len(b), ErrTruncated)
	}
	from, rest, err := data.ParseDestination(b)
	if err != nil {
		return nil, fmt.Errorf("datagram: datagram2: from: %w", err)
	}
	d := &Datagram2{From: from}
	flags, off, err := parseFlags(rest, Version2, &d.Options)
	if err != nil {
		return nil, fmt.Errorf("datagram: datagram2: %w", err)
	}
	key := from.SigningPublicKey()
	if flags&FlagOffline != 0 {
		o, n, err := parseOffline(rest[off:], from.SignatureLen())
		if err != nil {
			return nil, fmt.Errorf("datagram: datagram2: %w", err)
		}
		if err := o.verify(key, now); err != nil {
			return nil, fmt.Errorf("datagram: datagram2: %w", err)
		}
		d.Offline, key = o, o.Transient
		off += n
	}
	sigLen := key.SignatureLen()
	if len(rest)-off < sigLen {
		return nil, fmt.Errorf("datagram: datagram2: signature: %w", ErrTruncated)
	}
	end := len(rest) - sigLen
	signed := make([]byte, 0, data.HashSize+end)
	signed = append(append(signed, to[:]...), rest[:end]...)
	if err := key.Verify(signed, rest[end:]); err != nil {
		return nil, fmt.Errorf("datagram: datagram2: %w", err)
	}
	d.Payload = rest[off:end]
	return d, nil
}

// parseFlags reads the flags of a Datagram2 or 3 from the start of b,
// checks the version and reads the options into opts if flagged. It
// returns the flags and the offset after them.
func parseFlags(b []byte, version uint16, opts *data.Mapping) (uint16, int, error) {
	if len(b) < FlagsSize {
		return 0, 0, fmt.Errorf("flags: %w", ErrTruncated)
	}
	flags := binary.BigEndian.Uint16(b)
	if v := flags & versionMask; v != version {
		return 0, 0, fmt.Errorf("version %d, want %d: %w", v, version, ErrInvalid)
	}
	off := FlagsSize
	if flags&FlagOptions != 0 {
		m, rest, err := data.ParseMapping(b[off:])
		if err != nil {
			return 0, 0, fmt.Errorf("options: %w", err)
		}
		*opts = m
		off = len(b) - len(rest)
	}
	return flags, off, nil
}
