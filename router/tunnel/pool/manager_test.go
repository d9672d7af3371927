package pool

import (
	"bytes"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/tunnel"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func exploratory(length, quantity int) *PoolConfig {
	s := Side{Length: length, Quantity: quantity}
	return &PoolConfig{Inbound: s, Outbound: s}
}

// full reports whether the exploratory pool has its tunnels built and tested.
func full(m *Manager, n int) func() bool {
	return func() bool {
		s := m.Stats()
		return s.ExploratoryIn >= n && s.ExploratoryOut >= n
	}
}

func TestBuildExploratory(t *testing.T) {
	for _, length := range []int{1, 2, 3} {
		t.Run(string(rune('0'+length))+" hops", func(t *testing.T) {
			s := newSimNet(t, 6, Config{Exploratory: exploratory(length, 2)})
			if err := s.mgr.Start(); err != nil {
				t.Fatal(err)
			}
			s.until(time.Minute, "exploratory tunnels not built and tested", full(s.mgr, 2))
			st := s.mgr.Stats()
			if st.BuildsTotal < 4 || st.BuildsFailed != 0 || st.BuildSuccessRate != 1 {
				t.Fatalf("stats %+v", st)
			}
			for _, tn := range append(s.mgr.Exploratory().Inbound(), s.mgr.Exploratory().Outbound()...) {
				hops := tn.Hops()
				if len(hops) != length {
					t.Fatalf("tunnel of %d hops, want %d", len(hops), length)
				}
				seen := map[data.Hash]bool{}
				for _, h := range hops {
					if h == s.self.hash || seen[h] {
						t.Fatalf("hop repeated or self in %x", hops)
					}
					seen[h] = true
					if p, ok := s.mgr.Profiles().Get(h); !ok || p.Agreed == 0 {
						t.Fatalf("hop profile %+v, %t", p, ok)
					}
				}
			}
			s.mu.Lock()
			bad := s.mu.badTags
			s.mu.Unlock()
			if bad != 0 {
				t.Fatalf("%d garlic replies with unregistered tags", bad)
			}
		})
	}
}

