package reseed

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// x509Parse is ParseCert's job done with crypto/x509, as it was before the
// parser of certparse.go: the reference the parser must agree with.
func x509Parse(der []byte) (string, crypto.PublicKey, error) {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return "", nil, err
	}
	id := cert.Subject.CommonName
	if id == "" || len(id) > 255 {
		return "", nil, fmt.Errorf("CN of %d bytes", len(id))
	}
	switch k := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < minRSABits {
			return "", nil, fmt.Errorf("%d-bit RSA key", k.N.BitLen())
		}
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P224() {
			return "", nil, fmt.Errorf("ECDSA on P-224")
		}
	case ed25519.PublicKey:
	default:
		return "", nil, fmt.Errorf("unsupported key %T", k)
	}
	return id, cert.PublicKey, nil
}

// agree checks parseCertDER against x509Parse on der: both fail, or both
// give the same CN and an equal key. When lenient, parseCertDER may accept
// what crypto/x509 refuses (it checks less than a whole certificate).
func agree(t testing.TB, name string, der []byte, lenient bool) {
	t.Helper()
	id, key, err := parseCertDER(der)
	wantID, wantKey, wantErr := x509Parse(der)
	switch {
	case wantErr != nil && err != nil:
	case wantErr != nil && lenient:
	case wantErr != nil:
		t.Fatalf("%s: parsed as %q %T, crypto/x509 refused it: %v", name, id, key, wantErr)
	case err != nil:
		t.Fatalf("%s: %v; crypto/x509 parsed it as %q %T", name, err, wantID, wantKey)
	case id != wantID || !key.(interface{ Equal(crypto.PublicKey) bool }).Equal(wantKey):
		t.Fatalf("%s: %q %T, crypto/x509 %q %T", name, id, key, wantID, wantKey)
	}
}

// pemCerts returns the DER of every CERTIFICATE block of the *.crt files
// of dir.
func pemCerts(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.crt"))
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; ; i++ {
			var block *pem.Block
			if block, b = pem.Decode(b); block == nil {
				break
			}
			if block.Type == "CERTIFICATE" {
				out[fmt.Sprintf("%s#%d", filepath.Base(f), i)] = block.Bytes
			}
		}
	}
	return out
}

