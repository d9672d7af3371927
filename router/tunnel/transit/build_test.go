package transit

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	"i2pgate/router/crypto"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/tunnel/build"
)

// path is a tunnel to build through simulated routers and ours.
type path struct {
	hops    []testRouter
	inbound bool
	long    bool
	creator testRouter
	replyGW testRouter // outbound only
	// statuses of simulated hops; default accept.
	status map[int]build.Status
}

// run builds the tunnel: the creator's message passes every hop in
// turn, our Manager answering its own records, and the reply comes back
// to the creator. It returns the creator's view and the hops' replies.
func (e *env) run(t testing.TB, pt path) (*build.Pending, []build.Reply) {
	t.Helper()
	peers := make([]build.Peer, len(pt.hops))
	for i, h := range pt.hops {
		peers[i] = h.peer
		if pt.long {
			peers[i] = h.long()
		}
	}
	var gw data.Hash
	if pt.replyGW.id != nil {
		gw = pt.replyGW.id.Hash
	}
	p, cur, err := build.New(build.Config{
		Hops: peers, Inbound: pt.inbound, Self: pt.creator.id.Hash,
		ReplyGateway: gw, ReplyTunnel: 4242, Now: e.clk.Now(),
	})
	if err != nil {
		t.Fatal(err)
	}
	from := pt.creator.id.Hash
	for k, h := range pt.hops {
		if h.id != e.self.id {
			cur, _, _ = hopReply(t, h, cur, pt.status[k])
			from = h.id.Hash
			continue
		}
		if !e.m.HandleBuild(from, e.msgOf(t, cur, rand.Uint32())) {
			t.Fatalf("hop %d: build message not handled", k)
		}
		s := e.sender.next(t)
		cur = e.checkForward(t, pt, p, k, s)
		from = h.id.Hash
	}
	replies, err := p.HandleReply(cur)
	if err != nil {
		t.Fatal(err)
	}
	return p, replies
}

// checkForward checks where our Manager sent the build message of hop k
// and returns it as the next hop receives it.
func (e *env) checkForward(t testing.TB, pt path, p *build.Pending, k int, s sent) i2np.Payload {
	t.Helper()
	last := k == len(pt.hops)-1
	switch {
	case !last:
		if s.to != pt.hops[k+1].id.Hash {
			t.Fatalf("hop %d sent to %x, want hop %d", k, s.to[:4], k+1)
		}
	case pt.inbound:
		if s.to != pt.creator.id.Hash || s.msg.ID != p.ReplyMessageID {
			t.Fatalf("last inbound hop sent id %d to %x", s.msg.ID, s.to[:4])
		}
	default:
		return e.checkEndpointReply(t, pt, p, k, s)
	}
	want := i2np.TypeShortTunnelBuild
	if pt.long {
		want = i2np.TypeVariableTunnelBuild
	}
	if s.msg.Type != want {
		t.Fatalf("hop %d sent %v", k, s.msg.Type)
	}
	return decode(t, s.msg)
}

// checkEndpointReply checks the OBEP's reply: a TunnelGateway for the
// reply tunnel at the reply gateway, carrying the (garlic-wrapped, for
// short builds) reply message with the reply id.
func (e *env) checkEndpointReply(t testing.TB, pt path, p *build.Pending, k int, s sent) i2np.Payload {
	t.Helper()
	if s.to != pt.replyGW.id.Hash || s.msg.Type != i2np.TypeTunnelGateway {
		t.Fatalf("OBEP sent %v to %x", s.msg.Type, s.to[:4])
	}
	tg := decode(t, s.msg).(i2np.TunnelGateway)
	if tg.TunnelID != 4242 {
		t.Fatalf("reply tunnel %d", tg.TunnelID)
	}
	inner, err := tg.Inner()
	if err != nil {
		t.Fatal(err)
	}
	want := i2np.TypeVariableTunnelBuildReply
	if !pt.long {
		want = i2np.TypeOutboundTunnelBuildReply
		var key [32]byte
		var tag [build.GarlicTagSize]byte
		key, tag, inner = unwrap(t, inner)
		if key != p.Hops[k].Keys.GarlicKey || tag != p.Hops[k].Keys.GarlicTag {
			t.Fatal("reply wrapped with the wrong key or tag")
		}
	}
	if inner.Type != want || inner.ID != p.ReplyMessageID {
		t.Fatalf("OBEP reply %v id %d, want %v id %d", inner.Type, inner.ID, want, p.ReplyMessageID)
	}
	return decode(t, inner)
}

