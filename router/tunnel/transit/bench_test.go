package transit

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"runtime"
	"testing"

	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/tunnel"
	"i2pgate/router/tunnel/build"
)

// addTunnel adds a transit tunnel as an accepted request would.
func addTunnel(tb testing.TB, m *Manager, id uint32, flags build.Flags, next tunnel.Hop) {
	tb.Helper()
	var keys build.Keys
	crand.Read(keys.Layer[:])
	crand.Read(keys.IV[:])
	req := &build.Request{ReceiveTunnel: id, NextTunnel: next.TunnelID, NextRouter: next.Router, Flags: flags}
	if s, _ := m.decide(data.Hash{}, &opened{req: req, keys: keys}, m.cfg.Clock.Now()); s != build.StatusAccept {
		tb.Fatalf("tunnel %d refused", id)
	}
}

// TestIdleTunnelMemory measures the heap held per idle transit tunnel
// over 1000 of them (target: at most 2 KB each).
func TestIdleTunnelMemory(t *testing.T) {
	e := newEnv(t, nil)
	next := tunnel.Hop{Router: newRouter(t).id.Hash, TunnelID: 1}
	const n = 1000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range n {
		addTunnel(t, e.m, uint32(i+1), build.Flags(0), next)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / n
	t.Logf("%d bytes per idle transit tunnel", per)
	if per > 2048 {
		t.Fatalf("%d bytes per idle transit tunnel, want at most 2048", per)
	}
	if s := e.m.Stats(); s.Tunnels != n {
		t.Fatalf("stats %+v", s)
	}
	runtime.KeepAlive(e)
}

type discardSender struct{}

func (discardSender) SendMessage(context.Context, data.Hash, i2np.Message) error { return nil }

// BenchmarkParticipantForward measures the participant data path, from
// TunnelData in to the message queued for the next hop.
func BenchmarkParticipantForward(b *testing.B) {
	self := newRouter(b)
	m, err := New(Config{Identity: self.id, Sender: discardSender{}, WrapReply: fakeWrap, QueueSize: 4096, Workers: 1,
		Filter: i2np.NewDupFilter(i2np.MaxDupFilterCapacity), ShareKBps: -1})
	if err != nil {
		b.Fatal(err)
	}
	m.Start()
	defer m.Close()
	addTunnel(b, m, 7, 0, tunnel.Hop{Router: newRouter(b).id.Hash, TunnelID: 8})
	var body tunnel.Body
	crand.Read(body[:])
	b.SetBytes(tunnel.BodySize)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		binary.BigEndian.PutUint64(body[:], uint64(i)) // a fresh IV
		m.HandleTunnelData(data.Hash{}, i2np.TunnelData{TunnelID: 7, Data: body[:]})
	}
}

// BenchmarkHandleBuild measures opening and answering a one-hop build.
func BenchmarkHandleBuild(b *testing.B) {
	e := newEnv(b, func(c *Config) { c.BuildRate, c.BuildBurst, c.HopRate, c.HopBurst = 1e9, 1e9, 1e9, 1e9 })
	creator := newRouter(b)
	msgs := make([]i2np.Message, 64)
	for i := range msgs {
		_, p, err := build.New(build.Config{Hops: []build.Peer{e.self.peer}, Inbound: true, Self: creator.id.Hash, Now: e.clk.Now()})
		if err != nil {
			b.Fatal(err)
		}
		msgs[i] = e.msgOf(b, p, 1)
	}
	go func() {
		for range e.sender.ch {
		}
	}()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		e.m.HandleBuild(creator.id.Hash, msgs[i%len(msgs)])
	}
	b.StopTimer()
	e.m.Close()
	close(e.sender.ch)
}
