package netdb

import (
	"bytes"
	"testing"
	"time"

	"go.uber.org/goleak"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// peer is a recorder with an identity, registered on the fake network.
type peer struct {
	*testRouter
	*recorder
}

func newPeer(t testing.TB, net *fakeNet, floodfill bool) *peer {
	p := &peer{newTestRouter(t, t0, riOpts{floodfill: floodfill}), newRecorder()}
	net.add(p.hash, p.recorder)
	return p
}

func startNode(t testing.TB, n *node) {
	t.Helper()
	must(t, n.db.Start())
	t.Cleanup(func() { must(t, n.db.Close()) })
}

func TestFloodfillStoreConfirmAndFlood(t *testing.T) {
	net, clk := newFakeNet(), clocktest.New(t0)
	ff := newNode(t, net, clk, nodeOpts{floodfill: true})
	others := []*peer{newPeer(t, net, true), newPeer(t, net, true), newPeer(t, net, true)}
	for _, p := range others {
		must(t, ff.db.Add(p.ri))
	}
	gw := newPeer(t, net, false)
	startNode(t, ff)

	pub := newTestRouter(t, t0, riOpts{})
	ff.db.Handle(pub.hash, storeMsg(t, pub.ri, 42, 0, gw.hash))
	ack := decode[i2np.DeliveryStatus](t, gw.next(t, i2np.TypeDeliveryStatus).msg)
	if ack.MessageID != 42 {
		t.Fatalf("DeliveryStatus id %d", ack.MessageID)
	}
	for _, p := range others {
		ds := decode[i2np.DatabaseStore](t, p.next(t, i2np.TypeDatabaseStore).msg)
		if ds.Key != pub.hash || ds.ReplyToken != 0 {
			t.Fatalf("flood: key %v token %d", ds.Key, ds.ReplyToken)
		}
	}
	if _, ok := ff.db.RouterInfo(pub.hash); !ok {
		t.Fatal("store not kept")
	}

	// Reply through a tunnel: DeliveryStatus wrapped in TunnelGateway.
	pub2 := newTestRouter(t, t0, riOpts{})
	ff.db.Handle(pub2.hash, storeMsg(t, pub2.ri, 43, 77, gw.hash))
	tg := decode[i2np.TunnelGateway](t, gw.next(t, i2np.TypeTunnelGateway).msg)
	inner, err := tg.Inner()
	must(t, err)
	if tg.TunnelID != 77 || decode[i2np.DeliveryStatus](t, inner).MessageID != 43 {
		t.Fatalf("tunnel reply %d", tg.TunnelID)
	}
	for _, p := range others {
		if ds := decode[i2np.DatabaseStore](t, p.next(t, i2np.TypeDatabaseStore).msg); ds.Key != pub2.hash {
			t.Fatal("second store not flooded")
		}
	}

	// A flood (no token) is stored but not flooded again nor confirmed.
	pub3 := newTestRouter(t, t0, riOpts{})
	ff.db.Handle(others[0].hash, storeMsg(t, pub3.ri, 0, 0, data.Hash{}))
	waitFor(t, "flooded store kept", func() bool { _, ok := ff.db.RouterInfo(pub3.hash); return ok })
	for _, p := range others {
		p.none(t, i2np.TypeDatabaseStore)
	}
	// The same RouterInfo again is not newer: confirmed, not flooded.
	ff.db.Handle(pub.hash, storeMsg(t, pub.ri, 44, 0, gw.hash))
	if id := decode[i2np.DeliveryStatus](t, gw.next(t, i2np.TypeDeliveryStatus).msg).MessageID; id != 44 {
		t.Fatalf("id %d", id)
	}
	others[1].none(t, i2np.TypeDatabaseStore)
}

func TestFloodfillLookups(t *testing.T) {
	net, clk := newFakeNet(), clocktest.New(t0)
	ff := newNode(t, net, clk, nodeOpts{floodfill: true})
	ffA, ffB := newPeer(t, net, true), newPeer(t, net, true)
	must(t, ff.db.Add(ffA.ri))
	must(t, ff.db.Add(ffB.ri))
	var plain []*testRouter
	for range 20 {
		r := newTestRouter(t, t0, riOpts{})
		must(t, ff.db.Add(r.ri))
		plain = append(plain, r)
	}
	q := newPeer(t, net, false)
	must(t, ff.db.Add(q.ri))
	startNode(t, ff)

	lookup := func(key data.Hash, flags i2np.LookupFlags, excl ...data.Hash) {
		ff.db.Handle(q.hash, message(t, i2np.DatabaseLookup{Key: key, From: q.hash, Flags: flags, Excluded: excl}))
	}
	// Found: a DatabaseStore with the RouterInfo.
	lookup(plain[3].hash, i2np.LookupFlags(0).WithLookupType(i2np.LookupRouterInfo))
	ds := decode[i2np.DatabaseStore](t, q.next(t, i2np.TypeDatabaseStore).msg)
	raw, err := ds.RouterInfo(i2np.MaxRouterInfoSize)
	must(t, err)
	if ds.Key != plain[3].hash || !bytes.Equal(raw, plain[3].ri.Bytes()) || ds.ReplyToken != 0 {
		t.Fatal("wrong RouterInfo returned")
	}
	// Not found: the closest floodfills, minus the excluded ones.
	var unknown data.Hash
	unknown[0] = 0x55
	lookup(unknown, i2np.LookupFlags(0).WithLookupType(i2np.LookupRouterInfo), ffA.hash)
	sr := decode[i2np.DatabaseSearchReply](t, q.next(t, i2np.TypeDatabaseSearchReply).msg)
	if sr.Key != unknown || sr.From != ff.hash || len(sr.Peers) != 1 || sr.Peers[0] != ffB.hash {
		t.Fatalf("search reply %+v", sr)
	}
	// Exploration: non-floodfills only, never the requester, closest first.
	lookup(unknown, i2np.LookupFlags(0).WithLookupType(i2np.LookupExploration), plain[0].hash)
	sr = decode[i2np.DatabaseSearchReply](t, q.next(t, i2np.TypeDatabaseSearchReply).msg)
	if len(sr.Peers) != maxSearchReplyPeers {
		t.Fatalf("exploration returned %d peers", len(sr.Peers))
	}
	rk := RoutingKey(unknown, clk.Now())
	for i, p := range sr.Peers {
		if p == ffA.hash || p == ffB.hash || p == q.hash || p == plain[0].hash || p == ff.hash {
			t.Fatalf("exploration returned excluded or floodfill peer %v", p)
		}
		if i > 0 && Closer(rk, p, sr.Peers[i-1]) {
			t.Fatal("exploration reply not sorted by distance")
		}
	}
	// Encrypted replies requested: dropped.
	ff.db.Handle(q.hash, message(t, i2np.DatabaseLookup{Key: plain[1].hash, From: q.hash,
		Flags: i2np.FlagECIES.WithLookupType(i2np.LookupRouterInfo), RatchetTags: []i2np.RatchetTag{{1}}}))
	q.none(t, i2np.TypeDatabaseStore)
	// Reply through a tunnel.
	ff.db.Handle(q.hash, message(t, i2np.DatabaseLookup{Key: plain[2].hash, From: q.hash,
		Flags: i2np.FlagTunnelReply.WithLookupType(i2np.LookupRouterInfo), ReplyTunnelID: 99}))
	tg := decode[i2np.TunnelGateway](t, q.next(t, i2np.TypeTunnelGateway).msg)
	inner, err := tg.Inner()
	must(t, err)
	if tg.TunnelID != 99 || inner.Type != i2np.TypeDatabaseStore {
		t.Fatalf("tunnel reply %d %v", tg.TunnelID, inner.Type)
	}
	if s := ff.db.Stats(); s.LookupsDropped == 0 || s.LookupsAnswered < 4 {
		t.Fatalf("stats %+v", s)
	}
}

func TestFloodfillLeaseSet(t *testing.T) {
	net, clk := newFakeNet(), clocktest.New(t0)
	ff := newNode(t, net, clk, nodeOpts{floodfill: true})
	other := newPeer(t, net, true)
	must(t, ff.db.Add(other.ri))
	q := newPeer(t, net, false)
	startNode(t, ff)

	ls := newLeaseSet2(t, t0, 10*time.Minute)
	store := i2np.DatabaseStore{Key: ls.Hash(), StoreType: i2np.StoreLeaseSet2, ReplyToken: 5, ReplyGateway: q.hash, Data: ls.Bytes()}
	ff.db.Handle(q.hash, message(t, store))
	if decode[i2np.DeliveryStatus](t, q.next(t, i2np.TypeDeliveryStatus).msg).MessageID != 5 {
		t.Fatal("no confirmation")
	}
	if ds := decode[i2np.DatabaseStore](t, other.next(t, i2np.TypeDatabaseStore).msg); ds.StoreType != i2np.StoreLeaseSet2 {
		t.Fatal("lease set not flooded")
	}
	ff.db.Handle(q.hash, message(t, i2np.DatabaseLookup{Key: ls.Hash(), From: q.hash, Flags: i2np.LookupFlags(0).WithLookupType(i2np.LookupLeaseSet)}))
	ds := decode[i2np.DatabaseStore](t, q.next(t, i2np.TypeDatabaseStore).msg)
	if ds.StoreType != i2np.StoreLeaseSet2 || !bytes.Equal(ds.Data, ls.Bytes()) {
		t.Fatal("wrong lease set reply")
	}
	if ff.db.Stats().LeaseSets != 1 {
		t.Fatal("lease set count")
	}
	// It expires.
	ff.db.expireNow(t0.Add(11 * time.Minute))
	if ff.db.Stats().LeaseSets != 0 {
		t.Fatal("lease set not expired")
	}
}

func TestNonFloodfillIgnoresLookups(t *testing.T) {
	net, clk := newFakeNet(), clocktest.New(t0)
	n := newNode(t, net, clk, nodeOpts{})
	r := newTestRouter(t, t0, riOpts{})
	must(t, n.db.Add(r.ri))
	q := newPeer(t, net, false)
	startNode(t, n)
	n.db.Handle(q.hash, message(t, i2np.DatabaseLookup{Key: r.hash, From: q.hash, Flags: i2np.LookupFlags(0).WithLookupType(i2np.LookupRouterInfo)}))
	q.none(t, i2np.TypeDatabaseStore)
	q.none(t, i2np.TypeDatabaseSearchReply)
}

// A lookup asking for an ECIES reply is answered through WrapReply with its
// reply key and first tag; the plaintext never leaves.
func TestFloodfillECIESReply(t *testing.T) {
	net, clk := newFakeNet(), clocktest.New(t0)
	type wrapped struct {
		key   [32]byte
		tag   [8]byte
		inner i2np.Type
	}
	got := make(chan wrapped, 1)
	wrap := func(key [32]byte, tag [8]byte, msg i2np.Message) (i2np.Message, error) {
		got <- wrapped{key, tag, msg.Type}
		return i2np.NewMessage(i2np.Garlic{Data: []byte("sealed")}, msg.ID, msg.Expiration)
	}
	ff := newNode(t, net, clk, nodeOpts{floodfill: true, cfg: func(c *Config) { c.WrapReply = wrap }})
	target := newPeer(t, net, false)
	must(t, ff.db.Add(target.ri))
	q := newPeer(t, net, false)
	must(t, ff.db.Add(q.ri))
	startNode(t, ff)

	key := [32]byte{7}
	ff.db.Handle(q.hash, message(t, i2np.DatabaseLookup{Key: target.hash, From: q.hash, ReplyKey: key,
		Flags: i2np.FlagECIES.WithLookupType(i2np.LookupRouterInfo), RatchetTags: []i2np.RatchetTag{{1, 2}}}))
	g := decode[i2np.Garlic](t, q.next(t, i2np.TypeGarlic).msg)
	if string(g.Data) != "sealed" {
		t.Fatalf("garlic %q", g.Data)
	}
	w := <-got
	if w.key != key || w.tag != ([8]byte{1, 2}) || w.inner != i2np.TypeDatabaseStore {
		t.Fatalf("wrapped %+v", w)
	}
	q.none(t, i2np.TypeDatabaseStore)
}
