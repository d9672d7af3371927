package netdb

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/store"
)

// advanceUntil moves the fake clock by step until cond holds, giving the
// goroutines real time to react between steps.
func advanceUntil(t testing.TB, clk *clocktest.Fake, step time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		clk.Advance(step)
		time.Sleep(2 * time.Millisecond)
	}
}

// nextStore waits for a DatabaseStore of our RouterInfo while the clock runs.
func nextStore(t testing.TB, clk *clocktest.Fake, step time.Duration, p *peer, key data.Hash) i2np.DatabaseStore {
	t.Helper()
	var got *i2np.DatabaseStore
	advanceUntil(t, clk, step, "publication", func() bool {
		for {
			select {
			case m := <-p.ch:
				if m.msg.Type != i2np.TypeDatabaseStore {
					continue
				}
				ds := decode[i2np.DatabaseStore](t, m.msg)
				if ds.Key == key {
					got = &ds
					return true
				}
			default:
				return false
			}
		}
	})
	return *got
}

func confirm(t testing.TB, n *node, from data.Hash, token uint32) bool {
	return n.db.Handle(from, message(t, i2np.DeliveryStatus{MessageID: token, Timestamp: data.DateOf(t0)}))
}

func TestPublish(t *testing.T) {
	net, clk := newFakeNet(), clocktest.New(t0)
	n := newNode(t, net, clk, nodeOpts{})
	a, b := newPeer(t, net, true), newPeer(t, net, true)
	must(t, n.db.Add(a.ri))
	must(t, n.db.Add(b.ri))
	order := Closest(RoutingKey(n.hash, t0), []data.Hash{a.hash, b.hash}, 2)
	first, second := a, b
	if order[0] == b.hash {
		first, second = b, a
	}
	startNode(t, n)
	must(t, n.db.Publish(n.ri))

	ds := nextStore(t, clk, 500*time.Millisecond, first, n.hash)
	if ds.ReplyToken == 0 || ds.ReplyTunnelID != 0 || ds.ReplyGateway != n.hash {
		t.Fatalf("store reply fields %d %d %v", ds.ReplyToken, ds.ReplyTunnelID, ds.ReplyGateway)
	}
	// No confirmation: the next closest floodfill is tried.
	ds = nextStore(t, clk, 500*time.Millisecond, second, n.hash)
	if confirm(t, n, second.hash, ds.ReplyToken+1) {
		t.Fatal("foreign DeliveryStatus claimed")
	}
	if !confirm(t, n, second.hash, ds.ReplyToken) {
		t.Fatal("confirmation not claimed")
	}
	waitFor(t, "confirmed", func() bool { return n.db.Stats().PublishConfirmed })
	if s := n.db.Stats(); s.PublishedTo != second.hash || s.LastPublish.IsZero() {
		t.Fatalf("stats %+v", s)
	}

	// A changed RouterInfo is published at once.
	ri2 := n.sign(t, clk.Now(), riOpts{caps: "XRU"})
	must(t, n.db.Publish(ri2))
	if n.db.Stats().PublishConfirmed {
		t.Fatal("new RouterInfo reported confirmed")
	}
	ds = nextStore(t, clk, 500*time.Millisecond, first, n.hash)
	raw, err := ds.RouterInfo(i2np.MaxRouterInfoSize)
	must(t, err)
	if string(raw) != string(ri2.Bytes()) {
		t.Fatal("old RouterInfo published")
	}
	confirm(t, n, first.hash, ds.ReplyToken)
	waitFor(t, "confirmed", func() bool { return n.db.Stats().PublishConfirmed })

	// And republished after the interval.
	before := clk.Now()
	ds = nextStore(t, clk, 15*time.Second, first, n.hash)
	if d := clk.Now().Sub(before); d < publishInterval || d > publishInterval+publishVariance+time.Minute {
		t.Fatalf("republished after %v", d)
	}
	if err := n.db.Publish(a.ri); err == nil {
		t.Fatal("published a foreign RouterInfo")
	}
}

