package router

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"i2pgate/router/data"
	"i2pgate/router/netx/memnet"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func startRouter(t *testing.T, cfg Config) *Router {
	t.Helper()
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		r.Close()
		t.Fatal(err)
	}
	return r
}

// testConfig is a router on an in-memory network of its own.
func testConfig(t *testing.T, dir string) Config {
	n := memnet.New(memnet.Options{})
	t.Cleanup(func() { n.Close() })
	return Config{DataDir: dir, NetID: 99, Host: "198.18.0.101", Port: 12345,
		BandwidthCaps: 'O', NTCP2Enabled: true, Network: n.Host("198.18.0.101")}
}

func TestFirstStartCreatesIdentity(t *testing.T) {
	dir := t.TempDir()
	r := startRouter(t, testConfig(t, dir))
	defer r.Close()

	for _, f := range []string{routerKeysFile, ntcp2KeysFile} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", f, st.Mode().Perm())
		}
	}
	raw, err := os.ReadFile(filepath.Join(dir, routerInfoFile))
	if err != nil {
		t.Fatal(err)
	}
	ri, err := data.ParseRouterInfo(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := ri.Verify(); err != nil {
		t.Fatalf("signature: %v", err)
	}
	if !bytes.Equal(ri.Bytes(), raw) {
		t.Error("router.info does not round-trip")
	}
	if ri.Hash() != r.Hash() {
		t.Errorf("hash %s, router says %s", ri.Hash(), r.Hash())
	}
	checkAcceptableToI2pd(t, ri, 99)
	a := ri.Address("NTCP2")
	if ap, ok := a.AddrPort(); !ok || ap.String() != "198.18.0.101:12345" {
		t.Errorf("NTCP2 address %v %v", ap, ok)
	}
	if ri.Caps() != "OR" {
		t.Errorf("caps %q, want OR", ri.Caps())
	}

	keysRaw, _ := os.ReadFile(filepath.Join(dir, routerKeysFile))
	keys, err := data.ParsePrivateKeys(keysRaw)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(keys.Identity().Bytes(), ri.Identity().Bytes()) {
		t.Error("router.keys identity differs from router.info identity")
	}
	nk, err := parseNTCP2Keys(mustRead(t, filepath.Join(dir, ntcp2KeysFile)))
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := a.StaticKey(); s != nk.pub {
		t.Error("published s differs from ntcp2.keys")
	}
}

// checkAcceptableToI2pd checks what i2pd 2.45.1 requires of a RouterInfo before it
// uses it (see INTEROP.md): netId, router.version >= 0.9.51, X25519 + Ed25519
// identity, an NTCP2 address with s and v=2, a publication date in the past.
func checkAcceptableToI2pd(t *testing.T, ri *data.RouterInfo, netid int) {
	t.Helper()
	if id, ok := ri.NetID(); !ok || id != netid {
		t.Errorf("netId %d %v", id, ok)
	}
	v, ok := ri.Option("router.version")
	if !ok || !versionAtLeast(v, "0.9.51") {
		t.Errorf("router.version %q", v)
	}
	if ri.Identity().CryptoType() != data.CryptoX25519 || ri.Identity().SigType() != data.SigEd25519 {
		t.Errorf("identity types %v %v", ri.Identity().CryptoType(), ri.Identity().SigType())
	}
	a := ri.Address("NTCP2")
	if a == nil {
		t.Fatal("no NTCP2 address")
	}
	if _, ok := a.StaticKey(); !ok || a.Version() != "2" {
		t.Errorf("NTCP2 address lacks s or v=2: %+v", a.Options.String())
	}
	if a.Expiration != 0 {
		t.Error("address expiration not zero")
	}
}

func versionAtLeast(v, min string) bool {
	pv, pm := strings.Split(v, "."), strings.Split(min, ".")
	for i := 0; i < len(pm); i++ {
		if i >= len(pv) {
			return false
		}
		a, b := atoi(pv[i]), atoi(pm[i])
		if a != b {
			return a > b
		}
	}
	return true
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRestartKeepsIdentityAndPort(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(t, dir)
	cfg.Port = 0
	r1 := startRouter(t, cfg)
	h1 := r1.Hash()
	p1, _ := r1.RouterInfo().Address("NTCP2").Port()
	keys1 := mustRead(t, filepath.Join(dir, routerKeysFile))
	if err := r1.Close(); err != nil {
		t.Fatal(err)
	}
	if p1 < randomPortMin || p1 > randomPortMax {
		t.Errorf("random port %d out of range", p1)
	}

	r2 := startRouter(t, cfg)
	defer r2.Close()
	if r2.Hash() != h1 {
		t.Errorf("hash changed across restart: %s -> %s", h1, r2.Hash())
	}
	if p2, _ := r2.RouterInfo().Address("NTCP2").Port(); p2 != p1 {
		t.Errorf("port changed across restart: %d -> %d", p1, p2)
	}
	if !bytes.Equal(keys1, mustRead(t, filepath.Join(dir, routerKeysFile))) {
		t.Error("router.keys rewritten")
	}
}

func TestUnreachableWithoutHost(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	cfg.Host, cfg.Floodfill = "", true
	r := startRouter(t, cfg)
	defer r.Close()
	ri := r.RouterInfo()
	if ri.Caps() != "OfU" {
		t.Errorf("caps %q", ri.Caps())
	}
	a := ri.Address("NTCP2")
	if _, ok := a.Host(); ok {
		t.Error("host published without one configured")
	}
	if _, ok := a.Option("i"); ok {
		t.Error("i published without a host")
	}
}

func TestCorruptKeysAreAnError(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, routerKeysFile), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := New(testConfig(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Start(context.Background()); err == nil || !strings.Contains(err.Error(), routerKeysFile) {
		t.Fatalf("start with corrupt keys: %v", err)
	}
	if b := mustRead(t, filepath.Join(dir, routerKeysFile)); string(b) != "garbage" {
		t.Error("corrupt keys file was replaced")
	}
}

func TestCloseIdempotent(t *testing.T) {
	r := startRouter(t, testConfig(t, t.TempDir()))
	for i := 0; i < 3; i++ {
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Start(context.Background()); err == nil {
		t.Error("start after close succeeded")
	}
}

// The router's RouterInfo carries the same structure as one i2pd wrote: the golden
// router.info from i2pd 2.45.1 passes the same acceptance checks.
func TestGoldenI2pdRouterInfoPassesSameChecks(t *testing.T) {
	raw := mustRead(t, filepath.Join("data", "testdata", "i2pd", "router.info"))
	ri, err := data.ParseRouterInfo(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := ri.Verify(); err != nil {
		t.Fatal(err)
	}
	checkAcceptableToI2pd(t, ri, 99)
}

func TestStatus(t *testing.T) {
	r, err := New(testConfig(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	if st := r.Status(); st.NetworkStatus != NetworkStarting || st.RouterHash != "" {
		t.Errorf("before start: %+v", st)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	st := r.Status()
	if st.RouterHash != r.Hash().String() || st.NetID != 99 || st.Version != Version || st.NetworkStatus != NetworkNoPeers {
		t.Errorf("after start: %+v", st)
	}
}
