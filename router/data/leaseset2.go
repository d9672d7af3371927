package data

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"time"

	"golang.org/x/crypto/cryptobyte"
)

// StoreTypeLeaseSet2 is the DatabaseStore type of a LeaseSet2; the
// signature covers this byte prepended to the LeaseSet2 bytes.
const StoreTypeLeaseSet2 = 3

// LeaseSet2 header flags (common-structures "LeaseSet2Header").
const (
	LS2FlagOffline     uint16 = 1 << 0 // an OfflineSignature follows the header
	LS2FlagUnpublished uint16 = 1 << 1 // do not flood or publish
	LS2FlagBlinded     uint16 = 1 << 2 // will be blinded and encrypted when published
)

// EncryptionKey is one key section of a LeaseSet2: a crypto type and its
// public key. Unknown types are kept opaque.
type EncryptionKey struct {
	Type CryptoType
	Key  []byte
}

// LeaseSet2 is a common-structures "LeaseSet2" (DatabaseStore type 3):
// the LeaseSet2Header (destination, published seconds, expires offset,
// flags, optional OfflineSignature), options, encryption key sections, up
// to 16 Lease2s and a signature by the destination or its transient key.
// It is immutable and keeps its serialized bytes.
type LeaseSet2 struct {
	raw       []byte
	dest      *Destination
	published uint32
	expires   uint16
	flags     uint16
	offline   *OfflineSignature
	options   Mapping
	keys      []EncryptionKey
	leases    []Lease2
	signature []byte
}

// ParseLeaseSet2 decodes a whole LeaseSet2 (without the store type byte).
// It does not verify signatures; call Verify.
func ParseLeaseSet2(b []byte) (*LeaseSet2, error) {
	in := cryptobyte.String(b)
	ls := &LeaseSet2{dest: new(Destination)}
	if err := ls.readHeader(&in); err != nil {
		return nil, err
	}
	if err := readMapping(&in, &ls.options); err != nil {
		return nil, fmt.Errorf("data: lease set2: %w", err)
	}
	if err := ls.readKeys(&in); err != nil {
		return nil, err
	}
	var n uint8
	if !in.ReadUint8(&n) {
		return nil, fmt.Errorf("data: lease set2: %w", ErrTruncated)
	}
	if n > MaxLeases {
		return nil, fmt.Errorf("data: lease set2: %d leases: %w", n, ErrInvalid)
	}
	ls.leases = make([]Lease2, n)
	for i := range ls.leases {
		var err error
		if ls.leases[i], in, err = ParseLease2(in); err != nil {
			return nil, fmt.Errorf("data: lease set2: lease %d: %w", i, ErrTruncated)
		}
	}
	if !readCopy(&in, ls.signer().SignatureLen(), &ls.signature) {
		return nil, fmt.Errorf("data: lease set2: signature: %w", ErrTruncated)
	}
	if !in.Empty() {
		return nil, fmt.Errorf("data: lease set2: %d bytes: %w", len(in), ErrTrailingData)
	}
	ls.raw = bytes.Clone(b)
	return ls, nil
}

func (ls *LeaseSet2) readHeader(in *cryptobyte.String) error {
	if err := readKeysAndCert(in, &ls.dest.KeysAndCert); err != nil {
		return fmt.Errorf("data: lease set2: %w", err)
	}
	if !in.ReadUint32(&ls.published) || !in.ReadUint16(&ls.expires) || !in.ReadUint16(&ls.flags) {
		return fmt.Errorf("data: lease set2: header: %w", ErrTruncated)
	}
	if ls.flags&LS2FlagOffline != 0 {
		ls.offline = new(OfflineSignature)
		if err := readOfflineSignature(in, ls.dest.SignatureLen(), ls.offline); err != nil {
			return fmt.Errorf("data: lease set2: %w", err)
		}
	}
	return nil
}

func (ls *LeaseSet2) readKeys(in *cryptobyte.String) error {
	var n uint8
	if !in.ReadUint8(&n) {
		return fmt.Errorf("data: lease set2: keys: %w", ErrTruncated)
	}
	if n == 0 {
		return fmt.Errorf("data: lease set2: no encryption keys: %w", ErrInvalid)
	}
	ls.keys = make([]EncryptionKey, n)
	for i := range ls.keys {
		var typ uint16
		var key cryptobyte.String
		if !in.ReadUint16(&typ) || !in.ReadUint16LengthPrefixed(&key) {
			return fmt.Errorf("data: lease set2: keys: %w", ErrTruncated)
		}
		t := CryptoType(typ)
		if t.Known() && len(key) != t.PublicKeyLen() {
			return fmt.Errorf("data: lease set2: %v key is %d bytes: %w", t, len(key), ErrInvalid)
		}
		ls.keys[i] = EncryptionKey{Type: t, Key: bytes.Clone([]byte(key))}
	}
	return nil
}

// signer returns the key that signs the LeaseSet2 body.
func (ls *LeaseSet2) signer() SigningPublicKey {
	if ls.offline != nil {
		return ls.offline.transient
	}
	return ls.dest.signingKey
}

// LeaseSet2Params are the contents of a LeaseSet2 to build.
type LeaseSet2Params struct {
	Destination *Destination
	Published   time.Time     // whole seconds are kept
	Expires     time.Duration // after Published, whole seconds, at most 65535 s
	Flags       uint16        // LS2FlagUnpublished, LS2FlagBlinded; LS2FlagOffline is set from Offline
	Offline     *OfflineSignature
	Options     Mapping
	Keys        []EncryptionKey
	Leases      []Lease2
}