func TestLookupIteratesAndCoalesces(t *testing.T) {
	net, clk := newFakeNet(), clocktest.New(t0)
	n := newNode(t, net, clk, nodeOpts{})
	ffs := []*peer{newPeer(t, net, true), newPeer(t, net, true)}
	for _, p := range ffs {
		must(t, n.db.Add(p.ri))
	}
	target := newTestRouter(t, t0, riOpts{})
	startNode(t, n)

	ctx := context.Background()
	var wg sync.WaitGroup
	results := make([]*data.RouterInfo, 3)
	errs := make([]error, 3)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = n.db.Lookup(ctx, target.hash)
		}()
	}
	// Both floodfills are asked once; the first answers with a search
	// reply naming a third floodfill we do not know, the second with the
	// RouterInfo.
	var lookups []received
	for _, p := range ffs {
		m := p.next(t, i2np.TypeDatabaseLookup)
		l := decode[i2np.DatabaseLookup](t, m.msg)
		if l.Key == target.hash {
			lookups = append(lookups, m)
			if l.LookupType() != i2np.LookupRouterInfo || l.From != n.hash {
				t.Fatalf("lookup %+v", l)
			}
		}
	}
	if len(lookups) != 2 {
		t.Fatalf("%d lookups sent", len(lookups))
	}
	stranger := newPeer(t, net, true)
	n.db.Handle(ffs[0].hash, message(t, i2np.DatabaseSearchReply{Key: target.hash, From: ffs[0].hash, Peers: []data.Hash{stranger.hash}}))
	// The stranger is looked up in turn.
	waitFor(t, "stranger lookup", func() bool { return n.db.Stats().LookupsStarted >= 2 })
	n.db.Handle(ffs[1].hash, storeMsg(t, target.ri, 0, 0, data.Hash{}))
	wg.Wait()
	for i := range results {
		if errs[i] != nil || results[i] == nil || results[i].Hash() != target.hash {
			t.Fatalf("lookup %d: %v", i, errs[i])
		}
	}
	if s := n.db.Stats(); s.LookupsSucceeded != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestLookupNotFound(t *testing.T) {
	net, clk := newFakeNet(), clocktest.New(t0)
	n := newNode(t, net, clk, nodeOpts{})
	ff := newPeer(t, net, true)
	must(t, n.db.Add(ff.ri))
	startNode(t, n)
	var key data.Hash
	key[5] = 1
	done := make(chan error, 1)
	go func() {
		_, err := n.db.Lookup(context.Background(), key)
		done <- err
	}()
	ff.next(t, i2np.TypeDatabaseLookup)
	// Silence: the query times out and no floodfill is left.
	var err error
	advanceUntil(t, clk, time.Second, "lookup failure", func() bool {
		select {
		case err = <-done:
			return true
		default:
			return false
		}
	})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
	// Without floodfills a lookup fails at once; after Close, with ErrClosed.
	empty := newNode(t, net, clk, nodeOpts{})
	startNode(t, empty)
	if _, err := empty.db.Lookup(context.Background(), key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
	must(t, empty.db.Close())
	if _, err := empty.db.Lookup(context.Background(), key); !errors.Is(err, ErrClosed) {
		t.Fatalf("after close: %v", err)
	}
}

func TestExpiry(t *testing.T) {
	net, clk := newFakeNet(), clocktest.New(t0)
	n := newNode(t, net, clk, nodeOpts{cfg: func(c *Config) { c.MinRouters = 5; c.MinFloodfills = 1 }})
	startNode(t, n)
	var fresh, old []*testRouter
	for range 4 {
		r := newTestRouter(t, t0, riOpts{})
		must(t, n.db.Add(r.ri))
		fresh = append(fresh, r)
	}
	for range 4 {
		r := newTestRouter(t, t0.Add(-20*time.Hour), riOpts{})
		must(t, n.db.Add(r.ri))
		old = append(old, r)
	}
	bad := newTestRouter(t, t0, riOpts{})
	must(t, n.db.Add(bad.ri))
	n.db.MarkBad(bad.hash)

	// Early uptime: only the bad router goes.
	n.db.expireNow(t0.Add(5 * time.Minute))
	if _, ok := n.db.RouterInfo(bad.hash); ok {
		t.Fatal("bad router kept")
	}
	if got := n.db.Stats().KnownRouters; got != 8 {
		t.Fatalf("%d routers", got)
	}
	// After an hour of uptime with 8 routers and MinRouters 5, the limit
	// is 90 min + (27 h - 90 min) * 5/8, about 17 h: the 21-hour-old ones
	// go, but never below MinRouters.
	n.db.expireNow(t0.Add(time.Hour + time.Minute))
	if got := n.db.Stats().KnownRouters; got != 5 {
		t.Fatalf("%d routers left, want 5", got)
	}
	for _, r := range fresh {
		if _, ok := n.db.RouterInfo(r.hash); !ok {
			t.Fatal("fresh router expired")
		}
	}
	// A floodfill node keeps only an hour.
	ffn := newNode(t, net, clk, nodeOpts{floodfill: true, cfg: func(c *Config) { c.MinRouters = 1 }})
	startNode(t, ffn)
	for _, r := range append(fresh, old...) {
		must(t, ffn.db.Add(r.ri))
	}
	ffn.db.expireNow(t0.Add(70 * time.Minute))
	if got := ffn.db.Stats().KnownRouters; got != 1 {
		t.Fatalf("floodfill kept %d", got)
	}
}

// flakyReseeder fails until it has been called fails times.
type flakyReseeder struct {
	fails int
	raws  [][]byte
	calls atomic.Int32
	mu    sync.Mutex
	times []time.Time
	clk   *clocktest.Fake
}

func (r *flakyReseeder) Reseed(ctx context.Context) ([][]byte, error) {
	r.mu.Lock()
	r.times = append(r.times, r.clk.Now())
	r.mu.Unlock()
	if int(r.calls.Add(1)) <= r.fails {
		return nil, errors.New("all reseed servers failed")
	}
	return r.raws, nil
}

func TestReseedBackoff(t *testing.T) {
	net, clk := newFakeNet(), clocktest.New(t0)
	rs := &flakyReseeder{fails: 7, clk: clk}
	for range 4 {
		rs.raws = append(rs.raws, newTestRouter(t, t0, riOpts{floodfill: true}).ri.Bytes())
	}
	rs.raws = append(rs.raws, []byte("junk"))
	n := newNode(t, net, clk, nodeOpts{cfg: func(c *Config) { c.Reseeder = rs; c.MinRouters = 3 }})
	startNode(t, n)
	advanceUntil(t, clk, 2*time.Second, "reseed", func() bool { return n.db.Stats().KnownRouters == 4 })
	rs.mu.Lock()
	times := append([]time.Time(nil), rs.times...)
	rs.mu.Unlock()
	if len(times) != 8 {
		t.Fatalf("%d reseed calls", len(times))
	}
	want := []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second,
		160 * time.Second, 300 * time.Second, 300 * time.Second}
	for i, w := range want {
		if d := times[i+1].Sub(times[i]); d < w || d > w+4*time.Second {
			t.Errorf("gap %d = %v, want %v", i, d, w)
		}
	}
	if s := n.db.Stats(); s.Reseeds != 8 || s.ReseedFailures != 7 || s.Floodfills != 4 {
		t.Fatalf("stats %+v", s)
	}
	// Big enough now: no more reseeds.
	clk.Advance(time.Hour)
	time.Sleep(10 * time.Millisecond)
	if rs.calls.Load() != 8 {
		t.Fatalf("reseeded again: %d", rs.calls.Load())
	}
}

