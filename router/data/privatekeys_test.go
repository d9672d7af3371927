package data

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"

	"golang.org/x/crypto/curve25519"
)

func TestGenerateRouterKeys(t *testing.T) {
	k, err := GenerateRouterKeys(testRand(1))
	if err != nil {
		t.Fatal(err)
	}
	b := k.Bytes()
	if len(b) != 455 { // 391 identity + 32 X25519 + 32 Ed25519, like i2pd's router.keys
		t.Fatalf("keys file %d bytes", len(b))
	}
	id := k.RouterIdentity()
	if !bytes.Equal(id.Bytes()[KeysAreaSize:], mustHex(t, "05 0004 0007 0004")) {
		t.Errorf("certificate %x", id.Bytes()[KeysAreaSize:])
	}
	// i2pd's compressible padding: one 32-byte block repeated ten times.
	pad := id.Bytes()[32:352]
	if !bytes.Equal(pad, bytes.Repeat(pad[:32], 10)) {
		t.Error("padding is not a repeated block")
	}
	priv, err := k.X25519PrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := curve25519.X25519(priv[:], curve25519.Basepoint)
	if !bytes.Equal(pub, id.EncryptionPublicKey()) {
		t.Error("X25519 public key does not match private key")
	}
	s := testSigner(t, k)
	if !bytes.Equal(s.Public().Bytes(), ed25519.NewKeyFromSeed(k.SigningPrivateKey()).Public().(ed25519.PublicKey)) {
		t.Error("signer key")
	}
	back, err := ParsePrivateKeys(b)
	if err != nil || !bytes.Equal(back.Bytes(), b) {
		t.Fatalf("round trip: %v", err)
	}
	k2, _ := GenerateRouterKeys(testRand(1))
	if !bytes.Equal(k2.Bytes(), b) {
		t.Error("generation is not a function of rand")
	}
	if _, err := GenerateRouterKeys(nil); err == nil {
		t.Error("nil rand accepted")
	}
	if _, err := GenerateRouterKeys(bytes.NewReader(make([]byte, 40))); err == nil {
		t.Error("short rand accepted")
	}
}

func TestGenerateElGamalDestinationKeys(t *testing.T) {
	k := testKeys(t, 2, CryptoElGamal)
	b := k.Bytes()
	if len(b) != 391+256+32 {
		t.Fatalf("keys file %d bytes", len(b))
	}
	if k.Identity().CryptoType() != CryptoElGamal || !bytes.Equal(b[KeysAreaSize:391], mustHex(t, "05 0004 0007 0000")) {
		t.Errorf("certificate %x", b[KeysAreaSize:391])
	}
	if _, err := k.X25519PrivateKey(); !errors.Is(err, ErrUnsupportedCryptoType) {
		t.Errorf("X25519PrivateKey of ElGamal keys: %v", err)
	}
	if _, err := GenerateDestinationKeys(testRand(2), CryptoECIESP256); !errors.Is(err, ErrUnsupportedCryptoType) {
		t.Errorf("P256: %v", err)
	}
	if got := B32Address(k.Destination().Hash()); got != B32Address(HashOf(b[:391])) {
		t.Errorf("b32 %s", got)
	}
}

func TestOfflinePrivateKeys(t *testing.T) {
	k := testKeys(t, 3, CryptoX25519)
	transient := testKeys(t, 4, CryptoX25519)
	tSigner := testSigner(t, transient)
	off, err := NewOfflineSignature(testTime, tSigner.Public(), testSigner(t, k))
	if err != nil {
		t.Fatal(err)
	}
	if !off.Expires().Equal(testTime) || !off.TransientKey().Equal(tSigner.Public()) || len(off.Signature()) != 64 {
		t.Error("offline accessors")
	}
	ok, err := k.WithOffline(off, tSigner.Seed())
	if err != nil {
		t.Fatal(err)
	}
	b := ok.Bytes()
	if want := 391 + 32 + 32 + (6 + 32 + 64) + 32; len(b) != want {
		t.Fatalf("offline keys file %d bytes, want %d", len(b), want)
	}
	if !bytes.Equal(ok.SigningPrivateKey(), make([]byte, 32)) || ok.Offline() == nil {
		t.Error("long-term key not zeroed")
	}
	s, err := ok.Signer()
	if err != nil || !s.Public().Equal(tSigner.Public()) {
		t.Fatalf("transient signer: %v", err)
	}
	back, err := ParsePrivateKeys(b)
	if err != nil || !bytes.Equal(back.Bytes(), b) {
		t.Fatalf("round trip: %v", err)
	}
	bad := bytes.Clone(b)
	bad[391+64+10] ^= 1 // inside the transient public key
	if _, err := ParsePrivateKeys(bad); !errors.Is(err, ErrBadSignature) {
		t.Errorf("tampered offline block: %v", err)
	}
	if _, err := ParsePrivateKeys(b[:len(b)-1]); !errors.Is(err, ErrTruncated) {
		t.Errorf("truncated: %v", err)
	}
}

func TestParsePrivateKeysErrors(t *testing.T) {
	k := testKeys(t, 5, CryptoX25519)
	b := k.Bytes()
	if _, err := ParsePrivateKeys(append(bytes.Clone(b), 0)); !errors.Is(err, ErrTrailingData) {
		t.Errorf("trailing: %v", err)
	}
	if _, err := ParsePrivateKeys(b[:420]); !errors.Is(err, ErrTruncated) {
		t.Errorf("truncated: %v", err)
	}
	wrong := bytes.Clone(b)
	wrong[len(wrong)-1] ^= 1 // a different Ed25519 seed
	p, err := ParsePrivateKeys(wrong)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Signer(); !errors.Is(err, ErrKeyMismatch) {
		t.Errorf("mismatched seed: %v", err)
	}
}
