package build

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"i2pgate/router/data"
	"i2pgate/router/i2np"
)

var testNow = time.Date(2026, 11, 25, 12, 34, 56, 0, time.UTC)

// runHop lets router r open msg, checks what it reads against the
// creator's plan, and answers with status.
func runHop(t *testing.T, r testRouter, p *Pending, k int, msg i2np.Payload, status Status) i2np.Payload {
	t.Helper()
	want := &p.Hops[k]
	var req *Request
	var keys Keys
	var index int
	var reply func(Status, data.Mapping) (i2np.Payload, error)
	switch m := msg.(type) {
	case i2np.ShortTunnelBuild:
		h, err := OpenShort(r.id, m)
		if err != nil {
			t.Fatalf("hop %d: %v", k, err)
		}
		req, keys, index, reply = &h.Request.Request, h.Keys, h.Index, h.Reply
	case i2np.VariableTunnelBuild:
		h, err := OpenLong(r.id, m)
		if err != nil {
			t.Fatalf("hop %d: %v", k, err)
		}
		req, keys, index, reply = &h.Request.Request, h.Keys, h.Index, h.Reply
	default:
		t.Fatalf("hop %d got %T", k, msg)
	}
	if req.ReceiveTunnel != want.ReceiveTunnel || req.NextTunnel != want.NextTunnel || req.Flags != want.Flags {
		t.Fatalf("hop %d request %+v, plan %+v", k, req, want)
	}
	if index != want.Index || keys != want.Keys {
		t.Fatalf("hop %d: index %d keys differ from the creator's (index %d)", k, index, want.Index)
	}
	if req.RequestTime != uint32(testNow.Unix()/60) || req.Expiration != DefaultExpiration {
		t.Fatalf("hop %d time %d exp %d", k, req.RequestTime, req.Expiration)
	}
	last := k == len(p.Hops)-1
	if last != (req.NextMessageID == p.ReplyMessageID) {
		t.Fatalf("hop %d next message ID %d, reply ID %d", k, req.NextMessageID, p.ReplyMessageID)
	}
	opts := data.Mapping{}
	if status == StatusAccept {
		opts = mapping(t, "b", fmt.Sprint(100+k))
	}
	out, err := reply(status, opts)
	if err != nil {
		t.Fatal(err)
	}
	return wire(t, out)
}

