package datagram

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"testing"

	"i2pgate/router/data"
)

func TestRepliableRoundTrip(t *testing.T) {
	k := testKeys(t, 1)
	signers := []struct {
		name   string
		signer data.Signer
		from   *data.Destination
	}{
		{"ed25519", testSigner(t, k), k.Destination()},
	}
	dsaS := newDSASigner(t)
	signers = append(signers, struct {
		name   string
		signer data.Signer
		from   *data.Destination
	}{"dsa", dsaS, destFor(t, dsaS)})
	for _, typ := range []data.SigType{data.SigECDSAP256, data.SigECDSAP384, data.SigECDSAP521} {
		s := newECDSASigner(t, typ)
		signers = append(signers, struct {
			name   string
			signer data.Signer
			from   *data.Destination
		}{typ.String(), s, destFor(t, s)})
	}
	for _, sc := range signers {
		for _, size := range []int{0, 1, 1000, 31 << 10} {
			payload := make([]byte, size)
			newSeeded(byte(size)).Read(payload)
			b, err := BuildRepliable(sc.signer, sc.from, payload)
			if err != nil {
				t.Fatalf("%s/%d: build: %v", sc.name, size, err)
			}
			if want := sc.from.Len() + sc.from.SignatureLen() + size; len(b) != want {
				t.Fatalf("%s/%d: %d bytes, want %d", sc.name, size, len(b), want)
			}
			from, got, err := ParseRepliable(b)
			if err != nil {
				t.Fatalf("%s/%d: parse: %v", sc.name, size, err)
			}
			if !from.Equal(&sc.from.KeysAndCert) || !bytes.Equal(got, payload) {
				t.Fatalf("%s/%d: round trip differs", sc.name, size)
			}
		}
	}
}

// TestRepliableSignedData checks what is signed, independently of
// ParseRepliable: the payload for Ed25519, its SHA-256 for DSA_SHA1.
func TestRepliableSignedData(t *testing.T) {
	k := testKeys(t, 2)
	payload := []byte("what is signed")
	b, err := BuildRepliable(testSigner(t, k), k.Destination(), payload)
	if err != nil {
		t.Fatal(err)
	}
	n := k.Destination().Len()
	pub := ed25519.PublicKey(k.Destination().SigningPublicKey().Bytes())
	if !ed25519.Verify(pub, payload, b[n:n+64]) {
		t.Error("Ed25519 signature is not over the payload itself")
	}

	dsaS := newDSASigner(t)
	from := destFor(t, dsaS)
	b, err = BuildRepliable(dsaS, from, payload)
	if err != nil {
		t.Fatal(err)
	}
	n = from.Len()
	h := sha256.Sum256(payload)
	if err := dsaS.Public().Verify(h[:], b[n:n+40]); err != nil {
		t.Errorf("DSA signature is not over SHA-256(payload): %v", err)
	}
	if err := dsaS.Public().Verify(payload, b[n:n+40]); err == nil {
		t.Error("DSA signature verifies over the bare payload")
	}
}

