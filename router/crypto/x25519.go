package crypto

import (
	"crypto/ecdh"
	cryptorand "crypto/rand"
	"errors"
	"fmt"
	"io"
)

// X25519 sizes (RFC 7748).
const (
	X25519KeySize    = 32 // private and public keys
	X25519SharedSize = 32 // DH output
)

// ErrLowOrderPoint is returned by X25519 when the shared secret is all zeros,
// which happens only for low-order (malicious) public keys.
var ErrLowOrderPoint = errors.New("crypto: x25519: low-order public key (all-zero shared secret)")

// X25519PrivateKey is a 32-byte X25519 scalar as I2P stores it (little
// endian, unclamped; clamping happens inside the scalar multiplication).
type X25519PrivateKey [X25519KeySize]byte

// X25519PublicKey is a 32-byte little-endian Montgomery u-coordinate.
type X25519PublicKey [X25519KeySize]byte

// X25519KeyPair is a private key with its public key.
type X25519KeyPair struct {
	Private X25519PrivateKey
	Public  X25519PublicKey
}

// GenerateX25519 reads 32 bytes from rand (nil means crypto/rand) as the
// private key and derives its public key. The reader is read exactly once
// for 32 bytes, so a deterministic reader gives deterministic keys.
func GenerateX25519(rand io.Reader) (X25519KeyPair, error) {
	if rand == nil {
		rand = cryptorand.Reader
	}
	var kp X25519KeyPair
	if _, err := io.ReadFull(rand, kp.Private[:]); err != nil {
		return X25519KeyPair{}, fmt.Errorf("crypto: x25519: reading private key: %w", err)
	}
	kp.Public = kp.Private.PublicKey()
	return kp, nil
}

// PublicKey returns the public key of k.
func (k *X25519PrivateKey) PublicKey() X25519PublicKey {
	priv, err := ecdh.X25519().NewPrivateKey(k[:])
	if err != nil {
		// NewPrivateKey fails only for a wrong length, which the array excludes.
		panic("crypto: x25519: " + err.Error())
	}
	var pub X25519PublicKey
	copy(pub[:], priv.PublicKey().Bytes())
	return pub
}

// X25519 returns the Diffie-Hellman shared secret of priv and pub. It
// returns ErrLowOrderPoint when the result is all zeros.
func X25519(priv *X25519PrivateKey, pub *X25519PublicKey) ([X25519SharedSize]byte, error) {
	var out [X25519SharedSize]byte
	curve := ecdh.X25519()
	sk, err := curve.NewPrivateKey(priv[:])
	if err != nil {
		return out, fmt.Errorf("crypto: x25519: %w", err)
	}
	pk, err := curve.NewPublicKey(pub[:])
	if err != nil {
		return out, fmt.Errorf("crypto: x25519: %w", err)
	}
	shared, err := sk.ECDH(pk)
	if err != nil {
		// crypto/ecdh fails X25519 only for the all-zero output.
		return out, ErrLowOrderPoint
	}
	copy(out[:], shared)
	return out, nil
}
