package reseed

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"math/big"

	"i2pgate/router/data"
)

// SignerCerts maps an SU3 signer ID ("name@domain") to its public key: an
// *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey. Load it with
// LoadCertsDir; the zero value trusts nobody.
type SignerCerts map[string]crypto.PublicKey

// Verify checks the signature with the key certs holds for the file's
// signer ID. As Java I2P and i2pd do, the signed data is hashed with the
// hash of the signature type and the digest is signed "raw": RSA types
// (4, 5, 6) are PKCS#1 v1.5 without a DigestInfo prefix (Java's
// NONEwithRSA), ECDSA types (1, 2, 3) sign the digest with r||s, and
// EdDSA_SHA512_Ed25519ph (8) is pure Ed25519 over the SHA-512 digest.
// DSA-SHA1 and plain Ed25519 (7, not allowed for SU3) are refused.
//
// It returns ErrUnknownSigner, ErrUnsupportedType or ErrBadSignature
// (wrapped). It does not check the content or file type; callers decide
// which trust domain they expect.
func (s *SU3) Verify(certs SignerCerts) error {
	key, ok := certs[s.SignerID()]
	if !ok {
		return fmt.Errorf("%w %q", ErrUnknownSigner, s.SignerID())
	}
	h, ok := su3Hash(s.sigType)
	if !ok {
		return fmt.Errorf("%w: %v", ErrUnsupportedType, s.sigType)
	}
	digest := hashOf(h, s.signed)
	if err := verifyDigest(s.sigType, key, digest, s.signature); err != nil {
		return fmt.Errorf("%w by %q: %w", ErrBadSignature, s.SignerID(), err)
	}
	return nil
}

// su3Hash returns the digest the signature type signs.
func su3Hash(t data.SigType) (crypto.Hash, bool) {
	switch t {
	case data.SigECDSAP256, data.SigRSA2048:
		return crypto.SHA256, true
	case data.SigECDSAP384, data.SigRSA3072:
		return crypto.SHA384, true
	case data.SigECDSAP521, data.SigRSA4096, data.SigEd25519ph:
		return crypto.SHA512, true
	}
	return 0, false
}

// hashOf hashes msg with one of the hashes su3Hash returns.
func hashOf(h crypto.Hash, msg []byte) []byte {
	switch h {
	case crypto.SHA256:
		d := sha256.Sum256(msg)
		return d[:]
	case crypto.SHA384:
		d := sha512.Sum384(msg)
		return d[:]
	default:
		d := sha512.Sum512(msg)
		return d[:]
	}
}

// su3Curve returns the curve of an ECDSA signature type.
func su3Curve(t data.SigType) elliptic.Curve {
	switch t {
	case data.SigECDSAP256:
		return elliptic.P256()
	case data.SigECDSAP384:
		return elliptic.P384()
	case data.SigECDSAP521:
		return elliptic.P521()
	}
	return nil
}

func verifyDigest(t data.SigType, key crypto.PublicKey, digest, sig []byte) error {
	switch t {
	case data.SigRSA2048, data.SigRSA3072, data.SigRSA4096:
		pub, ok := key.(*rsa.PublicKey)
		if !ok {
			return fmt.Errorf("%v needs an RSA key, have %T", t, key)
		}
		if pub.Size() != len(sig) {
			return fmt.Errorf("RSA key of %d bits for a %d-byte signature", pub.N.BitLen(), len(sig))
		}
		return rsa.VerifyPKCS1v15(pub, 0, digest, sig)
	case data.SigECDSAP256, data.SigECDSAP384, data.SigECDSAP521:
		pub, ok := key.(*ecdsa.PublicKey)
		if !ok || pub.Curve != su3Curve(t) {
			return fmt.Errorf("%v needs an ECDSA key on its curve, have %T", t, key)
		}
		half := len(sig) / 2
		r := new(big.Int).SetBytes(sig[:half])
		ss := new(big.Int).SetBytes(sig[half:])
		if !ecdsa.Verify(pub, digest, r, ss) {
			return errors.New("ECDSA signature does not verify")
		}
		return nil
	case data.SigEd25519ph:
		pub, ok := key.(ed25519.PublicKey)
		if !ok || len(pub) != ed25519.PublicKeySize {
			return fmt.Errorf("%v needs an Ed25519 key, have %T", t, key)
		}
		if !ed25519.Verify(pub, digest, sig) {
			return errors.New("Ed25519 signature does not verify")
		}
		return nil
	}
	return fmt.Errorf("%w: %v", ErrUnsupportedType, t)
}
