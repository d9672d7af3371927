package ntcp2

import (
	"io"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"i2pgate/router/crypto/noise"
	"i2pgate/router/data"
)

const testNetID = 99

// seeded returns a deterministic random source.
func seeded(seed uint64) io.Reader {
	var s [32]byte
	for i := range 8 {
		s[i] = byte(seed >> (8 * i))
	}
	return rand.NewChaCha8(s)
}

// testRouter is a router identity with NTCP2 keys and a signed RouterInfo.
type testRouter struct {
	keys   *data.PrivateKeys
	static noise.KeyPair
	iv     [16]byte
	ri     *data.RouterInfo
	hash   data.Hash
}

type routerOpts struct {
	netID     int
	published time.Time
	addr      netip.AddrPort // zero: unpublished NTCP2 address (s, v only)
	static    *[32]byte      // override the published s
}

func newTestRouter(t testing.TB, seed uint64, o routerOpts) *testRouter {
	t.Helper()
	r := seeded(seed)
	keys, err := data.GenerateRouterKeys(r)
	if err != nil {
		t.Fatal(err)
	}
	static, err := noise.GenerateKeyPair(r)
	if err != nil {
		t.Fatal(err)
	}
	tr := &testRouter{keys: keys, static: static}
	if _, err := io.ReadFull(r, tr.iv[:]); err != nil {
		t.Fatal(err)
	}
	tr.ri = tr.buildRI(t, o)
	tr.hash = tr.ri.Hash()
	return tr
}

func (tr *testRouter) buildRI(t testing.TB, o routerOpts) *data.RouterInfo {
	t.Helper()
	if o.netID == 0 {
		o.netID = testNetID
	}
	if o.published.IsZero() {
		o.published = time.Now()
	}
	s := tr.static.Public
	if o.static != nil {
		s = *o.static
	}
	a := &data.RouterAddress{Transport: data.TransportNTCP2, Cost: 14}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if o.addr.IsValid() {
		a.Cost = 3
		must(a.Options.Set("host", o.addr.Addr().String()))
		must(a.Options.Set("port", strconv.Itoa(int(o.addr.Port()))))
		must(a.Options.Set("i", data.EncodeBase64(tr.iv[:])))
	}
	must(a.Options.Set("s", data.EncodeBase64(s[:])))
	must(a.Options.Set("v", "2"))
	var opts data.Mapping
	must(opts.Set("caps", "LU"))
	must(opts.Set("netId", strconv.Itoa(o.netID)))
	must(opts.Set("router.version", "0.9.58"))
	signer, err := tr.keys.Signer()
	must(err)
	ri, err := data.NewRouterInfo(tr.keys.RouterIdentity(), o.published, []*data.RouterAddress{a}, opts, signer)
	must(err)
	return ri
}
