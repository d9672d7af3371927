package destination

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"i2pgate/router/data"
	"i2pgate/router/i2np"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestLoadKeysCreatesAndKeeps(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "site.dat")
	k1, err := LoadKeys(path, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("keys file %v, %v", fi, err)
	}
	k2, err := LoadKeys(path, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if k1.Destination().Hash() != k2.Destination().Hash() || !bytes.Equal(k1.Bytes(), k2.Bytes()) {
		t.Fatal("reloaded keys differ")
	}
	e1, err := EncryptionKey(k1)
	if err != nil {
		t.Fatal(err)
	}
	e2, _ := EncryptionKey(k2)
	if e1 != e2 || k1.Identity().CryptoType() != data.CryptoX25519 {
		t.Fatal("encryption key not stable")
	}
	if err := os.WriteFile(path, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKeys(path, rand.Reader); err == nil {
		t.Fatal("garbage keys file accepted")
	}
}

// An ElGamal identity (i2pd's eepsite.dat default) gets a derived, stable
// X25519 key.
func TestEncryptionKeyForElGamalIdentity(t *testing.T) {
	k, err := data.GenerateDestinationKeys(rand.Reader, data.CryptoElGamal)
	if err != nil {
		t.Skipf("ElGamal destination keys not generated here: %v", err)
	}
	a, err := EncryptionKey(k)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := data.ParsePrivateKeys(k.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := EncryptionKey(k2)
	if a != b || a.Public == ([32]byte{}) {
		t.Fatal("derived key not stable")
	}
}

func testLeaseSet(t *testing.T, k *data.PrivateKeys, leases []data.Lease2, pub time.Time) *data.LeaseSet2 {
	t.Helper()
	s, err := k.Signer()
	if err != nil {
		t.Fatal(err)
	}
	e, err := EncryptionKey(k)
	if err != nil {
		t.Fatal(err)
	}
	ls, err := data.NewLeaseSet2(data.LeaseSet2Params{Destination: k.Destination(), Published: pub, Expires: 10 * time.Minute,
		Keys: []data.EncryptionKey{{Type: data.CryptoX25519, Key: e.Public[:]}}, Leases: leases}, s)
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

func TestParseRemote(t *testing.T) {
	k, err := GenerateKeys(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	end := uint32(t0.Add(9 * time.Minute).Unix())
	leases := []data.Lease2{{Gateway: data.Hash{1}, TunnelID: 11, EndDate: end}, {Gateway: data.Hash{2}, TunnelID: 22, EndDate: uint32(t0.Add(5 * time.Second).Unix())}}
	ls := testLeaseSet(t, k, leases, t0)
	r, err := parseRemote(i2np.StoreLeaseSet2, ls.Hash(), ls.Bytes(), t0)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := EncryptionKey(k)
	if r.key != e.Public || len(r.leases) != 2 || r.dest.Hash() != k.Destination().Hash() {
		t.Fatalf("remote %+v", r)
	}
	// Only the lease that lasts is usable.
	for range 10 {
		l, ok := r.usableLease(t0, func(n int) int { return n - 1 })
		if !ok || l.tunnel != 11 {
			t.Fatalf("lease %+v %t", l, ok)
		}
	}
	if _, ok := r.usableLease(t0.Add(9*time.Minute), func(int) int { return 0 }); ok {
		t.Fatal("ended lease usable")
	}
	// Wrong key, tampering, expiry, encrypted lease sets.
	if _, err := parseRemote(i2np.StoreLeaseSet2, data.Hash{9}, ls.Bytes(), t0); err == nil {
		t.Fatal("lease set under a foreign key accepted")
	}
	bad := append([]byte(nil), ls.Bytes()...)
	bad[len(bad)-1] ^= 1
	if _, err := parseRemote(i2np.StoreLeaseSet2, ls.Hash(), bad, t0); err == nil {
		t.Fatal("bad signature accepted")
	}
	if _, err := parseRemote(i2np.StoreLeaseSet2, ls.Hash(), ls.Bytes(), t0.Add(time.Hour)); err == nil {
		t.Fatal("expired lease set accepted")
	}
	if _, err := parseRemote(i2np.StoreEncryptedLeaseSet, ls.Hash(), ls.Bytes(), t0); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("encrypted lease set: %v", err)
	}
}

func TestSameTunnels(t *testing.T) {
	a := []data.Lease2{{Gateway: data.Hash{1}, TunnelID: 1, EndDate: 5}, {Gateway: data.Hash{2}, TunnelID: 2, EndDate: 6}}
	b := []data.Lease2{{Gateway: data.Hash{2}, TunnelID: 2, EndDate: 9}, {Gateway: data.Hash{1}, TunnelID: 1, EndDate: 9}}
	if !sameTunnels(a, b) {
		t.Fatal("same tunnels in another order differ")
	}
	if sameTunnels(a, b[:1]) || sameTunnels(a, []data.Lease2{a[0], {Gateway: data.Hash{2}, TunnelID: 3}}) {
		t.Fatal("different tunnels equal")
	}
}

func FuzzParseRemote(f *testing.F) {
	k, err := GenerateKeys(rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	s, _ := k.Signer()
	e, _ := EncryptionKey(k)
	ls, err := data.NewLeaseSet2(data.LeaseSet2Params{Destination: k.Destination(), Published: t0, Expires: 10 * time.Minute,
		Keys:   []data.EncryptionKey{{Type: data.CryptoX25519, Key: e.Public[:]}},
		Leases: []data.Lease2{{Gateway: data.Hash{1}, TunnelID: 1, EndDate: uint32(t0.Unix()) + 300}}}, s)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint8(i2np.StoreLeaseSet2), ls.Bytes())
	f.Add(uint8(i2np.StoreLeaseSet), ls.Bytes()[:100])
	key := ls.Hash()
	f.Fuzz(func(t *testing.T, typ uint8, b []byte) {
		r, err := parseRemote(i2np.StoreType(typ), key, b, t0)
		if err == nil && (r == nil || r.dest == nil) {
			t.Fatal("no remote without error")
		}
	})
}
