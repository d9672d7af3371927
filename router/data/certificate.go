package data

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
)

// CertType is a Certificate type code.
type CertType uint8

// Certificate types (common-structures "Certificate").
const (
	CertNull     CertType = 0
	CertHashCash CertType = 1
	CertHidden   CertType = 2
	CertSigned   CertType = 3
	CertMultiple CertType = 4
	CertKey      CertType = 5
)

const (
	// CertHeaderSize is the type byte plus the 2-byte payload length.
	CertHeaderSize = 3
	// keyCertMinPayload is the signing type plus the crypto type.
	keyCertMinPayload = 4
)

// Certificate is a common-structures "Certificate": a type, a 2-byte
// length and a payload. Types other than NULL and KEY are kept opaque.
type Certificate struct {
	Type    CertType
	Payload []byte
}

// ParseCertificate decodes a Certificate from the start of b and returns
// the rest. NULL and HIDDEN certificates must have an empty payload and a
// KEY certificate must hold at least its two type fields.
func ParseCertificate(b []byte) (Certificate, []byte, error) {
	in := cryptobyte.String(b)
	var c Certificate
	if err := readCertificate(&in, &c); err != nil {
		return Certificate{}, nil, fmt.Errorf("data: %w", err)
	}
	return c, in, nil
}

func readCertificate(in *cryptobyte.String, c *Certificate) error {
	var typ uint8
	var payload cryptobyte.String
	if !in.ReadUint8(&typ) || !in.ReadUint16LengthPrefixed(&payload) {
		return fmt.Errorf("certificate: %w", ErrTruncated)
	}
	c.Type = CertType(typ)
	c.Payload = bytes.Clone([]byte(payload))
	switch c.Type {
	case CertNull, CertHidden:
		if len(payload) != 0 {
			return fmt.Errorf("certificate: type %d with %d-byte payload: %w", typ, len(payload), ErrInvalid)
		}
	case CertKey:
		if len(payload) < keyCertMinPayload {
			return fmt.Errorf("key certificate: payload %d bytes: %w", len(payload), ErrInvalid)
		}
	}
	return nil
}

// NewKeyCertificate returns a KEY certificate for the given types with the
// excess key data appended (signing excess first, then crypto excess).
func NewKeyCertificate(sig SigType, crypto CryptoType, excess []byte) Certificate {
	p := make([]byte, keyCertMinPayload, keyCertMinPayload+len(excess))
	binary.BigEndian.PutUint16(p[0:2], uint16(sig))
	binary.BigEndian.PutUint16(p[2:4], uint16(crypto))
	return Certificate{Type: CertKey, Payload: append(p, excess...)}
}

// Len returns the serialized length.
func (c Certificate) Len() int { return CertHeaderSize + len(c.Payload) }

// Append appends the wire form of c. The payload must be under 64 KiB.
func (c Certificate) Append(dst []byte) []byte {
	dst = append(dst, byte(c.Type), byte(len(c.Payload)>>8), byte(len(c.Payload)))
	return append(dst, c.Payload...)
}

// KeyTypes returns the signing and crypto types the certificate declares:
// those of a KEY certificate, or DSA_SHA1 and ElGamal for every other type.
func (c Certificate) KeyTypes() (SigType, CryptoType) {
	if c.Type != CertKey || len(c.Payload) < keyCertMinPayload {
		return SigDSASHA1, CryptoElGamal
	}
	return SigType(binary.BigEndian.Uint16(c.Payload[0:2])), CryptoType(binary.BigEndian.Uint16(c.Payload[2:4]))
}

// excess returns the key data a KEY certificate carries after its types.
func (c Certificate) excess() []byte {
	if c.Type != CertKey || len(c.Payload) < keyCertMinPayload {
		return nil
	}
	return c.Payload[keyCertMinPayload:]
}
