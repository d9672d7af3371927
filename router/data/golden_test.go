package data

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/curve25519"
)

// goldenDir holds files written by i2pd 2.45.1 (see its README).
const goldenDir = "testdata/i2pd"

func readGolden(t *testing.T, name string) []byte {
	t.Helper()
	if _, err := os.Stat(goldenDir); os.IsNotExist(err) {
		t.Skipf("%s is absent: capture it with scripts/testnet/capture-golden.sh", goldenDir)
	}
	b, err := os.ReadFile(filepath.Join(goldenDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGoldenRouterInfo(t *testing.T) {
	raw := readGolden(t, "router.info")
	ri, err := ParseRouterInfo(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ri.Bytes(), raw) {
		t.Error("round trip differs")
	}
	if err := ri.Verify(); err != nil {
		t.Fatal(err)
	}
	ident := strings.TrimSpace(string(readGolden(t, "router.ident.txt")))
	if ri.Hash().String() != ident {
		t.Errorf("hash %v, i2pd shows %s", ri.Hash(), ident)
	}
	if id, ok := ri.NetID(); !ok || id != 99 {
		t.Errorf("netId %d %v", id, ok)
	}
	if ri.Version() != "0.9.57" || ri.Identity().SigType() != SigEd25519 || ri.Identity().CryptoType() != CryptoX25519 {
		t.Errorf("version %q types %v %v", ri.Version(), ri.Identity().SigType(), ri.Identity().CryptoType())
	}
	if !ri.IsFloodfill() {
		t.Errorf("router 1 is a floodfill, caps %q", ri.Caps())
	}
	for _, style := range []string{TransportNTCP2, TransportSSU2} {
		a := ri.Address(style)
		if a == nil {
			t.Fatalf("no %s address", style)
		}
		if ap, ok := a.AddrPort(); !ok || ap.String() != "198.18.0.1:12001" {
			t.Errorf("%s address %v", style, ap)
		}
	}
}

func TestGoldenRouterKeys(t *testing.T) {
	raw := readGolden(t, "router.keys")
	k, err := ParsePrivateKeys(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k.Bytes(), raw) {
		t.Error("round trip differs")
	}
	ri, err := ParseRouterInfo(readGolden(t, "router.info"))
	if err != nil {
		t.Fatal(err)
	}
	if !k.Identity().Equal(&ri.Identity().KeysAndCert) {
		t.Fatal("router.keys identity differs from router.info")
	}
	priv, err := k.X25519PrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := curve25519.X25519(priv[:], curve25519.Basepoint)
	if !bytes.Equal(pub, ri.Identity().EncryptionPublicKey()) {
		t.Error("X25519 public key from router.keys does not match the identity")
	}
	s, err := k.Signer() // checks the seed against the identity's Ed25519 key
	if err != nil {
		t.Fatal(err)
	}
	// A RouterInfo we sign with i2pd's keys verifies.
	again, err := NewRouterInfo(ri.Identity(), ri.Published(), ri.Addresses(), ri.Options(), s)
	if err != nil || again.Verify() != nil {
		t.Fatalf("re-signed router info: %v", err)
	}
	// Ed25519 is deterministic: rebuilding i2pd's RouterInfo from its parsed
	// fields must reproduce i2pd's bytes, signature included.
	if !bytes.Equal(again.Bytes(), ri.Bytes()) {
		t.Error("re-signed router info differs from i2pd's")
	}
}

func TestGoldenTransportKeys(t *testing.T) {
	ri, err := ParseRouterInfo(readGolden(t, "router.info"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file, style string
		iLen        int
	}{
		{"ntcp2.keys", TransportNTCP2, 16},
		{"ssu2.keys", TransportSSU2, 32},
	}
	for _, tc := range tests {
		b := readGolden(t, tc.file)
		if len(b) != 64+tc.iLen {
			t.Fatalf("%s: %d bytes", tc.file, len(b))
		}
		pub, _ := curve25519.X25519(b[32:64], curve25519.Basepoint)
		if !bytes.Equal(pub, b[:32]) {
			t.Errorf("%s: static key pair does not match", tc.file)
		}
		a := ri.Address(tc.style)
		if s, ok := a.StaticKey(); !ok || !bytes.Equal(s[:], b[:32]) {
			t.Errorf("%s: RouterInfo s differs", tc.style)
		}
		if i, ok := a.IntroKey(); !ok || !bytes.Equal(i, b[64:]) {
			t.Errorf("%s: RouterInfo i differs", tc.style)
		}
	}
}

func TestGoldenNetDb(t *testing.T) {
	readGolden(t, "README")
	files, err := filepath.Glob(filepath.Join(goldenDir, "netDb", "routerInfo-*.dat"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no netDb files: %v", err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ri, err := ParseRouterInfo(raw)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !bytes.Equal(ri.Bytes(), raw) {
			t.Errorf("%s: round trip differs", f)
		}
		if err := ri.Verify(); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "routerInfo-"), ".dat")
		if ri.Hash().String() != name {
			t.Errorf("%s: hash %v", f, ri.Hash())
		}
		if h, err := ParseHashBase64(name); err != nil || h != ri.Hash() {
			t.Errorf("%s: ParseHashBase64: %v", f, err)
		}
	}
}

func TestGoldenEepsite(t *testing.T) {
	raw := readGolden(t, "eepsite.dat")
	k, err := ParsePrivateKeys(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k.Bytes(), raw) {
		t.Error("round trip differs")
	}
	if k.Identity().CryptoType() != CryptoElGamal || k.Identity().SigType() != SigEd25519 {
		t.Errorf("types %v %v", k.Identity().CryptoType(), k.Identity().SigType())
	}
	if _, err := k.Signer(); err != nil {
		t.Error(err)
	}
	want := strings.TrimSpace(string(readGolden(t, "eepsite.b32.txt")))
	if got := B32Address(k.Destination().Hash()); got != want {
		t.Errorf("b32 %s, i2pd printed %s", got, want)
	}
	if h, err := ParseB32Address(want); err != nil || h != k.Destination().Hash() {
		t.Errorf("ParseB32Address: %v", err)
	}
	// A LeaseSet2 signed with the eepsite's keys verifies.
	x := readGolden(t, "destinations/"+strings.TrimSuffix(want, B32Suffix)+".4.dat")
	p := LeaseSet2Params{
		Destination: k.Destination(), Published: testTime, Expires: 600e9,
		Keys: []EncryptionKey{{Type: CryptoX25519, Key: x[:32]}}, Leases: testLeases2(1),
	}
	s, _ := k.Signer()
	ls, err := NewLeaseSet2(p, s)
	if err != nil || ls.Verify() != nil {
		t.Fatalf("lease set2: %v", err)
	}
	pub, _ := curve25519.X25519(x[256:288], curve25519.Basepoint)
	if !bytes.Equal(pub, x[:32]) {
		t.Error("persisted X25519 lease set key pair does not match")
	}
}
