package crypto

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// RFC 7748 section 5.2 (scalar multiplication) and 6.1 (Diffie-Hellman).
var x25519Vectors = []struct {
	name, scalar, point, out string
}{
	{"5.2-1",
		"a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
		"e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
		"c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
	{"5.2-2",
		"4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
		"e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
		"95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"},
	{"6.1-alice",
		"77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
		"de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
		"4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"},
	{"6.1-bob",
		"5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
		"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
		"4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"},
}

func TestX25519Vectors(t *testing.T) {
	for _, v := range x25519Vectors {
		t.Run(v.name, func(t *testing.T) {
			priv := X25519PrivateKey(unhex32(t, v.scalar))
			pub := X25519PublicKey(unhex32(t, v.point))
			got, err := X25519(&priv, &pub)
			if err != nil {
				t.Fatal(err)
			}
			if want := unhex32(t, v.out); got != want {
				t.Errorf("got %x, want %x", got, want)
			}
		})
	}
}

// RFC 7748 section 6.1 public keys.
func TestX25519PublicKey(t *testing.T) {
	tests := []struct{ priv, pub string }{
		{"77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
			"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"},
		{"5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
			"de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"},
	}
	for _, tc := range tests {
		priv := X25519PrivateKey(unhex32(t, tc.priv))
		if got, want := priv.PublicKey(), X25519PublicKey(unhex32(t, tc.pub)); got != want {
			t.Errorf("PublicKey(%s) = %x, want %x", tc.priv, got, want)
		}
	}
}

// RFC 7748 section 5.2: one iteration of k = X25519(k, u), u = old k.
func TestX25519Iterated(t *testing.T) {
	k := [32]byte{9}
	u := [32]byte{9}
	priv, pub := X25519PrivateKey(k), X25519PublicKey(u)
	out, err := X25519(&priv, &pub)
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex32(t, "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079"); out != want {
		t.Errorf("got %x, want %x", out, want)
	}
}

func TestX25519RejectsLowOrder(t *testing.T) {
	kp, err := GenerateX25519(&countingReader{})
	if err != nil {
		t.Fatal(err)
	}
	lowOrder := []string{
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0100000000000000000000000000000000000000000000000000000000000000",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	}
	for _, h := range lowOrder {
		pub := X25519PublicKey(unhex32(t, h))
		if _, err := X25519(&kp.Private, &pub); !errors.Is(err, ErrLowOrderPoint) {
			t.Errorf("X25519 with %s: err = %v, want ErrLowOrderPoint", h, err)
		}
	}
}

func TestGenerateX25519(t *testing.T) {
	a, err := GenerateX25519(&countingReader{})
	if err != nil {
		t.Fatal(err)
	}
	var want X25519PrivateKey
	for i := range want {
		want[i] = byte(i)
	}
	if a.Private != want {
		t.Errorf("private key %x does not come from the reader", a.Private)
	}
	if a.Public != a.Private.PublicKey() {
		t.Error("public key mismatch")
	}
	b, err := GenerateX25519(nil)
	if err != nil {
		t.Fatal(err)
	}
	s1, err1 := X25519(&a.Private, &b.Public)
	s2, err2 := X25519(&b.Private, &a.Public)
	if err1 != nil || err2 != nil || s1 != s2 {
		t.Errorf("DH disagrees: %x %v / %x %v", s1, err1, s2, err2)
	}
	if _, err := GenerateX25519(bytes.NewReader(make([]byte, 31))); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("short reader: err = %v", err)
	}
}
