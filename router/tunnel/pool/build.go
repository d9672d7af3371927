package pool

import (
	"errors"
	"fmt"
	"time"

	"i2pgate/router/crypto"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/tunnel"
	"i2pgate/router/tunnel/build"
)

// pendingBuild is a build request waiting for its reply.
type pendingBuild struct {
	pool    *Pool
	inbound bool
	p       *build.Pending
	started time.Time
	expires time.Time
}

// buildRoute is how a build request leaves and its reply comes back.
type buildRoute struct {
	replyGateway data.Hash
	replyTunnel  uint32
	via          *Tunnel // outbound tunnel carrying an inbound build; nil: direct
}

// routeLocked chooses the reply path of an outbound build (one of our
// inbound tunnels, or the bootstrap zero-hop tunnel at us) or the outbound
// tunnel an inbound build leaves through (none: sent directly). The pool's
// own tunnels are preferred, then the exploratory pool's.
func (m *Manager) routeLocked(p *Pool, inbound bool, now time.Time) buildRoute {
	pick := func(in bool) *Tunnel {
		if t, ok := p.pickLocked(in, now); ok {
			return t
		}
		if t, ok := m.explore.pickLocked(in, now); ok {
			return t
		}
		return nil
	}
	if inbound {
		return buildRoute{via: pick(false)}
	}
	if t := pick(true); t != nil {
		return buildRoute{replyGateway: t.first.Router, replyTunnel: t.first.TunnelID}
	}
	return buildRoute{replyGateway: m.cfg.Self, replyTunnel: m.mu.bootstrap}
}

// startBuild starts one build for a side of p; the caller has counted it
// in p.building, and startBuild uncounts it when it fails to start.
func (m *Manager) startBuild(p *Pool, inbound bool) error {
	err := m.tryBuild(p, inbound)
	if err != nil {
		m.mu.Lock()
		p.building[sideIndex(inbound)]--
		m.mu.Unlock()
	}
	return err
}

func (m *Manager) tryBuild(p *Pool, inbound bool) error {
	now := m.clk.Now()
	n, err := p.side(inbound).length(m.rnd)
	if err != nil {
		return err
	}
	if n == 0 {
		return m.addZeroHop(p, inbound, now)
	}
	peers, err := Select(m.cfg.Peers.Routers(Usable), Selection{
		Self:          m.cfg.Self,
		Length:        n,
		HighBandwidth: !p.cfg.IsExploratory,
		Exclude:       m.cfg.Exclude,
		Rank:          func(h data.Hash) Rank { return m.profiles.Rank(h, now) },
		Rand:          m.rnd,
	})
	if err != nil {
		return err
	}
	hops := make([]build.Peer, len(peers))
	for i, ri := range peers {
		hops[i] = buildPeer(ri)
	}
	m.mu.Lock()
	route := m.routeLocked(p, inbound, now)
	m.mu.Unlock()
	pending, req, err := build.New(build.Config{
		Hops: hops, Inbound: inbound, Self: m.cfg.Self,
		ReplyGateway: route.replyGateway, ReplyTunnel: route.replyTunnel,
		Now: now, Rand: m.rnd,
	})
	if err != nil {
		return fmt.Errorf("pool: build: %w", err)
	}
	id, err := randUint32(m.rnd)
	if err != nil {
		return err
	}
	msg, err := i2np.NewMessage(req, id, now.Add(BuildTimeout))
	if err != nil {
		return fmt.Errorf("pool: build message: %w", err)
	}
	pb := &pendingBuild{pool: p, inbound: inbound, p: pending, started: now, expires: expiresAt(now)}
	m.mu.Lock()
	if _, dup := m.mu.pending[pending.ReplyMessageID]; dup || m.mu.closed {
		m.mu.Unlock()
		return errors.New("pool: build: reply ID in use or closed")
	}
	m.mu.pending[pending.ReplyMessageID] = pb
	m.mu.Unlock()
	if err := m.sendBuild(pb, peers[0], msg, route); err != nil {
		m.mu.Lock()
		delete(m.mu.pending, pending.ReplyMessageID)
		m.mu.Unlock()
		return err
	}
	return nil
}

