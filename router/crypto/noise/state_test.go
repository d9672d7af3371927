package noise

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"math"
	"testing"
)

func TestInitProtocolName(t *testing.T) {
	tests := []struct {
		name   string
		hashed bool
	}{
		{ProtocolN, false}, // 31 bytes: zero-padded, not hashed
		{ProtocolNTCP2, true},
		{ProtocolSSU2, true},
		{ProtocolRatchet, true},
		{"Noise_XK_25519_ChaChaPoly_SHA256", false}, // exactly 32 bytes
	}
	for _, tc := range tests {
		s := NewSymmetricState([]byte(tc.name))
		var want [HashSize]byte
		if tc.hashed {
			want = sha256.Sum256([]byte(tc.name))
		} else {
			copy(want[:], tc.name)
		}
		if s.Hash() != want || s.ChainingKey() != want || s.HasKey() {
			t.Errorf("%s: h=%x ck=%x hasKey=%v, want %x", tc.name, s.Hash(), s.ChainingKey(), s.HasKey(), want)
		}
	}
	if len(ProtocolN) != 31 || len(ProtocolNTCP2) != 48 || len(ProtocolRatchet) != 40 {
		t.Error("protocol name lengths differ from the specs")
	}
}

// The N message built step by step, as tunnel-creation-ecies.rst writes
// it, equals HandshakeState's output: h = name||0; MixHash(prologue="");
// MixHash(hepk); MixHash(sepk); MixKey(DH); ENCRYPT(k, 0, record, h).
func TestStepByStepN(t *testing.T) {
	k := testKeys(t, 77)
	record := bytes.Repeat([]byte{0x5a}, 464)

	s := NewSymmetricState([]byte(ProtocolN))
	s.MixHash(nil)
	s.MixHash(k.rStatic.Public[:])
	eph, err := GenerateKeyPair(bytes.NewReader(k.iEph))
	if err != nil {
		t.Fatal(err)
	}
	s.MixHash(eph.Public[:])
	shared, err := Suite().DH(eph.Private[:], k.rStatic.Public[:])
	if err != nil {
		t.Fatal(err)
	}
	key := s.MixKey(shared)
	h := s.Hash()
	manual := append(append([]byte(nil), eph.Public[:]...), NewCipherState(key).seal(nil, 0, h[:], record)...)

	hs, err := NewHandshakeState(Config{Pattern: PatternN, Initiator: true, PeerStatic: &k.rStatic.Public, Ephemeral: &eph})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := hs.WriteMessage(nil, record)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(msg, manual) {
		t.Fatalf("step-by-step message differs")
	}
	// MixKey's returned key is the one the state encrypts with.
	s.EncryptAndHash(nil, record)
	if s.Hash() != hs.Hash() || s.ChainingKey() != hs.ChainingKey() {
		t.Error("step-by-step h/ck differ")
	}
}

func TestSymmetricDecryptInPlaceAndFailure(t *testing.T) {
	a := NewSymmetricState([]byte(ProtocolNTCP2))
	b := NewSymmetricState([]byte(ProtocolNTCP2))
	for _, s := range []*SymmetricState{a, b} {
		s.MixKey([]byte("shared secret"))
	}
	ct, err := a.EncryptAndHash(nil, []byte("sixteen byte opt"))
	if err != nil {
		t.Fatal(err)
	}
	before := b.Hash()
	bad := append([]byte(nil), ct...)
	bad[3] ^= 0x80
	if _, err := b.DecryptAndHash(nil, bad); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("tampered: err = %v", err)
	}
	if b.Hash() != before || b.cs.Nonce() != 0 {
		t.Fatal("failed decryption changed the state")
	}
	pt, err := b.DecryptAndHash(ct[:0], ct) // in place
	if err != nil || string(pt) != "sixteen byte opt" {
		t.Fatalf("in place: %q, %v", pt, err)
	}
	if a.Hash() != b.Hash() {
		t.Fatal("hashes differ after in-place decryption")
	}
}

