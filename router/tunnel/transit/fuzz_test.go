package transit

import (
	"testing"

	"i2pgate/router/i2np"
	"i2pgate/router/tunnel"
	"i2pgate/router/tunnel/build"
)

// FuzzHandleBuild feeds arbitrary build messages, seeded with real ones
// carrying our record: nothing may panic, and whatever is sent is a
// well-formed message.
func FuzzHandleBuild(f *testing.F) {
	e := newIdleEnv(f, func(c *Config) { c.BuildRate, c.BuildBurst, c.HopRate, c.HopBurst = 1e9, 1e9, 1e9, 1e9 })
	creator := newRouter(f)
	for _, short := range []bool{true, false} {
		for _, inbound := range []bool{true, false} {
			peer := e.self.peer
			peer.Short = short
			_, p, err := build.New(build.Config{Hops: []build.Peer{peer}, Inbound: inbound, Self: creator.id.Hash,
				ReplyGateway: creator.id.Hash, ReplyTunnel: 5, Now: e.clk.Now()})
			if err != nil {
				f.Fatal(err)
			}
			b, _ := p.Append(nil)
			f.Add(uint8(p.Type()), b)
		}
	}
	f.Add(uint8(i2np.TypeShortTunnelBuild), append([]byte{1}, e.self.id.Hash[:]...))
	f.Fuzz(func(t *testing.T, typ uint8, payload []byte) {
		msg := i2np.Message{Type: i2np.Type(typ), ID: 1, Expiration: e.clk.Now(), Payload: payload}
		e.m.HandleBuild(creator.id.Hash, msg)
		e.drain(t)
	})
}

// FuzzHandleTunnelData feeds arbitrary bodies and gateway messages to a
// participant, an OBEP and an IBGW.
func FuzzHandleTunnelData(f *testing.F) {
	e := newIdleEnv(f, func(c *Config) { c.ShareKBps = -1 })
	next := tunnel.Hop{Router: newRouter(f).id.Hash, TunnelID: 9}
	addTunnel(f, e.m, 1, 0, next)
	addTunnel(f, e.m, 2, build.FlagOBEP, next)
	addTunnel(f, e.m, 3, build.FlagIBGW, next)
	var body tunnel.Body
	f.Add(uint8(1), false, body[:])
	f.Add(uint8(2), false, body[:])
	f.Add(uint8(3), true, []byte{})
	m := testMessage(f, 100, 1)
	m.Expiration = e.clk.Now()
	std, _ := m.AppendStandard(nil)
	f.Add(uint8(3), true, std)
	f.Fuzz(func(t *testing.T, id uint8, gateway bool, b []byte) {
		if gateway {
			e.m.HandleTunnelGateway(next.Router, i2np.TunnelGateway{TunnelID: uint32(id), Message: b})
		} else {
			e.m.HandleTunnelData(next.Router, i2np.TunnelData{TunnelID: uint32(id), Data: b})
		}
		e.drain(t)
	})
}

// newIdleEnv is newEnv without starting the Manager: the fuzz targets
// run single-threaded and read the send queue themselves.
func newIdleEnv(tb testing.TB, tweak func(*Config)) *env {
	tb.Helper()
	e := &env{self: newRouter(tb), clk: e0clock(), sender: newSender(), local: make(chan i2np.Message, 64)}
	cfg := Config{Identity: e.self.id, Sender: e.sender, WrapReply: fakeWrap, Clock: e.clk,
		Local: func(m i2np.Message) {
			if _, err := m.AppendStandard(nil); err != nil {
				tb.Errorf("local delivery of a malformed %v: %v", m.Type, err)
			}
		}}
	tweak(&cfg)
	m, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { m.Close() })
	e.m = m
	return e
}

// drain checks that every queued message is well formed.
func (e *env) drain(t *testing.T) {
	for {
		select {
		case o := <-e.m.out:
			if _, err := o.msg.Decode(); err != nil {
				t.Fatalf("sent a malformed %v: %v", o.msg.Type, err)
			}
		default:
			return
		}
	}
}
