package pool

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/crypto"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/store"
	"i2pgate/router/tunnel"
	"i2pgate/router/tunnel/build"
)

// simNet is a message-level network of simulated hops around one Manager
// ("us"): each hop opens short build records, accepts (or refuses, or
// ignores) them and then plays participant, inbound gateway or outbound
// endpoint with the router/tunnel data path — a minimal transit. Messages
// travel through one queue served by one goroutine. The router's garlic
// layer is faked: the outbound endpoint wraps its reply as a Garlic message
// whose payload is the expected tag followed by the inner message, which
// "us" accepts only for tags registered through ExpectGarlicReply.
type simNet struct {
	t     testing.TB
	clk   *clocktest.Fake
	self  *testRouter
	hops  map[data.Hash]*simHop
	peers staticPeers
	mgr   *Manager
	db    *store.Memory

	q        chan simMsg
	inflight atomic.Int64
	done     chan struct{}
	wg       sync.WaitGroup

	mu struct {
		sync.Mutex
		tags      map[[build.GarlicTagSize]byte][32]byte
		delivered []i2np.Message
		badTags   int
	}
}

type simMsg struct {
	to  data.Hash
	msg i2np.Message
}

// simHop is one simulated router; its tunnel maps are touched only by the
// network goroutine.
type simHop struct {
	r  *testRouter
	id *build.Identity

	reject   atomic.Bool // answer builds with StatusBandwidth
	silent   atomic.Bool // ignore builds
	dropData atomic.Bool // drop tunnel messages
	builds   atomic.Int64

	participants map[uint32]*tunnel.Participant
	obeps        map[uint32]*tunnel.OutboundEndpoint
	ibgws        map[uint32]*tunnel.InboundGateway
}

// newSimNet starts a network of n hops (caps XR, version 0.9.58) and a
// Manager configured by cfg (Self, Peers, Sender, Deliver,
// ExpectGarlicReply, Clock and Store are filled in).
func newSimNet(t testing.TB, n int, cfg Config) *simNet {
	t.Helper()
	return newSimNetVersion(t, n, "0.9.58", cfg)
}

// newSimNetVersion is newSimNet with hops of the given router.version.
func newSimNetVersion(t testing.TB, n int, version string, cfg Config) *simNet {
	t.Helper()
	s := &simNet{
		t: t, clk: clocktest.New(t0), self: newTestRouter(t, "XR", "0.9.58"),
		hops: map[data.Hash]*simHop{}, q: make(chan simMsg, 4096), done: make(chan struct{}),
		db: store.NewMemory(),
	}
	s.mu.tags = map[[build.GarlicTagSize]byte][32]byte{}
	for range n {
		r := newTestRouter(t, "XR", version)
		s.hops[r.hash] = &simHop{
			r: r, id: build.NewIdentity(r.hash, r.priv),
			participants: map[uint32]*tunnel.Participant{},
			obeps:        map[uint32]*tunnel.OutboundEndpoint{},
			ibgws:        map[uint32]*tunnel.InboundGateway{},
		}
		s.peers = append(s.peers, r.ri)
	}
	cfg.Self = s.self.hash
	cfg.Peers = s.peers
	cfg.Sender = s
	cfg.Deliver = s.deliverLocal
	cfg.ExpectGarlicReply = s.expect
	cfg.Clock = s.clk
	if cfg.Store == nil {
		cfg.Store = s.db
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.mgr = m
	s.wg.Add(1)
	go s.run()
	t.Cleanup(s.close)
	return s
}

func (s *simNet) close() {
	if err := s.mgr.Close(); err != nil {
		s.t.Error(err)
	}
	close(s.done)
	s.wg.Wait()
	s.db.Close()
}

// SendMessage implements Sender.
func (s *simNet) SendMessage(ctx context.Context, to data.Hash, msg i2np.Message) error {
	s.post(to, msg)
	return nil
}

func (s *simNet) post(to data.Hash, msg i2np.Message) {
	msg.Payload = append([]byte(nil), msg.Payload...)
	s.inflight.Add(1)
	select {
	case s.q <- simMsg{to: to, msg: msg}:
	default:
		s.inflight.Add(-1)
		s.t.Error("sim queue full")
	}
}

func (s *simNet) run() {
	defer s.wg.Done()
	for {
		select {
		case <-s.done:
			return
		case m := <-s.q:
			if m.to == s.self.hash {
				s.toUs(m.msg)
			} else if h := s.hops[m.to]; h != nil {
				s.handle(h, m.msg)
			}
			s.inflight.Add(-1)
		}
	}
}

// toUs plays the router's dispatcher.
func (s *simNet) toUs(msg i2np.Message) {
	switch msg.Type {
	case i2np.TypeTunnelData:
		td, err := i2np.ParseTunnelData(msg.Payload)
		if err == nil && s.mgr.HandleTunnelData(data.Hash{}, td) {
			return
		}
	case i2np.TypeTunnelGateway:
		tg, err := i2np.ParseTunnelGateway(msg.Payload)
		if err == nil && s.mgr.HandleTunnelGateway(data.Hash{}, tg) {
			return
		}
	case i2np.TypeShortTunnelBuild, i2np.TypeOutboundTunnelBuildReply,
		i2np.TypeVariableTunnelBuild, i2np.TypeVariableTunnelBuildReply:
		if s.mgr.HandleBuildReply(data.Hash{}, msg) {
			return
		}
	case i2np.TypeDeliveryStatus:
		if s.mgr.HandleDeliveryStatus(msg) {
			return
		}
	}
	s.deliverLocal(msg)
}

// deliverLocal is Config.Deliver: it opens fake garlic and keeps the rest.
func (s *simNet) deliverLocal(msg i2np.Message) {
	if msg.Type == i2np.TypeGarlic {
		s.openGarlic(msg)
		return
	}
	s.mu.Lock()
	s.mu.delivered = append(s.mu.delivered, msg)
	s.mu.Unlock()
}

func (s *simNet) expect(key [32]byte, tag [build.GarlicTagSize]byte) {
	s.mu.Lock()
	s.mu.tags[tag] = key
	s.mu.Unlock()
}

// sealGarlic is the outbound endpoint's side of the fake garlic.
func sealGarlic(tag [build.GarlicTagSize]byte, inner i2np.Message) (i2np.Message, error) {
	b, err := inner.AppendStandard(append([]byte(nil), tag[:]...))
	if err != nil {
		return i2np.Message{}, err
	}
	return i2np.Message{Type: i2np.TypeGarlic, ID: inner.ID ^ 1, Expiration: inner.Expiration, Payload: b}, nil
}

func (s *simNet) openGarlic(msg i2np.Message) {
	var tag [build.GarlicTagSize]byte
	if len(msg.Payload) < len(tag) {
		return
	}
	copy(tag[:], msg.Payload)
	s.mu.Lock()
	_, ok := s.mu.tags[tag]
	delete(s.mu.tags, tag)
	if !ok {
		s.mu.badTags++
	}
	s.mu.Unlock()
	if !ok {
		return
	}
	inner, _, err := i2np.ParseStandard(msg.Payload[len(tag):])
	if err == nil {
		s.toUs(inner)
	}
}

func (s *simNet) delivered() []i2np.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]i2np.Message(nil), s.mu.delivered...)
}

