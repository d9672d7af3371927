package reseed

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"

	"i2pgate/router/data"
)

// su3Golden is a reseed SU3 signed with the test key (RSA PKCS#1 v1.5
// signatures are deterministic): content "hello", version "1764094047".
const su3Golden = "testdata/hello.su3"

func TestSU3Golden(t *testing.T) {
	b := testSU3(t, []byte("hello"))
	if os.Getenv("RESEED_UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(su3Golden, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(su3Golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, want) {
		t.Fatalf("BuildSU3 differs from %s", su3Golden)
	}
	// The fixed header, field by field (updates.rst "SU3 File Specification").
	header := strings.Join([]string{
		"493250737533", // "I2Psu3"
		"00", "00",     // unused, format version 0
		"0006",     // RSA-SHA512-4096
		"0200",     // signature length 512
		"00", "10", // unused, version length 16
		"00", "14", // unused, signer ID length 20
		"0000000000000005", // content length
		"00", "00",         // unused, file type zip
		"00", "03", // unused, content type reseed
		"000000000000000000000000",                                                    // unused
		"31373634303934303437000000000000",                                            // version, padded to 16
		hex.EncodeToString([]byte(testSignerID)), hex.EncodeToString([]byte("hello")), // signer, content
	}, "")
	if got := hex.EncodeToString(want[:len(header)/2]); got != header {
		t.Fatalf("header\n got %s\nwant %s", got, header)
	}
	s, err := ParseSU3(want)
	if err != nil {
		t.Fatal(err)
	}
	if s.SigType() != data.SigRSA4096 || s.FileType() != FileTypeZIP || s.ContentType() != ContentReseed ||
		s.Version() != "1764094047" || s.SignerID() != testSignerID || string(s.Content()) != "hello" ||
		len(s.Signature()) != 512 || !bytes.Equal(s.Bytes(), want) {
		t.Fatalf("parsed %+v", s)
	}
	if err := s.Verify(testCerts(t)); err != nil {
		t.Fatal(err)
	}
}

func TestSU3SignatureTypes(t *testing.T) {
	rsa2048, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	edPub, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	rsa4096 := testKey(t)
	for _, tc := range []struct {
		typ  data.SigType
		priv crypto.Signer
	}{
		{data.SigRSA2048, rsa2048},
		{data.SigRSA4096, rsa4096},
		{data.SigECDSAP256, p256},
		{data.SigECDSAP384, p384},
		{data.SigECDSAP521, p521},
		{data.SigEd25519ph, edPriv},
	} {
		t.Run(tc.typ.String(), func(t *testing.T) {
			p := BuildParams{SigType: tc.typ, Key: tc.priv, SignerID: "x@mail.i2p", Version: "1", ContentType: ContentReseed}
			b, err := BuildSU3(p, []byte("content"))
			if err != nil {
				t.Fatal(err)
			}
			s, err := ParseSU3(b)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Verify(SignerCerts{"x@mail.i2p": tc.priv.Public()}); err != nil {
				t.Fatal(err)
			}
			// Every other key fails, by type or by value.
			for _, other := range []crypto.PublicKey{&rsa2048.PublicKey, &rsa4096.PublicKey, &p256.PublicKey, &p521.PublicKey, edPub} {
				if other.(interface{ Equal(crypto.PublicKey) bool }).Equal(tc.priv.Public()) {
					continue
				}
				if err := s.Verify(SignerCerts{"x@mail.i2p": other}); !errors.Is(err, ErrBadSignature) {
					t.Errorf("verified with %T: %v", other, err)
				}
			}
			b[len(b)-len(s.Signature())-1] ^= 1 // last content byte
			s, _ = ParseSU3(b)
			if err := s.Verify(SignerCerts{"x@mail.i2p": tc.priv.Public()}); !errors.Is(err, ErrBadSignature) {
				t.Errorf("modified content verified: %v", err)
			}
		})
	}
}

