package crypto

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"io"
	"testing"

	xhkdf "golang.org/x/crypto/hkdf"
)

// RFC 5869 appendix A, test cases 1-3 (SHA-256).
var hkdfVectors = []struct {
	name, ikm, salt, info, okm string
}{
	{"A.1",
		"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
		"000102030405060708090a0b0c",
		"f0f1f2f3f4f5f6f7f8f9",
		"3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"},
	{"A.2",
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" +
			"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f" +
			"404142434445464748494a4b4c4d4e4f",
		"606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f" +
			"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f" +
			"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
		"b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf" +
			"d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef" +
			"f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
		"b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c" +
			"59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71" +
			"cc30c58179ec3e87c14c01d5c1f3434f1d87"},
	{"A.3",
		"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "",
		"8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"},
}

func TestHKDFVectors(t *testing.T) {
	for _, v := range hkdfVectors {
		t.Run(v.name, func(t *testing.T) {
			want := unhex(t, v.okm)
			got, err := HKDF(unhex(t, v.salt), unhex(t, v.ikm), string(unhex(t, v.info)), len(want))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("got %x\nwant %x", got, want)
			}
		})
	}
}

// The fixed-size helpers agree with HKDF and with golang.org/x/crypto/hkdf,
// including the empty ("ZEROLEN") ikm and the info strings I2P uses.
func TestHKDFHelpers(t *testing.T) {
	salt := unhex(t, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")
	for _, ikm := range [][]byte{nil, []byte("ikm"), bytes.Repeat([]byte{0xaa}, 32)} {
		for _, info := range []string{"", "ask", "siphash", "SessCreateHeader", "HKDFSSU2DataKeys"} {
			ref := make([]byte, 96)
			if _, err := io.ReadFull(xhkdf.New(sha256.New, ikm, salt, []byte(info)), ref); err != nil {
				t.Fatal(err)
			}
			got, err := HKDF(salt, ikm, info, 96)
			if err != nil || !bytes.Equal(got, ref) {
				t.Fatalf("HKDF(%q, %q) = %x, %v; want %x", ikm, info, got, err, ref)
			}
			k32 := HKDF32(salt, ikm, info)
			a, b := HKDF64(salt, ikm, info)
			if !bytes.Equal(k32[:], ref[:32]) || !bytes.Equal(a[:], ref[:32]) || !bytes.Equal(b[:], ref[32:64]) {
				t.Errorf("HKDF32/HKDF64(%q, %q) mismatch", ikm, info)
			}
			if info != "" {
				continue
			}
			n1, n2 := HKDF2(salt, ikm)
			m1, m2, m3 := HKDF3(salt, ikm)
			if n1 != m1 || n2 != m2 || !bytes.Equal(n1[:], ref[:32]) || !bytes.Equal(n2[:], ref[32:64]) || !bytes.Equal(m3[:], ref[64:]) {
				t.Errorf("HKDF2/HKDF3(%q) mismatch", ikm)
			}
		}
	}
}

func TestHKDFLength(t *testing.T) {
	for _, n := range []int{-1, 255*32 + 1} {
		if _, err := HKDF(nil, nil, "", n); err == nil {
			t.Errorf("HKDF length %d: no error", n)
		}
	}
	for _, n := range []int{0, 1, 31, 33, 255 * 32} {
		got, err := HKDF(nil, nil, "", n)
		if err != nil || len(got) != n {
			t.Errorf("HKDF length %d: got %d bytes, %v", n, len(got), err)
		}
	}
}

func TestHMACSHA256(t *testing.T) {
	// RFC 4231 test case 2.
	got := HMACSHA256([]byte("Jefe"), []byte("what do ya want "), []byte("for nothing?"))
	want := unhex(t, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
	if !bytes.Equal(got[:], want) {
		t.Errorf("got %x, want %x", got, want)
	}
	m := hmac.New(sha256.New, []byte("k"))
	m.Write([]byte("ab"))
	if g := HMACSHA256([]byte("k"), []byte("a"), []byte("b")); !bytes.Equal(g[:], m.Sum(nil)) {
		t.Error("concatenation mismatch")
	}
}
