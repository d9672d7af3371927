package datagram

import (
	"crypto/sha256"
	"fmt"

	"i2pgate/router/data"
)

// Datagram1 (datagrams.rst "Datagram1 (Repliable)"), I2CP protocol 17:
//
//	from      Destination, 387+ bytes
//	signature of from's signing type, 40+ bytes
//	payload   the rest
//
// The signature covers the payload itself, except for DSA_SHA1 senders,
// whose signature covers the SHA-256 of the payload (i2pd
// DatagramDestination::SendDatagram/HandleDatagram, Java
// I2PDatagramMaker/Dissector, since 0.9.14). Nothing else is signed: the
// format has no replay protection and no room for an offline signature.

// MinRepliableSize is the smallest Datagram1: a Destination with a NULL
// certificate, a 40-byte DSA_SHA1 signature and an empty payload.
const MinRepliableSize = data.MinIdentitySize + 40

// BuildRepliable returns the Datagram1 of payload from the destination
// from, signed by signer, which must hold from's own signing key (offline
// keys yield ErrOffline: use Datagram2). The result is a fresh slice of
// at most MaxSize bytes.
func BuildRepliable(signer data.Signer, from *data.Destination, payload []byte) ([]byte, error) {
	if signer == nil || from == nil {
		return nil, fmt.Errorf("datagram: repliable: no signer or destination: %w", ErrInvalid)
	}
	if !signer.Public().Equal(from.SigningPublicKey()) {
		return nil, fmt.Errorf("datagram: repliable: signer does not hold the destination's key (%w): %w",
			ErrOffline, data.ErrKeyMismatch)
	}
	fromBytes := from.Bytes()
	sigLen := from.SignatureLen()
	size := len(fromBytes) + sigLen + len(payload)
	if size > MaxSize {
		return nil, fmt.Errorf("datagram: repliable: %d bytes: %w", size, ErrTooLarge)
	}
	sig, err := signer.Sign(repliableSigned(from.SigType(), payload))
	if err != nil {
		return nil, fmt.Errorf("datagram: repliable: %w", err)
	}
	if len(sig) != sigLen {
		return nil, fmt.Errorf("datagram: repliable: %v signature of %d bytes: %w", from.SigType(), len(sig), ErrInvalid)
	}
	b := make([]byte, 0, size)
	b = append(b, fromBytes...)
	b = append(b, sig...)
	return append(b, payload...), nil
}

// ParseRepliable decodes a Datagram1 and verifies its signature with the
// signing key of the destination it carries. The payload is a sub-slice
// of b; from holds its own copy of its bytes. Signature types router/data
// cannot verify (RSA, Ed25519ph, GOST) are rejected.
//
// The signature covers the payload only: it proves that the holder of
// from's signing key sent it, but not from's encryption key or padding,
// which anyone holding the datagram could change, making another
// destination (hash) with the same signing key. Nobody else can sign a
// LeaseSet for that one, so replies to it go nowhere.
func ParseRepliable(b []byte) (from *data.Destination, payload []byte, err error) {
	if len(b) > MaxSize {
		return nil, nil, fmt.Errorf("datagram: repliable: %d bytes: %w", len(b), ErrTooLarge)
	}
	if len(b) < MinRepliableSize {
		return nil, nil, fmt.Errorf("datagram: repliable: %d bytes: %w", len(b), ErrTruncated)
	}
	from, rest, err := data.ParseDestination(b)
	if err != nil {
		return nil, nil, fmt.Errorf("datagram: repliable: from: %w", err)
	}
	sigLen := from.SignatureLen()
	if len(rest) < sigLen {
		return nil, nil, fmt.Errorf("datagram: repliable: signature: %w", ErrTruncated)
	}
	sig, payload := rest[:sigLen], rest[sigLen:]
	if err := from.Verify(repliableSigned(from.SigType(), payload), sig); err != nil {
		return nil, nil, fmt.Errorf("datagram: repliable: %w", err)
	}
	return from, payload, nil
}

// repliableSigned returns what a Datagram1 signature covers for senders
// of type t.
func repliableSigned(t data.SigType, payload []byte) []byte {
	if t == data.SigDSASHA1 {
		h := sha256.Sum256(payload)
		return h[:]
	}
	return payload
}
