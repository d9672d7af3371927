package transport_test

import (
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/transport"
	"i2pgate/router/transport/transporttest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newRI(t testing.TB) *data.RouterInfo {
	t.Helper()
	keys, err := data.GenerateRouterKeys(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := keys.Signer()
	if err != nil {
		t.Fatal(err)
	}
	var opts data.Mapping
	if err := opts.Set("netId", "99"); err != nil {
		t.Fatal(err)
	}
	ri, err := data.NewRouterInfo(keys.RouterIdentity(), time.Now(), nil, opts, signer)
	if err != nil {
		t.Fatal(err)
	}
	return ri
}

type handler struct {
	msgs   chan i2np.Message
	mu     sync.Mutex
	events []transport.Event
}

func newHandler() *handler { return &handler{msgs: make(chan i2np.Message, 1024)} }

func (h *handler) HandleMessage(_ data.Hash, m i2np.Message) { h.msgs <- m }
func (h *handler) HandleRouterInfo(data.Hash, []byte, bool)  {}
func (h *handler) SessionEvent(_ transport.Session, ev transport.Event, _ error) {
	h.mu.Lock()
	h.events = append(h.events, ev)
	h.mu.Unlock()
}

type router struct {
	ri *data.RouterInfo
	m  *transport.Manager
	h  *handler
	tr transport.Transport
}

func newRouter(t testing.TB, n *transporttest.Network, mod func(*transport.ManagerConfig)) *router {
	t.Helper()
	ri := newRI(t)
	r := &router{ri: ri, h: newHandler(), tr: n.NewTransport(ri.Hash())}
	cfg := transport.ManagerConfig{Transports: []transport.Transport{r.tr}, Handler: r.h}
	if mod != nil {
		mod(&cfg)
	}
	m, err := transport.NewManager(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	r.m = m
	t.Cleanup(func() { _ = m.Close() })
	return r
}

func msg(id uint32) i2np.Message {
	return i2np.Message{Type: i2np.TypeData, ID: id, Expiration: time.Now().Add(time.Minute), Payload: []byte{1, 2, 3}}
}

func recv(t *testing.T, h *handler, id uint32) {
	t.Helper()
	select {
	case m := <-h.msgs:
		if m.ID != id {
			t.Fatalf("got message %d, want %d", m.ID, id)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("message %d not received", id)
	}
}

func TestManagerSendReuse(t *testing.T) {
	n := transporttest.NewNetwork(transporttest.Options{})
	a, b := newRouter(t, n, nil), newRouter(t, n, nil)
	ctx := context.Background()
	if err := b.m.SendTo(a.ri.Hash(), msg(9)); !errors.Is(err, transport.ErrNoSession) {
		t.Errorf("SendTo without session: %v", err)
	}
	if b.m.Connected(a.ri.Hash()) {
		t.Error("connected before any session")
	}
	for i := range uint32(3) {
		if err := a.m.Send(ctx, b.ri, msg(i)); err != nil {
			t.Fatal(err)
		}
		recv(t, b.h, i)
	}
	// b answers over a's session, inbound for b.
	if !b.m.Connected(a.ri.Hash()) || !a.m.Connected(b.ri.Hash()) {
		t.Error("not connected after a session opened")
	}
	if err := b.m.SendTo(a.ri.Hash(), msg(7)); err != nil {
		t.Fatal(err)
	}
	recv(t, a.h, 7)
	if err := b.m.Send(ctx, a.ri, msg(8)); err != nil {
		t.Fatal(err)
	}
	recv(t, a.h, 8)
	sa, sb := a.m.Stats(), b.m.Stats()
	if sa.Total != 1 || sa.ByKind["test_out"] != 1 || sa.ByKind["test_in"] != 0 {
		t.Errorf("a stats %+v", sa)
	}
	if sb.Total != 1 || sb.ByKind["test_in"] != 1 {
		t.Errorf("b stats %+v", sb)
	}
	if len(a.m.Sessions()) != 1 {
		t.Errorf("sessions %d", len(a.m.Sessions()))
	}
}

// countingTransport counts dials and holds them until released.
type countingTransport struct {
	transport.Transport
	dials   atomic.Int32
	release chan struct{}
}

func (c *countingTransport) Dial(ctx context.Context, ri *data.RouterInfo) (transport.Session, error) {
	c.dials.Add(1)
	<-c.release
	return c.Transport.Dial(ctx, ri)
}

func TestManagerCoalescesDials(t *testing.T) {
	n := transporttest.NewNetwork(transporttest.Options{})
	b := newRouter(t, n, nil)
	ri := newRI(t)
	ct := &countingTransport{Transport: n.NewTransport(ri.Hash()), release: make(chan struct{})}
	h := newHandler()
	m, err := transport.NewManager(transport.ManagerConfig{Transports: []transport.Transport{ct}, Handler: h})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var wg sync.WaitGroup
	for i := range uint32(10) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := m.Send(context.Background(), b.ri, msg(i)); err != nil {
				t.Error(err)
			}
		}()
	}
	for m.Stats().Dialing == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	close(ct.release)
	wg.Wait()
	if d := ct.dials.Load(); d != 1 {
		t.Errorf("%d dials, want 1", d)
	}
	for range 10 {
		<-b.h.msgs
	}
}

func TestManagerLimits(t *testing.T) {
	n := transporttest.NewNetwork(transporttest.Options{})
	one := func(c *transport.ManagerConfig) { c.MaxSessions = 1 }
	a, b, c := newRouter(t, n, one), newRouter(t, n, one), newRouter(t, n, nil)
	ctx := context.Background()
	if err := a.m.Send(ctx, b.ri, msg(1)); err != nil {
		t.Fatal(err)
	}
	if err := a.m.Send(ctx, c.ri, msg(2)); !errors.Is(err, transport.ErrLimit) {
		t.Errorf("second outbound: %v", err)
	}
	// b is full: c's inbound session is closed at once.
	if _, err := c.m.Session(ctx, b.ri); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for c.m.Stats().Total != 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if st := c.m.Stats(); st.Total != 0 {
		t.Errorf("c still has %d sessions", st.Total)
	}
	if st := b.m.Stats(); st.Total != 1 {
		t.Errorf("b has %d sessions", st.Total)
	}
}

func TestManagerIdle(t *testing.T) {
	clk := clocktest.New(time.Now())
	n := transporttest.NewNetwork(transporttest.Options{Clock: clk})
	withClock := func(c *transport.ManagerConfig) { c.Clock = clk; c.IdleTimeout = time.Minute }
	a, b := newRouter(t, n, withClock), newRouter(t, n, withClock)
	if err := a.m.Send(context.Background(), b.ri, msg(1)); err != nil {
		t.Fatal(err)
	}
	recv(t, b.h, 1)
	clk.BlockUntil(2)
	clk.Advance(30 * time.Second)
	if a.m.Stats().Total != 1 {
		t.Fatal("closed too early")
	}
	clk.Advance(45 * time.Second)
	deadline := time.Now().Add(5 * time.Second)
	for (a.m.Stats().Total != 0 || b.m.Stats().Total != 0) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if a.m.Stats().Total != 0 || b.m.Stats().Total != 0 {
		t.Errorf("idle sessions not closed: %+v %+v", a.m.Stats(), b.m.Stats())
	}
}

func TestManagerLossAndClose(t *testing.T) {
	n := transporttest.NewNetwork(transporttest.Options{Loss: 1, Seed: 1})
	a, b := newRouter(t, n, nil), newRouter(t, n, nil)
	if err := a.m.Send(context.Background(), b.ri, msg(1)); err != nil {
		t.Fatal(err)
	}
	n.SetLoss(0)
	if err := a.m.Send(context.Background(), b.ri, msg(2)); err != nil {
		t.Fatal(err)
	}
	recv(t, b.h, 2)
	if err := a.m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.m.Send(context.Background(), b.ri, msg(3)); !errors.Is(err, transport.ErrClosed) {
		t.Errorf("send after close: %v", err)
	}
	n.SetLinkDown(b.ri.Hash(), a.ri.Hash(), true)
	if err := b.m.Send(context.Background(), a.ri, msg(4)); err == nil {
		t.Error("send to a closed router succeeded")
	}
}
