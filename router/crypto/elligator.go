package crypto

import (
	cryptorand "crypto/rand"
	"errors"
	"fmt"
	"io"

	"filippo.io/edwards25519/field"
)

// Elligator2 for Curve25519 as ECIES-X25519-AEAD-Ratchet uses it (ecies.rst
// "2a) Elligator2"; i2pd Elligator.cpp; Java I2P ratchet/Elligator2.java):
// non-square u = 2, A = 486662, representatives are little endian, the
// representative r is always the root <= (p-1)/2, and the two top bits of
// byte 31 are random on the wire and masked off when decoding.

// ElligatorSize is the size of an Elligator2 representative.
const ElligatorSize = 32

const (
	elligatorHighBitsMask = 0xc0 // top two bits of byte 31, random on the wire
	elligatorAltBit       = 0x01 // tweak bit choosing the alternative root
	elligatorHighByte     = ElligatorSize - 1
	maxElligatorTries     = 128 // 2^-128 chance of failing with a good reader
)

// ErrNotEncodable is returned by EncodeElligator for the roughly half of
// public keys that have no Elligator2 representative; the caller generates
// a new key.
var ErrNotEncodable = errors.New("crypto: elligator2: public key has no representative")

// ErrBadRepresentative is returned by DecodeElligator for the few
// representatives above (p-1)/2.
var ErrBadRepresentative = errors.New("crypto: elligator2: representative out of range")

// elligatorConsts are the curve constants, built per call: no package state.
type elligatorConsts struct {
	a, negA, u, one, halfP field.Element
}

func newElligatorConsts() *elligatorConsts {
	var c elligatorConsts
	c.one.One()
	c.a.Mult32(&c.one, 486662)
	c.negA.Negate(&c.a)
	c.u.Add(&c.one, &c.one)
	return &c
}

// aboveHalf reports (as 1 or 0) whether the canonical value of v exceeds
// (p-1)/2: that holds exactly when 2v mod p is odd.
func aboveHalf(v *field.Element) int {
	var d field.Element
	d.Add(v, v)
	return d.IsNegative()
}

// isSquare returns 1 if v is a non-zero square, 0 otherwise (the Legendre
// symbol being 1).
func isSquare(v *field.Element, c *elligatorConsts) int {
	var r, zero field.Element
	_, ok := r.SqrtRatio(v, &c.one)
	return ok & (1 ^ v.Equal(&zero))
}

// EncodeElligatorTweak maps pub to its representative deterministically:
// bit 0 of tweak selects the alternative root (i2pd "highY", Java
// "alternative") and its top two bits are ORed into byte 31. It reports
// false if pub has no representative.
func EncodeElligatorTweak(pub *X25519PublicKey, tweak byte) ([ElligatorSize]byte, bool) {
	var out [ElligatorSize]byte
	c := newElligatorConsts()
	var x, xA, num, den, r, zero field.Element
	if _, err := x.SetBytes(pub[:]); err != nil {
		return out, false // unreachable: the array is 32 bytes
	}
	// SetBytes drops bit 255; i2pd and Java read all 256 bits, and
	// 2^255 = 19 (mod p). Only non-canonical keys have that bit set.
	var x19, nineteen field.Element
	nineteen.Mult32(&c.one, 19)
	x19.Add(&x, &nineteen)
	x.Select(&x19, &x, int(pub[X25519KeySize-1]>>7))
	xA.Add(&x, &c.a)
	// -u*x*(x+A) must be a square (or zero) for a representative to exist;
	// x = 0 maps to r = 0 and always uses the first root, as in Java.
	alt := int(tweak&elligatorAltBit) & (1 ^ x.Equal(&zero))
	// r^2 = -x / (u(x+A)), or -(x+A) / (u x) for the alternative root.
	num.Select(&xA, &x, alt)
	num.Negate(&num)
	den.Select(&x, &xA, alt)
	den.Multiply(&den, &c.u)
	if _, ok := r.SqrtRatio(&num, &den); ok == 0 {
		return out, false
	}
	var negR field.Element
	negR.Negate(&r)
	r.Select(&negR, &r, aboveHalf(&r))
	copy(out[:], r.Bytes())
	out[elligatorHighByte] |= tweak & elligatorHighBitsMask
	return out, true
}

