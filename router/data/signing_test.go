package data

import (
	"crypto/dsa" //nolint:staticcheck // test of legacy DSA_SHA1 verification
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"testing"
)

func TestEd25519Vector(t *testing.T) {
	// RFC 8032 section 7.1, TEST 2.
	seed := mustHex(t, "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")
	pub := mustHex(t, "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")
	msg := mustHex(t, "72")
	sig := mustHex(t, `92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da
		085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00`)
	s, err := NewEd25519Signer(seed)
	if err != nil {
		t.Fatal(err)
	}
	if string(s.Public().Bytes()) != string(pub) || s.Type() != SigEd25519 || string(s.Seed()) != string(seed) {
		t.Fatalf("public key %x", s.Public().Bytes())
	}
	got, err := s.Sign(msg)
	if err != nil || string(got) != string(sig) {
		t.Fatalf("Sign = %x, %v", got, err)
	}
	for _, typ := range []SigType{SigEd25519, SigRedDSA25519} {
		k, err := NewSigningPublicKey(typ, pub)
		if err != nil {
			t.Fatal(err)
		}
		if err := k.Verify(msg, sig); err != nil {
			t.Errorf("%v: %v", typ, err)
		}
		bad := append([]byte(nil), sig...)
		bad[5] ^= 1
		if err := k.Verify(msg, bad); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%v: tampered signature: %v", typ, err)
		}
		if err := k.Verify(msg, sig[:63]); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%v: short signature: %v", typ, err)
		}
	}
}

func TestECDSAVerify(t *testing.T) {
	tests := []struct {
		typ    SigType
		curve  elliptic.Curve
		digest func([]byte) []byte
	}{
		{SigECDSAP256, elliptic.P256(), func(m []byte) []byte { h := sha256.Sum256(m); return h[:] }},
		{SigECDSAP384, elliptic.P384(), func(m []byte) []byte { h := sha512.Sum384(m); return h[:] }},
		{SigECDSAP521, elliptic.P521(), func(m []byte) []byte { h := sha512.Sum512(m); return h[:] }},
	}
	msg := []byte("i2p common structures")
	for _, tc := range tests {
		priv, err := ecdsa.GenerateKey(tc.curve, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := priv.PublicKey.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		k, err := NewSigningPublicKey(tc.typ, raw[1:]) // drop the 0x04 prefix: I2P stores X||Y
		if err != nil {
			t.Fatal(err)
		}
		r, s, err := ecdsa.Sign(rand.Reader, priv, tc.digest(msg))
		if err != nil {
			t.Fatal(err)
		}
		n := tc.typ.SignatureLen() / 2
		sig := make([]byte, 2*n)
		r.FillBytes(sig[:n])
		s.FillBytes(sig[n:])
		if err := k.Verify(msg, sig); err != nil {
			t.Errorf("%v: %v", tc.typ, err)
		}
		if err := k.Verify([]byte("other"), sig); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%v: wrong message: %v", tc.typ, err)
		}
	}
}

func TestDSAVerify(t *testing.T) {
	priv := dsa.PrivateKey{PublicKey: dsa.PublicKey{Parameters: dsaParams()}}
	if err := dsa.GenerateKey(&priv, rand.Reader); err != nil {
		t.Fatal(err)
	}
	msg := []byte("legacy")
	h := sha1.Sum(msg)
	r, s, err := dsa.Sign(rand.Reader, &priv, h[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 40)
	r.FillBytes(sig[:20])
	s.FillBytes(sig[20:])
	pub := make([]byte, 128)
	priv.Y.FillBytes(pub)
	k, err := NewSigningPublicKey(SigDSASHA1, pub)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Verify(msg, sig); err != nil {
		t.Fatal(err)
	}
	sig[39] ^= 1
	if err := k.Verify(msg, sig); !errors.Is(err, ErrBadSignature) {
		t.Errorf("tampered: %v", err)
	}
}

func TestSigTypeTable(t *testing.T) {
	tests := []struct {
		typ               SigType
		pub, priv, sigLen int
	}{
		{SigDSASHA1, 128, 20, 40}, {SigECDSAP256, 64, 32, 64}, {SigECDSAP384, 96, 48, 96},
		{SigECDSAP521, 132, 66, 132}, {SigRSA2048, 256, 512, 256}, {SigRSA3072, 384, 768, 384},
		{SigRSA4096, 512, 1024, 512}, {SigEd25519, 32, 32, 64}, {SigEd25519ph, 32, 32, 64},
		{SigRedDSA25519, 32, 32, 64}, {SigType(12), 0, 0, 0}, {SigType(65535), 0, 0, 0},
	}
	for _, tc := range tests {
		if tc.typ.PublicKeyLen() != tc.pub || tc.typ.PrivateKeyLen() != tc.priv || tc.typ.SignatureLen() != tc.sigLen {
			t.Errorf("%v: sizes %d/%d/%d", tc.typ, tc.typ.PublicKeyLen(), tc.typ.PrivateKeyLen(), tc.typ.SignatureLen())
		}
		if tc.typ.Known() != (tc.pub != 0) {
			t.Errorf("%v: Known = %v", tc.typ, tc.typ.Known())
		}
	}
	for typ, want := range map[CryptoType]int{CryptoElGamal: 256, CryptoX25519: 32, CryptoMLKEM768X25519: 32, 8: 0} {
		if typ.PublicKeyLen() != want {
			t.Errorf("%v: %d", typ, typ.PublicKeyLen())
		}
	}
	if SigType(99).String() != "SigType(99)" || SigEd25519.String() != "EdDSA_SHA512_Ed25519" || CryptoX25519.String() != "ECIES_X25519" {
		t.Error("String")
	}
}

func TestUnsupportedVerify(t *testing.T) {
	for _, typ := range []SigType{SigRSA2048, SigEd25519ph, SigGOST256} {
		k, err := NewSigningPublicKey(typ, make([]byte, typ.PublicKeyLen()))
		if err != nil {
			t.Fatal(err)
		}
		if err := k.Verify(nil, make([]byte, typ.SignatureLen())); !errors.Is(err, ErrUnsupportedSigType) {
			t.Errorf("%v: %v", typ, err)
		}
	}
	if _, err := NewSigningPublicKey(SigType(12), nil); !errors.Is(err, ErrUnsupportedSigType) {
		t.Errorf("unknown type: %v", err)
	}
	if _, err := NewSigningPublicKey(SigEd25519, make([]byte, 31)); !errors.Is(err, ErrInvalid) {
		t.Errorf("short key: %v", err)
	}
	if err := (SigningPublicKey{}).Verify(nil, nil); err == nil {
		t.Error("zero key verified")
	}
}