func TestSU3VerifyFailures(t *testing.T) {
	good := testSU3(t, []byte("hello"))
	certs := testCerts(t)
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0x80
		return b
	}
	for _, tc := range []struct {
		name  string
		b     []byte
		certs SignerCerts
		want  error
	}{
		{"signature byte", flip(len(good) - 1), certs, ErrBadSignature},
		{"first signature byte", flip(len(good) - 512), certs, ErrBadSignature},
		{"content byte", flip(len(good) - 513), certs, ErrBadSignature},
		{"version byte", flip(SU3HeaderSize), certs, ErrBadSignature},
		{"content type", flip(su3ContentTypeOffset), certs, ErrBadSignature},
		{"unknown signer", good, SignerCerts{"other@mail.i2p": certs[testSignerID]}, ErrUnknownSigner},
		{"no certs", good, nil, ErrUnknownSigner},
		{"wrong key type", good, SignerCerts{testSignerID: ed25519.PublicKey(make([]byte, 32))}, ErrBadSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseSU3(tc.b)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Verify(tc.certs); !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestSU3UnsupportedTypes(t *testing.T) {
	for _, typ := range []data.SigType{data.SigDSASHA1, data.SigEd25519, data.SigRedDSA25519, 0x1234} {
		sigLen := typ.SignatureLen()
		if sigLen == 0 {
			sigLen = 64
		}
		b := rawSU3(uint16(typ), uint16(sigLen), 16, "x@y", []byte("c"))
		s, err := ParseSU3(b)
		if err != nil {
			t.Fatalf("%v: %v", typ, err)
		}
		if err := s.Verify(SignerCerts{"x@y": ed25519.PublicKey(make([]byte, 32))}); !errors.Is(err, ErrUnsupportedType) {
			t.Errorf("%v: Verify = %v", typ, err)
		}
		if _, err := BuildSU3(BuildParams{SigType: typ, SignerID: "x", Version: "1"}, nil); !errors.Is(err, ErrUnsupportedType) {
			t.Errorf("%v: BuildSU3 = %v", typ, err)
		}
	}
}

// rawSU3 lays out an SU3 with a zero signature of sigLen bytes.
func rawSU3(sigType, sigLen uint16, verLen int, signer string, content []byte) []byte {
	b := make([]byte, SU3HeaderSize)
	copy(b, "I2Psu3")
	b[8], b[9] = byte(sigType>>8), byte(sigType)
	b[10], b[11] = byte(sigLen>>8), byte(sigLen)
	b[13] = byte(verLen)
	b[15] = byte(len(signer))
	n := len(content)
	b[20], b[21], b[22], b[23] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
	b[27] = byte(ContentReseed)
	b = append(b, make([]byte, verLen)...)
	b = append(b, signer...)
	b = append(b, content...)
	return append(b, make([]byte, sigLen)...)
}

func TestParseSU3Truncated(t *testing.T) {
	good := testSU3(t, []byte("hello"))
	for i := range len(good) {
		if _, err := ParseSU3(good[:i]); err == nil {
			t.Fatalf("ParseSU3 of %d of %d bytes succeeded", i, len(good))
		}
	}
	if _, err := ParseSU3(append(bytes.Clone(good), 0)); !errors.Is(err, ErrSU3Format) {
		t.Fatalf("trailing byte: %v", err)
	}
}

func TestParseSU3Malformed(t *testing.T) {
	good := rawSU3(6, 512, 16, "a@b", []byte("zip"))
	mod := func(f func(b []byte)) []byte {
		b := bytes.Clone(good)
		f(b)
		return b
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrNotSU3},
		{"bad magic", mod(func(b []byte) { b[0] = 'i' }), ErrNotSU3},
		{"zip", []byte("PK\x03\x04rest of a zip file that is long enough for a header"), ErrNotSU3},
		{"format version 1", mod(func(b []byte) { b[7] = 1 }), ErrSU3Format},
		{"sig length 0", mod(func(b []byte) { b[10], b[11] = 0, 0 }), ErrSU3Format},
		{"sig length for type", mod(func(b []byte) { b[11] = 1 }), ErrSU3Format},
		{"version length 15", mod(func(b []byte) { b[13] = 15 }), ErrSU3Format},
		{"version length 17", mod(func(b []byte) { b[13] = 17 }), ErrSU3Format},
		{"no signer", mod(func(b []byte) { b[15] = 0 }), ErrSU3Format},
		{"content length +1", mod(func(b []byte) { b[23]++ }), ErrSU3Format},
		{"content length -1", mod(func(b []byte) { b[23]-- }), ErrSU3Format},
		{"content length 2^63", mod(func(b []byte) { b[16] = 0x80 }), ErrSU3Format},
		{"content length 2^64-1", mod(func(b []byte) { copy(b[16:24], bytes.Repeat([]byte{0xff}, 8)) }), ErrSU3Format},
		{"too large", append(bytes.Clone(good), make([]byte, MaxSU3Size)...), ErrSU3Format},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseSU3(tc.b); !errors.Is(err, tc.want) {
				t.Fatalf("ParseSU3 = %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := ParseSU3(good); err != nil {
		t.Fatalf("good: %v", err)
	}
}

func TestBuildSU3Errors(t *testing.T) {
	key := testKey(t)
	ok := BuildParams{SigType: data.SigRSA4096, Key: key, SignerID: "a@b", Version: "1"}
	for _, tc := range []struct {
		name string
		p    func(p *BuildParams)
		n    int
	}{
		{"no signer", func(p *BuildParams) { p.SignerID = "" }, 1},
		{"long signer", func(p *BuildParams) { p.SignerID = strings.Repeat("a", 256) }, 1},
		{"no version", func(p *BuildParams) { p.Version = "" }, 1},
		{"key for another type", func(p *BuildParams) { p.SigType = data.SigRSA2048 }, 1},
		{"ecdsa type with rsa key", func(p *BuildParams) { p.SigType = data.SigECDSAP256 }, 1},
		{"too large", func(p *BuildParams) {}, MaxSU3Size},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := ok
			tc.p(&p)
			if _, err := BuildSU3(p, make([]byte, tc.n)); err == nil {
				t.Fatal("BuildSU3 succeeded")
			}
		})
	}
}
