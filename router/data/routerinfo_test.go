package data

import (
	"bytes"
	"errors"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func testRouterAddresses(t testing.TB, k *PrivateKeys) []*RouterAddress {
	t.Helper()
	s := EncodeBase64(k.Identity().EncryptionPublicKey())
	ntcp2 := &RouterAddress{Cost: 3, Transport: TransportNTCP2}
	ssu2 := &RouterAddress{Cost: 8, Transport: TransportSSU2}
	for _, kv := range [][3]string{
		{"n", OptionHost, "198.18.0.1"}, {"n", OptionPort, "12345"}, {"n", OptionStatic, s},
		{"n", OptionIntro, EncodeBase64(bytes.Repeat([]byte{1}, 16))}, {"n", OptionVersion, "2"},
		{"s", OptionCaps, "BC"}, {"s", OptionHost, "198.18.0.1"}, {"s", "mtu", "1280"},
		{"s", OptionPort, "12345"}, {"s", OptionStatic, s},
		{"s", OptionIntro, EncodeBase64(bytes.Repeat([]byte{2}, 32))}, {"s", OptionVersion, "2"},
	} {
		a := ntcp2
		if kv[0] == "s" {
			a = ssu2
		}
		if err := a.Options.Set(kv[1], kv[2]); err != nil {
			t.Fatal(err)
		}
	}
	return []*RouterAddress{ntcp2, ssu2}
}

func testRouterInfo(t testing.TB) (*RouterInfo, *PrivateKeys) {
	t.Helper()
	k, err := GenerateRouterKeys(testRand(10))
	if err != nil {
		t.Fatal(err)
	}
	var opts Mapping
	for _, kv := range [][2]string{{"caps", "XfR"}, {"netId", "99"}, {"router.version", "0.9.57"}} {
		_ = opts.Set(kv[0], kv[1])
	}
	ri, err := NewRouterInfo(k.RouterIdentity(), testTime, testRouterAddresses(t, k), opts, testSigner(t, k))
	if err != nil {
		t.Fatal(err)
	}
	return ri, k
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file", name)
	}
}

func TestRouterInfoBuildParse(t *testing.T) {
	ri, k := testRouterInfo(t)
	checkGolden(t, "routerinfo.golden", ri.Bytes())
	if err := ri.Verify(); err != nil {
		t.Fatal(err)
	}
	back, err := ParseRouterInfo(ri.Bytes())
	if err != nil || !bytes.Equal(back.Bytes(), ri.Bytes()) {
		t.Fatalf("round trip: %v", err)
	}
	if back.Hash() != k.Identity().Hash() || !back.Published().Equal(testTime) || back.PublishedDate() != DateOf(testTime) {
		t.Error("hash or published")
	}
	if id, ok := back.NetID(); !ok || id != 99 {
		t.Errorf("NetID = %d, %v", id, ok)
	}
	if back.Caps() != "XfR" || back.Version() != "0.9.57" || !back.IsFloodfill() || !back.IsReachable() {
		t.Error("caps helpers")
	}
	if len(back.Addresses()) != 2 || len(back.Peers()) != 0 || back.Options().Len() != 3 || len(back.Signature()) != 64 {
		t.Error("counts")
	}
	n := back.Address(TransportNTCP2)
	if ap, ok := n.AddrPort(); !ok || ap != netip.MustParseAddrPort("198.18.0.1:12345") {
		t.Errorf("AddrPort = %v", ap)
	}
	if s, ok := n.StaticKey(); !ok || !bytes.Equal(s[:], k.Identity().EncryptionPublicKey()) {
		t.Error("StaticKey")
	}
	if iv, ok := n.IntroKey(); !ok || len(iv) != 16 || n.Version() != "2" {
		t.Error("IntroKey/Version")
	}
	if s := back.Address(TransportSSU2); s == nil || s.Caps() != "BC" {
		t.Error("SSU2 address")
	}
	if back.Address("SSU") != nil {
		t.Error("absent transport found")
	}
	// Copies handed out do not alias the RouterInfo.
	back.Addresses()[0].Options.Delete(OptionHost)
	if _, ok := back.Address(TransportNTCP2).Host(); !ok {
		t.Error("Addresses aliases internal state")
	}
}

func TestRouterInfoTamper(t *testing.T) {
	ri, _ := testRouterInfo(t)
	b := ri.Bytes()
	for _, off := range []int{0, 200, 391, 399, len(b) - 70, len(b) - 1} {
		bad := bytes.Clone(b)
		bad[off] ^= 0x40
		p, err := ParseRouterInfo(bad)
		if err != nil {
			continue // a structural error is fine too
		}
		if err := p.Verify(); !errors.Is(err, ErrBadSignature) {
			t.Errorf("flip at %d: Verify = %v", off, err)
		}
	}
	for _, n := range []int{0, 390, 398, 399, len(b) - 65, len(b) - 1} {
		if _, err := ParseRouterInfo(b[:n]); !errors.Is(err, ErrTruncated) {
			t.Errorf("truncated at %d: %v", n, err)
		}
	}
	if _, err := ParseRouterInfo(append(bytes.Clone(b), 0)); !errors.Is(err, ErrTrailingData) {
		t.Errorf("trailing: %v", err)
	}
}

func TestNewRouterInfoErrors(t *testing.T) {
	ri, _ := testRouterInfo(t)
	other := testKeys(t, 11, CryptoX25519)
	if _, err := NewRouterInfo(ri.Identity(), testTime, nil, Mapping{}, testSigner(t, other)); !errors.Is(err, ErrKeyMismatch) {
		t.Errorf("wrong signer: %v", err)
	}
}

func TestRouterAddressHelpers(t *testing.T) {
	a := &RouterAddress{Transport: TransportNTCP2}
	if _, ok := a.Host(); ok {
		t.Error("Host without option")
	}
	_ = a.Options.Set(OptionHost, "example.com")
	_ = a.Options.Set(OptionPort, "70000")
	_ = a.Options.Set(OptionStatic, "short")
	if _, ok := a.Host(); ok {
		t.Error("hostname accepted as IP")
	}
	if _, ok := a.Port(); ok {
		t.Error("port > 65535 accepted")
	}
	if _, ok := a.StaticKey(); ok {
		t.Error("bad static key accepted")
	}
	b, err := a.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	back, rest, err := ParseRouterAddress(b)
	if err != nil || len(rest) != 0 || !back.Options.Equal(a.Options) || back.Transport != a.Transport {
		t.Errorf("round trip: %v", err)
	}
}
