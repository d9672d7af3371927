package data

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"
)

func TestNewRouterIdentityLayout(t *testing.T) {
	var cryptoPub [32]byte
	for i := range cryptoPub {
		cryptoPub[i] = byte(i + 1)
	}
	sigPub := bytes.Repeat([]byte{0xee}, 32)
	block := bytes.Repeat([]byte{0xab}, 32)
	id, err := NewRouterIdentity(cryptoPub, ed25519.PublicKey(sigPub), block)
	if err != nil {
		t.Fatal(err)
	}
	b := id.Bytes()
	if len(b) != 391 || id.Len() != 391 {
		t.Fatalf("length %d", len(b))
	}
	checks := []struct {
		name     string
		from, to int
		want     []byte
	}{
		{"crypto key", 0, 32, cryptoPub[:]},
		{"padding", 32, 352, bytes.Repeat(block, 10)},
		{"signing key", 352, 384, sigPub},
		{"certificate", 384, 391, mustHex(t, "05 0004 0007 0004")},
	}
	for _, c := range checks {
		if !bytes.Equal(b[c.from:c.to], c.want) {
			t.Errorf("%s = %x, want %x", c.name, b[c.from:c.to], c.want)
		}
	}
	if id.Hash() != HashOf(b) || id.SigType() != SigEd25519 || id.CryptoType() != CryptoX25519 {
		t.Error("hash or types")
	}
	if !bytes.Equal(id.EncryptionPublicKey(), cryptoPub[:]) || !bytes.Equal(id.SigningPublicKey().Bytes(), sigPub) {
		t.Error("key accessors")
	}
	full := bytes.Repeat([]byte{0x5a}, 320)
	id2, err := NewRouterIdentity(cryptoPub, ed25519.PublicKey(sigPub), full)
	if err != nil || !bytes.Equal(id2.Bytes()[32:352], full) {
		t.Errorf("full padding: %v", err)
	}
	if _, err := NewRouterIdentity(cryptoPub, ed25519.PublicKey(sigPub), block[:31]); !errors.Is(err, ErrInvalid) {
		t.Errorf("31-byte padding: %v", err)
	}
}

func TestKeysAndCertLayouts(t *testing.T) {
	elg := bytes.Repeat([]byte{0x11}, 256)
	tests := []struct {
		name   string
		sig    SigType
		crypto CryptoType
		pad    []byte
		cert   string
	}{
		{"DSA ElGamal", SigDSASHA1, CryptoElGamal, nil, "00 0000"},
		{"P256 ElGamal", SigECDSAP256, CryptoElGamal, bytes.Repeat([]byte{7}, 64), "05 0004 0001 0000"},
		{"P384 ElGamal", SigECDSAP384, CryptoElGamal, bytes.Repeat([]byte{7}, 32), "05 0004 0002 0000"},
		{"P521 ElGamal", SigECDSAP521, CryptoElGamal, nil, "05 0008 0003 0000 03030303"},
		{"Ed25519 ElGamal", SigEd25519, CryptoElGamal, bytes.Repeat([]byte{7}, 32), "05 0004 0007 0000"},
		{"RedDSA X25519", SigRedDSA25519, CryptoX25519, bytes.Repeat([]byte{7}, 32), "05 0004 000b 0004"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sigKey := bytes.Repeat([]byte{3}, tc.sig.PublicKeyLen())
			spk, err := NewSigningPublicKey(tc.sig, sigKey)
			if err != nil {
				t.Fatal(err)
			}
			cryptoPub := elg[:tc.crypto.PublicKeyLen()]
			k, err := NewKeysAndCert(tc.crypto, cryptoPub, spk, tc.pad)
			if err != nil {
				t.Fatal(err)
			}
			b := k.Bytes()
			if !bytes.Equal(b[KeysAreaSize:], mustHex(t, tc.cert)) {
				t.Errorf("certificate %x, want %s", b[KeysAreaSize:], tc.cert)
			}
			if !bytes.Equal(b[:len(cryptoPub)], cryptoPub) {
				t.Error("crypto key not at start")
			}
			if n := min(len(sigKey), SigningAreaSize); !bytes.Equal(b[KeysAreaSize-n:KeysAreaSize], sigKey[:n]) {
				t.Error("signing key not right-aligned")
			}
			back, rest, err := ParseKeysAndCert(append(bytes.Clone(b), 0xff))
			if err != nil || len(rest) != 1 || !back.Equal(k) {
				t.Fatalf("re-parse: %v rest %d", err, len(rest))
			}
			if !back.SigningPublicKey().Equal(spk) || back.CryptoType() != tc.crypto || back.Hash() != HashOf(b) {
				t.Error("parsed keys differ")
			}
		})
	}
}

func TestParseKeysAndCertErrors(t *testing.T) {
	area := make([]byte, KeysAreaSize)
	tests := []struct {
		name string
		cert string
		want error
	}{
		{"truncated keys", "", ErrTruncated},
		{"truncated cert", "05 00", ErrTruncated},
		{"cert payload beyond input", "05 0004 0007", ErrTruncated},
		{"null cert with payload", "00 0001 00", ErrInvalid},
		{"short key cert", "05 0002 0007", ErrInvalid},
		{"unknown sig type", "05 0004 000c 0004", ErrUnsupportedSigType},
		{"unknown crypto type", "05 0004 0007 0009", ErrUnsupportedCryptoType},
		{"excess data", "05 0005 0007 0004 00", ErrInvalid},
		{"missing P521 excess", "05 0004 0003 0000", ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := area
			if tc.name == "truncated keys" {
				in = area[:383]
			}
			_, _, err := ParseKeysAndCert(append(bytes.Clone(in), mustHex(t, tc.cert)...))
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
	// Experimental certificate types are kept opaque: DSA_SHA1 and ElGamal.
	k, _, err := ParseKeysAndCert(append(bytes.Clone(area), mustHex(t, "03 0002 abcd")...))
	if err != nil || k.SigType() != SigDSASHA1 || k.CryptoType() != CryptoElGamal || k.Certificate().Type != CertSigned {
		t.Errorf("opaque certificate: %v", err)
	}
	d, _, err := ParseDestination(k.Bytes())
	r, _, err2 := ParseRouterIdentity(k.Bytes())
	if err != nil || err2 != nil || d.Hash() != r.Hash() {
		t.Error("ParseDestination and ParseRouterIdentity disagree")
	}
}
