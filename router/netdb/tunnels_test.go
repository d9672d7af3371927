package netdb

import (
	"context"
	"sync"
	"testing"
	"time"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
)

// fakeTunnels stands in for the router's exploratory tunnels: what is sent
// through them arrives at the target's recorder with a zero sender, as a
// garlic-unwrapped message would.
type fakeTunnels struct {
	net     *fakeNet
	gateway data.Hash
	tunnel  uint32

	mu        sync.Mutex
	connected map[data.Hash]bool
	keys      []i2np.RatchetTag
	sent      int
}

func (f *fakeTunnels) Connected(h data.Hash) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.connected[h]
}

func (f *fakeTunnels) ReplyTunnel() (data.Hash, uint32, bool) {
	return f.gateway, f.tunnel, f.tunnel != 0
}

func (f *fakeTunnels) SendThrough(to data.Hash, msg i2np.Message) error {
	f.mu.Lock()
	f.sent++
	f.mu.Unlock()
	return endpoint{net: f.net}.SendMessage(context.Background(), to, msg)
}

func (f *fakeTunnels) NewReplyKey() ([32]byte, i2np.RatchetTag, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	tag := i2np.RatchetTag{byte(len(f.keys) + 1), 0xee}
	f.keys = append(f.keys, tag)
	return [32]byte{0x42, byte(len(f.keys))}, tag, nil
}

func (f *fakeTunnels) counts() (sent, keys int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sent, len(f.keys)
}

func TestLookupThroughTunnels(t *testing.T) {
	net, clk := newFakeNet(), clocktest.New(t0)
	gw := newTestRouter(t, t0, riOpts{}).hash
	tun := &fakeTunnels{net: net, gateway: gw, tunnel: 77, connected: map[data.Hash]bool{}}
	n := newNode(t, net, clk, nodeOpts{cfg: func(c *Config) { c.Tunnels = tun }})
	ff := newPeer(t, net, true)
	must(t, n.db.Add(ff.ri))
	target := newTestRouter(t, t0, riOpts{})
	startNode(t, n)

	done := make(chan error, 1)
	go func() {
		_, err := n.db.Lookup(context.Background(), target.hash)
		done <- err
	}()
	m := ff.next(t, i2np.TypeDatabaseLookup)
	l := decode[i2np.DatabaseLookup](t, m.msg)
	if m.from != (data.Hash{}) {
		t.Fatal("lookup sent directly while tunnels exist and no session is open")
	}
	want := i2np.FlagTunnelReply | i2np.FlagECIES
	if l.Flags&want != want || l.From != gw || l.ReplyTunnelID != 77 || len(l.RatchetTags) != 1 || l.ReplyKey[0] != 0x42 {
		t.Fatalf("lookup %+v", l)
	}
	if _, keys := tun.counts(); keys != 1 || tun.keys[0] != l.RatchetTags[0] {
		t.Fatalf("reply tag %x not the registered one", l.RatchetTags[0])
	}
	// The answer comes out of an inbound tunnel: no transport sender.
	n.db.Handle(data.Hash{}, storeMsg(t, target.ri, 0, 0, data.Hash{}))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if s := n.db.Stats(); s.ViaTunnels == 0 || s.RepliesViaTunnels != 1 {
		t.Fatalf("stats %+v", s)
	}

	// With a session to the floodfill open, a lookup goes directly.
	tun.mu.Lock()
	tun.connected[ff.hash] = true
	tun.mu.Unlock()
	other := newTestRouter(t, t0, riOpts{})
	go func() {
		_, err := n.db.Lookup(context.Background(), other.hash)
		done <- err
	}()
	m = ff.next(t, i2np.TypeDatabaseLookup)
	l = decode[i2np.DatabaseLookup](t, m.msg)
	if m.from != n.hash || l.Flags&(i2np.FlagTunnelReply|i2np.FlagECIES) != 0 || l.From != n.hash {
		t.Fatalf("direct lookup %+v from %v", l, m.from)
	}
	// A search reply that came through a tunnel is matched by its From.
	n.db.Handle(data.Hash{}, message(t, i2np.DatabaseSearchReply{Key: other.hash, From: ff.hash}))
	clk.Advance(lookupTimeout)
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("lookup of an unknown router succeeded")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("lookup did not end after the only floodfill answered")
	}
}

