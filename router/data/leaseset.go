package data

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	"golang.org/x/crypto/cryptobyte"
)

// StoreTypeLeaseSet is the DatabaseStore type of a LeaseSet.
const StoreTypeLeaseSet = 1

// LeaseSet is a common-structures "LeaseSet" (DatabaseStore type 1): a
// destination, a 256-byte ElGamal encryption key, an unused signing key,
// up to 16 Leases and the destination's signature. It is immutable and
// keeps its serialized bytes.
type LeaseSet struct {
	raw        []byte
	dest       *Destination
	encKey     []byte
	signingKey []byte
	leases     []Lease
	signature  []byte
}

// ParseLeaseSet decodes a whole LeaseSet. It does not verify the
// signature; call Verify.
func ParseLeaseSet(b []byte) (*LeaseSet, error) {
	in := cryptobyte.String(b)
	ls := &LeaseSet{dest: new(Destination)}
	if err := readKeysAndCert(&in, &ls.dest.KeysAndCert); err != nil {
		return nil, fmt.Errorf("data: lease set: %w", err)
	}
	var n uint8
	if !readCopy(&in, CryptoAreaSize, &ls.encKey) ||
		!readCopy(&in, ls.dest.SigType().PublicKeyLen(), &ls.signingKey) || !in.ReadUint8(&n) {
		return nil, fmt.Errorf("data: lease set: %w", ErrTruncated)
	}
	if n > MaxLeases {
		return nil, fmt.Errorf("data: lease set: %d leases: %w", n, ErrInvalid)
	}
	ls.leases = make([]Lease, n)
	for i := range ls.leases {
		var err error
		if ls.leases[i], in, err = ParseLease(in); err != nil {
			return nil, fmt.Errorf("data: lease set: lease %d: %w", i, ErrTruncated)
		}
	}
	if !readCopy(&in, ls.dest.SignatureLen(), &ls.signature) {
		return nil, fmt.Errorf("data: lease set: signature: %w", ErrTruncated)
	}
	if !in.Empty() {
		return nil, fmt.Errorf("data: lease set: %d bytes: %w", len(in), ErrTrailingData)
	}
	ls.raw = bytes.Clone(b)
	return ls, nil
}

// NewLeaseSet serializes and signs a LeaseSet. encKey is the 256-byte
// ElGamal public key; signingKey (the unused revocation key) must have the
// destination's signing key length, nil meaning all zeros.
func NewLeaseSet(dest *Destination, encKey, signingKey []byte, leases []Lease, signer Signer) (*LeaseSet, error) {
	if !signer.Public().Equal(dest.signingKey) {
		return nil, fmt.Errorf("data: lease set: signer: %w", ErrKeyMismatch)
	}
	if signingKey == nil {
		signingKey = make([]byte, dest.SigType().PublicKeyLen())
	}
	if len(encKey) != CryptoAreaSize || len(signingKey) != dest.SigType().PublicKeyLen() || len(leases) > MaxLeases {
		return nil, fmt.Errorf("data: lease set: bad key length or lease count: %w", ErrInvalid)
	}
	buf := append(bytes.Clone(dest.raw), encKey...)
	buf = append(buf, signingKey...)
	buf = append(buf, byte(len(leases)))
	for _, l := range leases {
		buf = l.Append(buf)
	}
	sig, err := signer.Sign(buf)
	if err != nil {
		return nil, fmt.Errorf("data: lease set: sign: %w", err)
	}
	return ParseLeaseSet(append(buf, sig...))
}

// Bytes returns the serialized LeaseSet; do not modify.
func (ls *LeaseSet) Bytes() []byte { return ls.raw }

// Verify checks the destination's signature over everything before it.
func (ls *LeaseSet) Verify() error {
	if err := ls.dest.signingKey.verify(ls.raw[:len(ls.raw)-len(ls.signature)], ls.signature); err != nil {
		return fmt.Errorf("data: lease set: %w", err)
	}
	return nil
}

// Destination returns the destination.
func (ls *LeaseSet) Destination() *Destination { return ls.dest }

// Hash returns the destination hash, the netdb key.
func (ls *LeaseSet) Hash() Hash { return ls.dest.Hash() }

// EncryptionKey returns the 256-byte ElGamal key; do not modify.
func (ls *LeaseSet) EncryptionKey() []byte { return ls.encKey }

// SigningKey returns the unused revocation signing key; do not modify.
func (ls *LeaseSet) SigningKey() []byte { return ls.signingKey }

// Leases returns a copy of the leases.
func (ls *LeaseSet) Leases() []Lease { return slices.Clone(ls.leases) }

// Signature returns the signature; do not modify.
func (ls *LeaseSet) Signature() []byte { return ls.signature }

// Expires returns the earliest lease end, which the spec treats as the
// LeaseSet's version; zero time if there are no leases.
func (ls *LeaseSet) Expires() time.Time {
	if len(ls.leases) == 0 {
		return time.Time{}
	}
	earliest := ls.leases[0].EndDate
	for _, l := range ls.leases[1:] {
		earliest = min(earliest, l.EndDate)
	}
	return earliest.Time()
}
