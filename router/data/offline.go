package data

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	"golang.org/x/crypto/cryptobyte"
)

// offlineHeaderSize is expires (4) plus the transient sig type (2).
const offlineHeaderSize = 6

// OfflineSignature is a common-structures "OfflineSignature": an expiry, a
// transient signing key and the destination's signature over both. It is
// used in LeaseSet2 headers, streaming, I2CP and i2pd keys files.
type OfflineSignature struct {
	raw       []byte
	expires   uint32
	transient SigningPublicKey
	sig       []byte
}

// readOfflineSignature reads one block whose signature has destSigLen
// bytes (the length of the destination's signature type).
func readOfflineSignature(in *cryptobyte.String, destSigLen int, o *OfflineSignature) error {
	start := *in
	var typ uint16
	var key []byte
	if !in.ReadUint32(&o.expires) || !in.ReadUint16(&typ) {
		return fmt.Errorf("offline signature: %w", ErrTruncated)
	}
	t := SigType(typ)
	if !t.Known() {
		return fmt.Errorf("offline signature: transient %v: %w", t, ErrUnsupportedSigType)
	}
	if !in.ReadBytes(&key, t.PublicKeyLen()) || !readCopy(in, destSigLen, &o.sig) {
		return fmt.Errorf("offline signature: %w", ErrTruncated)
	}
	o.transient = SigningPublicKey{typ: t, key: bytes.Clone(key)}
	o.raw = bytes.Clone(start[:len(start)-len(*in)])
	return nil
}

// NewOfflineSignature signs transient with the destination's long-term
// signer; the result expires at expires (whole seconds).
func NewOfflineSignature(expires time.Time, transient SigningPublicKey, dest Signer) (*OfflineSignature, error) {
	exp, err := secondsOf(expires)
	if err != nil {
		return nil, err
	}
	if len(transient.key) == 0 {
		return nil, fmt.Errorf("data: offline signature: no transient key: %w", ErrInvalid)
	}
	signed := make([]byte, offlineHeaderSize, offlineHeaderSize+len(transient.key))
	binary.BigEndian.PutUint32(signed[0:4], exp)
	binary.BigEndian.PutUint16(signed[4:6], uint16(transient.typ))
	signed = append(signed, transient.key...)
	sig, err := dest.Sign(signed)
	if err != nil {
		return nil, fmt.Errorf("data: offline signature: %w", err)
	}
	o := &OfflineSignature{expires: exp, transient: transient, sig: sig}
	o.raw = append(signed, sig...)
	return o, nil
}

// Expires returns when the transient key stops being valid.
func (o *OfflineSignature) Expires() time.Time { return secondsTime(o.expires) }

// TransientKey returns the transient signing public key.
func (o *OfflineSignature) TransientKey() SigningPublicKey { return o.transient }

// Signature returns the destination's signature; do not modify.
func (o *OfflineSignature) Signature() []byte { return o.sig }

// Bytes returns the serialized block; do not modify.
func (o *OfflineSignature) Bytes() []byte { return o.raw }

// Verify checks the block's signature with the destination's signing key.
// It does not check expiry; compare Expires with the clock for that.
func (o *OfflineSignature) Verify(dest SigningPublicKey) error {
	if err := o.verify(dest); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return nil
}

func (o *OfflineSignature) verify(dest SigningPublicKey) error {
	signedLen := len(o.raw) - len(o.sig)
	if err := dest.verify(o.raw[:signedLen], o.sig); err != nil {
		return fmt.Errorf("offline signature: %w", err)
	}
	return nil
}