func TestPublishThroughTunnels(t *testing.T) {
	net, clk := newFakeNet(), clocktest.New(t0)
	gw := newTestRouter(t, t0, riOpts{}).hash
	tun := &fakeTunnels{net: net, gateway: gw, tunnel: 99, connected: map[data.Hash]bool{}}
	n := newNode(t, net, clk, nodeOpts{cfg: func(c *Config) { c.Tunnels = tun }})
	ff := newPeer(t, net, true)
	must(t, n.db.Add(ff.ri))
	startNode(t, n)
	must(t, n.db.Publish(n.ri))
	ds := nextStore(t, clk, 500*time.Millisecond, ff, n.hash)
	if ds.ReplyToken == 0 || ds.ReplyTunnelID != 99 || ds.ReplyGateway != gw {
		t.Fatalf("store reply fields %d %d %v", ds.ReplyToken, ds.ReplyTunnelID, ds.ReplyGateway)
	}
	if sent, _ := tun.counts(); sent == 0 {
		t.Fatal("store not sent through a tunnel")
	}
	// The confirmation comes back through the inbound tunnel.
	if !confirm(t, n, data.Hash{}, ds.ReplyToken) {
		t.Fatal("confirmation not claimed")
	}
	waitFor(t, "confirmed", func() bool { return n.db.Stats().PublishConfirmed })
}

// tunnelGateway is a fake inbound tunnel: what its gateway receives for the
// tunnel leaves at the owner's end with no transport sender.
type tunnelGateway struct{ owner *NetDB }

func (g tunnelGateway) Handle(from data.Hash, msg i2np.Message) bool {
	tg, err := i2np.ParseTunnelGateway(msg.Payload)
	if err != nil {
		return false
	}
	inner, err := tg.Inner()
	if err != nil {
		return false
	}
	inner.Payload = append([]byte(nil), inner.Payload...)
	return g.owner.Handle(data.Hash{}, inner)
}

func TestLookupLeaseSet(t *testing.T) {
	net, clk := newFakeNet(), clocktest.New(t0)
	gw := newTestRouter(t, t0, riOpts{}).hash
	tun := &fakeTunnels{net: net, gateway: gw, tunnel: 77, connected: map[data.Hash]bool{}}
	n := newNode(t, net, clk, nodeOpts{cfg: func(c *Config) { c.Tunnels = tun }})
	net.add(gw, tunnelGateway{owner: n.db})
	// A real floodfill holds the lease set; its ECIES reply "encryption"
	// is the identity here (router/garlic's is tested on its own).
	wrapped := 0
	var wmu sync.Mutex
	ff := newNode(t, net, clk, nodeOpts{floodfill: true, cfg: func(c *Config) {
		c.WrapReply = func(key [32]byte, tag [8]byte, msg i2np.Message) (i2np.Message, error) {
			wmu.Lock()
			wrapped++
			wmu.Unlock()
			return msg, nil
		}
	}})
	must(t, n.db.Add(ff.ri))
	startNode(t, n)
	startNode(t, ff)
	ls := newLeaseSet2(t, t0, 10*time.Minute)
	ff.db.Handle(gw, message(t, i2np.DatabaseStore{Key: ls.Hash(), StoreType: i2np.StoreLeaseSet2, Data: ls.Bytes()}))
	waitFor(t, "floodfill stores the lease set", func() bool { return ff.db.Stats().LeaseSets == 1 })

	got, err := n.db.LookupLeaseSet(context.Background(), ls.Hash())
	if err != nil {
		t.Fatal(err)
	}
	if got.Key != ls.Hash() || got.StoreType != i2np.StoreLeaseSet2 || string(got.Raw) != string(ls.Bytes()) || !got.Published.Equal(ls.Published()) {
		t.Fatalf("lease set %+v", got)
	}
	wmu.Lock()
	w := wrapped
	wmu.Unlock()
	if sent, keys := tun.counts(); sent == 0 || keys == 0 || w == 0 {
		t.Fatalf("sent %d through tunnels with %d reply keys, %d replies wrapped", sent, keys, w)
	}
	// Even with a session open, lease set lookups go through tunnels.
	tun.mu.Lock()
	tun.connected[ff.hash] = true
	tun.mu.Unlock()
	before, _ := tun.counts()
	missing := newLeaseSet2(t, t0, 10*time.Minute)
	if _, err := n.db.LookupLeaseSet(context.Background(), missing.Hash()); err == nil {
		t.Fatal("found a lease set no floodfill has")
	}
	if after, _ := tun.counts(); after == before {
		t.Fatal("lease set lookup went directly")
	}
	if n.db.Stats().LeaseSets != 0 {
		t.Fatal("a non-floodfill kept a lease set")
	}
}
