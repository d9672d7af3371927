package streaming

import (
	"context"
	"fmt"
	"time"

	"i2pgate/router/data"
)

// handleEcho answers a ping or completes one of ours (streaming.html
// "Ping / Pong"). A ping has a sendStreamId, FROM and a signature; a pong
// has sendStreamId 0 and our ping's ID as receiveStreamId.
func (m *Manager) handleEcho(p *Packet, srcPort, dstPort uint16) {
	if p.SendStreamID == 0 {
		m.mu.Lock()
		ch := m.mu.pings[p.ReceiveStreamID]
		m.mu.Unlock()
		if ch == nil {
			m.drop()
			return
		}
		select {
		case ch <- struct{}{}:
		default:
		}
		return
	}
	if m.s.IgnorePings || p.From == nil {
		m.drop()
		return
	}
	if _, err := p.VerifyFrom(p.From, m.s.clock.Now()); err != nil {
		m.drop()
		return
	}
	pong := &Packet{ReceiveStreamID: p.SendStreamID, Flags: FlagEcho}
	pong.Payload = p.Payload[:min(len(p.Payload), MaxPingPayload)]
	wire, err := pong.Append(nil, nil)
	if err != nil {
		return
	}
	m.send(p.From, dstPort, srcPort, []outPacket{{wire: wire}})
}

// Ping sends a signed ping to port of remote and waits for the pong,
// returning the round-trip time. ctx bounds the wait.
func (m *Manager) Ping(ctx context.Context, remote *data.Destination, port uint16) (time.Duration, error) {
	m.mu.Lock()
	if m.mu.closed {
		m.mu.Unlock()
		return 0, fmt.Errorf("streaming: ping: %w", ErrClosed)
	}
	id, err := m.newStreamIDLocked()
	if err != nil {
		m.mu.Unlock()
		return 0, err
	}
	ch := make(chan struct{}, 1)
	m.mu.pings[id] = ch
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		delete(m.mu.pings, id)
		m.mu.Unlock()
	}()
	ping := &Packet{
		SendStreamID: id,
		Flags:        FlagEcho | FlagSignatureIncluded | FlagFromIncluded,
		From:         m.s.Local,
	}
	wire, err := m.sign(ping)
	if err != nil {
		return 0, err
	}
	start := m.s.clock.Now()
	m.send(remote, 0, port, []outPacket{{wire: wire}})
	select {
	case <-ch:
		return m.s.clock.Now().Sub(start), nil
	case <-ctx.Done():
		return 0, fmt.Errorf("streaming: ping: %w: %w", ErrTimeout, ctx.Err())
	case <-m.done:
		return 0, fmt.Errorf("streaming: ping: %w", ErrClosed)
	}
}