// sendBuild registers the garlic reply key of a short outbound build and
// sends the request to the first hop, directly or through route.via.
func (m *Manager) sendBuild(pb *pendingBuild, first *data.RouterInfo, msg i2np.Message, route buildRoute) error {
	if !pb.inbound && pb.p.Short && m.cfg.ExpectGarlicReply != nil {
		k := pb.p.Hops[len(pb.p.Hops)-1].Keys
		m.cfg.ExpectGarlicReply(k.GarlicKey, k.GarlicTag)
	}
	if route.via == nil {
		return m.send(first.Hash(), msg)
	}
	if m.cfg.WrapBuild != nil {
		wrapped, err := m.cfg.WrapBuild(first, msg)
		if err != nil {
			return fmt.Errorf("pool: wrap build: %w", err)
		}
		msg = wrapped
	}
	return m.SendThrough(route.via, msg, tunnel.ToRouter(first.Hash()))
}

// addZeroHop adds a zero-hop tunnel, which needs no build and no test.
func (m *Manager) addZeroHop(p *Pool, inbound bool, now time.Time) error {
	t := &Tunnel{pool: p, inbound: inbound, created: now, expires: now.Add(Lifetime), tested: true}
	if inbound {
		id, err := randUint32(m.rnd)
		if err != nil {
			return err
		}
		t.recv = id
		t.first = tunnel.Hop{Router: m.cfg.Self, TunnelID: id}
	} else {
		t.first = tunnel.Hop{Router: m.cfg.Self}
		t.out.gw = tunnel.NewOutboundGateway(nil, m.rnd)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	p.building[sideIndex(inbound)]--
	if p.closed {
		return nil
	}
	p.addLocked(t)
	return nil
}

// HandleBuildReply takes the reply to one of our builds: a
// VariableTunnelBuildReply (24) or OutboundTunnelBuildReply (26, after the
// router removed its garlic) for an outbound tunnel, or the ShortTunnelBuild
// (25) or VariableTunnelBuild (23) that the last hop of an inbound tunnel
// sends us. It reports whether msg was such a reply, matched by message ID
// and authenticated; false leaves msg to others (a type 23/25 message is
// then a request for our transit tunnels).
func (m *Manager) HandleBuildReply(from data.Hash, msg i2np.Message) bool {
	switch msg.Type {
	case i2np.TypeVariableTunnelBuild, i2np.TypeVariableTunnelBuildReply,
		i2np.TypeShortTunnelBuild, i2np.TypeOutboundTunnelBuildReply:
	default:
		return false
	}
	m.mu.Lock()
	pb := m.mu.pending[msg.ID]
	m.mu.Unlock()
	if pb == nil {
		return false
	}
	payload, err := msg.Decode()
	if err != nil {
		return false
	}
	replies, err := pb.p.HandleReply(payload)
	if err != nil {
		m.log.Debug("bad build reply", "id", msg.ID, "err", err)
		return false
	}
	m.mu.Lock()
	if m.mu.pending[msg.ID] != pb {
		m.mu.Unlock()
		return true
	}
	delete(m.mu.pending, msg.ID)
	pb.pool.building[sideIndex(pb.inbound)]--
	ok := build.AllAccepted(replies)
	m.mu.stats.build(ok)
	m.mu.Unlock()
	now := m.clk.Now()
	for i, r := range replies {
		o := Agreed
		if !r.Accepted() {
			o = Declined
		}
		if err := m.profiles.Record(pb.p.Hops[i].Hash, o, now); err != nil {
			m.log.Debug("profile not saved", "err", err)
		}
	}
	if ok {
		m.establish(pb, now)
	}
	return true
}

// establish turns an accepted build into a tunnel of its pool.
func (m *Manager) establish(pb *pendingBuild, now time.Time) {
	layers := make([]*crypto.TunnelLayer, len(pb.p.Hops))
	hops := make([]data.Hash, len(pb.p.Hops))
	for i := range pb.p.Hops {
		h := &pb.p.Hops[i]
		layers[i] = crypto.NewTunnelLayer(&h.Keys.Layer, &h.Keys.IV)
		hops[i] = h.Hash
	}
	first := pb.p.Hops[0]
	t := &Tunnel{
		pool: pb.pool, inbound: pb.inbound, hops: hops,
		first:   tunnel.Hop{Router: first.Hash, TunnelID: first.ReceiveTunnel},
		created: now, expires: pb.expires,
	}
	if pb.inbound {
		t.recv = pb.p.EndpointTunnel
		t.ep = tunnel.NewInboundEndpoint(layers, &tunnel.Config{Clock: m.clk, Filter: m.cfg.Filter})
	} else {
		t.out.gw = tunnel.NewOutboundGateway(layers, m.rnd)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if pb.pool.closed || m.mu.closed {
		return
	}
	if _, taken := m.mu.inbound[t.recv]; pb.inbound && taken {
		return
	}
	pb.pool.addLocked(t)
}