// wire encodes and parses msg as a peer would receive it.
func wire(t *testing.T, msg i2np.Payload) i2np.Payload {
	t.Helper()
	b, err := msg.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := i2np.ParsePayload(msg.Type(), b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFullBuild(t *testing.T) {
	for _, short := range []bool{true, false} {
		for _, inbound := range []bool{false, true} {
			for _, hops := range []int{1, 2, 3, 7, 8} {
				if inbound && hops == 8 {
					continue // 8 hops and our fake record need 9 records
				}
				for _, reject := range []bool{false, true} {
					name := fmt.Sprintf("short=%t/inbound=%t/hops=%d/reject=%t", short, inbound, hops, reject)
					t.Run(name, func(t *testing.T) { fullBuild(t, short, inbound, hops, reject) })
				}
			}
		}
	}
}

func fullBuild(t *testing.T, short, inbound bool, hops int, reject bool) {
	routers := testRouters(t, hops+2, short, uint64(hops))
	path, self, replyGW := routers[:hops], routers[hops], routers[hops+1]
	cfg := Config{Inbound: inbound, Self: self.peer.Hash, ReplyGateway: replyGW.peer.Hash, ReplyTunnel: 4242,
		Now: testNow, Rand: testRand(uint64(100 + hops))}
	for _, r := range path {
		cfg.Hops = append(cfg.Hops, r.peer)
	}
	p, msg, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if p.Short != short || (short && msg.Type() != i2np.TypeShortTunnelBuild) || (!short && msg.Type() != i2np.TypeVariableTunnelBuild) {
		t.Fatalf("message %T for short=%t", msg, short)
	}
	wantRecords := StandardRecords
	if hops+btoi(inbound) > StandardRecords {
		wantRecords = MaxRecords
	}
	if p.Records != wantRecords {
		t.Fatalf("%d records, want %d", p.Records, wantRecords)
	}
	checkPlan(t, p, &cfg)
	statuses := make([]Status, hops)
	if reject {
		for k := range statuses {
			if k%2 == 1 || hops == 1 {
				statuses[k] = StatusBandwidth
			}
		}
	}
	msg = wire(t, msg)
	for k, r := range path {
		msg = runHop(t, r, p, k, msg, statuses[k])
	}
	checkReplyType(t, msg, short, inbound)
	replies, err := p.HandleReply(msg)
	if err != nil {
		t.Fatal(err)
	}
	for k, r := range replies {
		if r.Status != statuses[k] {
			t.Errorf("hop %d status %d, want %d", k, r.Status, statuses[k])
		}
		if v, _ := r.Options.Get("b"); r.Accepted() && v != fmt.Sprint(100+k) {
			t.Errorf("hop %d reply option b=%q", k, v)
		}
	}
	if AllAccepted(replies) != !reject {
		t.Errorf("AllAccepted = %t", !reject)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func checkPlan(t *testing.T, p *Pending, cfg *Config) {
	t.Helper()
	seen := map[int]bool{}
	for k, h := range p.Hops {
		if seen[h.Index] || h.Index < 0 || h.Index >= p.Records {
			t.Fatalf("hop %d index %d", k, h.Index)
		}
		seen[h.Index] = true
		if k > 0 && p.Hops[k-1].NextTunnel != h.ReceiveTunnel {
			t.Fatalf("hop %d tunnel chain broken", k)
		}
	}
	last := p.Hops[len(p.Hops)-1]
	if cfg.Inbound {
		if p.Hops[0].Flags != FlagIBGW || last.NextTunnel != p.EndpointTunnel || p.EndpointTunnel == 0 {
			t.Fatalf("inbound plan: %+v", p.Hops)
		}
		if last.Keys.GarlicKey != ([32]byte{}) {
			t.Fatal("inbound last hop has a garlic key")
		}
	} else {
		if last.Flags != FlagOBEP || last.NextTunnel != cfg.ReplyTunnel || p.Hops[0].Flags&FlagIBGW != 0 {
			t.Fatalf("outbound plan: %+v", p.Hops)
		}
		if p.Short && last.Keys.GarlicKey == ([32]byte{}) {
			t.Fatal("short OBEP has no garlic key")
		}
	}
}

func checkReplyType(t *testing.T, msg i2np.Payload, short, inbound bool) {
	t.Helper()
	var want i2np.Type
	switch {
	case short && inbound:
		want = i2np.TypeShortTunnelBuild
	case short:
		want = i2np.TypeOutboundTunnelBuildReply
	case inbound:
		want = i2np.TypeVariableTunnelBuild
	default:
		want = i2np.TypeVariableTunnelBuildReply
	}
	if msg.Type() != want {
		t.Fatalf("reply type %v, want %v", msg.Type(), want)
	}
}

// buildPair makes a 3-hop build and runs it to the reply.
func buildPair(t *testing.T, short, inbound bool) (*Pending, []testRouter, i2np.Payload, i2np.Payload) {
	t.Helper()
	p, routers, req, reply := buildPairTB(t, short, inbound)
	return p, routers, req, reply
}

// buildPairTB is buildPair for fuzz targets and benchmarks: every hop
// accepts, without the checks of runHop.
func buildPairTB(t testing.TB, short, inbound bool) (*Pending, []testRouter, i2np.Payload, i2np.Payload) {
	t.Helper()
	routers := testRouters(t, 4, short, 7)
	cfg := Config{Inbound: inbound, Self: routers[3].peer.Hash, ReplyGateway: routers[3].peer.Hash, ReplyTunnel: 1,
		Now: testNow, Rand: testRand(8)}
	for _, r := range routers[:3] {
		cfg.Hops = append(cfg.Hops, r.peer)
	}
	p, req, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	msg := req
	for _, r := range routers[:3] {
		if msg, err = hopAccept(r.id, msg); err != nil {
			t.Fatal(err)
		}
	}
	return p, routers, req, msg
}

// hopAccept opens msg as id and accepts.
func hopAccept(id *Identity, msg i2np.Payload) (i2np.Payload, error) {
	switch m := msg.(type) {
	case i2np.ShortTunnelBuild:
		h, err := OpenShort(id, m)
		if err != nil {
			return nil, err
		}
		return h.Reply(StatusAccept, data.Mapping{})
	case i2np.VariableTunnelBuild:
		h, err := OpenLong(id, m)
		if err != nil {
			return nil, err
		}
		return h.Reply(StatusAccept, data.Mapping{})
	}
	return nil, fmt.Errorf("unexpected %T", msg)
}

func TestHopErrors(t *testing.T) {
	p, routers, req, _ := buildPair(t, true, false)
	m := req.(i2np.ShortTunnelBuild)
	first := routers[0]
	idx := p.Hops[0].Index

	if _, err := OpenShort(routers[3].id, m); !errors.Is(err, ErrNotFound) {
		t.Errorf("stranger: %v", err)
	}
	wrongKey := NewIdentity(first.id.Hash, routers[1].id.Key.Private)
	if _, err := OpenShort(wrongKey, m); !errors.Is(err, ErrDecrypt) {
		t.Errorf("wrong key: %v", err)
	}
	for _, off := range []int{16, 47, 48, 150, 217} {
		c := copyShortMsg(m)
		c.Records[idx][off] ^= 1
		if _, err := OpenShort(first.id, c); !errors.Is(err, ErrDecrypt) {
			t.Errorf("flip at %d: %v", off, err)
		}
	}
	// An all-zero ephemeral key is a low-order point.
	c := copyShortMsg(m)
	clear(c.Records[idx][16:48])
	if _, err := OpenShort(first.id, c); !errors.Is(err, ErrDecrypt) {
		t.Errorf("zero ephemeral: %v", err)
	}
	if _, err := OpenShort(first.id, i2np.ShortTunnelBuild{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("empty message: %v", err)
	}
	if _, err := OpenLong(first.id, i2np.VariableTunnelBuild{Records: make([]i2np.BuildRecord, 2)}); !errors.Is(err, ErrNotFound) {
		t.Errorf("long: %v", err)
	}
}

// TestHopRefuses checks requests that decrypt but that a hop must refuse.
func TestHopRefuses(t *testing.T) {
	routers := testRouters(t, 1, true, 5)
	id := routers[0].id
	seal := func(plain []byte, size int) []byte {
		eph := NewIdentity(data.Hash{}, [32]byte{9}).Key
		rec := make([]byte, size)
		copy(rec, id.Hash[:16])
		if _, err := sealRecord(rec, &id.Key.Public, &eph, plain); err != nil {
			t.Fatal(err)
		}
		return rec
	}
	short := func(r ShortRequest) i2np.ShortTunnelBuild {
		plain, err := r.Append(nil)
		if err != nil {
			t.Fatal(err)
		}
		var rec i2np.ShortBuildRecord
		copy(rec[:], seal(plain, len(rec)))
		return i2np.ShortTunnelBuild{Records: []i2np.ShortBuildRecord{rec}}
	}
	base := Request{ReceiveTunnel: 1, NextTunnel: 2, NextRouter: data.Hash{7}}
	if _, err := OpenShort(id, short(ShortRequest{Request: base})); err != nil {
		t.Fatalf("valid: %v", err)
	}
	if _, err := OpenShort(id, short(ShortRequest{Request: base, LayerEncryption: 1})); !errors.Is(err, ErrUnsupported) {
		t.Errorf("ChaCha layer: %v", err)
	}
	loop := base
	loop.NextRouter = id.Hash
	if _, err := OpenShort(id, short(ShortRequest{Request: loop})); !errors.Is(err, ErrInvalid) {
		t.Errorf("next router is us: %v", err)
	}
	loop.Flags = FlagOBEP // an OBEP may be its own reply gateway
	if _, err := OpenShort(id, short(ShortRequest{Request: loop})); err != nil {
		t.Errorf("OBEP replying to itself: %v", err)
	}
	// A cleartext that decrypts but does not parse.
	bad := make([]byte, ShortRequestSize)
	var rec i2np.ShortBuildRecord
	copy(rec[:], seal(bad, len(rec)))
	if _, err := OpenShort(id, i2np.ShortTunnelBuild{Records: []i2np.ShortBuildRecord{rec}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("zero cleartext: %v", err)
	}
	var long i2np.BuildRecord
	copy(long[:], seal(make([]byte, LongRequestSize), len(long)))
	if _, err := OpenLong(id, i2np.VariableTunnelBuild{Records: []i2np.BuildRecord{long}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("long zero cleartext: %v", err)
	}
}

func copyShortMsg(m i2np.ShortTunnelBuild) i2np.ShortTunnelBuild {
	return i2np.ShortTunnelBuild{Records: append([]i2np.ShortBuildRecord(nil), m.Records...)}
}

func TestReplyErrors(t *testing.T) {
	for _, short := range []bool{true, false} {
		for _, inbound := range []bool{false, true} {
			t.Run(fmt.Sprintf("short=%t/inbound=%t", short, inbound), func(t *testing.T) {
				replyErrors(t, short, inbound)
			})
		}
	}
}

func replyErrors(t *testing.T, short, inbound bool) {
	p, _, req, reply := buildPair(t, short, inbound)
	if _, err := p.HandleReply(reply); err != nil {
		t.Fatal(err)
	}
	// Each hop's reply record, flipped, fails the whole reply.
	for k, h := range p.Hops {
		bad := flip(reply, h.Index, 100)
		if _, err := p.HandleReply(bad); !errors.Is(err, ErrDecrypt) {
			t.Errorf("hop %d flipped: %v", k, err)
		}
	}
	if inbound {
		if _, err := p.HandleReply(flip(reply, p.selfIndex, 3)); !errors.Is(err, ErrTampered) {
			t.Errorf("fake record modified: %v", err)
		}
	}
	// The request itself is no reply.
	if _, err := p.HandleReply(req); err == nil {
		t.Error("request accepted as reply")
	}
	if _, err := p.HandleReply(i2np.DeliveryStatus{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("wrong type: %v", err)
	}
	if _, err := p.HandleReply(i2np.OutboundTunnelBuildReply{Records: make([]i2np.ShortBuildRecord, 2)}); !errors.Is(err, ErrInvalid) {
		t.Errorf("wrong count: %v", err)
	}
	if _, err := p.HandleReply(i2np.VariableTunnelBuildReply{Records: make([]i2np.BuildRecord, p.Records)}); short && !errors.Is(err, ErrInvalid) {
		t.Errorf("long reply to a short build: %v", err)
	}
	// Errors left p intact.
	if _, err := p.HandleReply(reply); err != nil {
		t.Fatalf("after errors: %v", err)
	}
}

// flip returns msg with one bit of record i flipped at off.
func flip(msg i2np.Payload, i, off int) i2np.Payload {
	switch m := msg.(type) {
	case i2np.ShortTunnelBuild:
		c := copyShortMsg(m)
		c.Records[i][off] ^= 1
		return c
	case i2np.OutboundTunnelBuildReply:
		c := i2np.OutboundTunnelBuildReply{Records: append([]i2np.ShortBuildRecord(nil), m.Records...)}
		c.Records[i][off] ^= 1
		return c
	case i2np.VariableTunnelBuild:
		c := i2np.VariableTunnelBuild{Records: append([]i2np.BuildRecord(nil), m.Records...)}
		c.Records[i][off] ^= 1
		return c
	case i2np.VariableTunnelBuildReply:
		c := i2np.VariableTunnelBuildReply{Records: append([]i2np.BuildRecord(nil), m.Records...)}
		c.Records[i][off] ^= 1
		return c
	}
	panic(fmt.Sprintf("flip %T", msg))
}

func TestConfigErrors(t *testing.T) {
	routers := testRouters(t, 9, true, 1)
	peers := func(n int) []Peer {
		var out []Peer
		for _, r := range routers[:n] {
			out = append(out, r.peer)
		}
		return out
	}
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no hops", Config{ReplyTunnel: 1}},
		{"9 hops", Config{Hops: peers(9), ReplyTunnel: 1}},
		{"8 inbound hops", Config{Hops: peers(8), Inbound: true}},
		{"no reply tunnel", Config{Hops: peers(2)}},
		{"too few records", Config{Hops: peers(3), Inbound: true, Records: 3}},
		{"too many records", Config{Hops: peers(3), ReplyTunnel: 1, Records: 9}},
		{"low-order hop key", Config{Hops: []Peer{{Short: true}}, ReplyTunnel: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Rand = testRand(1)
			if _, _, err := New(tc.cfg); err == nil {
				t.Fatal("no error")
			}
		})
	}
	// Mixed hops fall back to long records.
	mixed := peers(2)
	mixed[1].Short = false
	p, msg, err := New(Config{Hops: mixed, ReplyTunnel: 1, Records: 2, Rand: testRand(2)})
	if err != nil || p.Short || msg.Type() != i2np.TypeVariableTunnelBuild || p.Records != 2 {
		t.Fatalf("mixed: %v %T", err, msg)
	}
}

// TestShuffleUniform checks that every hop lands in every slot.
func TestShuffleUniform(t *testing.T) {
	rnd := testRand(3)
	var counts [8][8]int
	for range 4000 {
		perm, err := shuffle(rnd, 8)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range perm {
			counts[i][v]++
		}
	}
	for i := range counts {
		for v, c := range counts[i] {
			if c < 350 || c > 650 {
				t.Fatalf("slot %d value %d: %d of 4000", i, v, c)
			}
		}
	}
}