func statuses(rs []build.Reply) []build.Status {
	out := make([]build.Status, len(rs))
	for i, r := range rs {
		out[i] = r.Status
	}
	return out
}

func TestBuildAccept(t *testing.T) {
	cases := []struct {
		name    string
		n       int
		ours    []int
		inbound bool
		long    bool
		role    []Role
	}{
		{"outbound 1 hop OBEP", 1, []int{0}, false, false, []Role{RoleOutboundEndpoint}},
		{"inbound 1 hop IBGW", 1, []int{0}, true, false, []Role{RoleInboundGateway}},
		{"outbound 3 hops middle", 3, []int{1}, false, false, []Role{RoleParticipant}},
		{"outbound 3 hops first", 3, []int{0}, false, false, []Role{RoleParticipant}},
		{"outbound 3 hops OBEP", 3, []int{2}, false, false, []Role{RoleOutboundEndpoint}},
		{"inbound 3 hops IBGW", 3, []int{0}, true, false, []Role{RoleInboundGateway}},
		{"inbound 3 hops last", 3, []int{2}, true, false, []Role{RoleParticipant}},
		{"outbound hops 1 and 3", 3, []int{0, 2}, false, false, []Role{RoleParticipant, RoleOutboundEndpoint}},
		{"inbound hops 1 and 3", 3, []int{0, 2}, true, false, []Role{RoleInboundGateway, RoleParticipant}},
		{"long outbound OBEP", 2, []int{1}, false, true, []Role{RoleOutboundEndpoint}},
		{"long inbound IBGW", 2, []int{0}, true, true, []Role{RoleInboundGateway}},
		{"long outbound hops 1 and 3", 3, []int{0, 2}, false, true, []Role{RoleParticipant, RoleOutboundEndpoint}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, nil)
			pt := path{creator: newRouter(t), replyGW: newRouter(t), inbound: c.inbound, long: c.long}
			for range c.n {
				pt.hops = append(pt.hops, newRouter(t))
			}
			for _, i := range c.ours {
				pt.hops[i] = e.self
			}
			p, replies := e.run(t, pt)
			if !build.AllAccepted(replies) {
				t.Fatalf("replies %v", statuses(replies))
			}
			list := e.m.Tunnels()
			if len(list) != len(c.ours) {
				t.Fatalf("%d transit tunnels, want %d", len(list), len(c.ours))
			}
			for j, i := range c.ours {
				info := findTunnel(t, list, p.Hops[i].ReceiveTunnel)
				if info.Role != c.role[j] || info.Next.TunnelID != p.Hops[i].NextTunnel {
					t.Fatalf("hop %d: %+v", i, info)
				}
				if !info.Expires.Equal(e.clk.Now().Add(Lifetime)) {
					t.Fatalf("expires %v", info.Expires)
				}
			}
			if s := e.m.Stats(); s.Accepted != uint64(len(c.ours)) || s.Tunnels != len(c.ours) {
				t.Fatalf("stats %+v", s)
			}
		})
	}
}

func findTunnel(t *testing.T, list []Info, id uint32) Info {
	t.Helper()
	for _, i := range list {
		if i.ReceiveTunnel == id {
			return i
		}
	}
	t.Fatalf("no transit tunnel %d", id)
	return Info{}
}

// oneHop builds an inbound tunnel whose only hop is us and returns our
// status.
func (e *env) oneHop(t *testing.T) build.Status {
	t.Helper()
	_, replies := e.run(t, path{hops: []testRouter{e.self}, inbound: true, creator: newRouter(t)})
	return replies[0].Status
}

func TestBuildLimits(t *testing.T) {
	cases := []struct {
		name   string
		tweak  func(*Config)
		accept int
		check  func(Stats) bool
	}{
		{"disabled", func(c *Config) { c.MaxTunnels = -1 }, 0, func(s Stats) bool { return s.Rejected.Disabled == 2 }},
		{"full", func(c *Config) { c.MaxTunnels = 1 }, 1, func(s Stats) bool { return s.Rejected.Full == 1 }},
		{"memory", func(c *Config) { c.MemoryBudget = CostInboundGateway * ReassemblyShare / (ReassemblyShare - 1) }, 1, func(s Stats) bool { return s.Rejected.Memory == 1 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, c.tweak)
			for i := range 2 {
				got := e.oneHop(t)
				want := build.StatusBandwidth
				if i < c.accept {
					want = build.StatusAccept
				}
				if got != want {
					t.Fatalf("request %d: status %d, want %d", i, got, want)
				}
			}
			if s := e.m.Stats(); !c.check(s) || s.Tunnels != c.accept || s.Rejected.Total() != uint64(2-c.accept) {
				t.Fatalf("stats %+v", s)
			}
		})
	}
}

