package reseed

import (
	"crypto/rsa"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadCertsDirTestdata(t *testing.T) {
	certs, err := LoadCertsDir("testdata/certs")
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 1 {
		t.Fatalf("%d certs", len(certs))
	}
	pub, ok := certs[testSignerID].(*rsa.PublicKey)
	if !ok || !pub.Equal(&testKey(t).PublicKey) {
		t.Fatalf("cert key %T does not match the test key", certs[testSignerID])
	}
	s, err := ParseSU3(testSU3(t, []byte("x")))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Verify(certs); err != nil {
		t.Fatal(err)
	}
}

// TestLoadCertsDirInstalled loads the reseed certificates of Debian's i2pd
// package, the real signers of the I2P network.
func TestLoadCertsDirInstalled(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(DefaultCertsDir, "*.crt"))
	if len(files) == 0 {
		t.Skipf("no certificates in %s (apt-get install i2pd provides them)", DefaultCertsDir)
	}
	certs, err := LoadCertsDir(DefaultCertsDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != len(files) {
		t.Fatalf("%d certs from %d files", len(certs), len(files))
	}
	for _, f := range files {
		id := signerIDFromFile(filepath.Base(f))
		pub, ok := certs[id].(*rsa.PublicKey)
		if !ok || pub.N.BitLen() != 4096 {
			t.Errorf("%s: signer %q key %T", f, id, certs[id])
		}
	}
}

func TestLoadCertsDirErrors(t *testing.T) {
	good, err := os.ReadFile("testdata/certs/test-signer_at_mail.i2p.crt")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("test-signer_at_mail.i2p.crt", good)
	write("impostor_at_mail.i2p.crt", good) // CN does not match the name
	write("garbage_at_mail.i2p.crt", []byte("not a certificate"))
	write("huge_at_mail.i2p.crt", make([]byte, MaxCertFileSize+1))
	write("README.txt", []byte("ignored"))
	certs, err := LoadCertsDir(dir)
	if len(certs) != 1 || certs[testSignerID] == nil {
		t.Fatalf("certs %v", certs)
	}
	if err == nil {
		t.Fatal("no error for bad files")
	}
	for _, name := range []string{"impostor", "garbage", "huge"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
	if strings.Contains(err.Error(), "README") {
		t.Errorf("error names README: %v", err)
	}
	if _, err := LoadCertsDir(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing dir: %v", err)
	}
}

func TestParseCert(t *testing.T) {
	good, err := os.ReadFile("testdata/certs/test-signer_at_mail.i2p.crt")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		b    []byte
		ok   bool
	}{
		{"good", good, true},
		{"key block first", append([]byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"), good...), true},
		{"empty", nil, false},
		{"truncated", good[:len(good)/2], false},
		{"bad der", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, key, err := ParseCert(tc.b)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v", err)
			}
			if tc.ok && (id != testSignerID || key == nil) {
				t.Fatalf("id %q key %T", id, key)
			}
		})
	}
}

func TestSignerIDFromFile(t *testing.T) {
	for in, want := range map[string]string{
		"r4sas-reseed_at_mail.i2p.crt": "r4sas-reseed@mail.i2p",
		"i2p-reseed_at_mk16.de.crt":    "i2p-reseed@mk16.de",
		"plain.crt":                    "plain",
	} {
		if got := signerIDFromFile(in); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}