// EncodeElligator maps pub to a representative indistinguishable from 256
// random bits, choosing the root and the two top bits from one byte of
// rand (nil means crypto/rand). It returns ErrNotEncodable for keys that
// have no representative.
func EncodeElligator(pub *X25519PublicKey, rand io.Reader) ([ElligatorSize]byte, error) {
	if rand == nil {
		rand = cryptorand.Reader
	}
	var tweak [1]byte
	if _, err := io.ReadFull(rand, tweak[:]); err != nil {
		return [ElligatorSize]byte{}, fmt.Errorf("crypto: elligator2: reading random bits: %w", err)
	}
	repr, ok := EncodeElligatorTweak(pub, tweak[0])
	if !ok {
		return repr, ErrNotEncodable
	}
	return repr, nil
}

// DecodeElligator maps a representative (as received, random top bits
// included) to the X25519 public key. Following i2pd, a masked value equal
// to (p-1)/2 is accepted (Java I2P rejects it; no encoder produces it in
// practice); larger values return ErrBadRepresentative.
func DecodeElligator(repr *[ElligatorSize]byte) (X25519PublicKey, error) {
	var pub X25519PublicKey
	masked := *repr
	masked[elligatorHighByte] &^= elligatorHighBitsMask
	c := newElligatorConsts()
	var r, v, t, negV field.Element
	if _, err := r.SetBytes(masked[:]); err != nil {
		return pub, fmt.Errorf("%w: %w", ErrBadRepresentative, err)
	}
	// The masked value is below 2^254 < p, so it is canonical here.
	if aboveHalf(&r) == 1 {
		return pub, ErrBadRepresentative
	}
	// v = -A / (1 + u r^2); 1 + u r^2 is never zero since -1/2 is not a square.
	v.Square(&r)
	v.Multiply(&v, &c.u)
	v.Add(&v, &c.one)
	v.Invert(&v)
	v.Multiply(&v, &c.negA)
	// t = v^3 + A v^2 + v = v^2 (v + A) + v
	t.Add(&v, &c.a)
	var v2 field.Element
	v2.Square(&v)
	t.Multiply(&t, &v2)
	t.Add(&t, &v)
	// x = v if t is a non-zero square, else -v - A.
	negV.Negate(&v)
	negV.Subtract(&negV, &c.a)
	v.Select(&v, &negV, isSquare(&t, c))
	copy(pub[:], v.Bytes())
	return pub, nil
}

// GenerateElligatorKey generates X25519 key pairs from rand (nil means
// crypto/rand) until one has a representative, and returns it with the
// randomized representative (ecies.rst GENERATE_PRIVATE_ELG2 and
// ENCODE_ELG2). Each attempt reads 32 bytes of key and 1 byte of tweak.
func GenerateElligatorKey(rand io.Reader) (X25519KeyPair, [ElligatorSize]byte, error) {
	if rand == nil {
		rand = cryptorand.Reader
	}
	for range maxElligatorTries {
		kp, err := GenerateX25519(rand)
		if err != nil {
			return X25519KeyPair{}, [ElligatorSize]byte{}, fmt.Errorf("crypto: elligator2: %w", err)
		}
		repr, err := EncodeElligator(&kp.Public, rand)
		if errors.Is(err, ErrNotEncodable) {
			continue
		}
		if err != nil {
			return X25519KeyPair{}, [ElligatorSize]byte{}, err
		}
		return kp, repr, nil
	}
	return X25519KeyPair{}, [ElligatorSize]byte{}, fmt.Errorf("crypto: elligator2: no encodable key in %d tries", maxElligatorTries)
}