func TestBuildTunnelIDInUse(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.InUse = func(uint32) bool { return true } })
	if got := e.oneHop(t); got != build.StatusBandwidth {
		t.Fatalf("status %d", got)
	}
	// The same request twice: the receive tunnel id is taken the second
	// time.
	e2 := newEnv(t, nil)
	creator := newRouter(t)
	_, msg, err := build.New(build.Config{Hops: []build.Peer{e2.self.peer}, Inbound: true, Self: creator.id.Hash, Now: e2.clk.Now()})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		e2.m.HandleBuild(creator.id.Hash, e2.msgOf(t, msg, 1))
		e2.sender.next(t)
	}
	if s := e2.m.Stats(); s.Accepted != 1 || s.Rejected.TunnelID != 1 || s.Tunnels != 1 {
		t.Fatalf("stats %+v", s)
	}
	if s := e.m.Stats(); s.Rejected.TunnelID != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestBuildRateLimits(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.HopBurst, c.HopRate = 2, 0.001
		c.BuildBurst, c.BuildRate = 3, 0.001
	})
	creator, other := newRouter(t), newRouter(t)
	req := func(from data.Hash) {
		t.Helper()
		_, msg, err := build.New(build.Config{Hops: []build.Peer{e.self.peer}, Inbound: true, Self: creator.id.Hash, Now: e.clk.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if !e.m.HandleBuild(from, e.msgOf(t, msg, 1)) {
			t.Fatal("not handled")
		}
	}
	req(creator.id.Hash)
	req(creator.id.Hash)
	e.sender.next(t)
	e.sender.next(t)
	req(creator.id.Hash) // previous hop over its rate
	e.sender.none(t)
	req(other.id.Hash) // a different previous hop
	e.sender.next(t)
	req(newRouter(t).id.Hash) // router-wide rate exceeded
	e.sender.none(t)
	s := e.m.Stats()
	if s.Accepted != 3 || s.Dropped.HopLimited != 1 || s.Dropped.RateLimited != 1 || s.Requests != 5 {
		t.Fatalf("stats %+v", s)
	}
	// Tokens come back with time.
	e.clk.Advance(time.Hour)
	req(creator.id.Hash)
	e.sender.next(t)
}

func TestBuildBandwidth(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.ShareKBps = 1 })
	creator := newRouter(t)
	p, replies := e.run(t, path{hops: []testRouter{e.self}, inbound: true, creator: creator})
	if !build.AllAccepted(replies) {
		t.Fatal("first tunnel refused")
	}
	// 3 KB through the gateway exceed 1 KB/s.
	tg, err := i2np.NewTunnelGateway(p.Hops[0].ReceiveTunnel, testMessage(t, 3000, 9))
	if err != nil {
		t.Fatal(err)
	}
	if !e.m.HandleTunnelGateway(creator.id.Hash, tg) {
		t.Fatal("gateway message not handled")
	}
	for range 4 {
		e.sender.next(t)
	}
	if got := e.oneHop(t); got != build.StatusBandwidth {
		t.Fatalf("status %d over the share", got)
	}
	if s := e.m.Stats(); s.Rejected.Bandwidth != 1 || s.RateBps < 1024 {
		t.Fatalf("stats %+v", s)
	}
	e.clk.Advance(3 * time.Second)
	if got := e.oneHop(t); got != build.StatusAccept {
		t.Fatalf("status %d after the burst", got)
	}
}

