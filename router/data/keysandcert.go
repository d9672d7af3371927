package data

import (
	"bytes"
	"crypto/ed25519"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
)

const (
	// CryptoAreaSize is the space for the encryption public key.
	CryptoAreaSize = 256
	// SigningAreaSize is the space for the signing public key.
	SigningAreaSize = 128
	// KeysAreaSize is the fixed key area before the certificate.
	KeysAreaSize = CryptoAreaSize + SigningAreaSize
	// MinIdentitySize is a KeysAndCert with a NULL certificate.
	MinIdentitySize = KeysAreaSize + CertHeaderSize
	// PaddingBlockSize is the size of the random block i2pd repeats to fill
	// identity padding (compressible padding, spec 0.9.58).
	PaddingBlockSize = 32
)

// KeysAndCert is a common-structures "KeysAndCert": a 256-byte crypto key
// area, a 128-byte signing key area and a Certificate. The crypto key is
// aligned at the start, the signing key at the end, padding sits between
// them and signing key bytes beyond 128 live in the KEY certificate. It is
// immutable and keeps its serialized bytes.
type KeysAndCert struct {
	raw        []byte
	hash       Hash
	cert       Certificate
	cryptoType CryptoType
	signingKey SigningPublicKey
}

// RouterIdentity identifies a router (common-structures "RouterIdentity");
// its Hash is the router hash.
type RouterIdentity struct{ KeysAndCert }

// Destination is a client endpoint (common-structures "Destination"); its
// Hash is the destination hash used in .b32.i2p names.
type Destination struct{ KeysAndCert }

// ParseKeysAndCert decodes a KeysAndCert from the start of b and returns
// the rest. Unknown signature or crypto types in a KEY certificate are
// rejected, as are excess key bytes that do not match the declared types.
func ParseKeysAndCert(b []byte) (*KeysAndCert, []byte, error) {
	in := cryptobyte.String(b)
	k := new(KeysAndCert)
	if err := readKeysAndCert(&in, k); err != nil {
		return nil, nil, fmt.Errorf("data: %w", err)
	}
	return k, in, nil
}

// ParseRouterIdentity decodes a RouterIdentity from the start of b and
// returns the rest.
func ParseRouterIdentity(b []byte) (*RouterIdentity, []byte, error) {
	k, rest, err := ParseKeysAndCert(b)
	if err != nil {
		return nil, nil, err
	}
	return &RouterIdentity{*k}, rest, nil
}

// ParseDestination decodes a Destination from the start of b and returns
// the rest.
func ParseDestination(b []byte) (*Destination, []byte, error) {
	k, rest, err := ParseKeysAndCert(b)
	if err != nil {
		return nil, nil, err
	}
	return &Destination{*k}, rest, nil
}

func readKeysAndCert(in *cryptobyte.String, k *KeysAndCert) error {
	start := *in
	var keys []byte
	if !in.ReadBytes(&keys, KeysAreaSize) {
		return fmt.Errorf("keys and cert: %w", ErrTruncated)
	}
	if err := readCertificate(in, &k.cert); err != nil {
		return fmt.Errorf("keys and cert: %w", err)
	}
	sigType, cryptoType := k.cert.KeyTypes()
	if !sigType.Known() {
		return fmt.Errorf("keys and cert: %v: %w", sigType, ErrUnsupportedSigType)
	}
	if !cryptoType.Known() {
		return fmt.Errorf("keys and cert: %v: %w", cryptoType, ErrUnsupportedCryptoType)
	}
	sigLen := sigType.PublicKeyLen()
	excess := max(0, sigLen-SigningAreaSize)
	if k.cert.Type == CertKey && len(k.cert.excess()) != excess {
		return fmt.Errorf("keys and cert: %d excess key bytes for %v, want %d: %w",
			len(k.cert.excess()), sigType, excess, ErrInvalid)
	}
	var sigKey []byte
	if sigLen <= SigningAreaSize {
		sigKey = keys[KeysAreaSize-sigLen:]
	} else {
		sigKey = append(bytes.Clone(keys[CryptoAreaSize:]), k.cert.excess()...)
	}
	k.signingKey = SigningPublicKey{typ: sigType, key: bytes.Clone(sigKey)}
	k.cryptoType = cryptoType
	k.raw = bytes.Clone(start[:len(start)-len(*in)])
	k.hash = HashOf(k.raw)
	return nil
}

