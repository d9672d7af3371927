package ntcp2

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"i2pgate/router/clock"
	"i2pgate/router/clock/clocktest"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/netx/memnet"
	"i2pgate/router/transport"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// recorder is a transport.Handler that records what it is given.
type recorder struct {
	msgs   chan i2np.Message
	ris    chan []byte
	events chan event
}

type event struct {
	s   transport.Session
	ev  transport.Event
	err error
}

func newRecorder() *recorder {
	return &recorder{msgs: make(chan i2np.Message, 4096), ris: make(chan []byte, 64), events: make(chan event, 64)}
}

func (r *recorder) HandleMessage(_ data.Hash, m i2np.Message) { r.msgs <- m }
func (r *recorder) HandleRouterInfo(_ data.Hash, ri []byte, _ bool) {
	select {
	case r.ris <- ri:
	default:
	}
}
func (r *recorder) SessionEvent(s transport.Session, ev transport.Event, err error) {
	r.events <- event{s, ev, err}
}

func (r *recorder) waitEvent(t testing.TB, want transport.Event) event {
	t.Helper()
	select {
	case e := <-r.events:
		if e.ev != want {
			t.Fatalf("event %v (%v), want %v", e.ev, e.err, want)
		}
		return e
	case <-time.After(5 * time.Second):
		t.Fatalf("no %v event", want)
	}
	return event{}
}

// node is a transport on a memnet host with its identity and handler.
type node struct {
	tr  *Transport
	id  *testRouter
	rec *recorder
}

func newNode(t testing.TB, n *memnet.Network, ip string, seed uint64, clk clock.Clock, mod func(*Config)) *node {
	t.Helper()
	host := n.Host(ip)
	id := newTestRouter(t, seed, routerOpts{addr: netip.MustParseAddrPort(ip + ":12345"), published: clk.Now()})
	cfg := Config{
		Network: host, Clock: clk, NetID: testNetID,
		StaticKey: id.static.Private, IV: id.iv, RouterHash: id.hash,
		LocalRouterInfo: func() *data.RouterInfo { return id.ri },
		ListenAddr:      ip + ":12345",
	}
	if mod != nil {
		mod(&cfg)
	}
	tr, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	if err := tr.Start(rec); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tr.Close() })
	return &node{tr: tr, id: id, rec: rec}
}

func testMessage(i, size int) i2np.Message {
	p := make([]byte, size)
	for j := range p {
		p[j] = byte(i + j)
	}
	return i2np.Message{Type: i2np.TypeData, ID: uint32(i), Expiration: time.Unix(2000000000, 0), Payload: p}
}

func TestSessionExchange(t *testing.T) {
	n := memnet.New(memnet.Options{Seed: 1})
	defer n.Close()
	clk := clock.System()
	a := newNode(t, n, "11.0.0.1", 1, clk, nil)
	b := newNode(t, n, "11.0.0.2", 2, clk, nil)

	s, err := a.tr.Dial(context.Background(), b.id.ri)
	if err != nil {
		t.Fatal(err)
	}
	a.rec.waitEvent(t, transport.EventEstablished)
	bs := b.rec.waitEvent(t, transport.EventEstablished).s
	if bs.Peer() != a.id.hash || !bs.Inbound() || s.Inbound() || s.Peer() != b.id.hash {
		t.Fatalf("peers %v %v", bs.Peer(), s.Peer())
	}
	select {
	case ri := <-b.rec.ris:
		if !bytes.Equal(ri, a.id.ri.Bytes()) {
			t.Error("message 3 routerinfo differs")
		}
	case <-time.After(time.Second):
		t.Error("no message 3 routerinfo")
	}

	sizes := []int{0, 1, 100, 1024, 16 << 10, i2np.MaxMessageSize - i2np.ShortHeaderSize}
	const count = 300
	var wg sync.WaitGroup
	for _, dir := range []struct {
		from transport.Session
		to   *recorder
	}{{s, b.rec}, {bs, a.rec}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range count {
				m := testMessage(i, sizes[i%len(sizes)])
				for dir.from.Send(m) != nil {
					time.Sleep(time.Millisecond)
				}
			}
		}()
		for i := range count {
			select {
			case got := <-dir.to.msgs:
				want := testMessage(i, sizes[i%len(sizes)])
				if got.ID != want.ID || got.Type != want.Type || !bytes.Equal(got.Payload, want.Payload) || !got.Expiration.Equal(want.Expiration) {
					t.Fatalf("message %d: got id %d len %d", i, got.ID, len(got.Payload))
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("message %d not received", i)
			}
		}
	}
	wg.Wait()

	if err := s.Send(testMessage(0, i2np.MaxMessageSize)); err == nil {
		t.Error("oversized message accepted")
	}
	if err := s.Close(transport.ReasonNormal); err != nil {
		t.Fatal(err)
	}
	if e := a.rec.waitEvent(t, transport.EventClosed); e.err != nil {
		t.Errorf("local close error %v", e.err)
	}
	e := b.rec.waitEvent(t, transport.EventClosed)
	if !errors.Is(e.err, ErrTerminated) {
		t.Errorf("remote close error %v", e.err)
	}
	if err := s.Send(testMessage(1, 1)); !errors.Is(err, transport.ErrClosed) {
		t.Errorf("send after close: %v", err)
	}
}