// makeCert returns a certificate for pub with subject, signed by an
// Ed25519 key (the signature is not what is tested).
func makeCert(t testing.TB, subject pkix.Name, pub any) []byte {
	t.Helper()
	_, signer, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: subject,
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<32, 0),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, signer)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// generatedCerts are certificates of every key type and some unusual
// subjects.
func generatedCerts(t testing.TB) map[string][]byte {
	t.Helper()
	cn := pkix.Name{CommonName: "someone@mail.i2p", Organization: []string{"i2pgate test"}}
	out := map[string][]byte{}
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	out["rsa-1024"] = makeCert(t, cn, &rsa1024.PublicKey)
	out["rsa-4096"] = makeCert(t, cn, &testKey(t).PublicKey)
	for name, curve := range map[string]elliptic.Curve{"p224": elliptic.P224(), "p256": elliptic.P256(), "p384": elliptic.P384(), "p521": elliptic.P521()} {
		k, err := ecdsa.GenerateKey(curve, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		out["ecdsa-"+name] = makeCert(t, cn, &k.PublicKey)
	}
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	out["ed25519"] = makeCert(t, cn, edPub)
	// An X25519 key: the Ed25519 OID of the SubjectPublicKeyInfo (the
	// second of three, between the two signature algorithms) rewritten.
	x := makeCert(t, cn, edPub)
	at := -1
	for range 2 {
		at += 1 + bytes.Index(x[at+1:], []byte{0x06, 0x03, 0x2b, 0x65, 0x70})
	}
	x[at+4] = 0x6e // 1.3.101.110
	out["x25519"] = x
	out["utf8 cn"] = makeCert(t, pkix.Name{CommonName: "nöme@mail.i2p"}, edPub)
	out["no cn"] = makeCert(t, pkix.Name{Organization: []string{"x"}}, edPub)
	out["two cns"] = makeCert(t, pkix.Name{ExtraNames: []pkix.AttributeTypeAndValue{
		{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "first@mail.i2p"},
		{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "second@mail.i2p"},
	}}, edPub)
	long := make([]byte, 256)
	for i := range long {
		long[i] = 'a'
	}
	out["long cn"] = makeCert(t, pkix.Name{CommonName: string(long)}, edPub)
	return out
}

// TestParseCertAgreesWithX509 compares the parser with crypto/x509 on the
// test certificate, generated ones of every key type and, when Debian's
// i2pd package is installed, the real reseed signers'.
func TestParseCertAgreesWithX509(t *testing.T) {
	certs := pemCerts(t, "testdata/certs")
	if len(certs) == 0 {
		t.Fatal("no test certificates")
	}
	for name, der := range generatedCerts(t) {
		certs[name] = der
	}
	installed := pemCerts(t, DefaultCertsDir)
	for name, der := range installed {
		certs[name] = der
	}
	for name, der := range certs {
		agree(t, name, der, false)
	}
	for _, name := range []string{"rsa-4096", "ecdsa-p256", "ecdsa-p384", "ecdsa-p521", "ed25519", "two cns", "utf8 cn"} {
		if _, _, err := parseCertDER(certs[name]); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, name := range []string{"rsa-1024", "ecdsa-p224", "x25519", "no cn", "long cn"} {
		if _, _, err := parseCertDER(certs[name]); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if id, _, _ := parseCertDER(certs["two cns"]); id != "second@mail.i2p" {
		t.Errorf("two CNs: %q", id)
	}
	if len(installed) == 0 {
		t.Logf("no certificates in %s (apt-get install i2pd provides them)", DefaultCertsDir)
	}
}

// TestDirectoryStrings covers the CN string types crypto/x509 accepts.
func TestDirectoryStrings(t *testing.T) {
	for _, tc := range []struct {
		tag  byte
		v    string
		want string // "" for an error
	}{
		{12, "a@b", "a@b"},
		{12, "\xff", ""},
		{19, "Ab 1*&", "Ab 1*&"},
		{19, "a@b", ""},
		{20, "caf\xe9", "café"},
		{22, "a@b", "a@b"},
		{22, "\x80", ""},
		{18, "12 3", "12 3"},
		{18, "1a", ""},
		{30, "\x00a\x00@\x00\x00", "a@"},
		{30, "\x00", ""},
		{30, "\xd8\x00", ""},
		{4, "a", ""},
	} {
		got, err := directoryString([]byte(tc.v), cbasn1.Tag(tc.tag))
		if (err != nil) != (tc.want == "") || got != tc.want {
			t.Errorf("tag %d %q: %q %v, want %q", tc.tag, tc.v, got, err, tc.want)
		}
		// The same CN in a certificate, through crypto/x509 too.
		agree(t, fmt.Sprintf("tag %d %q", tc.tag, tc.v), certWithCN(t, tc.tag, tc.v), false)
	}
}

// certWithCN is a certificate whose subject is one CN of the given ASN.1
// string type and raw value.
func certWithCN(t testing.TB, tag byte, v string) []byte {
	t.Helper()
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{2, 5, 4, 3})
				b.AddASN1(cbasn1.Tag(tag), func(b *cryptobyte.Builder) { b.AddBytes([]byte(v)) })
			})
		})
	})
	name, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	edPub, signer, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), RawSubject: name, NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<32, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, edPub, signer)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func FuzzParseCert(f *testing.F) {
	for _, der := range pemCerts(f, "testdata/certs") {
		f.Add(der)
	}
	for _, der := range generatedCerts(f) {
		f.Add(der)
	}
	f.Add(certWithCN(f, 30, "\x00a\x00\x00"))
	f.Add([]byte{0x30, 0x03, 0x30, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, der []byte) {
		agree(t, "input", der, true)
		// Through PEM as the files hold it.
		b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
		if id, key, err := ParseCert(b); err == nil && (id == "" || key == nil) {
			t.Fatalf("ParseCert: %q %T", id, key)
		}
	})
}
