package data

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"io"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/curve25519"
)

// PrivateKeys is the i2pd keys file format (router.keys, eepsite .dat
// files; i2pd PrivateKeys::FromBuffer/ToBuffer): the identity, the
// encryption private key (256 bytes for ElGamal, 32 for X25519), the
// signing private key (32-byte seed for Ed25519) and, when that signing key
// is all zeros, an OfflineSignature followed by the transient signing
// private key. It keeps its serialized bytes.
type PrivateKeys struct {
	raw           []byte
	identity      *KeysAndCert
	encPriv       []byte
	sigPriv       []byte
	offline       *OfflineSignature
	transientPriv []byte
}

// ParsePrivateKeys decodes a whole keys file. An offline signature must
// verify with the identity's key; its expiry is not checked here.
func ParsePrivateKeys(b []byte) (*PrivateKeys, error) {
	in := cryptobyte.String(b)
	p := &PrivateKeys{identity: new(KeysAndCert)}
	if err := readKeysAndCert(&in, p.identity); err != nil {
		return nil, fmt.Errorf("data: private keys: %w", err)
	}
	encLen := cryptoTable[p.identity.cryptoType].keysFileLen
	sigType := p.identity.SigType()
	if encLen == 0 {
		return nil, fmt.Errorf("data: private keys: %v: %w", p.identity.cryptoType, ErrUnsupportedCryptoType)
	}
	if sigType >= SigRSA2048 && sigType <= SigRSA4096 {
		return nil, fmt.Errorf("data: private keys: %v: %w", sigType, ErrUnsupportedSigType)
	}
	if !readCopy(&in, encLen, &p.encPriv) || !readCopy(&in, sigType.PrivateKeyLen(), &p.sigPriv) {
		return nil, fmt.Errorf("data: private keys: %w", ErrTruncated)
	}
	if allZero(p.sigPriv) {
		if err := p.readOffline(&in); err != nil {
			return nil, err
		}
	}
	if !in.Empty() {
		return nil, fmt.Errorf("data: private keys: %d bytes: %w", len(in), ErrTrailingData)
	}
	p.raw = bytes.Clone(b)
	return p, nil
}

