package transit

import (
	"bytes"
	"testing"
	"time"

	"i2pgate/router/i2np"
	"i2pgate/router/tunnel"
	"i2pgate/router/tunnel/build"
)

func sameMessage(t *testing.T, got, want i2np.Message) {
	t.Helper()
	a, _ := got.AppendStandard(nil)
	b, _ := want.AppendStandard(nil)
	if !bytes.Equal(a, b) {
		t.Fatalf("message %v id %d differs from %v id %d", got.Type, got.ID, want.Type, want.ID)
	}
}

// outbound builds an outbound tunnel of n hops with us at index ours and
// returns the creator's view, the hops and the bodies for msgs.
func (e *env) outbound(t *testing.T, n, ours int) (*build.Pending, []testRouter) {
	t.Helper()
	pt := path{creator: newRouter(t), replyGW: newRouter(t)}
	for range n {
		pt.hops = append(pt.hops, newRouter(t))
	}
	pt.hops[ours] = e.self
	p, replies := e.run(t, pt)
	if !build.AllAccepted(replies) {
		t.Fatal("not accepted")
	}
	return p, pt.hops
}

// gatewayBodies runs msgs through the creator's outbound gateway and the
// simulated hops before ours.
func gatewayBodies(t *testing.T, p *build.Pending, ours int, put func(g *tunnel.OutboundGateway, dst []tunnel.Body) []tunnel.Body) []tunnel.Body {
	t.Helper()
	g := tunnel.NewOutboundGateway(layersOf(p), nil)
	bodies := put(g, nil)
	bodies, err := g.Flush(bodies)
	if err != nil {
		t.Fatal(err)
	}
	for k := range ours {
		part := tunnel.NewParticipant(layerOf(p.Hops[k].Keys), tunnel.Hop{}, nil)
		for i := range bodies {
			if _, err := part.Process(&bodies[i], testNow); err != nil {
				t.Fatal(err)
			}
		}
	}
	return bodies
}

