package data

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	"golang.org/x/crypto/cryptobyte"
)

// StoreTypeEncryptedLeaseSet is the DatabaseStore type of an
// EncryptedLeaseSet; its signature covers this byte prepended.
const StoreTypeEncryptedLeaseSet = 5

// EncryptedLeaseSet is the outer layer of a common-structures
// "EncryptedLeaseSet" (DatabaseStore type 5): the blinded signing key,
// published seconds, expires offset, flags, an optional OfflineSignature,
// the encrypted data and a signature. Only this cleartext layer is handled
// here (enough for a floodfill to store and verify it); blinding and the
// decryption of the inner LeaseSet2 belong to the client side.
type EncryptedLeaseSet struct {
	raw       []byte
	blinded   SigningPublicKey
	published uint32
	expires   uint16
	flags     uint16
	offline   *OfflineSignature
	encrypted []byte
	signature []byte
}

// ParseEncryptedLeaseSet decodes a whole EncryptedLeaseSet (without the
// store type byte). It does not verify signatures; call Verify.
func ParseEncryptedLeaseSet(b []byte) (*EncryptedLeaseSet, error) {
	in := cryptobyte.String(b)
	e := new(EncryptedLeaseSet)
	var typ uint16
	var key []byte
	if !in.ReadUint16(&typ) {
		return nil, fmt.Errorf("data: encrypted lease set: %w", ErrTruncated)
	}
	t := SigType(typ)
	if !t.Known() {
		return nil, fmt.Errorf("data: encrypted lease set: blinded %v: %w", t, ErrUnsupportedSigType)
	}
	if !in.ReadBytes(&key, t.PublicKeyLen()) || !in.ReadUint32(&e.published) ||
		!in.ReadUint16(&e.expires) || !in.ReadUint16(&e.flags) {
		return nil, fmt.Errorf("data: encrypted lease set: header: %w", ErrTruncated)
	}
	e.blinded = SigningPublicKey{typ: t, key: bytes.Clone(key)}
	if e.flags&LS2FlagOffline != 0 {
		e.offline = new(OfflineSignature)
		if err := readOfflineSignature(&in, t.SignatureLen(), e.offline); err != nil {
			return nil, fmt.Errorf("data: encrypted lease set: %w", err)
		}
	}
	var enc cryptobyte.String
	if !in.ReadUint16LengthPrefixed(&enc) {
		return nil, fmt.Errorf("data: encrypted lease set: encrypted data: %w", ErrTruncated)
	}
	if len(enc) == 0 {
		return nil, fmt.Errorf("data: encrypted lease set: no encrypted data: %w", ErrInvalid)
	}
	e.encrypted = bytes.Clone([]byte(enc))
	if !readCopy(&in, e.signer().SignatureLen(), &e.signature) {
		return nil, fmt.Errorf("data: encrypted lease set: signature: %w", ErrTruncated)
	}
	if !in.Empty() {
		return nil, fmt.Errorf("data: encrypted lease set: %d bytes: %w", len(in), ErrTrailingData)
	}
	e.raw = bytes.Clone(b)
	return e, nil
}

func (e *EncryptedLeaseSet) signer() SigningPublicKey {
	if e.offline != nil {
		return e.offline.transient
	}
	return e.blinded
}

// Bytes returns the serialized form without the store type byte; do not
// modify.
func (e *EncryptedLeaseSet) Bytes() []byte { return e.raw }

// Verify checks the offline signature (if any) with the blinded key and
// the signature over the store type byte 5 prepended to everything before
// it. Expiry is not checked.
func (e *EncryptedLeaseSet) Verify() error {
	if e.offline != nil {
		if err := e.offline.verify(e.blinded); err != nil {
			return fmt.Errorf("data: encrypted lease set: %w", err)
		}
	}
	signed := make([]byte, 0, 1+len(e.raw)-len(e.signature))
	signed = append(signed, StoreTypeEncryptedLeaseSet)
	signed = append(signed, e.raw[:len(e.raw)-len(e.signature)]...)
	if err := e.signer().verify(signed, e.signature); err != nil {
		return fmt.Errorf("data: encrypted lease set: %w", err)
	}
	return nil
}

// Hash returns the netdb key: SHA-256 of the 2-byte blinded signature type
// followed by the blinded public key.
func (e *EncryptedLeaseSet) Hash() Hash {
	b := binary.BigEndian.AppendUint16(nil, uint16(e.blinded.typ))
	return HashOf(append(b, e.blinded.key...))
}

// BlindedKey returns the blinded signing public key.
func (e *EncryptedLeaseSet) BlindedKey() SigningPublicKey { return e.blinded }

// Published returns the publication time (seconds resolution).
func (e *EncryptedLeaseSet) Published() time.Time { return secondsTime(e.published) }

// Expires returns Published plus the expires offset.
func (e *EncryptedLeaseSet) Expires() time.Time {
	return secondsTime(e.published).Add(time.Duration(e.expires) * time.Second)
}

// Flags returns the header flags (bit 0 offline keys, bit 1 unpublished).
func (e *EncryptedLeaseSet) Flags() uint16 { return e.flags }

// Offline returns the offline signature block, or nil.
func (e *EncryptedLeaseSet) Offline() *OfflineSignature { return e.offline }

// EncryptedData returns the outer ciphertext; do not modify.
func (e *EncryptedLeaseSet) EncryptedData() []byte { return e.encrypted }

// Signature returns the signature; do not modify.
func (e *EncryptedLeaseSet) Signature() []byte { return e.signature }