func (p *PrivateKeys) readOffline(in *cryptobyte.String) error {
	p.offline = new(OfflineSignature)
	if err := readOfflineSignature(in, p.identity.SignatureLen(), p.offline); err != nil {
		return fmt.Errorf("data: private keys: %w", err)
	}
	if err := p.offline.verify(p.identity.signingKey); err != nil {
		return fmt.Errorf("data: private keys: %w", err)
	}
	t := p.offline.transient.typ
	if !readCopy(in, t.PrivateKeyLen(), &p.transientPriv) {
		return fmt.Errorf("data: private keys: transient key: %w", ErrTruncated)
	}
	return nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// GenerateRouterKeys creates router keys: X25519 encryption, Ed25519
// signing and i2pd's repeated 32-byte random padding. rand nil is an
// error: the caller injects crypto/rand.Reader.
func GenerateRouterKeys(rand io.Reader) (*PrivateKeys, error) {
	return GenerateDestinationKeys(rand, CryptoX25519)
}

// GenerateDestinationKeys creates Ed25519-signed keys with crypto type
// X25519 (a real key pair) or ElGamal. As in i2pd, the ElGamal identity key
// of a destination is unused filler (LeaseSet2 carries the real encryption
// keys), so the ElGamal private key is 256 random bytes and the identity's
// crypto area is the padding block repeated; no ElGamal arithmetic is done.
func GenerateDestinationKeys(rand io.Reader, crypto CryptoType) (*PrivateKeys, error) {
	if rand == nil {
		return nil, fmt.Errorf("data: generate keys: nil rand: %w", ErrInvalid)
	}
	if crypto != CryptoX25519 && crypto != CryptoElGamal {
		return nil, fmt.Errorf("data: generate keys: %v: %w", crypto, ErrUnsupportedCryptoType)
	}
	var seed, block [32]byte
	encPriv := make([]byte, cryptoTable[crypto].keysFileLen)
	for _, b := range [][]byte{seed[:], encPriv, block[:]} {
		if _, err := io.ReadFull(rand, b); err != nil {
			return nil, fmt.Errorf("data: generate keys: %w", err)
		}
	}
	var cryptoPub []byte
	if crypto == CryptoX25519 {
		pub, err := curve25519.X25519(encPriv, curve25519.Basepoint)
		if err != nil {
			return nil, fmt.Errorf("data: generate keys: %w", err)
		}
		cryptoPub = pub
	} else {
		cryptoPub = bytes.Repeat(block[:], CryptoAreaSize/PaddingBlockSize)
	}
	signer, err := NewEd25519Signer(seed[:])
	if err != nil {
		return nil, err
	}
	id, err := NewKeysAndCert(crypto, cryptoPub, signer.Public(), block[:])
	if err != nil {
		return nil, err
	}
	return NewPrivateKeys(id, encPriv, seed[:])
}

// NewPrivateKeys assembles keys for identity from its private keys (no
// offline signature).
func NewPrivateKeys(identity *KeysAndCert, encPriv, sigPriv []byte) (*PrivateKeys, error) {
	buf := append(bytes.Clone(identity.raw), encPriv...)
	buf = append(buf, sigPriv...)
	return ParsePrivateKeys(buf)
}

// Bytes returns the keys file bytes; do not modify.
func (p *PrivateKeys) Bytes() []byte { return p.raw }

// Identity returns the public identity.
func (p *PrivateKeys) Identity() *KeysAndCert { return p.identity }

// Destination returns the identity as a Destination.
func (p *PrivateKeys) Destination() *Destination { return &Destination{*p.identity} }

// RouterIdentity returns the identity as a RouterIdentity.
func (p *PrivateKeys) RouterIdentity() *RouterIdentity { return &RouterIdentity{*p.identity} }

// EncryptionPrivateKey returns the encryption private key; do not modify.
func (p *PrivateKeys) EncryptionPrivateKey() []byte { return p.encPriv }

// SigningPrivateKey returns the long-term signing private key (all zeros
// when the keys are offline); do not modify.
func (p *PrivateKeys) SigningPrivateKey() []byte { return p.sigPriv }

// Offline returns the offline signature, or nil.
func (p *PrivateKeys) Offline() *OfflineSignature { return p.offline }

// X25519PrivateKey returns the X25519 private key of an X25519 (or hybrid)
// identity.
func (p *PrivateKeys) X25519PrivateKey() ([32]byte, error) {
	if len(p.encPriv) != 32 || p.identity.cryptoType < CryptoX25519 {
		return [32]byte{}, fmt.Errorf("data: private keys: %v is not X25519: %w", p.identity.cryptoType, ErrUnsupportedCryptoType)
	}
	return [32]byte(p.encPriv), nil
}

// Signer returns an Ed25519 signer for these keys: the transient key when
// the keys are offline, else the long-term key, which must match the
// identity's public key.
func (p *PrivateKeys) Signer() (*Ed25519Signer, error) {
	typ, priv, pub := p.identity.SigType(), p.sigPriv, p.identity.signingKey
	if p.offline != nil {
		typ, priv, pub = p.offline.transient.typ, p.transientPriv, p.offline.transient
	}
	if typ != SigEd25519 {
		return nil, fmt.Errorf("data: private keys: signer for %v: %w", typ, ErrUnsupportedSigType)
	}
	s, err := NewEd25519Signer(priv)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(s.pub.key, pub.key) {
		return nil, fmt.Errorf("data: private keys: ed25519 seed does not match public key: %w", ErrKeyMismatch)
	}
	return s, nil
}

// WithOffline returns offline keys: the identity and encryption key of p,
// an all-zero long-term signing key, off and the transient Ed25519 seed.
func (p *PrivateKeys) WithOffline(off *OfflineSignature, transientSeed []byte) (*PrivateKeys, error) {
	if len(transientSeed) != ed25519.SeedSize || off.transient.typ != SigEd25519 {
		return nil, fmt.Errorf("data: private keys: offline keys must be Ed25519: %w", ErrUnsupportedSigType)
	}
	buf := append(bytes.Clone(p.identity.raw), p.encPriv...)
	buf = append(buf, make([]byte, len(p.sigPriv))...)
	buf = append(buf, off.raw...)
	return ParsePrivateKeys(append(buf, transientSeed...))
}