// NewLeaseSet2 serializes and signs a LeaseSet2. signer must hold the
// destination's key, or the transient key when p.Offline is set.
func NewLeaseSet2(p LeaseSet2Params, signer Signer) (*LeaseSet2, error) {
	buf, err := p.appendBody(nil)
	if err != nil {
		return nil, err
	}
	want := p.Destination.signingKey
	if p.Offline != nil {
		want = p.Offline.transient
	}
	if !signer.Public().Equal(want) {
		return nil, fmt.Errorf("data: lease set2: signer: %w", ErrKeyMismatch)
	}
	sig, err := signer.Sign(append([]byte{StoreTypeLeaseSet2}, buf...))
	if err != nil {
		return nil, fmt.Errorf("data: lease set2: sign: %w", err)
	}
	return ParseLeaseSet2(append(buf, sig...))
}

func (p *LeaseSet2Params) appendBody(buf []byte) ([]byte, error) {
	pub, err := secondsOf(p.Published)
	if err != nil {
		return nil, err
	}
	exp := p.Expires / time.Second
	if exp < 0 || exp > math.MaxUint16 || len(p.Leases) > MaxLeases || len(p.Keys) == 0 || len(p.Keys) > math.MaxUint8 {
		return nil, fmt.Errorf("data: lease set2: expires, key or lease count out of range: %w", ErrInvalid)
	}
	flags := p.Flags &^ LS2FlagOffline
	if p.Offline != nil {
		flags |= LS2FlagOffline
	}
	buf = append(buf, p.Destination.raw...)
	buf = binary.BigEndian.AppendUint32(buf, pub)
	buf = binary.BigEndian.AppendUint16(buf, uint16(exp))
	buf = binary.BigEndian.AppendUint16(buf, flags)
	if p.Offline != nil {
		buf = append(buf, p.Offline.raw...)
	}
	if buf, err = p.Options.appendTo(buf); err != nil {
		return nil, fmt.Errorf("data: lease set2: %w", err)
	}
	buf = append(buf, byte(len(p.Keys)))
	for _, k := range p.Keys {
		if len(k.Key) > math.MaxUint16 {
			return nil, fmt.Errorf("data: lease set2: key too long: %w", ErrInvalid)
		}
		buf = binary.BigEndian.AppendUint16(buf, uint16(k.Type))
		buf = binary.BigEndian.AppendUint16(buf, uint16(len(k.Key)))
		buf = append(buf, k.Key...)
	}
	buf = append(buf, byte(len(p.Leases)))
	for _, l := range p.Leases {
		buf = l.Append(buf)
	}
	return buf, nil
}

// Bytes returns the serialized LeaseSet2 without the store type byte; do
// not modify.
func (ls *LeaseSet2) Bytes() []byte { return ls.raw }

// Verify checks the offline signature (if any) with the destination key
// and the LeaseSet2 signature, which covers the store type byte 3
// prepended to everything before it. Expiry is not checked.
func (ls *LeaseSet2) Verify() error {
	if ls.offline != nil {
		if err := ls.offline.verify(ls.dest.signingKey); err != nil {
			return fmt.Errorf("data: lease set2: %w", err)
		}
	}
	signed := make([]byte, 0, 1+len(ls.raw)-len(ls.signature))
	signed = append(signed, StoreTypeLeaseSet2)
	signed = append(signed, ls.raw[:len(ls.raw)-len(ls.signature)]...)
	if err := ls.signer().verify(signed, ls.signature); err != nil {
		return fmt.Errorf("data: lease set2: %w", err)
	}
	return nil
}

// Destination returns the destination.
func (ls *LeaseSet2) Destination() *Destination { return ls.dest }

// Hash returns the destination hash, the netdb key.
func (ls *LeaseSet2) Hash() Hash { return ls.dest.Hash() }

// Published returns the publication time (seconds resolution).
func (ls *LeaseSet2) Published() time.Time { return secondsTime(ls.published) }

// Expires returns Published plus the expires offset.
func (ls *LeaseSet2) Expires() time.Time {
	return secondsTime(ls.published).Add(time.Duration(ls.expires) * time.Second)
}

// Flags returns the header flags.
func (ls *LeaseSet2) Flags() uint16 { return ls.flags }

// IsUnpublished reports flag bit 1.
func (ls *LeaseSet2) IsUnpublished() bool { return ls.flags&LS2FlagUnpublished != 0 }

// IsBlinded reports flag bit 2.
func (ls *LeaseSet2) IsBlinded() bool { return ls.flags&LS2FlagBlinded != 0 }

// Offline returns the offline signature block, or nil.
func (ls *LeaseSet2) Offline() *OfflineSignature { return ls.offline }

// Options returns a copy of the options.
func (ls *LeaseSet2) Options() Mapping { return ls.options.Clone() }

// EncryptionKeys returns the key sections in wire order (the slices inside
// must not be modified).
func (ls *LeaseSet2) EncryptionKeys() []EncryptionKey { return slices.Clone(ls.keys) }

// EncryptionKey returns the first key of type t.
func (ls *LeaseSet2) EncryptionKey(t CryptoType) ([]byte, bool) {
	for _, k := range ls.keys {
		if k.Type == t {
			return k.Key, true
		}
	}
	return nil, false
}

// Leases returns a copy of the leases.
func (ls *LeaseSet2) Leases() []Lease2 { return slices.Clone(ls.leases) }

// Signature returns the signature; do not modify.
func (ls *LeaseSet2) Signature() []byte { return ls.signature }
