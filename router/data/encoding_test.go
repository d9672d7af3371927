package data

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestBase64(t *testing.T) {
	tests := []struct {
		hex, b64 string
	}{
		{"", ""},
		{"66", "Zg=="},
		{"666f", "Zm8="},
		{"666f6f626172", "Zm9vYmFy"},
		{"fbff", "-~8="},
		{"fbefff", "--~~"},
	}
	for _, tc := range tests {
		in := mustHex(t, tc.hex)
		if got := EncodeBase64(in); got != tc.b64 {
			t.Errorf("EncodeBase64(%s) = %q, want %q", tc.hex, got, tc.b64)
		}
		got, err := DecodeBase64(tc.b64)
		if err != nil || !bytes.Equal(got, in) {
			t.Errorf("DecodeBase64(%q) = %x, %v", tc.b64, got, err)
		}
		// Unpadded input is accepted too.
		got, err = DecodeBase64(strings.TrimRight(tc.b64, "="))
		if err != nil || !bytes.Equal(got, in) {
			t.Errorf("DecodeBase64(unpadded %q) = %x, %v", tc.b64, got, err)
		}
	}
	for _, bad := range []string{"+/8=", "Zg=", "Z", "Zm9v!mFy", "Zg==Zg=="} {
		if _, err := DecodeBase64(bad); err == nil {
			t.Errorf("DecodeBase64(%q) succeeded", bad)
		}
	}
}

func TestBase32(t *testing.T) {
	tests := []struct{ in, out string }{ // RFC 4648 section 10, lower case, no padding
		{"", ""}, {"f", "my"}, {"fo", "mzxq"}, {"foo", "mzxw6"},
		{"foob", "mzxw6yq"}, {"fooba", "mzxw6ytb"}, {"foobar", "mzxw6ytboi"},
	}
	for _, tc := range tests {
		if got := EncodeBase32([]byte(tc.in)); got != tc.out {
			t.Errorf("EncodeBase32(%q) = %q, want %q", tc.in, got, tc.out)
		}
		for _, s := range []string{tc.out, strings.ToUpper(tc.out)} {
			got, err := DecodeBase32(s)
			if err != nil || string(got) != tc.in {
				t.Errorf("DecodeBase32(%q) = %q, %v", s, got, err)
			}
		}
	}
	for _, bad := range []string{"mzxw6===", "m1", "m"} {
		if _, err := DecodeBase32(bad); err == nil {
			t.Errorf("DecodeBase32(%q) succeeded", bad)
		}
	}
}

func TestB32Address(t *testing.T) {
	h := HashOf([]byte("destination"))
	name := B32Address(h)
	if len(name) != 52+len(B32Suffix) || !strings.HasSuffix(name, ".b32.i2p") {
		t.Fatalf("B32Address = %q", name)
	}
	for _, n := range []string{name, strings.ToUpper(name)} {
		got, err := ParseB32Address(n)
		if err != nil || got != h {
			t.Errorf("ParseB32Address(%q) = %v, %v", n, got, err)
		}
	}
	base := strings.TrimSuffix(name, B32Suffix)
	tests := []struct {
		name string
		want error
	}{
		{base, ErrInvalid},
		{base[:51] + ".b32.i2p", ErrInvalid},
		{strings.Repeat("a", 56) + ".b32.i2p", ErrB33NotSupported},
		{strings.Repeat("a", 60) + ".b32.i2p", ErrB33NotSupported},
		{base[:51] + "1.b32.i2p", ErrInvalid},
		// The last character carries 4 unused bits; a non-zero one is not canonical.
		{base[:51] + "b.b32.i2p", ErrInvalid},
		{"example.i2p", ErrInvalid},
	}
	if base[51] == 'b' {
		tests[5].name = base[:51] + "c.b32.i2p"
	}
	for _, tc := range tests {
		if _, err := ParseB32Address(tc.name); !errors.Is(err, tc.want) {
			t.Errorf("ParseB32Address(%q) error %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestHash(t *testing.T) {
	h := HashOf(nil) // SHA-256("")
	want := "47DEQpj8HBSa-~TImW-5JCeuQeRkm5NMpJWZG3hSuFU="
	if h.String() != want {
		t.Errorf("String = %q, want %q", h.String(), want)
	}
	back, err := ParseHashBase64(want)
	if err != nil || back != h || !back.Equal(h) {
		t.Errorf("ParseHashBase64 = %v, %v", back, err)
	}
	if _, err := ParseHashBase64("Zm9v"); err == nil {
		t.Error("short hash accepted")
	}
	if !(Hash{}).IsZero() || h.IsZero() {
		t.Error("IsZero")
	}
	if h.XOR(h) != (Hash{}) {
		t.Error("XOR with itself not zero")
	}
}