func (s *simNet) expiry() time.Time { return s.clk.Now().Add(i2np.ExpirationTimeout) }

// handle plays hop h.
func (s *simNet) handle(h *simHop, msg i2np.Message) {
	var err error
	switch msg.Type {
	case i2np.TypeShortTunnelBuild, i2np.TypeVariableTunnelBuild:
		err = s.handleBuild(h, msg)
	case i2np.TypeGarlic:
		// A build request wrapped for this hop by Config.WrapBuild.
		var inner i2np.Message
		if inner, _, err = i2np.ParseStandard(msg.Payload[min(len(msg.Payload), build.GarlicTagSize):]); err == nil {
			s.handle(h, inner)
		}
	case i2np.TypeTunnelData:
		if !h.dropData.Load() {
			err = s.handleData(h, msg)
		}
	case i2np.TypeTunnelGateway:
		if !h.dropData.Load() {
			err = s.handleGateway(h, msg)
		}
	}
	if err != nil {
		s.t.Errorf("hop %x: %v: %v", h.r.hash[:4], msg.Type, err)
	}
}

// opened is a build record as a hop opened it, short or long.
type opened struct {
	req   build.Request
	keys  build.Keys
	reply func(build.Status, data.Mapping) (i2np.Payload, error)
	short bool
}

func openBuild(h *simHop, msg i2np.Message) (opened, error) {
	if msg.Type == i2np.TypeVariableTunnelBuild {
		vtb, err := i2np.ParseVariableTunnelBuild(msg.Payload)
		if err != nil {
			return opened{}, err
		}
		lh, err := build.OpenLong(h.id, vtb)
		if err != nil {
			return opened{}, err
		}
		return opened{req: lh.Request.Request, keys: lh.Keys, reply: lh.Reply}, nil
	}
	stb, err := i2np.ParseShortTunnelBuild(msg.Payload)
	if err != nil {
		return opened{}, err
	}
	sh, err := build.OpenShort(h.id, stb)
	if err != nil {
		return opened{}, err
	}
	return opened{req: sh.Request.Request, keys: sh.Keys, reply: sh.Reply, short: true}, nil
}