func TestRepliableTampered(t *testing.T) {
	k := testKeys(t, 3)
	payload := []byte("a datagram that must not be altered")
	b, err := BuildRepliable(testSigner(t, k), k.Destination(), payload)
	if err != nil {
		t.Fatal(err)
	}
	n := k.Destination().Len()
	// Only the signing key of from is covered: another crypto key or
	// padding makes another destination that the signature still fits.
	// Replies go to that destination, whose LeaseSet only the holder of
	// the signing key can sign.
	for _, off := range []int{0, 100} {
		bad := bytes.Clone(b)
		bad[off] ^= 0x01
		from, _, err := ParseRepliable(bad)
		if err != nil {
			t.Fatalf("unsigned byte %d flipped: %v", off, err)
		}
		if from.Hash() == k.Destination().Hash() {
			t.Fatalf("unsigned byte %d flipped: same sender hash", off)
		}
	}
	for _, tc := range []struct {
		name string
		off  int
	}{
		{"signing key", n - 8},
		{"certificate", n - 2},
		{"signature first", n},
		{"signature last", n + 63},
		{"payload first", n + 64},
		{"payload last", len(b) - 1},
	} {
		bad := bytes.Clone(b)
		bad[tc.off] ^= 0x01
		if _, _, err := ParseRepliable(bad); err == nil {
			t.Errorf("%s flipped: accepted", tc.name)
		}
	}
	// Another destination's key over the same payload and signature.
	other := testKeys(t, 4).Destination().Bytes()
	swapped := append(bytes.Clone(other), b[n:]...)
	if _, _, err := ParseRepliable(swapped); !errors.Is(err, data.ErrBadSignature) {
		t.Errorf("swapped sender: %v, want ErrBadSignature", err)
	}
	// Appended bytes are payload, and break the signature.
	if _, _, err := ParseRepliable(append(bytes.Clone(b), 0)); !errors.Is(err, data.ErrBadSignature) {
		t.Errorf("appended byte: %v, want ErrBadSignature", err)
	}
}

func TestRepliableTruncated(t *testing.T) {
	k := testKeys(t, 5)
	b, err := BuildRepliable(testSigner(t, k), k.Destination(), []byte("xyz"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range len(b) {
		if _, _, err := ParseRepliable(b[:i]); err == nil {
			t.Fatalf("prefix of %d bytes accepted", i)
		}
	}
	// With an empty payload, cutting the signature must say truncated.
	b, err = BuildRepliable(testSigner(t, k), k.Destination(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ParseRepliable(b[:len(b)-1]); !errors.Is(err, ErrTruncated) {
		t.Errorf("cut signature: %v, want ErrTruncated", err)
	}
}

func TestRepliableGarbage(t *testing.T) {
	r := newSeeded(7)
	for _, size := range []int{0, 1, MinRepliableSize - 1, MinRepliableSize, 500, 2000} {
		b := make([]byte, size)
		r.Read(b)
		if _, _, err := ParseRepliable(b); err == nil {
			t.Errorf("%d random bytes accepted", size)
		}
	}
	// A KEY certificate naming an unknown signature type.
	k := testKeys(t, 6)
	b, _ := BuildRepliable(testSigner(t, k), k.Destination(), nil)
	b[data.KeysAreaSize+3], b[data.KeysAreaSize+4] = 0xff, 0xff
	if _, _, err := ParseRepliable(b); !errors.Is(err, data.ErrUnsupportedSigType) {
		t.Errorf("unknown sig type: %v", err)
	}
}

func TestRepliableSizes(t *testing.T) {
	k := testKeys(t, 8)
	signer, from := testSigner(t, k), k.Destination()
	room := MaxSize - from.Len() - from.SignatureLen()
	b, err := BuildRepliable(signer, from, make([]byte, room))
	if err != nil || len(b) != MaxSize {
		t.Fatalf("largest datagram: %d bytes, %v", len(b), err)
	}
	if _, _, err := ParseRepliable(b); err != nil {
		t.Fatalf("parse largest: %v", err)
	}
	if _, err := BuildRepliable(signer, from, make([]byte, room+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("one byte more: %v, want ErrTooLarge", err)
	}
	if _, _, err := ParseRepliable(append(b, 0)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("parse one byte more: %v, want ErrTooLarge", err)
	}
}

func TestRepliableWrongSigner(t *testing.T) {
	a, b := testKeys(t, 9), testKeys(t, 10)
	_, err := BuildRepliable(testSigner(t, b), a.Destination(), []byte("x"))
	if !errors.Is(err, ErrOffline) || !errors.Is(err, data.ErrKeyMismatch) {
		t.Errorf("foreign signer: %v", err)
	}
	if _, err := BuildRepliable(nil, a.Destination(), nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("nil signer: %v", err)
	}
	if _, err := BuildRepliable(testSigner(t, a), nil, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("nil destination: %v", err)
	}
}
