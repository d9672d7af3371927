package data

import "fmt"

// SigType is a signing key type code from the Key Certificate table of
// common-structures "Key Certificates".
type SigType uint16

// Signature types.
const (
	SigDSASHA1      SigType = 0  // DSA_SHA1, legacy
	SigECDSAP256    SigType = 1  // ECDSA_SHA256_P256
	SigECDSAP384    SigType = 2  // ECDSA_SHA384_P384
	SigECDSAP521    SigType = 3  // ECDSA_SHA512_P521
	SigRSA2048      SigType = 4  // RSA_SHA256_2048, offline only
	SigRSA3072      SigType = 5  // RSA_SHA384_3072, offline only
	SigRSA4096      SigType = 6  // RSA_SHA512_4096, offline only
	SigEd25519      SigType = 7  // EdDSA_SHA512_Ed25519
	SigEd25519ph    SigType = 8  // EdDSA_SHA512_Ed25519ph, offline only
	SigGOST256      SigType = 9  // GOST R 34.10-2012 256 (reserved, i2pd only)
	SigGOST512      SigType = 10 // GOST R 34.10-2012 512 (reserved, i2pd only)
	SigRedDSA25519  SigType = 11 // RedDSA_SHA512_Ed25519
	maxKnownSigType         = SigRedDSA25519
)

type sigInfo struct {
	name                 string
	pubLen, privLen, sig int
}

// sigTable holds public key, private key and signature lengths in bytes.
// Read only.
var sigTable = [...]sigInfo{
	SigDSASHA1:     {"DSA_SHA1", 128, 20, 40},
	SigECDSAP256:   {"ECDSA_SHA256_P256", 64, 32, 64},
	SigECDSAP384:   {"ECDSA_SHA384_P384", 96, 48, 96},
	SigECDSAP521:   {"ECDSA_SHA512_P521", 132, 66, 132},
	SigRSA2048:     {"RSA_SHA256_2048", 256, 512, 256},
	SigRSA3072:     {"RSA_SHA384_3072", 384, 768, 384},
	SigRSA4096:     {"RSA_SHA512_4096", 512, 1024, 512},
	SigEd25519:     {"EdDSA_SHA512_Ed25519", 32, 32, 64},
	SigEd25519ph:   {"EdDSA_SHA512_Ed25519ph", 32, 32, 64},
	SigGOST256:     {"GOSTR3410_256", 64, 32, 64},
	SigGOST512:     {"GOSTR3410_512", 128, 64, 128},
	SigRedDSA25519: {"RedDSA_SHA512_Ed25519", 32, 32, 64},
}

func (t SigType) info() (sigInfo, bool) {
	if t > maxKnownSigType {
		return sigInfo{}, false
	}
	return sigTable[t], true
}

// Known reports whether the sizes of t are known.
func (t SigType) Known() bool { _, ok := t.info(); return ok }

// PublicKeyLen returns the signing public key length, or 0 if unknown.
func (t SigType) PublicKeyLen() int { i, _ := t.info(); return i.pubLen }

// PrivateKeyLen returns the signing private key length, or 0 if unknown.
func (t SigType) PrivateKeyLen() int { i, _ := t.info(); return i.privLen }

// SignatureLen returns the signature length, or 0 if unknown.
func (t SigType) SignatureLen() int { i, _ := t.info(); return i.sig }

func (t SigType) String() string {
	if i, ok := t.info(); ok {
		return i.name
	}
	return fmt.Sprintf("SigType(%d)", uint16(t))
}

// CryptoType is an encryption key type code from the Key Certificate table
// of common-structures "Key Certificates" (and LeaseSet2 key sections).
type CryptoType uint16

// Crypto types.
const (
	CryptoElGamal         CryptoType = 0 // ElGamal-2048
	CryptoECIESP256       CryptoType = 1 // reserved (proposal 145)
	CryptoECIESP384       CryptoType = 2 // reserved (proposal 145)
	CryptoECIESP521       CryptoType = 3 // reserved (proposal 145)
	CryptoX25519          CryptoType = 4 // ECIES-X25519-AEAD-Ratchet
	CryptoMLKEM512X25519  CryptoType = 5 // hybrid, LeaseSet2 only (proposal 169)
	CryptoMLKEM768X25519  CryptoType = 6 // hybrid, LeaseSet2 only (proposal 169)
	CryptoMLKEM1024X25519 CryptoType = 7 // hybrid, LeaseSet2 only (proposal 169)
	maxKnownCryptoType               = CryptoMLKEM1024X25519
)

type cryptoInfo struct {
	name string
	// pubLen is the public key length in identities and LeaseSet2 key
	// sections; the hybrid types publish only their X25519 key there.
	pubLen int
	// keysFileLen is the private key length in an i2pd keys file (i2pd
	// GetCryptoPrivateKeyLen: 256 for ElGamal and, for compatibility, P256).
	keysFileLen int
}

// cryptoTable is read only.
var cryptoTable = [...]cryptoInfo{
	CryptoElGamal:         {"ElGamal", 256, 256},
	CryptoECIESP256:       {"ECIES_P256", 64, 256},
	CryptoECIESP384:       {"ECIES_P384", 96, 0},
	CryptoECIESP521:       {"ECIES_P521", 132, 0},
	CryptoX25519:          {"ECIES_X25519", 32, 32},
	CryptoMLKEM512X25519:  {"MLKEM512_X25519", 32, 32},
	CryptoMLKEM768X25519:  {"MLKEM768_X25519", 32, 32},
	CryptoMLKEM1024X25519: {"MLKEM1024_X25519", 32, 32},
}

func (t CryptoType) info() (cryptoInfo, bool) {
	if t > maxKnownCryptoType {
		return cryptoInfo{}, false
	}
	return cryptoTable[t], true
}

// Known reports whether the sizes of t are known.
func (t CryptoType) Known() bool { _, ok := t.info(); return ok }

// PublicKeyLen returns the public key length, or 0 if unknown.
func (t CryptoType) PublicKeyLen() int { i, _ := t.info(); return i.pubLen }

func (t CryptoType) String() string {
	if i, ok := t.info(); ok {
		return i.name
	}
	return fmt.Sprintf("CryptoType(%d)", uint16(t))
}
