package crypto

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"golang.org/x/crypto/chacha20poly1305"
)

const sunscreen = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."

// RFC 8439 section 2.4.2 (counter 1) and appendix A.2 vectors 1 and 2.
func TestChaCha20Vectors(t *testing.T) {
	tests := []struct {
		name           string
		key, nonce     string
		counter        uint32
		plaintext, out string
	}{
		{"2.4.2 sunscreen",
			"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
			"000000000000004a00000000", 1, "",
			"6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b" +
				"f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8" +
				"07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736" +
				"5af90bbf74a35be6b40b8eedf2785e42874d"},
		{"A.1 #1 keystream counter 0",
			"0000000000000000000000000000000000000000000000000000000000000000",
			"000000000000000000000000", 0,
			"00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
			"76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7" +
				"da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := unhex32(t, tc.key)
			var nonce [12]byte
			copy(nonce[:], unhex(t, tc.nonce))
			pt := []byte(sunscreen)
			if tc.plaintext != "" {
				pt = unhex(t, tc.plaintext)
			}
			got := make([]byte, len(pt))
			ChaCha20Counter(&key, &nonce, tc.counter, got, pt)
			if want := unhex(t, tc.out); !bytes.Equal(got, want) {
				t.Fatalf("got %x\nwant %x", got, want)
			}
			if tc.counter == ChaCha20InitialCounter {
				again := make([]byte, len(pt))
				ChaCha20(&key, &nonce, again, pt)
				if !bytes.Equal(again, got) {
					t.Error("ChaCha20 does not start at counter 1")
				}
			}
			// In place, and its own inverse.
			ChaCha20Counter(&key, &nonce, tc.counter, got, got)
			if !bytes.Equal(got, pt) {
				t.Error("decrypting in place did not give the plaintext back")
			}
		})
	}
}

// RFC 8439 section 2.8.2. The nonce has non-zero leading bytes, so it is
// checked through the AEAD with a raw nonce; the I2P helpers are checked
// against the same AEAD with I2P's nonce layout.
func TestChaChaPolyRFCVector(t *testing.T) {
	key := unhex32(t, "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")
	nonce := unhex(t, "070000004041424344454647")
	ad := unhex(t, "50515253c0c1c2c3c4c5c6c7")
	want := unhex(t, "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"+
		"3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"+
		"92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"+
		"3ff4def08e4b7a9de576d26586cec64b6116"+
		"1ae10b594f09e26a7e902ecbd0600691")
	a := NewAEAD(&key)
	got := a.aead.Seal(nil, nonce, []byte(sunscreen), ad)
	if !bytes.Equal(got, want) {
		t.Fatalf("got %x\nwant %x", got, want)
	}
}

func TestNonceLayout(t *testing.T) {
	tests := []struct {
		n    uint64
		want string
	}{
		{0, "000000000000000000000000"},
		{1, "000000000100000000000000"},
		{0x0102030405060708, "000000000807060504030201"},
		{^uint64(0), "00000000ffffffffffffffff"},
	}
	for _, tc := range tests {
		got := Nonce(tc.n)
		if !bytes.Equal(got[:], unhex(t, tc.want)) {
			t.Errorf("Nonce(%d) = %x, want %s", tc.n, got, tc.want)
		}
	}
}

func TestSealOpen(t *testing.T) {
	key := unhex32(t, "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")
	ad := []byte("associated")
	ref, _ := chacha20poly1305.New(key[:])
	for _, n := range []uint64{0, 1, 2, 1 << 32, 0x0102030405060708} {
		var nonce [12]byte
		binary.LittleEndian.PutUint64(nonce[4:], n)
		want := ref.Seal(nil, nonce[:], []byte(sunscreen), ad)
		prefix := []byte("prefix")
		got := Seal(&key, n, append([]byte(nil), prefix...), []byte(sunscreen), ad)
		if !bytes.Equal(got[:len(prefix)], prefix) || !bytes.Equal(got[len(prefix):], want) {
			t.Fatalf("n=%d: Seal = %x, want prefix+%x", n, got, want)
		}
		pt, err := Open(&key, n, nil, want, ad)
		if err != nil || string(pt) != sunscreen {
			t.Fatalf("n=%d: Open = %q, %v", n, pt, err)
		}
		if _, err := Open(&key, n+1, nil, want, ad); !errors.Is(err, ErrOpen) {
			t.Errorf("n=%d: wrong nonce: err = %v", n, err)
		}
		bad := append([]byte(nil), want...)
		bad[0] ^= 1
		if _, err := Open(&key, n, nil, bad, ad); !errors.Is(err, ErrOpen) {
			t.Errorf("n=%d: tampered: err = %v", n, err)
		}
	}
	for _, short := range [][]byte{nil, make([]byte, 15)} {
		if _, err := Open(&key, 0, nil, short, nil); !errors.Is(err, ErrOpen) {
			t.Errorf("short ciphertext %d: err = %v", len(short), err)
		}
	}
}

func TestAEADInPlaceNoAllocs(t *testing.T) {
	key := [32]byte{1}
	a := NewAEAD(&key)
	buf := make([]byte, 1024, 1024+AEADTagSize)
	allocs := testing.AllocsPerRun(100, func() {
		ct := a.Seal(buf[:0], 7, buf, nil)
		if _, err := a.Open(ct[:0], 7, ct, nil); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Seal+Open allocate %.0f times", allocs)
	}
	var nonce [12]byte
	allocs = testing.AllocsPerRun(100, func() { ChaCha20(&key, &nonce, buf, buf) })
	if allocs != 0 {
		t.Errorf("ChaCha20 allocates %.0f times", allocs)
	}
}

func FuzzOpen(f *testing.F) {
	key := [32]byte{7}
	a := NewAEAD(&key)
	f.Add(uint64(0), []byte{}, []byte{})
	f.Add(uint64(1), a.Seal(nil, 1, []byte("hello"), []byte("ad")), []byte("ad"))
	f.Fuzz(func(t *testing.T, n uint64, ct, ad []byte) {
		pt, err := a.Open(nil, n, ct, ad)
		if err != nil {
			return
		}
		if again := a.Seal(nil, n, pt, ad); !bytes.Equal(again, ct) {
			t.Fatalf("re-seal mismatch")
		}
	})
}

func benchmarkAEAD(b *testing.B, size int) {
	key := [32]byte{1}
	a := NewAEAD(&key)
	buf := make([]byte, size, size+AEADTagSize)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ct := a.Seal(buf[:0], uint64(i), buf[:size], nil)
		if _, err := a.Open(ct[:0], uint64(i), ct, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkChaChaPolySealOpen1K(b *testing.B)  { benchmarkAEAD(b, 1024) }
func BenchmarkChaChaPolySealOpen16K(b *testing.B) { benchmarkAEAD(b, 16*1024) }