func TestParticipantForwards(t *testing.T) {
	e := newEnv(t, nil)
	p, hops := e.outbound(t, 3, 1)
	msg := testMessage(t, 2500, 99)
	dest := newRouter(t).id.Hash
	bodies := gatewayBodies(t, p, 1, func(g *tunnel.OutboundGateway, dst []tunnel.Body) []tunnel.Body {
		out, err := g.Put(dst, msg, tunnel.ToRouter(dest))
		if err != nil {
			t.Fatal(err)
		}
		return out
	})
	obep := tunnel.NewOutboundEndpoint(layerOf(p.Hops[2].Keys), nil)
	var got []tunnel.Received
	for i := range bodies {
		if !e.m.HandleTunnelData(hops[0].id.Hash, i2np.TunnelData{TunnelID: p.Hops[1].ReceiveTunnel, Data: bodies[i][:]}) {
			t.Fatal("not our tunnel")
		}
		s := e.sender.next(t)
		if s.to != hops[2].id.Hash || s.msg.Type != i2np.TypeTunnelData {
			t.Fatalf("sent %v to %x", s.msg.Type, s.to[:4])
		}
		td := decode(t, s.msg).(i2np.TunnelData)
		if td.TunnelID != p.Hops[2].ReceiveTunnel {
			t.Fatalf("tunnel id %d", td.TunnelID)
		}
		var err error
		if got, err = obep.Handle(got, (*tunnel.Body)(td.Data)); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 1 || got[0].Delivery != tunnel.ToRouter(dest) {
		t.Fatalf("delivered %+v", got)
	}
	sameMessage(t, got[0].Message, msg)
	// A replayed body is dropped.
	before := e.m.Stats().DataDropped
	e.m.HandleTunnelData(hops[0].id.Hash, i2np.TunnelData{TunnelID: p.Hops[1].ReceiveTunnel, Data: bodies[0][:]})
	e.sender.none(t)
	if s := e.m.Stats(); s.DataDropped != before+1 || s.BytesForwarded != uint64(len(bodies))*tunnel.BodySize {
		t.Fatalf("stats %+v", s)
	}
	if info := e.m.Tunnels()[0]; info.Messages != uint64(len(bodies))+1 || info.Bytes != uint64(len(bodies))*tunnel.BodySize {
		t.Fatalf("info %+v", info)
	}
}

func TestEndpointDelivers(t *testing.T) {
	e := newEnv(t, nil)
	p, hops := e.outbound(t, 2, 1)
	router, gw := newRouter(t).id.Hash, newRouter(t).id.Hash
	msgs := []i2np.Message{testMessage(t, 100, 1), testMessage(t, 3000, 2), testMessage(t, 50, 3), testMessage(t, 60, 4)}
	to := []tunnel.Delivery{tunnel.ToRouter(router), tunnel.ToTunnel(gw, 77), tunnel.Local(), tunnel.ToRouter(e.self.id.Hash)}
	bodies := gatewayBodies(t, p, 1, func(g *tunnel.OutboundGateway, dst []tunnel.Body) []tunnel.Body {
		for i := range msgs {
			var err error
			if dst, err = g.Put(dst, msgs[i], to[i]); err != nil {
				t.Fatal(err)
			}
		}
		return dst
	})
	for i := range bodies {
		if !e.m.HandleTunnelData(hops[0].id.Hash, i2np.TunnelData{TunnelID: p.Hops[1].ReceiveTunnel, Data: bodies[i][:]}) {
			t.Fatal("not our tunnel")
		}
	}
	// Two senders run: the order of the two messages is not fixed.
	byTo := map[[32]byte]i2np.Message{}
	for range 2 {
		s := e.sender.next(t)
		byTo[s.to] = s.msg
	}
	sameMessage(t, byTo[router], msgs[0])
	tgm := byTo[gw]
	if tgm.Type != i2np.TypeTunnelGateway {
		t.Fatalf("TUNNEL delivery %v", tgm.Type)
	}
	tg := decode(t, tgm).(i2np.TunnelGateway)
	inner, err := tg.Inner()
	if err != nil || tg.TunnelID != 77 {
		t.Fatalf("tunnel %d: %v", tg.TunnelID, err)
	}
	sameMessage(t, inner, msgs[1])
	for _, want := range msgs[2:] {
		select {
		case got := <-e.local:
			sameMessage(t, got, want)
		case <-time.After(5 * time.Second):
			t.Fatal("no local delivery")
		}
	}
	if st := e.m.Stats(); st.Delivered != 4 || st.OutboundEndpoints != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestInboundGateway(t *testing.T) {
	e := newEnv(t, nil)
	creator, hop2 := newRouter(t), newRouter(t)
	p, replies := e.run(t, path{hops: []testRouter{e.self, hop2}, inbound: true, creator: creator})
	if !build.AllAccepted(replies) {
		t.Fatal("not accepted")
	}
	msg := testMessage(t, 2500, 5)
	tg, err := i2np.NewTunnelGateway(p.Hops[0].ReceiveTunnel, msg)
	if err != nil {
		t.Fatal(err)
	}
	if !e.m.HandleTunnelGateway(newRouter(t).id.Hash, tg) {
		t.Fatal("not our tunnel")
	}
	part := tunnel.NewParticipant(layerOf(p.Hops[1].Keys), tunnel.Hop{}, nil)
	ibep := tunnel.NewInboundEndpoint(layersOf(p), nil)
	var got []tunnel.Received
	for len(got) == 0 {
		s := e.sender.next(t)
		if s.to != hop2.id.Hash || s.msg.Type != i2np.TypeTunnelData {
			t.Fatalf("sent %v to %x", s.msg.Type, s.to[:4])
		}
		td := decode(t, s.msg).(i2np.TunnelData)
		if td.TunnelID != p.Hops[1].ReceiveTunnel {
			t.Fatalf("tunnel id %d", td.TunnelID)
		}
		body := (*tunnel.Body)(td.Data)
		if _, err := part.Process(body, testNow); err != nil {
			t.Fatal(err)
		}
		if got, err = ibep.Handle(got, body); err != nil {
			t.Fatal(err)
		}
	}
	if got[0].Delivery != tunnel.Local() {
		t.Fatalf("delivery %+v", got[0].Delivery)
	}
	sameMessage(t, got[0].Message, msg)
}

func TestDataDropped(t *testing.T) {
	e := newEnv(t, nil)
	p, _ := e.outbound(t, 3, 1)
	part := p.Hops[1].ReceiveTunnel
	creator := newRouter(t)
	p2, _ := e.run(t, path{hops: []testRouter{e.self}, inbound: true, creator: creator})
	ibgw := p2.Hops[0].ReceiveTunnel
	var body tunnel.Body
	tg := func(id uint32, m i2np.Message) i2np.TunnelGateway {
		g, err := i2np.NewTunnelGateway(id, m)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	expired := testMessage(t, 10, 1)
	expired.Expiration = testNow.Add(-time.Hour)
	cases := []struct {
		name string
		do   func() bool
	}{
		{"short body", func() bool {
			return e.m.HandleTunnelData(creator.id.Hash, i2np.TunnelData{TunnelID: part, Data: body[:100]})
		}},
		{"data to gateway", func() bool {
			return e.m.HandleTunnelData(creator.id.Hash, i2np.TunnelData{TunnelID: ibgw, Data: body[:]})
		}},
		{"gateway message to participant", func() bool { return e.m.HandleTunnelGateway(creator.id.Hash, tg(part, testMessage(t, 10, 1))) }},
		{"expired gateway message", func() bool { return e.m.HandleTunnelGateway(creator.id.Hash, tg(ibgw, expired)) }},
		{"malformed gateway message", func() bool {
			return e.m.HandleTunnelGateway(creator.id.Hash, i2np.TunnelGateway{TunnelID: ibgw, Message: []byte{1, 2, 3}})
		}},
	}
	for _, c := range cases {
		before := e.m.Stats().DataDropped
		if !c.do() {
			t.Fatalf("%s: not handled", c.name)
		}
		e.sender.none(t)
		if got := e.m.Stats().DataDropped; got != before+1 {
			t.Fatalf("%s: dropped %d", c.name, got-before)
		}
	}
	if e.m.HandleTunnelData(creator.id.Hash, i2np.TunnelData{TunnelID: 12345, Data: body[:]}) ||
		e.m.HandleTunnelGateway(creator.id.Hash, tg(12345, testMessage(t, 10, 1))) {
		t.Fatal("unknown tunnel taken")
	}
}

func TestExpiry(t *testing.T) {
	e := newEnv(t, nil)
	p, hops := e.outbound(t, 3, 1)
	id := p.Hops[1].ReceiveTunnel
	e.clk.Advance(Lifetime - ManageInterval)
	if s := e.m.Stats(); s.Tunnels != 1 {
		t.Fatalf("expired early: %+v", s)
	}
	e.clk.Advance(2 * ManageInterval)
	deadline := time.Now().Add(5 * time.Second)
	for e.m.Stats().Tunnels != 0 {
		if time.Now().After(deadline) {
			t.Fatal("tunnel not expired")
		}
		time.Sleep(time.Millisecond)
	}
	var body tunnel.Body
	if e.m.HandleTunnelData(hops[0].id.Hash, i2np.TunnelData{TunnelID: id, Data: body[:]}) {
		t.Fatal("expired tunnel still carries data")
	}
	if s := e.m.Stats(); s.Expired != 1 || s.EstimatedMemory != 0 {
		t.Fatalf("stats %+v", s)
	}
}

func TestQueueFullDropsTunnel(t *testing.T) {
	self := newRouter(t)
	sender := newSender()
	clk := e0clock()
	m, err := New(Config{Identity: self.id, Sender: sender, WrapReply: fakeWrap, Clock: clk, QueueSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	creator := newRouter(t)
	for range 2 { // not started: the first answer fills the queue
		_, msg, err := build.New(build.Config{Hops: []build.Peer{self.peer}, Inbound: true, Self: creator.id.Hash, Now: clk.Now()})
		if err != nil {
			t.Fatal(err)
		}
		pm, _ := i2np.NewMessage(msg, 1, clk.Now().Add(time.Second))
		m.HandleBuild(creator.id.Hash, pm)
	}
	if s := m.Stats(); s.Tunnels != 1 || s.Accepted != 1 || s.Dropped.Unsent != 1 || s.MessagesDropped != 1 {
		t.Fatalf("stats %+v", s)
	}
	m.Close()
	m.Close()
	if err := m.Start(); err != nil || m.Stats().Tunnels != 0 {
		t.Fatal("closed manager restarted or kept tunnels")
	}
}

func TestSendFailureCounted(t *testing.T) {
	e := newEnv(t, nil)
	e.sender.mu.Lock()
	e.sender.fail = true
	e.sender.mu.Unlock()
	creator := newRouter(t)
	_, msg, err := build.New(build.Config{Hops: []build.Peer{e.self.peer}, Inbound: true, Self: creator.id.Hash, Now: e.clk.Now()})
	if err != nil {
		t.Fatal(err)
	}
	e.m.HandleBuild(creator.id.Hash, e.msgOf(t, msg, 1))
	deadline := time.Now().Add(5 * time.Second)
	for e.m.Stats().MessagesDropped != 1 {
		if time.Now().After(deadline) {
			t.Fatal("send failure not counted")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestConfigRequired(t *testing.T) {
	self := newRouter(t)
	for _, cfg := range []Config{
		{Sender: newSender(), WrapReply: fakeWrap},
		{Identity: self.id, WrapReply: fakeWrap},
		{Identity: self.id, Sender: newSender()},
	} {
		if _, err := New(cfg); err == nil {
			t.Fatalf("config %+v accepted", cfg)
		}
	}
}
