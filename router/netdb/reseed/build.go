package reseed

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/binary"
	"fmt"
	"io"

	"i2pgate/router/data"
)

// BuildParams describes an SU3 file for BuildSU3.
type BuildParams struct {
	SigType     data.SigType // RSA 4/5/6, ECDSA 1/2/3 or Ed25519ph 8
	Key         crypto.Signer
	SignerID    string // 1-255 bytes, e.g. "name@mail.i2p"
	Version     string // 1-255 bytes; reseed files use Unix seconds
	FileType    FileType
	ContentType ContentType
	Rand        io.Reader // nil means crypto/rand.Reader
}

// BuildSU3 serializes and signs an SU3 file as Java I2P's SU3File writes it.
// It is what a reseed server does; the router uses it only in tests and
// test networks.
func BuildSU3(p BuildParams, content []byte) ([]byte, error) {
	if len(p.SignerID) == 0 || len(p.SignerID) > 255 {
		return nil, fmt.Errorf("reseed: build SU3: signer ID of %d bytes", len(p.SignerID))
	}
	if len(p.Version) == 0 || len(p.Version) > 255 {
		return nil, fmt.Errorf("reseed: build SU3: version of %d bytes", len(p.Version))
	}
	h, ok := su3Hash(p.SigType)
	if !ok {
		return nil, fmt.Errorf("reseed: build SU3: %w: %v", ErrUnsupportedType, p.SigType)
	}
	sigLen := p.SigType.SignatureLen()
	verLen := max(len(p.Version), MinSU3VersionLen)
	total := SU3HeaderSize + verLen + len(p.SignerID) + len(content) + sigLen
	if total > MaxSU3Size {
		return nil, fmt.Errorf("reseed: build SU3: %d bytes, more than %d", total, MaxSU3Size)
	}
	b := make([]byte, SU3HeaderSize, total)
	copy(b, su3Magic)
	binary.BigEndian.PutUint16(b[su3SigTypeOffset:], uint16(p.SigType))
	binary.BigEndian.PutUint16(b[su3SigLenOffset:], uint16(sigLen))
	b[su3VersionLenOffset] = byte(verLen)
	b[su3SignerLenOffset] = byte(len(p.SignerID))
	binary.BigEndian.PutUint64(b[su3ContentLenOffset:], uint64(len(content)))
	b[su3FileTypeOffset] = byte(p.FileType)
	b[su3ContentTypeOffset] = byte(p.ContentType)
	b = append(b, p.Version...)
	b = append(b, make([]byte, verLen-len(p.Version))...)
	b = append(b, p.SignerID...)
	b = append(b, content...)
	r := p.Rand
	if r == nil {
		r = rand.Reader
	}
	sig, err := signDigest(p.SigType, p.Key, r, hashOf(h, b))
	if err != nil {
		return nil, fmt.Errorf("reseed: build SU3: %w", err)
	}
	if len(sig) != sigLen {
		return nil, fmt.Errorf("reseed: build SU3: %d-byte signature, %v needs %d", len(sig), p.SigType, sigLen)
	}
	return append(b, sig...), nil
}

// signDigest makes the raw signatures Verify checks.
func signDigest(t data.SigType, key crypto.Signer, r io.Reader, digest []byte) ([]byte, error) {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if t != data.SigRSA2048 && t != data.SigRSA3072 && t != data.SigRSA4096 {
			break
		}
		return rsa.SignPKCS1v15(r, k, 0, digest)
	case *ecdsa.PrivateKey:
		if su3Curve(t) == nil || k.Curve != su3Curve(t) {
			break
		}
		rr, ss, err := ecdsa.Sign(r, k, digest)
		if err != nil {
			return nil, err
		}
		half := t.SignatureLen() / 2
		sig := make([]byte, 2*half)
		rr.FillBytes(sig[:half])
		ss.FillBytes(sig[half:])
		return sig, nil
	case ed25519.PrivateKey:
		if t != data.SigEd25519ph {
			break
		}
		return ed25519.Sign(k, digest), nil
	}
	return nil, fmt.Errorf("key %T cannot make %v signatures", key, t)
}
