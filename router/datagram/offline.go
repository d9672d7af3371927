package datagram

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	"i2pgate/router/data"
)

// offlineHeaderSize is expires (4) plus the transient signature type (2).
const offlineHeaderSize = 6

// Offline is the offline signature section of a Datagram2
// (common-structures "OfflineSignature"): the expiry of a transient
// signing key, the key, and the destination's signature over both. The
// transient key then signs the datagram.
type Offline struct {
	// Expires is in seconds since the epoch.
	Expires uint32
	// Transient is the key that signs the datagram.
	Transient data.SigningPublicKey
	// Signature is the destination's signature over Expires, the
	// transient type and key.
	Signature []byte
}

// OfflineFrom converts the offline signature of a keys file; nil gives nil.
func OfflineFrom(o *data.OfflineSignature) *Offline {
	if o == nil {
		return nil
	}
	return &Offline{
		Expires:   uint32(o.Expires().Unix()),
		Transient: o.TransientKey(),
		Signature: bytes.Clone(o.Signature()),
	}
}

// ExpiresTime returns Expires as a time.
func (o *Offline) ExpiresTime() time.Time { return time.Unix(int64(o.Expires), 0) }

func (o *Offline) len() int {
	return offlineHeaderSize + len(o.Transient.Bytes()) + len(o.Signature)
}

func (o *Offline) append(b []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, o.Expires)
	b = binary.BigEndian.AppendUint16(b, uint16(o.Transient.Type()))
	b = append(b, o.Transient.Bytes()...)
	return append(b, o.Signature...)
}

// parseOffline reads an offline section whose destination signature has
// destSigLen bytes from the start of b and returns it with its length.
func parseOffline(b []byte, destSigLen int) (*Offline, int, error) {
	if len(b) < offlineHeaderSize {
		return nil, 0, fmt.Errorf("offline signature: %w", ErrTruncated)
	}
	o := &Offline{Expires: binary.BigEndian.Uint32(b)}
	t := data.SigType(binary.BigEndian.Uint16(b[4:]))
	if !t.Known() {
		return nil, 0, fmt.Errorf("offline signature: transient %v: %w", t, data.ErrUnsupportedSigType)
	}
	keyEnd := offlineHeaderSize + t.PublicKeyLen()
	n := keyEnd + destSigLen
	if len(b) < n {
		return nil, 0, fmt.Errorf("offline signature: %w", ErrTruncated)
	}
	key, err := data.NewSigningPublicKey(t, b[offlineHeaderSize:keyEnd])
	if err != nil {
		return nil, 0, fmt.Errorf("offline signature: %w", err)
	}
	o.Transient = key
	o.Signature = bytes.Clone(b[keyEnd:n])
	return o, n, nil
}

// verify checks the section's signature with the destination's key and
// its expiry against now.
func (o *Offline) verify(dest data.SigningPublicKey, now time.Time) error {
	if int64(o.Expires) < now.Unix() {
		return fmt.Errorf("offline signature: expired %v: %w", o.ExpiresTime().UTC(), ErrExpired)
	}
	signed := o.append(make([]byte, 0, o.len()))[:o.len()-len(o.Signature)]
	if err := dest.Verify(signed, o.Signature); err != nil {
		return fmt.Errorf("offline signature: %w", err)
	}
	return nil
}