func TestMalformedStoresIgnored(t *testing.T) {
	net, clk := newFakeNet(), clocktest.New(t0)
	n := newNode(t, net, clk, nodeOpts{floodfill: true})
	startNode(t, n)
	evil := newTestRouter(t, t0, riOpts{})
	good := newTestRouter(t, t0, riOpts{})
	lan := newTestRouter(t, t0, riOpts{host: "192.168.1.1"})
	big := make([]byte, 64<<10-100)
	gzBig, err := i2np.CompressRouterInfo(big)
	must(t, err)
	tampered := storeMsg(t, good.ri, 0, 0, data.Hash{})
	tampered.Payload[len(tampered.Payload)-30] ^= 0x55
	msgs := []i2np.Message{
		{Type: i2np.TypeDatabaseStore, Payload: []byte{1, 2, 3}},
		{Type: i2np.TypeDatabaseStore, Payload: big},
		message(t, i2np.DatabaseStore{Key: good.hash, Data: gzBig}),
		message(t, i2np.DatabaseStore{Key: good.hash, StoreType: i2np.StoreLeaseSet2, Data: []byte("x")}),
		storeMsg(t, evil.sign(t, t0.Add(time.Hour), riOpts{}), 1, 0, evil.hash),
		storeMsg(t, lan.ri, 1, 0, evil.hash),
		tampered,
		{Type: i2np.TypeDatabaseLookup, Payload: []byte{9}},
		{Type: i2np.TypeDatabaseSearchReply, Payload: big},
	}
	for _, m := range msgs {
		if !n.db.Handle(evil.hash, m) {
			t.Fatal("netdb message not claimed")
		}
	}
	if n.db.Handle(evil.hash, i2np.Message{Type: i2np.TypeDeliveryStatus, Payload: []byte{1}}) {
		t.Fatal("malformed DeliveryStatus claimed")
	}
	if n.db.Handle(evil.hash, i2np.Message{Type: i2np.TypeGarlic}) {
		t.Fatal("garlic claimed")
	}
	n.db.Handle(good.hash, storeMsg(t, good.ri, 0, 0, data.Hash{}))
	waitFor(t, "good store", func() bool { _, ok := n.db.RouterInfo(good.hash); return ok })
	if s := n.db.Stats(); s.KnownRouters != 1 || s.StoresRejected != 7 {
		t.Fatalf("stats %+v", s)
	}
}