func (s *simNet) handleBuild(h *simHop, msg i2np.Message) error {
	o, err := openBuild(h, msg)
	if err != nil {
		return err
	}
	h.builds.Add(1)
	if h.silent.Load() {
		return nil
	}
	status := build.StatusAccept
	if h.reject.Load() {
		status = build.StatusBandwidth
	}
	req := o.req
	if status == build.StatusAccept {
		layer := crypto.NewTunnelLayer(&o.keys.Layer, &o.keys.IV)
		next := tunnel.Hop{Router: req.NextRouter, TunnelID: req.NextTunnel}
		switch {
		case req.Flags&build.FlagOBEP != 0:
			h.obeps[req.ReceiveTunnel] = tunnel.NewOutboundEndpoint(layer, nil)
		case req.Flags&build.FlagIBGW != 0:
			h.ibgws[req.ReceiveTunnel] = tunnel.NewInboundGateway(layer, next, nil)
		default:
			h.participants[req.ReceiveTunnel] = tunnel.NewParticipant(layer, next, nil)
		}
	}
	reply, err := o.reply(status, data.Mapping{})
	if err != nil {
		return err
	}
	out, err := i2np.NewMessage(reply, req.NextMessageID, s.expiry())
	if err != nil {
		return err
	}
	switch {
	case req.Flags&build.FlagOBEP == 0:
		s.post(req.NextRouter, out)
		return nil
	case !o.short:
		// A long build's reply travels without garlic.
		return s.toGateway(req.NextRouter, req.NextTunnel, out)
	}
	g, err := sealGarlic(o.keys.GarlicTag, out)
	if err != nil {
		return err
	}
	return s.toGateway(req.NextRouter, req.NextTunnel, g)
}

func (s *simNet) toGateway(gw data.Hash, id uint32, msg i2np.Message) error {
	tg, err := i2np.NewTunnelGateway(id, msg)
	if err != nil {
		return err
	}
	m, err := i2np.NewMessage(tg, msg.ID^2, s.expiry())
	if err != nil {
		return err
	}
	s.post(gw, m)
	return nil
}

func (s *simNet) sendBody(to tunnel.Hop, body *tunnel.Body) error {
	m, err := i2np.NewMessage(i2np.TunnelData{TunnelID: to.TunnelID, Data: body[:]}, 7, s.expiry())
	if err != nil {
		return err
	}
	s.post(to.Router, m)
	return nil
}

func (s *simNet) handleData(h *simHop, msg i2np.Message) error {
	td, err := i2np.ParseTunnelData(msg.Payload)
	if err != nil {
		return err
	}
	var body tunnel.Body
	copy(body[:], td.Data)
	if p := h.participants[td.TunnelID]; p != nil {
		next, err := p.Process(&body, s.clk.Now())
		if err != nil {
			return err
		}
		return s.sendBody(next, &body)
	}
	ep := h.obeps[td.TunnelID]
	if ep == nil {
		return nil // unknown tunnel: dropped, as a router does
	}
	got, err := ep.Handle(nil, &body)
	if err != nil {
		return err
	}
	for _, r := range got {
		switch r.Delivery.Type {
		case tunnel.DeliveryTunnel:
			err = s.toGateway(r.Delivery.Hash, r.Delivery.TunnelID, r.Message)
		case tunnel.DeliveryRouter:
			s.post(r.Delivery.Hash, r.Message)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *simNet) handleGateway(h *simHop, msg i2np.Message) error {
	tg, err := i2np.ParseTunnelGateway(msg.Payload)
	if err != nil {
		return err
	}
	gw := h.ibgws[tg.TunnelID]
	if gw == nil {
		return nil
	}
	inner, err := tg.Inner()
	if err != nil {
		return err
	}
	bodies, err := gw.Put(nil, inner)
	if err == nil {
		bodies, err = gw.Flush(bodies)
	}
	if err != nil {
		return err
	}
	for i := range bodies {
		if err := s.sendBody(gw.Next(), &bodies[i]); err != nil {
			return err
		}
	}
	return nil
}

// calmChecks is how many consecutive idle checks make the network quiet; under
// an emulator (scripts/test-cross.sh sets I2PGATE_TEST_EXEC) goroutines take far
// longer to get scheduled, so it waits longer.
func calmChecks() int {
	if os.Getenv("I2PGATE_TEST_EXEC") != "" {
		return 40
	}
	return 3
}

// quiet waits until no message is queued or handled anywhere.
func (s *simNet) quiet() {
	calm, need := 0, calmChecks()
	for i := 0; calm < need && i < 4000; i++ {
		time.Sleep(200 * time.Microsecond)
		if s.inflight.Load() == 0 && len(s.mgr.sendq) == 0 {
			calm++
		} else {
			calm = 0
		}
	}
}

// step advances the fake clock by d in steps of one second, letting the
// network settle after each.
func (s *simNet) step(d time.Duration) {
	for ; d > 0; d -= time.Second {
		s.clk.Advance(min(d, time.Second))
		s.quiet()
	}
}

// until steps the clock until cond holds, for at most limit of fake time.
func (s *simNet) until(limit time.Duration, what string, cond func() bool) {
	s.t.Helper()
	s.quiet()
	for d := time.Duration(0); !cond(); d += time.Second {
		if d > limit {
			s.t.Fatalf("after %v: %s; stats %+v", limit, what, s.mgr.Stats())
		}
		s.step(time.Second)
	}
}

// hopList returns the hops in a stable order.
func (s *simNet) hopList() []*simHop {
	out := make([]*simHop, 0, len(s.peers))
	for _, ri := range s.peers {
		out = append(out, s.hops[ri.Hash()])
	}
	return out
}