func TestCipherState(t *testing.T) {
	var none CipherState
	if out, err := none.Encrypt(nil, nil, []byte("clear")); err != nil || string(out) != "clear" {
		t.Errorf("no key Encrypt = %q, %v", out, err)
	}
	if out, err := none.Decrypt(nil, nil, []byte("clear")); err != nil || string(out) != "clear" {
		t.Errorf("no key Decrypt = %q, %v", out, err)
	}
	if _, err := none.EncryptAt(nil, 1, nil, nil); !errors.Is(err, ErrNoKey) {
		t.Errorf("no key EncryptAt err = %v", err)
	}
	if _, err := none.DecryptAt(nil, 1, nil, nil); !errors.Is(err, ErrNoKey) {
		t.Errorf("no key DecryptAt err = %v", err)
	}

	key := [KeySize]byte{1, 2, 3}
	tx, rx := NewCipherState(key), NewCipherState(key)
	for i := range 3 {
		ct, err := tx.Encrypt(nil, []byte("ad"), []byte("msg"))
		if err != nil {
			t.Fatal(err)
		}
		if at, _ := NewCipherState(key).EncryptAt(nil, uint64(i), []byte("ad"), []byte("msg")); !bytes.Equal(at, ct) {
			t.Fatalf("message %d: counter nonce is not %d", i, i)
		}
		if _, err := rx.Decrypt(nil, []byte("other"), ct); !errors.Is(err, ErrDecrypt) || rx.Nonce() != uint64(i) {
			t.Fatalf("bad ad: err = %v, nonce %d", err, rx.Nonce())
		}
		if pt, err := rx.Decrypt(nil, []byte("ad"), ct); err != nil || string(pt) != "msg" {
			t.Fatalf("Decrypt = %q, %v", pt, err)
		}
	}
	// Explicit nonces leave the counter alone, out of order is fine.
	ct, _ := tx.EncryptAt(nil, 1000, nil, []byte("late"))
	if pt, err := rx.DecryptAt(nil, 1000, nil, ct); err != nil || string(pt) != "late" || rx.Nonce() != 3 || tx.Nonce() != 3 {
		t.Fatalf("DecryptAt = %q, %v; nonces %d %d", pt, err, tx.Nonce(), rx.Nonce())
	}
	tx.SetNonce(math.MaxUint64 - 1)
	if _, err := tx.Encrypt(nil, nil, nil); err != nil {
		t.Fatalf("last nonce: %v", err)
	}
	if _, err := tx.Encrypt(nil, nil, nil); !errors.Is(err, ErrNonceExhausted) {
		t.Fatalf("reserved nonce: err = %v", err)
	}
	rx.SetNonce(math.MaxUint64)
	if _, err := rx.Decrypt(nil, nil, make([]byte, 16)); !errors.Is(err, ErrNonceExhausted) {
		t.Fatalf("reserved nonce decrypt: err = %v", err)
	}
}

func TestCipherStateNoAllocs(t *testing.T) {
	key := [KeySize]byte{9}
	tx, rx := NewCipherState(key), NewCipherState(key)
	buf := make([]byte, 1024, 1024+TagSize)
	allocs := testing.AllocsPerRun(100, func() {
		ct, err := tx.Encrypt(buf[:0], nil, buf)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rx.Decrypt(ct[:0], nil, ct); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Encrypt+Decrypt allocate %.0f times", allocs)
	}
}

func benchmarkCipherState(b *testing.B, size int) {
	key := [KeySize]byte{9}
	tx, rx := NewCipherState(key), NewCipherState(key)
	buf := make([]byte, size, size+TagSize)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		ct, _ := tx.Encrypt(buf[:0], nil, buf[:size])
		if _, err := rx.Decrypt(ct[:0], nil, ct); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSealOpen1K(b *testing.B)  { benchmarkCipherState(b, 1024) }
func BenchmarkSealOpen16K(b *testing.B) { benchmarkCipherState(b, 16*1024) }