func TestSendThroughTunnels(t *testing.T) {
	s := newSimNet(t, 5, Config{Exploratory: exploratory(2, 2)})
	if err := s.mgr.Start(); err != nil {
		t.Fatal(err)
	}
	s.until(time.Minute, "tunnels not ready", full(s.mgr, 2))
	out, ok := s.mgr.Exploratory().Pick(false)
	if !ok {
		t.Fatal("no outbound tunnel")
	}
	in, ok := s.mgr.Exploratory().Pick(true)
	if !ok {
		t.Fatal("no inbound tunnel")
	}
	// A message large enough to be fragmented on both tunnels.
	payload := bytes.Repeat([]byte("i2pgate "), 500)
	msg, err := i2np.NewMessage(i2np.Data{Data: payload}, 4242, s.clk.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	gw := in.Gateway()
	if err := s.mgr.SendThrough(out, msg, tunnel.ToTunnel(gw.Router, gw.TunnelID)); err != nil {
		t.Fatal(err)
	}
	s.quiet()
	var got *i2np.Message
	for _, m := range s.delivered() {
		if m.Type == i2np.TypeData && m.ID == 4242 {
			got = &m
		}
	}
	if got == nil {
		t.Fatal("message did not arrive through the inbound tunnel")
	}
	d, err := i2np.ParseData(got.Payload)
	if err != nil || !bytes.Equal(d.Data, payload) {
		t.Fatalf("arrived changed: %v", err)
	}
	if err := s.mgr.SendThrough(in, msg, tunnel.Local()); err == nil {
		t.Fatal("SendThrough accepted an inbound tunnel")
	}
}

func TestBuildRejected(t *testing.T) {
	s := newSimNet(t, 4, Config{Exploratory: exploratory(2, 2)})
	bad := s.hopList()[0]
	bad.reject.Store(true)
	if err := s.mgr.Start(); err != nil {
		t.Fatal(err)
	}
	// Three good hops remain; tunnels of two hops get built around the
	// refusing one, which is skipped once it has failed.
	s.until(2*time.Minute, "tunnels not built around a refusing hop", full(s.mgr, 2))
	p, ok := s.mgr.Profiles().Get(bad.r.hash)
	if bad.builds.Load() > 0 && (!ok || p.Declined == 0 || p.Agreed != 0) {
		t.Fatalf("refusing hop profile %+v, %t", p, ok)
	}
	if bad.builds.Load() > 0 && s.mgr.Stats().BuildsFailed == 0 {
		t.Fatal("refused build not counted")
	}
	for _, tn := range append(s.mgr.Exploratory().Inbound(), s.mgr.Exploratory().Outbound()...) {
		for _, h := range tn.Hops() {
			if h == bad.r.hash {
				t.Fatal("tunnel through a hop that refused")
			}
		}
	}
}

func TestBuildAllRejectedAndTimeouts(t *testing.T) {
	s := newSimNet(t, 3, Config{Exploratory: exploratory(2, 2)})
	hops := s.hopList()
	hops[0].reject.Store(true)
	hops[1].silent.Store(true)
	hops[2].silent.Store(true)
	if err := s.mgr.Start(); err != nil {
		t.Fatal(err)
	}
	s.until(2*BuildTimeout, "no failed builds", func() bool { return s.mgr.Stats().BuildsFailed >= 3 })
	st := s.mgr.Stats()
	if st.ExploratoryIn+st.ExploratoryOut != 0 || st.BuildSuccessRate != 0 || st.BuildsTotal != st.BuildsFailed {
		t.Fatalf("stats %+v", st)
	}
	timedOut := false
	for _, h := range hops[1:] {
		if p, ok := s.mgr.Profiles().Get(h.r.hash); ok && p.TimedOut > 0 {
			timedOut = true
		}
	}
	if !timedOut {
		t.Fatal("no timeout recorded in the profiles of silent hops")
	}
	// Builds resume once the peers answer again.
	for _, h := range hops {
		h.reject.Store(false)
		h.silent.Store(false)
	}
	s.until(3*time.Minute, "no recovery", full(s.mgr, 2))
}

func TestReplacementBeforeExpiry(t *testing.T) {
	s := newSimNet(t, 5, Config{Exploratory: exploratory(2, 2)})
	if err := s.mgr.Start(); err != nil {
		t.Fatal(err)
	}
	s.until(time.Minute, "tunnels not ready", full(s.mgr, 2))
	first := append(s.mgr.Exploratory().Inbound(), s.mgr.Exploratory().Outbound()...)
	expiry := first[0].Expires()
	for _, tn := range first {
		if tn.Expires().Before(expiry) {
			expiry = tn.Expires()
		}
	}
	// Just before the first expiry, replacements exist and are tested.
	s.step(expiry.Sub(s.clk.Now()) - 5*time.Second)
	if st := s.mgr.Stats(); st.ExploratoryIn < 2 || st.ExploratoryOut < 2 {
		t.Fatalf("stats before expiry %+v", st)
	}
	newer := 0
	for _, tn := range append(s.mgr.Exploratory().Inbound(), s.mgr.Exploratory().Outbound()...) {
		if tn.Created().After(first[0].Created().Add(time.Minute)) {
			newer++
		}
	}
	if newer < 4 {
		t.Fatalf("%d replacement tunnels before expiry, want 4", newer)
	}
	s.step(time.Minute)
	for _, tn := range append(s.mgr.Exploratory().Inbound(), s.mgr.Exploratory().Outbound()...) {
		for _, old := range first {
			if tn == old {
				t.Fatal("expired tunnel still in the pool")
			}
		}
	}
	if st := s.mgr.Stats(); st.ExploratoryIn < 2 || st.ExploratoryOut < 2 || st.TestsFailed != 0 {
		t.Fatalf("stats after expiry %+v", st)
	}
}

func TestFailingTunnelReplaced(t *testing.T) {
	s := newSimNet(t, 6, Config{Exploratory: exploratory(2, 2)})
	if err := s.mgr.Start(); err != nil {
		t.Fatal(err)
	}
	s.until(time.Minute, "tunnels not ready", full(s.mgr, 2))
	victim := s.mgr.Exploratory().Outbound()[0]
	broken := s.hops[victim.Hops()[0]]
	broken.dropData.Store(true)
	s.until(time.Minute, "failing tunnel not removed", func() bool {
		s.mgr.mu.Lock()
		defer s.mgr.mu.Unlock()
		return victim.removed
	})
	if s.mgr.Stats().TestsFailed < MaxTestFailures {
		t.Fatalf("stats %+v", s.mgr.Stats())
	}
	broken.dropData.Store(false)
	s.until(time.Minute, "pool not refilled", full(s.mgr, 2))
}

func TestZeroHopAndClientPools(t *testing.T) {
	s := newSimNet(t, 4, Config{Exploratory: exploratory(0, 2)})
	if err := s.mgr.Start(); err != nil {
		t.Fatal(err)
	}
	s.until(10*time.Second, "zero-hop tunnels not made", full(s.mgr, 2))
	if st := s.mgr.Stats(); st.BuildsTotal != 0 {
		t.Fatalf("zero-hop tunnels counted as builds: %+v", st)
	}
	// Messages through zero-hop tunnels reach us.
	out, _ := s.mgr.Exploratory().Pick(false)
	in, _ := s.mgr.Exploratory().Pick(true)
	msg, err := i2np.NewMessage(i2np.Data{Data: []byte("zero")}, 77, s.clk.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.mgr.SendThrough(out, msg, tunnel.ToTunnel(in.Gateway().Router, in.Gateway().TunnelID)); err != nil {
		t.Fatal(err)
	}
	s.quiet()
	if d := s.delivered(); len(d) != 1 || d[0].ID != 77 {
		t.Fatalf("delivered %v", d)
	}

	side := Side{Length: 1, Quantity: 1, Backup: 1}
	got := make(chan i2np.Message, 4)
	// Build replies through the client's own inbound tunnels come here
	// too, garlic-wrapped: like the router, pass them on.
	deliver := func(m i2np.Message) {
		if m.Type == i2np.TypeGarlic {
			s.deliverLocal(m)
			return
		}
		got <- m
	}
	client := s.mgr.NewClientPool(PoolConfig{Inbound: side, Outbound: side, Deliver: deliver})
	s.until(time.Minute, "client tunnels not built", func() bool {
		st := s.mgr.Stats()
		return st.ClientIn == 2 && st.ClientOut == 2
	})
	// What leaves the client pool's inbound tunnels goes to its Deliver.
	cin, _ := client.Pick(true)
	cout, _ := client.Pick(false)
	msg.ID = 78
	if err := s.mgr.SendThrough(cout, msg, tunnel.ToTunnel(cin.Gateway().Router, cin.Gateway().TunnelID)); err != nil {
		t.Fatal(err)
	}
	s.quiet()
	select {
	case m := <-got:
		if m.ID != 78 {
			t.Fatalf("client pool got message %d", m.ID)
		}
	default:
		t.Fatal("client pool's Deliver got nothing")
	}
	for _, m := range s.delivered() {
		if m.ID == 78 {
			t.Fatal("client message went to the router's Deliver")
		}
	}
	client.Close()
	client.Close()
	if st := s.mgr.Stats(); st.ClientIn != 0 || st.ClientOut != 0 {
		t.Fatalf("closed pool still counted: %+v", st)
	}
	if len(client.Inbound()) != 0 {
		t.Fatal("closed pool has tunnels")
	}
}

func TestProfilesSurviveRestart(t *testing.T) {
	s := newSimNet(t, 3, Config{Exploratory: exploratory(1, 1)})
	if err := s.mgr.Start(); err != nil {
		t.Fatal(err)
	}
	s.until(time.Minute, "tunnels not ready", full(s.mgr, 1))
	if err := s.mgr.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.mgr.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.mgr.Start(); err == nil {
		t.Fatal("Start after Close succeeded")
	}
	again, err := New(Config{Self: s.self.hash, Peers: s.peers, Sender: s, Store: s.db, Clock: s.clk})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	agreed := uint32(0)
	for _, ri := range s.peers {
		if p, ok := again.Profiles().Get(ri.Hash()); ok {
			agreed += p.Agreed
		}
	}
	if agreed < 2 {
		t.Fatalf("reloaded profiles hold %d agreements, want >= 2", agreed)
	}
}

func TestNewRequires(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Fatal("New without Peers and Sender succeeded")
	}
}

func TestLongRecordBuilds(t *testing.T) {
	// Hops older than 0.9.51 get VariableTunnelBuild with long records;
	// the outbound endpoint's VariableTunnelBuildReply needs no garlic.
	s := newSimNetVersion(t, 4, "0.9.50", Config{Exploratory: exploratory(2, 2)})
	if err := s.mgr.Start(); err != nil {
		t.Fatal(err)
	}
	s.until(time.Minute, "long-record tunnels not built and tested", full(s.mgr, 2))
	s.mu.Lock()
	tags := len(s.mu.tags)
	s.mu.Unlock()
	if tags != 0 {
		t.Fatalf("%d garlic reply tags registered for long builds", tags)
	}
}

func TestInboundBuildsWrappedThroughOutboundTunnels(t *testing.T) {
	var wraps atomic.Int64
	wrap := func(to *data.RouterInfo, msg i2np.Message) (i2np.Message, error) {
		if msg.Type != i2np.TypeShortTunnelBuild || to == nil {
			t.Errorf("wrapped %v for %v", msg.Type, to)
		}
		wraps.Add(1)
		return sealGarlic([8]byte{}, msg)
	}
	s := newSimNet(t, 5, Config{Exploratory: exploratory(2, 2), WrapBuild: wrap})
	if err := s.mgr.Start(); err != nil {
		t.Fatal(err)
	}
	s.until(time.Minute, "tunnels not ready", full(s.mgr, 2))
	// Replacements of inbound tunnels leave through outbound ones.
	s.step(Lifetime - RebuildBefore + 20*time.Second)
	if wraps.Load() == 0 {
		t.Fatal("no inbound build went through an outbound tunnel")
	}
	if st := s.mgr.Stats(); st.ExploratoryIn < 2 || st.BuildsFailed != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestReceiveInUse(t *testing.T) {
	s := newSimNet(t, 5, Config{Exploratory: exploratory(2, 2)})
	if err := s.mgr.Start(); err != nil {
		t.Fatal(err)
	}
	s.until(time.Minute, "exploratory tunnels not built and tested", full(s.mgr, 2))
	in := s.mgr.Exploratory().Inbound()
	if len(in) == 0 {
		t.Fatal("no inbound tunnels")
	}
	for _, tn := range in {
		if !s.mgr.ReceiveInUse(tn.recv) {
			t.Fatalf("receive id %d of an inbound tunnel not in use", tn.recv)
		}
		if s.mgr.ReceiveInUse(tn.recv ^ 0x5a5a5a5a) {
			t.Fatalf("unrelated id %d in use", tn.recv^0x5a5a5a5a)
		}
	}
	s.mgr.mu.Lock()
	boot := s.mgr.mu.bootstrap
	s.mgr.mu.Unlock()
	if !s.mgr.ReceiveInUse(boot) {
		t.Fatal("bootstrap receive id not in use")
	}
}