func TestQueueFull(t *testing.T) {
	n := memnet.New(memnet.Options{Seed: 2, TCPBuffer: 4096})
	defer n.Close()
	clk := clock.System()
	a := newNode(t, n, "11.0.0.1", 1, clk, func(c *Config) { c.SendQueueSize = 4 })
	b := newNode(t, n, "11.0.0.2", 2, clk, nil)
	s, err := a.tr.Dial(context.Background(), b.id.ri)
	if err != nil {
		t.Fatal(err)
	}
	// b's handler is not drained beyond its channel: fill the pipe.
	var full bool
	for i := 0; i < 100000 && !full; i++ {
		err := s.Send(testMessage(i, 30000))
		full = errors.Is(err, transport.ErrQueueFull)
	}
	if !full {
		t.Error("queue never full")
	}
	s.Close(transport.ReasonShutdown)
}

func TestIdleTimeout(t *testing.T) {
	n := memnet.New(memnet.Options{Seed: 3})
	defer n.Close()
	clk := clocktest.New(time.Now())
	a := newNode(t, n, "11.0.0.1", 1, clk, nil)
	b := newNode(t, n, "11.0.0.2", 2, clk, nil)
	if _, err := a.tr.Dial(context.Background(), b.id.ri); err != nil {
		t.Fatal(err)
	}
	a.rec.waitEvent(t, transport.EventEstablished)
	b.rec.waitEvent(t, transport.EventEstablished)
	clk.BlockUntil(4) // idle tickers and routerinfo timers of both sessions
	// Let the initial DateTime frames through before time moves.
	time.Sleep(50 * time.Millisecond)
	clk.Advance(DefaultIdleTimeout / 2)
	clk.Advance(DefaultIdleTimeout/2 + time.Second)
	ea := a.rec.waitEvent(t, transport.EventClosed)
	eb := b.rec.waitEvent(t, transport.EventClosed)
	for _, e := range []event{ea, eb} {
		if !errors.Is(e.err, ErrIdle) && !errors.Is(e.err, ErrTerminated) {
			t.Errorf("close error %v", e.err)
		}
	}
}

func TestCloseTransport(t *testing.T) {
	n := memnet.New(memnet.Options{Seed: 4})
	defer n.Close()
	clk := clock.System()
	a := newNode(t, n, "11.0.0.1", 1, clk, nil)
	b := newNode(t, n, "11.0.0.2", 2, clk, nil)
	if _, err := a.tr.Dial(context.Background(), b.id.ri); err != nil {
		t.Fatal(err)
	}
	b.rec.waitEvent(t, transport.EventEstablished)
	as := a.rec.waitEvent(t, transport.EventEstablished).s
	// One round trip so that both initial DateTime frames are through.
	if err := as.Send(testMessage(1, 10)); err != nil {
		t.Fatal(err)
	}
	<-b.rec.msgs
	if err := b.tr.Close(); err != nil {
		t.Fatal(err)
	}
	ea := a.rec.waitEvent(t, transport.EventClosed)
	if !errors.Is(ea.err, ErrTerminated) || !bytes.Contains([]byte(ea.err.Error()), []byte("shutdown")) {
		t.Errorf("peer saw %v", ea.err)
	}
	if _, err := b.tr.Dial(context.Background(), a.id.ri); err == nil {
		t.Error("dial after close")
	}
	if err := b.tr.Close(); err != nil {
		t.Error(err)
	}
}

func TestDialFilter(t *testing.T) {
	n := memnet.New(memnet.Options{Seed: 5})
	defer n.Close()
	clk := clock.System()
	a := newNode(t, n, "11.0.0.1", 1, clk, nil)
	b := newNode(t, n, "10.0.0.2", 2, clk, func(c *Config) { c.Filter.AllowReserved = true })
	if a.tr.Supports(b.id.ri) {
		t.Error("reserved address supported")
	}
	if _, err := a.tr.Dial(context.Background(), b.id.ri); !errors.Is(err, transport.ErrReserved) {
		t.Errorf("dial reserved: %v", err)
	}
	// a refuses inbound connections from a reserved address, so b's
	// handshake fails although b's own filter allows reserved peers.
	if _, err := b.tr.Dial(context.Background(), a.id.ri); err == nil {
		t.Error("inbound from a reserved address accepted")
	}
	unpub := newTestRouter(t, 9, routerOpts{})
	if a.tr.Supports(unpub.ri) {
		t.Error("unpublished address supported")
	}
}
