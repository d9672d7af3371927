package data

import (
	"bytes"
	"crypto"
	"crypto/dsa" //nolint:staticcheck // I2P's legacy DSA_SHA1 must still be verified.
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"math/big"
)

// SigningPublicKey is a common-structures "SigningPublicKey" together with
// its type. The zero value holds no key and verifies nothing.
type SigningPublicKey struct {
	typ SigType
	key []byte
}

// NewSigningPublicKey checks that key has the length of type t and returns
// a SigningPublicKey holding a copy of it.
func NewSigningPublicKey(t SigType, key []byte) (SigningPublicKey, error) {
	if !t.Known() {
		return SigningPublicKey{}, fmt.Errorf("data: signing key: %v: %w", t, ErrUnsupportedSigType)
	}
	if len(key) != t.PublicKeyLen() {
		return SigningPublicKey{}, fmt.Errorf("data: signing key: %v needs %d bytes, got %d: %w",
			t, t.PublicKeyLen(), len(key), ErrInvalid)
	}
	return SigningPublicKey{typ: t, key: bytes.Clone(key)}, nil
}

// Type returns the signature type.
func (k SigningPublicKey) Type() SigType { return k.typ }

// Bytes returns the key bytes; the caller must not modify them.
func (k SigningPublicKey) Bytes() []byte { return k.key }

// Equal reports whether k and o are the same key of the same type.
func (k SigningPublicKey) Equal(o SigningPublicKey) bool {
	return k.typ == o.typ && bytes.Equal(k.key, o.key)
}

// SignatureLen returns the length of signatures made by this key.
func (k SigningPublicKey) SignatureLen() int { return k.typ.SignatureLen() }

// Verify checks sig over msg. It supports DSA_SHA1, ECDSA P-256/384/521,
// EdDSA Ed25519 and RedDSA Ed25519 (whose verification is Ed25519's); other
// types return an error wrapping ErrUnsupportedSigType.
func (k SigningPublicKey) Verify(msg, sig []byte) error {
	if err := k.verify(msg, sig); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return nil
}

// verify is Verify without the package prefix, for callers that add
// their own context.
func (k SigningPublicKey) verify(msg, sig []byte) error {
	if len(k.key) == 0 {
		return fmt.Errorf("verify: no key: %w", ErrInvalid)
	}
	if len(sig) != k.typ.SignatureLen() {
		return fmt.Errorf("verify: %v signature length %d: %w", k.typ, len(sig), ErrBadSignature)
	}
	var ok bool
	switch k.typ {
	case SigEd25519, SigRedDSA25519:
		ok = ed25519.Verify(ed25519.PublicKey(k.key), msg, sig)
	case SigECDSAP256:
		h := sha256.Sum256(msg)
		ok = verifyECDSA(elliptic.P256(), k.key, h[:], sig)
	case SigECDSAP384:
		h := sha512.Sum384(msg)
		ok = verifyECDSA(elliptic.P384(), k.key, h[:], sig)
	case SigECDSAP521:
		h := sha512.Sum512(msg)
		ok = verifyECDSA(elliptic.P521(), k.key, h[:], sig)
	case SigDSASHA1:
		h := sha1.Sum(msg)
		ok = verifyDSA(k.key, h[:], sig)
	default:
		return fmt.Errorf("verify: %v: %w", k.typ, ErrUnsupportedSigType)
	}
	if !ok {
		return fmt.Errorf("verify: %v: %w", k.typ, ErrBadSignature)
	}
	return nil
}

// verifyECDSA checks a raw r||s signature against a raw X||Y public key.
func verifyECDSA(curve elliptic.Curve, key, digest, sig []byte) bool {
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, append([]byte{4}, key...))
	if err != nil {
		return false
	}
	half := len(sig) / 2
	r := new(big.Int).SetBytes(sig[:half])
	s := new(big.Int).SetBytes(sig[half:])
	return ecdsa.Verify(pub, digest, r, s)
}

// I2P's fixed DSA group (the same constants as i2pd and Java I2P).
const (
	dsaPHex = "9c05b2aa960d9b97b8931963c9cc9e8c3026e9b8ed92fad0a69cc886d5bf8015fcadae31a0ad18fab3f01b00a358de237655c4964afaa2b337e96ad316b9fb1cc564b5aec5b69a9ff6c3e4548707fef8503d91dd8602e867e6d35d2235c1869ce2479c3b9d5401de04e0727fb33d6511285d4cf29538d9e3b6051f5b22cc1c93"
	dsaQHex = "a5dfc28fef4ca1e286744cd8eed9d29d684046b7"
	dsaGHex = "0c1f4d27d40093b429e962d7223824e0bbc47e7c832a39236fc683af84889581075ff9082ed32353d4374d7301cda1d23c431f4698599dda02451824ff369752593647cc3ddc197de985e43d136cdcfc6bd5409cd2f450821142a5e6f8eb1c3ab5d0484b8129fcf17bce4f7f33321c3cb3dbb14a905e7b2b3e93be4708cbcc82"
)

func dsaParams() dsa.Parameters {
	p, _ := new(big.Int).SetString(dsaPHex, 16)
	q, _ := new(big.Int).SetString(dsaQHex, 16)
	g, _ := new(big.Int).SetString(dsaGHex, 16)
	return dsa.Parameters{P: p, Q: q, G: g}
}

// verifyDSA checks a 40-byte r||s DSA-SHA1 signature with a 128-byte Y.
func verifyDSA(key, digest, sig []byte) bool {
	pub := dsa.PublicKey{Parameters: dsaParams(), Y: new(big.Int).SetBytes(key)}
	r := new(big.Int).SetBytes(sig[:20])
	s := new(big.Int).SetBytes(sig[20:])
	return dsa.Verify(&pub, digest, r, s)
}

// Signer signs with one private signing key. Only Ed25519 is implemented
// here; other types can satisfy the interface later.
type Signer interface {
	Type() SigType
	Public() SigningPublicKey
	Sign(msg []byte) ([]byte, error)
}

// Ed25519Signer is a Signer for EdDSA_SHA512_Ed25519 (type 7).
type Ed25519Signer struct {
	priv ed25519.PrivateKey
	pub  SigningPublicKey
}

var _ Signer = (*Ed25519Signer)(nil)

// NewEd25519Signer returns a signer for the 32-byte Ed25519 seed, the form
// stored in I2P keys files.
func NewEd25519Signer(seed []byte) (*Ed25519Signer, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("data: ed25519 seed length %d: %w", len(seed), ErrInvalid)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	return &Ed25519Signer{
		priv: priv,
		pub:  SigningPublicKey{typ: SigEd25519, key: bytes.Clone(priv.Public().(ed25519.PublicKey))},
	}, nil
}

// Type returns SigEd25519.
func (s *Ed25519Signer) Type() SigType { return SigEd25519 }

// Public returns the public key.
func (s *Ed25519Signer) Public() SigningPublicKey { return s.pub }

// Sign returns the 64-byte Ed25519 signature of msg.
func (s *Ed25519Signer) Sign(msg []byte) ([]byte, error) {
	return s.priv.Sign(nil, msg, crypto.Hash(0))
}

// Seed returns the 32-byte private seed.
func (s *Ed25519Signer) Seed() []byte { return s.priv.Seed() }
