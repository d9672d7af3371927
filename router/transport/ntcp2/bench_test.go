package ntcp2

import (
	"context"
	"testing"

	"i2pgate/router/clock"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/netx/memnet"
	"i2pgate/router/transport"
)

func BenchmarkHandshake(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		p := newPair(b, pairOpts{seed: uint64(i % 16)})
		b.StartTimer()
		if _, err := p.run(nil); err != nil {
			b.Fatal(err)
		}
	}
}

// countHandler counts messages and signals every batch.
type countHandler struct{ got chan struct{} }

func (h *countHandler) HandleMessage(data.Hash, i2np.Message)                  { h.got <- struct{}{} }
func (h *countHandler) HandleRouterInfo(data.Hash, []byte, bool)               {}
func (h *countHandler) SessionEvent(transport.Session, transport.Event, error) {}

func benchmarkDataPhase(b *testing.B, size int) {
	n := memnet.New(memnet.Options{Seed: 1, TCPBuffer: 1 << 20})
	defer n.Close()
	clk := clock.System()
	a := newNode(b, n, "11.0.0.1", 1, clk, func(c *Config) { c.SendQueueSize = 1024 })
	bob := newNode(b, n, "11.0.0.2", 2, clk, nil)
	h := &countHandler{got: make(chan struct{}, 1024)}
	bob.tr.handler = h // count deliveries instead of recording them
	s, err := a.tr.Dial(context.Background(), bob.id.ri)
	if err != nil {
		b.Fatal(err)
	}
	m := testMessage(1, size)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	inflight := 0
	for range b.N {
		for s.Send(m) != nil {
			<-h.got
			inflight--
		}
		inflight++
		for inflight > 512 {
			<-h.got
			inflight--
		}
	}
	for ; inflight > 0; inflight-- {
		<-h.got
	}
	b.StopTimer()
	_ = s.Close(transport.ReasonNormal)
}

func BenchmarkDataPhase1K(b *testing.B)  { benchmarkDataPhase(b, 1024) }
func BenchmarkDataPhase16K(b *testing.B) { benchmarkDataPhase(b, 16<<10) }
