package transit

import (
	"encoding/binary"
	"math/rand/v2"
	"time"

	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/tunnel"
)

// tunnelIDSize is the tunnel id in front of a TunnelData body
// (i2np.rst "TunnelData").
const tunnelIDSize = i2np.TunnelDataSize - i2np.TunnelDataBodySize

// HandleTunnelData handles a TunnelData message (type 18) and reports
// whether its tunnel id is one of our transit tunnels. A participant adds
// its layer and forwards the body to the next hop; an OBEP adds its
// layer, reassembles and delivers the messages as their instructions
// say. Replayed or malformed bodies and TunnelData sent to an inbound
// gateway are dropped and counted.
func (m *Manager) HandleTunnelData(from data.Hash, td i2np.TunnelData) bool {
	t := m.lookup(td.TunnelID)
	if t == nil {
		return false
	}
	t.messages.Add(1)
	if len(td.Data) != tunnel.BodySize {
		m.c.dataDropped.Add(1)
		return true
	}
	now := m.cfg.Clock.Now()
	switch t.role {
	case RoleParticipant:
		m.forward(t, td.Data, now)
	case RoleOutboundEndpoint:
		m.endpoint(t, td.Data, now)
	default:
		m.c.dataDropped.Add(1)
	}
	return true
}

// forward is the participant's data path: one allocation, the outgoing
// payload, in which the body is encrypted in place.
func (m *Manager) forward(t *transitTunnel, in []byte, now time.Time) {
	payload := make([]byte, i2np.TunnelDataSize)
	body := (*tunnel.Body)(payload[tunnelIDSize:])
	copy(body[:], in)
	next, err := t.participant(m.cfg.Filter).Process(body, now)
	if err != nil {
		m.c.dataDropped.Add(1)
		return
	}
	m.sendBody(t, next, payload, now)
}

// sendBody queues payload, a TunnelData payload whose body is filled,
// for hop next.
func (m *Manager) sendBody(t *transitTunnel, next tunnel.Hop, payload []byte, now time.Time) {
	binary.BigEndian.PutUint32(payload[:tunnelIDSize], next.TunnelID)
	msg := i2np.Message{
		Type:       i2np.TypeTunnelData,
		ID:         rand.Uint32(),
		Expiration: now.Add(outgoingExpiration),
		Payload:    payload,
	}
	if m.send(next.Router, msg) {
		t.bytes.Add(tunnel.BodySize)
		m.c.bytes.Add(tunnel.BodySize)
		m.meter.add(tunnel.BodySize, now)
	}
}

// endpoint is the OBEP's data path.
func (m *Manager) endpoint(t *transitTunnel, in []byte, now time.Time) {
	var body tunnel.Body
	copy(body[:], in)
	got, err := t.endpoint(&m.obepCfg).Handle(nil, &body)
	if err != nil {
		m.c.dataDropped.Add(1)
	}
	t.bytes.Add(tunnel.BodySize)
	m.meter.add(tunnel.BodySize, now)
	for _, r := range got {
		m.deliver(r, now)
	}
}

// deliver sends a message that left an outbound tunnel at our OBEP.
func (m *Manager) deliver(r tunnel.Received, now time.Time) {
	if r.Message.Expired(now) {
		m.c.dataDropped.Add(1)
		return
	}
	m.c.delivered.Add(1)
	self := m.cfg.Identity.Hash
	exp := now.Add(outgoingExpiration)
	switch r.Delivery.Type {
	case tunnel.DeliveryLocal:
		m.local(r.Message)
	case tunnel.DeliveryRouter:
		if r.Delivery.Hash == self {
			m.local(r.Message)
			return
		}
		m.send(r.Delivery.Hash, r.Message)
	case tunnel.DeliveryTunnel:
		m.sendToTunnel(r.Delivery.Hash, r.Delivery.TunnelID, r.Message, exp)
	}
}

// HandleTunnelGateway handles a TunnelGateway message (type 19) and
// reports whether its tunnel id is one of our transit tunnels. At an
// inbound gateway the wrapped message is fragmented into bodies for
// LOCAL delivery at the tunnel's creator, encrypted with our layer and
// sent to the next hop; other roles drop it.
func (m *Manager) HandleTunnelGateway(from data.Hash, tg i2np.TunnelGateway) bool {
	t := m.lookup(tg.TunnelID)
	if t == nil {
		return false
	}
	t.messages.Add(1)
	now := m.cfg.Clock.Now()
	inner, err := tg.Inner()
	if t.role != RoleInboundGateway || err != nil || inner.Expired(now) {
		m.c.dataDropped.Add(1)
		return true
	}
	t.mu.Lock()
	g := t.gatewayLocked(m.cfg.Rand)
	bodies, err := g.Put(nil, inner)
	if err == nil {
		bodies, err = g.Flush(bodies)
	}
	next := g.Next()
	t.mu.Unlock()
	if err != nil {
		m.c.dataDropped.Add(1)
	}
	for i := range bodies {
		payload := make([]byte, i2np.TunnelDataSize)
		copy(payload[tunnelIDSize:], bodies[i][:])
		m.sendBody(t, next, payload, now)
	}
	return true
}
