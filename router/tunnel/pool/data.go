package pool

import (
	"errors"
	"fmt"

	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/tunnel"
)

// SendThrough sends msg into outbound tunnel t, to be delivered at its
// endpoint as to says: the tunnel's gateway fragments and pre-encrypts it
// and the bodies go to the first hop as TunnelData. Through a zero-hop
// tunnel msg goes straight to where to says. It never blocks; it fails with
// ErrQueueFull when the send queue is full.
func (m *Manager) SendThrough(t *Tunnel, msg i2np.Message, to tunnel.Delivery) error {
	if t == nil || t.inbound {
		return errors.New("pool: send through: not an outbound tunnel")
	}
	if len(t.hops) == 0 {
		return m.deliverZeroHop(msg, to)
	}
	t.out.Lock()
	bodies, err := t.out.gw.Put(nil, msg, to)
	if err == nil {
		bodies, err = t.out.gw.Flush(bodies)
	}
	t.out.Unlock()
	if err != nil {
		return fmt.Errorf("pool: send through: %w", err)
	}
	exp := m.clk.Now().Add(i2np.ExpirationTimeout)
	for i := range bodies {
		id, err := randUint32(m.rnd)
		if err != nil {
			return err
		}
		td, err := i2np.NewMessage(i2np.TunnelData{TunnelID: t.first.TunnelID, Data: bodies[i][:]}, id, exp)
		if err != nil {
			return fmt.Errorf("pool: send through: %w", err)
		}
		if err := m.send(t.first.Router, td); err != nil {
			return err
		}
	}
	return nil
}

// deliverZeroHop does what an outbound endpoint at us would do.
func (m *Manager) deliverZeroHop(msg i2np.Message, to tunnel.Delivery) error {
	switch to.Type {
	case tunnel.DeliveryLocal:
		m.receive(nil, msg)
		return nil
	case tunnel.DeliveryRouter:
		return m.send(to.Hash, msg)
	case tunnel.DeliveryTunnel:
		tg, err := i2np.NewTunnelGateway(to.TunnelID, msg)
		if err != nil {
			return fmt.Errorf("pool: send through: %w", err)
		}
		wrapped, err := i2np.NewMessage(tg, msg.ID, msg.Expiration)
		if err != nil {
			return fmt.Errorf("pool: send through: %w", err)
		}
		return m.send(to.Hash, wrapped)
	default:
		return fmt.Errorf("pool: send through: delivery %v", to.Type)
	}
}

// HandleTunnelData takes a TunnelData message for one of our inbound
// tunnels, removes the layers, reassembles and handles the messages that
// complete: our tests and build replies here, the rest through
// Config.Deliver. Messages asking the endpoint to forward them elsewhere are
// dropped, as i2pd does. It reports whether td was for one of our tunnels.
func (m *Manager) HandleTunnelData(from data.Hash, td i2np.TunnelData) bool {
	m.mu.Lock()
	t := m.mu.inbound[td.TunnelID]
	m.mu.Unlock()
	if t == nil || t.ep == nil {
		return false
	}
	if len(td.Data) != tunnel.BodySize {
		return true
	}
	var body tunnel.Body
	copy(body[:], td.Data)
	got, err := t.ep.Handle(nil, &body)
	if err != nil {
		m.log.Debug("inbound tunnel body dropped", "tunnel", td.TunnelID, "err", err)
	}
	for _, r := range got {
		if r.Delivery.Type != tunnel.DeliveryLocal {
			continue
		}
		m.receive(t.pool, r.Message)
	}
	return true
}

// HandleTunnelGateway takes a TunnelGateway message for one of our
// zero-hop inbound tunnels (including the bootstrap one that carries
// outbound build replies before we have inbound tunnels) and handles the
// message it carries as if it had left a tunnel. It reports whether tg was
// for us; other TunnelGateway messages belong to transit tunnels.
func (m *Manager) HandleTunnelGateway(from data.Hash, tg i2np.TunnelGateway) bool {
	m.mu.Lock()
	t := m.mu.inbound[tg.TunnelID]
	ours := tg.TunnelID == m.mu.bootstrap || (t != nil && t.ep == nil)
	m.mu.Unlock()
	if !ours {
		return false
	}
	inner, err := tg.Inner()
	if err != nil {
		return true
	}
	inner.Payload = append([]byte(nil), inner.Payload...)
	var p *Pool
	if t != nil {
		p = t.pool
	}
	m.receive(p, inner)
	return true
}