func TestBuildDropped(t *testing.T) {
	e := newEnv(t, nil)
	creator := newRouter(t)
	mk := func(now time.Time, hops ...build.Peer) i2np.Payload {
		_, msg, err := build.New(build.Config{Hops: hops, Self: creator.id.Hash, ReplyGateway: creator.id.Hash, ReplyTunnel: 1, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		return msg
	}
	now := e.clk.Now()
	other := newRouter(t).peer
	cases := []struct {
		name string
		msg  i2np.Message
		want func(Stats) uint64
	}{
		{"old request", e.msgOf(t, mk(now.Add(-10*time.Minute), e.self.peer), 1), func(s Stats) uint64 { return s.Dropped.Invalid }},
		{"future request", e.msgOf(t, mk(now.Add(6*time.Minute), e.self.peer), 1), func(s Stats) uint64 { return s.Dropped.Invalid }},
		{"adjacent hops", e.msgOf(t, mk(now, e.self.peer, e.self.peer, other), 1), func(s Stats) uint64 { return s.Dropped.Invalid }},
		{"not ours", e.msgOf(t, mk(now, other), 1), func(s Stats) uint64 { return s.Dropped.NotOurs }},
		{"malformed", i2np.Message{Type: i2np.TypeShortTunnelBuild, Expiration: now, Payload: []byte{3, 1, 2}}, func(s Stats) uint64 { return s.Dropped.Malformed }},
		{"expired message", i2np.Message{Type: i2np.TypeShortTunnelBuild, Expiration: now.Add(-time.Hour), Payload: []byte{0}}, func(s Stats) uint64 { return s.Dropped.Malformed }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := c.want(e.m.Stats())
			if !e.m.HandleBuild(creator.id.Hash, c.msg) {
				t.Fatal("not handled")
			}
			e.sender.none(t)
			if got := c.want(e.m.Stats()); got != before+1 {
				t.Fatalf("counter %d, want %d", got, before+1)
			}
		})
	}
	if e.m.HandleBuild(creator.id.Hash, i2np.Message{Type: i2np.TypeTunnelData}) {
		t.Fatal("TunnelData taken as a build message")
	}
	if s := e.m.Stats(); s.Tunnels != 0 || s.Accepted != 0 {
		t.Fatalf("stats %+v", s)
	}
}

// TestBuildForgedPrefix puts a record carrying our prefix in front of
// ours: it is skipped, and the answer leaves it as any other record.
func TestBuildForgedPrefix(t *testing.T) {
	for _, long := range []bool{false, true} {
		e := newEnv(t, nil)
		creator := newRouter(t)
		peer := e.self.peer
		peer.Short = !long
		var p *build.Pending
		var msg i2np.Payload
		for p == nil || p.Hops[0].Index == 0 {
			var err error
			p, msg, err = build.New(build.Config{Hops: []build.Peer{peer}, Inbound: true, Self: creator.id.Hash, Records: 8, Now: e.clk.Now()})
			if err != nil {
				t.Fatal(err)
			}
		}
		// What an honest message would give.
		honest, _, keys := hopReply(t, e.self, msg, build.StatusAccept)
		forged := forge(t, msg, e.self.id.Hash)
		e.m.HandleBuild(creator.id.Hash, e.msgOf(t, forged, 1))
		got := decode(t, e.sender.next(t).msg)
		checkForgedReply(t, keys, honest, got, msg, forged)
		if s := e.m.Stats(); s.Accepted != 1 {
			t.Fatalf("long %v: stats %+v", long, s)
		}
	}
}

// forge puts our prefix on record 0 (not ours) of a copy of msg.
func forge(t *testing.T, msg i2np.Payload, self data.Hash) i2np.Payload {
	t.Helper()
	switch m := msg.(type) {
	case i2np.ShortTunnelBuild:
		out := i2np.ShortTunnelBuild{Records: append([]i2np.ShortBuildRecord(nil), m.Records...)}
		copy(out.Records[0][:], self[:recordPrefixSize])
		return out
	case i2np.VariableTunnelBuild:
		out := i2np.VariableTunnelBuild{Records: append([]i2np.BuildRecord(nil), m.Records...)}
		copy(out.Records[0][:], self[:recordPrefixSize])
		return out
	}
	t.Fatalf("%T", msg)
	return nil
}

// checkForgedReply: every record but 0 equals the honest answer; record 0
// is the honest one processed from the forged input (for short records
// the keystream XOR carries the difference).
func checkForgedReply(t *testing.T, keys build.Keys, honest, got, orig, forged i2np.Payload) {
	t.Helper()
	hb, _ := honest.Append(nil)
	gb, _ := got.Append(nil)
	ob, _ := orig.Append(nil)
	fb, _ := forged.Append(nil)
	if len(hb) != len(gb) {
		t.Fatal("sizes differ")
	}
	recSize := (len(hb) - 1) / int(hb[0])
	for i := range hb {
		inRecord0 := i >= 1 && i < 1+recSize
		if !inRecord0 && hb[i] != gb[i] {
			t.Fatalf("byte %d differs from the honest answer", i)
		}
		if _, short := honest.(i2np.ShortTunnelBuild); short && inRecord0 && hb[i]^gb[i] != ob[i]^fb[i] {
			t.Fatalf("short record 0 byte %d", i)
		}
	}
	if _, short := honest.(i2np.ShortTunnelBuild); !short {
		want := make([]byte, recSize)
		if err := crypto.EncryptCBC(&keys.Reply, &keys.ReplyIV, want, fb[1:1+recSize]); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(want, gb[1:1+recSize]) {
			t.Fatal("long record 0 not encrypted from the forged input")
		}
	}
}