// NewKeysAndCert lays out the given keys. padding fills the space between
// the crypto key and the signing key: either exactly that many bytes, or a
// 32-byte block repeated as i2pd does. DSA_SHA1 with ElGamal gets a NULL
// certificate, everything else a KEY certificate.
func NewKeysAndCert(crypto CryptoType, cryptoPub []byte, signingPub SigningPublicKey, padding []byte) (*KeysAndCert, error) {
	cryptoLen, sigLen := crypto.PublicKeyLen(), signingPub.typ.PublicKeyLen()
	switch {
	case !crypto.Known() || cryptoLen > CryptoAreaSize:
		return nil, fmt.Errorf("data: keys and cert: %v: %w", crypto, ErrUnsupportedCryptoType)
	case len(cryptoPub) != cryptoLen:
		return nil, fmt.Errorf("data: keys and cert: %v key is %d bytes, want %d: %w", crypto, len(cryptoPub), cryptoLen, ErrInvalid)
	case len(signingPub.key) != sigLen || sigLen == 0:
		return nil, fmt.Errorf("data: keys and cert: bad signing key: %w", ErrInvalid)
	}
	gap := KeysAreaSize - cryptoLen - min(sigLen, SigningAreaSize)
	if len(padding) != gap && (len(padding) != PaddingBlockSize || gap == 0) {
		return nil, fmt.Errorf("data: keys and cert: padding is %d bytes, want %d or %d: %w",
			len(padding), gap, PaddingBlockSize, ErrInvalid)
	}
	buf := make([]byte, 0, MinIdentitySize+8)
	buf = append(buf, cryptoPub...)
	for i := 0; i < gap; i++ {
		buf = append(buf, padding[i%len(padding)])
	}
	buf = append(buf, signingPub.key[:min(sigLen, SigningAreaSize)]...)
	cert := Certificate{Type: CertNull}
	if signingPub.typ != SigDSASHA1 || crypto != CryptoElGamal {
		cert = NewKeyCertificate(signingPub.typ, crypto, signingPub.key[min(sigLen, SigningAreaSize):])
	}
	k, _, err := ParseKeysAndCert(cert.Append(buf))
	return k, err
}

// NewRouterIdentity builds the standard modern router identity: an X25519
// crypto key, an Ed25519 signing key and the KEY certificate
// 05 00 04 00 07 00 04. padding is a 32-byte random block (repeated, as
// i2pd writes it) or the full 320 bytes.
func NewRouterIdentity(cryptoPub [32]byte, signingPub ed25519.PublicKey, padding []byte) (*RouterIdentity, error) {
	spk, err := NewSigningPublicKey(SigEd25519, signingPub)
	if err != nil {
		return nil, err
	}
	k, err := NewKeysAndCert(CryptoX25519, cryptoPub[:], spk, padding)
	if err != nil {
		return nil, err
	}
	return &RouterIdentity{*k}, nil
}

// NewDestination builds a destination from its keys; see NewKeysAndCert.
func NewDestination(crypto CryptoType, cryptoPub []byte, signingPub SigningPublicKey, padding []byte) (*Destination, error) {
	k, err := NewKeysAndCert(crypto, cryptoPub, signingPub, padding)
	if err != nil {
		return nil, err
	}
	return &Destination{*k}, nil
}

// Bytes returns the serialized form exactly as parsed or built; the caller
// must not modify it.
func (k *KeysAndCert) Bytes() []byte { return k.raw }

// Len returns the serialized length (387 plus the certificate payload).
func (k *KeysAndCert) Len() int { return len(k.raw) }

// Hash returns the SHA-256 of the serialized form: the router hash or the
// destination hash.
func (k *KeysAndCert) Hash() Hash { return k.hash }

// Certificate returns the certificate; the caller must not modify its
// payload.
func (k *KeysAndCert) Certificate() Certificate { return k.cert }

// SigType returns the signing key type.
func (k *KeysAndCert) SigType() SigType { return k.signingKey.typ }

// CryptoType returns the encryption key type.
func (k *KeysAndCert) CryptoType() CryptoType { return k.cryptoType }

// SigningPublicKey returns the signing key.
func (k *KeysAndCert) SigningPublicKey() SigningPublicKey { return k.signingKey }

// EncryptionPublicKey returns the crypto public key (32 bytes for X25519,
// 256 for ElGamal); the caller must not modify it.
func (k *KeysAndCert) EncryptionPublicKey() []byte {
	return k.raw[:k.cryptoType.PublicKeyLen()]
}

// SignatureLen returns the length of signatures by this identity.
func (k *KeysAndCert) SignatureLen() int { return k.signingKey.SignatureLen() }

// Verify checks sig over msg with the signing key.
func (k *KeysAndCert) Verify(msg, sig []byte) error { return k.signingKey.Verify(msg, sig) }

// Equal reports whether k and o serialize identically.
func (k *KeysAndCert) Equal(o *KeysAndCert) bool { return bytes.Equal(k.raw, o.raw) }