func TestPersistence(t *testing.T) {
	net, clk := newFakeNet(), clocktest.New(t0)
	st := store.NewMemory()
	defer st.Close()
	cfg := func(c *Config) { c.Store = st }
	n := newNode(t, net, clk, nodeOpts{cfg: cfg})
	must(t, n.db.Start())
	var rs []*testRouter
	for range 3 {
		r := newTestRouter(t, t0, riOpts{})
		must(t, n.db.Add(r.ri))
		rs = append(rs, r)
	}
	// Another network's entry and garbage, as if written by an older run.
	alien := newTestRouter(t, t0, riOpts{netID: "99"})
	must(t, st.Update(func(tx store.Tx) error {
		b := tx.Bucket(Bucket)
		must(t, b.Put(alien.hash[:], alien.ri.Bytes()))
		return b.Put([]byte("junk"), []byte("junk"))
	}))
	must(t, n.db.Close())

	clk.Advance(time.Hour)
	m := newNode(t, net, clk, nodeOpts{cfg: cfg})
	startNode(t, m)
	if got := m.db.Stats().KnownRouters; got != 3 {
		t.Fatalf("loaded %d routers", got)
	}
	for _, r := range rs {
		if _, ok := m.db.RouterInfo(r.hash); !ok {
			t.Fatal("router not loaded")
		}
	}
	must(t, m.db.Close())
	var left int
	must(t, st.View(func(tx store.Tx) error { left = tx.Bucket(Bucket).Len(); return nil }))
	if left != 3 {
		t.Fatalf("%d entries left in the store", left)
	}
}

