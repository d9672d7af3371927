package pool

import (
	"crypto/rand"
	"testing"
	"time"

	"i2pgate/router/crypto"
	"i2pgate/router/data"
)

// testRouter is a router's keys and RouterInfo.
type testRouter struct {
	ri   *data.RouterInfo
	hash data.Hash
	priv crypto.X25519PrivateKey
}

// newTestRouter makes a signed RouterInfo with the given caps and version and a
// published NTCP2 address.
func newTestRouter(t testing.TB, caps, version string) *testRouter {
	t.Helper()
	return newTestRouterAddr(t, caps, version, true)
}

// newTestRouterAddr is newTestRouter, with a published address or none.
func newTestRouterAddr(t testing.TB, caps, version string, published bool) *testRouter {
	t.Helper()
	keys, err := data.GenerateRouterKeys(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := keys.Signer()
	if err != nil {
		t.Fatal(err)
	}
	var opts data.Mapping
	for k, v := range map[string]string{"netId": "99", "router.version": version, "caps": caps} {
		if err := opts.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	var addrs []*data.RouterAddress
	if published {
		a := &data.RouterAddress{Transport: "NTCP2"}
		for _, kv := range [][2]string{{"host", "198.18.7.1"}, {"port", "12345"}, {"v", "2"}} {
			if err := a.Options.Set(kv[0], kv[1]); err != nil {
				t.Fatal(err)
			}
		}
		addrs = append(addrs, a)
	}
	ri, err := data.NewRouterInfo(keys.RouterIdentity(), time.Unix(1700000000, 0), addrs, opts, signer)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := keys.X25519PrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	return &testRouter{ri: ri, hash: ri.Hash(), priv: priv}
}

// staticPeers is a PeerSource over a fixed list.
type staticPeers []*data.RouterInfo

func (s staticPeers) Routers(keep func(*data.RouterInfo) bool) []*data.RouterInfo {
	var out []*data.RouterInfo
	for _, ri := range s {
		if keep == nil || keep(ri) {
			out = append(out, ri)
		}
	}
	return out
}

func (s staticPeers) RouterInfo(h data.Hash) (*data.RouterInfo, bool) {
	for _, ri := range s {
		if ri.Hash() == h {
			return ri, true
		}
	}
	return nil, false
}