// A small database whose peers keep talking is a small network: no reseed. When
// every peer falls silent for reseedGrace, it reseeds.
func TestNoReseedWhileSmallNetworkAnswers(t *testing.T) {
	net, clk := newFakeNet(), clocktest.New(t0)
	rs := &flakyReseeder{clk: clk}
	peer := newTestRouter(t, t0, riOpts{floodfill: true})
	rs.raws = [][]byte{newTestRouter(t, t0, riOpts{floodfill: true}).ri.Bytes()}
	n := newNode(t, net, clk, nodeOpts{cfg: func(c *Config) { c.Reseeder = rs; c.MinRouters = 10 }})
	must(t, n.db.Add(peer.ri))
	startNode(t, n)
	var last time.Time
	for range 10 { // five minutes of a peer storing its RouterInfo every 30 s
		last = clk.Now()
		if !n.db.Handle(peer.hash, storeMsg(t, peer.ri, 0, 0, data.Hash{})) {
			t.Fatal("store not claimed")
		}
		clk.Advance(30 * time.Second)
		time.Sleep(time.Millisecond)
	}
	if c := rs.calls.Load(); c != 0 {
		t.Fatalf("reseeded %d times while peers answered", c)
	}
	advanceUntil(t, clk, 5*time.Second, "reseed after silence", func() bool { return rs.calls.Load() > 0 })
	rs.mu.Lock()
	at := rs.times[0]
	rs.mu.Unlock()
	if d := at.Sub(last); d < reseedGrace {
		t.Errorf("reseeded after %v of silence, want at least %v", d, reseedGrace)
	}
}

// TestPersistOnlyChanges checks that a RouterInfo republished with the same
// addresses and caps is not rewritten until the stored copy gets old, while
// a changed one is, at most once per persistMinAge.
func TestPersistOnlyChanges(t *testing.T) {
	net, clk := newFakeNet(), clocktest.New(t0)
	st := store.NewMemory()
	defer st.Close()
	n := newNode(t, net, clk, nodeOpts{cfg: func(c *Config) { c.Store = st }})
	must(t, n.db.Start())
	defer n.db.Close()
	r := newTestRouter(t, t0, riOpts{host: "45.9.9.1"})
	step := func(what string, after time.Duration, o riOpts, wantWrite bool) {
		t.Helper()
		clk.Advance(after)
		ri := r.sign(t, clk.Now(), o)
		must(t, n.db.Add(ri))
		if got, ok := n.db.RouterInfo(r.hash); !ok || got.PublishedDate() != ri.PublishedDate() {
			t.Fatalf("%s: the table does not hold the new routerinfo", what)
		}
		v, _, pending := n.db.batch.Lookup(Bucket, r.hash[:])
		if pending != wantWrite || (pending && !bytes.Equal(v, ri.Bytes())) {
			t.Errorf("%s: write pending %v, want %v", what, pending, wantWrite)
		}
		must(t, n.db.batch.Flush())
	}
	step("new router", 0, riOpts{host: "45.9.9.1"}, true)
	step("republished unchanged", 2*time.Hour, riOpts{host: "45.9.9.1"}, false)
	step("new address", 30*time.Minute, riOpts{host: "45.9.9.2"}, true)
	step("changed again within persistMinAge", 30*time.Minute, riOpts{host: "45.9.9.3"}, false)
	step("changed, persistMinAge later", 31*time.Minute, riOpts{host: "45.9.9.3"}, true)
	step("new caps", 2*time.Hour, riOpts{host: "45.9.9.3", caps: "XfR"}, true)
	step("unchanged, stored copy 11 h old", 11*time.Hour, riOpts{host: "45.9.9.3", caps: "XfR"}, false)
	step("unchanged, stored copy 13 h old", 2*time.Hour, riOpts{host: "45.9.9.3", caps: "XfR"}, true)

	var stored []byte
	must(t, st.View(func(tx store.Tx) error {
		stored = bytes.Clone(tx.Bucket(Bucket).Get(r.hash[:]))
		return nil
	}))
	if got, _ := n.db.RouterInfo(r.hash); !bytes.Equal(stored, got.Bytes()) {
		t.Error("the store does not hold the last written routerinfo")
	}
}
