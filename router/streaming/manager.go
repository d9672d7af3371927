package streaming

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"i2pgate/router/data"
)

// Manager runs the streaming protocol for one local destination: it
// demultiplexes inbound packets to connections, listeners and pings, and
// owns the connection limits. It starts no goroutine of its own; timers run
// through the injected clock.
type Manager struct {
	s      *settings
	local  data.Hash
	done   chan struct{} // closed by Close
	closed atomic.Bool

	// wg counts timer callbacks running inside the Manager.
	wg sync.WaitGroup

	// mu guards the fields below.
	mu struct {
		sync.Mutex
		closed    bool
		conns     map[uint32]*Conn // by our (receive) stream ID
		incoming  map[uint32]*Conn // accepted, by the peer's stream ID
		listeners map[uint16]*Listener
		perPeer   map[data.Hash]int // counted connections per remote
		open      int               // counted connections
		pending   []pendingPacket   // packets that came before their SYN
		pings     map[uint32]chan struct{}
	}

	// oooBudget is shared by the connections' out-of-order packets.
	oooBudget budget

	stats struct {
		sent, received, resent, dropped, sendErrors, refused atomic.Uint64
		// Of dropped: data without room in the receive buffer, data
		// too far past the next expected packet, packets for no
		// connection (usually one that ended here first).
		droppedFull, droppedFar, droppedNoConn atomic.Uint64
	}
}

// pendingPacket is a packet for a connection whose SYN has not arrived.
type pendingPacket struct {
	peerID           uint32
	srcPort, dstPort uint16
	raw              []byte
	at               time.Time
}

// Stats are counters of a Manager for status pages.
type Stats struct {
	// Conns is the number of open connections (not counting those in
	// TIME_WAIT), Inbound of them accepted.
	Conns, Inbound int
	// PacketsSent counts packets handed to the Sender, PacketsResent the
	// retransmissions among them.
	PacketsSent, PacketsResent uint64
	// PacketsReceived counts packets given to HandlePacket, PacketsDropped
	// those that were malformed, unverifiable or for no connection.
	PacketsReceived, PacketsDropped uint64
	// Of PacketsDropped: DroppedFull had no room in the receive buffer,
	// DroppedFar were too far past the next expected packet, DroppedNoConn
	// were for no connection (most often one that ended here first).
	DroppedFull, DroppedFar, DroppedNoConn uint64
	// SendErrors counts packets the Sender refused.
	SendErrors uint64
	// Refused counts inbound connections answered with a RESET.
	Refused uint64
}

// New returns a Manager for cfg.Local.
func New(cfg Config) (*Manager, error) {
	s, err := cfg.settings()
	if err != nil {
		return nil, err
	}
	m := &Manager{s: s, local: cfg.Local.Hash(), done: make(chan struct{})}
	m.oooBudget.limit = int64(s.OutOfOrderBudget)
	m.mu.conns = make(map[uint32]*Conn)
	m.mu.incoming = make(map[uint32]*Conn)
	m.mu.listeners = make(map[uint16]*Listener)
	m.mu.perPeer = make(map[data.Hash]int)
	m.mu.pings = make(map[uint32]chan struct{})
	return m, nil
}

// Addr returns our address with port 0.
func (m *Manager) Addr() Addr { return Addr{Hash: m.local} }

// Stats returns the current counters.
func (m *Manager) Stats() Stats {
	st := Stats{
		PacketsSent:     m.stats.sent.Load(),
		PacketsResent:   m.stats.resent.Load(),
		PacketsReceived: m.stats.received.Load(),
		PacketsDropped:  m.stats.dropped.Load(),
		DroppedFull:     m.stats.droppedFull.Load(),
		DroppedFar:      m.stats.droppedFar.Load(),
		DroppedNoConn:   m.stats.droppedNoConn.Load(),
		SendErrors:      m.stats.sendErrors.Load(),
		Refused:         m.stats.refused.Load(),
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	st.Conns = m.mu.open
	for _, c := range m.mu.conns {
		if c.counted && !c.outbound {
			st.Inbound++
		}
	}
	return st
}

// Close resets every connection, closes the listeners and fails pending
// pings, then waits for running timer callbacks. It is idempotent.
func (m *Manager) Close() error {
	m.mu.Lock()
	if m.mu.closed {
		m.mu.Unlock()
		m.wg.Wait()
		return nil
	}
	m.mu.closed = true
	m.closed.Store(true)
	close(m.done)
	conns := make([]*Conn, 0, len(m.mu.conns))
	for _, c := range m.mu.conns {
		conns = append(conns, c)
	}
	listeners := make([]*Listener, 0, len(m.mu.listeners))
	for _, l := range m.mu.listeners {
		listeners = append(listeners, l)
	}
	m.mu.pending = nil
	m.mu.Unlock()
	for _, l := range listeners {
		l.Close()
	}
	for _, c := range conns {
		c.abort(fmt.Errorf("streaming: manager closed: %w", ErrClosed), true)
	}
	m.wg.Wait()
	return nil
}

// enter registers a timer callback; it fails once the Manager is closed.
func (m *Manager) enter() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mu.closed {
		return false
	}
	m.wg.Add(1)
	return true
}

func (m *Manager) leave() { m.wg.Done() }

// newStreamIDLocked returns a random non-zero stream ID not in use.
func (m *Manager) newStreamIDLocked() (uint32, error) {
	var b [4]byte
	for range 16 {
		if _, err := io.ReadFull(m.s.rand, b[:]); err != nil {
			return 0, fmt.Errorf("streaming: stream ID: %w", err)
		}
		id := binary.BigEndian.Uint32(b[:])
		_, used := m.mu.conns[id]
		_, ping := m.mu.pings[id]
		if id != 0 && !used && !ping {
			return id, nil
		}
	}
	return 0, errors.New("streaming: stream ID: random source repeats itself")
}

// admitLocked checks the limits for a new connection with remote.
func (m *Manager) admitLocked(remote data.Hash) error {
	switch {
	case m.mu.closed:
		return fmt.Errorf("streaming: manager: %w", ErrClosed)
	case m.mu.open >= m.s.MaxConns:
		return fmt.Errorf("streaming: %d connections: %w", m.mu.open, ErrLimit)
	case m.mu.perPeer[remote] >= m.s.MaxConnsPerPeer:
		return fmt.Errorf("streaming: %d connections with one peer: %w", m.mu.perPeer[remote], ErrLimit)
	}
	return nil
}

// registerLocked adds c to the tables and counts it.
func (m *Manager) registerLocked(c *Conn) {
	m.mu.conns[c.localID] = c
	if !c.outbound {
		m.mu.incoming[c.peerIDIn] = c
	}
	c.counted = true
	m.mu.open++
	m.mu.perPeer[c.remoteHash]++
}

// release stops counting c against the limits (TIME_WAIT or gone).
func (m *Manager) release(c *Conn) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.releaseLocked(c)
}

func (m *Manager) releaseLocked(c *Conn) {
	if !c.counted {
		return
	}
	c.counted = false
	m.mu.open--
	if n := m.mu.perPeer[c.remoteHash] - 1; n > 0 {
		m.mu.perPeer[c.remoteHash] = n
	} else {
		delete(m.mu.perPeer, c.remoteHash)
	}
}

// forget removes c from the tables.
func (m *Manager) forget(c *Conn) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.releaseLocked(c)
	if m.mu.conns[c.localID] == c {
		delete(m.mu.conns, c.localID)
	}
	if !c.outbound && m.mu.incoming[c.peerIDIn] == c {
		delete(m.mu.incoming, c.peerIDIn)
	}
}

// send hands packets to the Sender. No lock may be held.
func (m *Manager) send(to *data.Destination, srcPort, dstPort uint16, out []outPacket) {
	for _, o := range out {
		m.stats.sent.Add(1)
		if o.resend {
			m.stats.resent.Add(1)
		}
		if err := m.s.Sender.SendPacket(to, srcPort, dstPort, o.wire); err != nil {
			m.stats.sendErrors.Add(1)
		}
	}
}

func (m *Manager) drop() { m.stats.dropped.Add(1) }

// HandlePacket takes an inbound streaming packet (the data of an I2CP
// payload of protocol 6) with the payload's ports. It never blocks beyond
// the Sender calls it makes and keeps no reference to packet. Bad packets
// are dropped and counted.
func (m *Manager) HandlePacket(srcPort, dstPort uint16, packet []byte) {
	if m.closed.Load() {
		return
	}
	m.stats.received.Add(1)
	p, err := Parse(packet)
	if err != nil {
		m.drop()
		return
	}
	switch {
	case p.Flags&FlagEcho != 0:
		m.handleEcho(p, srcPort, dstPort)
	case p.SendStreamID != 0:
		m.mu.Lock()
		c := m.mu.conns[p.SendStreamID]
		m.mu.Unlock()
		if c == nil {
			m.drop()
			m.stats.droppedNoConn.Add(1)
			return
		}
		c.handle(p)
	case p.Flags&FlagSynchronize != 0:
		m.handleSyn(p, srcPort, dstPort)
	default:
		m.mu.Lock()
		c := m.mu.incoming[p.ReceiveStreamID]
		if c == nil {
			m.savePendingLocked(p, srcPort, dstPort)
		}
		m.mu.Unlock()
		if c != nil {
			c.handle(p)
		}
	}
}

// savePendingLocked keeps a packet that may precede its SYN.
func (m *Manager) savePendingLocked(p *Packet, srcPort, dstPort uint16) {
	if m.mu.closed || p.ReceiveStreamID == 0 || p.IsPlainACK() {
		m.drop()
		return
	}
	now := m.s.clock.Now()
	keep := m.mu.pending[:0]
	for _, q := range m.mu.pending {
		if now.Sub(q.at) < PendingTimeout {
			keep = append(keep, q)
		}
	}
	clear(m.mu.pending[len(keep):])
	m.mu.pending = keep
	if len(m.mu.pending) >= MaxPending {
		m.drop()
		return
	}
	m.mu.pending = append(m.mu.pending, pendingPacket{
		peerID: p.ReceiveStreamID, srcPort: srcPort, dstPort: dstPort,
		raw: append([]byte(nil), p.raw...), at: now,
	})
}

// takePending removes and returns the packets saved for peerID.
func (m *Manager) takePending(peerID uint32) []pendingPacket {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []pendingPacket
	keep := m.mu.pending[:0]
	for _, q := range m.mu.pending {
		if q.peerID == peerID {
			out = append(out, q)
		} else {
			keep = append(keep, q)
		}
	}
	clear(m.mu.pending[len(keep):])
	m.mu.pending = keep
	return out
}

// handleSyn handles the SYN of a new inbound connection, or a
// retransmitted one.
func (m *Manager) handleSyn(p *Packet, srcPort, dstPort uint16) {
	if p.From == nil || p.Flags&FlagSignatureIncluded == 0 || p.Seq != 0 {
		m.drop()
		return
	}
	if h, ok := p.TargetHash(); ok && h != m.local {
		m.drop() // meant for another destination: a replay
		return
	}
	key, err := p.VerifyFrom(p.From, m.s.clock.Now())
	if err != nil {
		m.drop()
		return
	}
	m.mu.Lock()
	if c := m.mu.incoming[p.ReceiveStreamID]; c != nil {
		m.mu.Unlock()
		if c.remoteHash == p.From.Hash() {
			c.handle(p) // retransmitted SYN
		} else {
			m.drop()
		}
		return
	}
	l := m.mu.listeners[dstPort]
	if l == nil {
		l = m.mu.listeners[0]
	}
	var c *Conn
	switch {
	case l == nil:
		err = fmt.Errorf("streaming: no listener on port %d", dstPort)
	case !l.hasRoom():
		err = fmt.Errorf("streaming: accept backlog of port %d: %w", dstPort, ErrLimit)
	default:
		err = m.admitLocked(p.From.Hash())
	}
	if err == nil {
		if c, err = m.newConnLocked(p.From, false, dstPort, srcPort); err == nil {
			c.peerIDIn = p.ReceiveStreamID
			c.mu.peerKey = key
			m.registerLocked(c)
		}
	}
	m.mu.Unlock()
	if c == nil {
		m.s.log.Debug("refused connection", "port", dstPort, "err", err)
		m.refuse(p, srcPort, dstPort)
		return
	}
	c.acceptSyn(p)
	for _, q := range m.takePending(p.ReceiveStreamID) {
		m.HandlePacket(q.srcPort, q.dstPort, q.raw)
	}
	if !l.enqueue(c) {
		c.abort(fmt.Errorf("streaming: accept backlog: %w", ErrLimit), true)
	}
}

// refuse answers a SYN we will not accept with a RESET.
func (m *Manager) refuse(syn *Packet, srcPort, dstPort uint16) {
	m.stats.refused.Add(1)
	rst := &Packet{
		SendStreamID: syn.ReceiveStreamID,
		AckThrough:   syn.Seq,
		Flags:        FlagReset | FlagSignatureIncluded,
	}
	wire, err := m.sign(rst)
	if err != nil {
		return
	}
	m.send(syn.From, dstPort, srcPort, []outPacket{{wire: wire}})
}

// sign serializes a packet signed by our key, with the offline signature
// when our keys are offline and the packet carries FROM.
func (m *Manager) sign(p *Packet) ([]byte, error) {
	if p.Flags&FlagFromIncluded != 0 && m.s.offl != nil {
		p.Flags |= FlagOfflineSignature
		p.Offline = m.s.offl
	}
	return p.Append(nil, m.s.Signer)
}

// newConnLocked creates a connection (not yet registered).
func (m *Manager) newConnLocked(remote *data.Destination, outbound bool, localPort, remotePort uint16) (*Conn, error) {
	id, err := m.newStreamIDLocked()
	if err != nil {
		return nil, err
	}
	return newConn(m, id, remote, outbound, localPort, remotePort), nil
}

// Dial opens a connection to port of remote. It returns when the peer has
// answered the SYN, or fails on a RESET, ctx, or the connect timeout.
func (m *Manager) Dial(ctx context.Context, remote *data.Destination, port uint16) (*Conn, error) {
	if remote == nil {
		return nil, fmt.Errorf("streaming: dial: no destination: %w", ErrInvalid)
	}
	m.mu.Lock()
	err := m.admitLocked(remote.Hash())
	var c *Conn
	if err == nil {
		c, err = m.newConnLocked(remote, true, 0, port)
	}
	if err != nil {
		m.mu.Unlock()
		return nil, fmt.Errorf("streaming: dial: %w", err)
	}
	c.mu.peerKey = remote.SigningPublicKey()
	m.registerLocked(c)
	m.mu.Unlock()
	if err := c.connect(ctx); err != nil {
		return nil, fmt.Errorf("streaming: dial: %w", err)
	}
	return c, nil
}

// Listen returns a listener for inbound connections to port; port 0
// takes the connections no other listener's port matches.
func (m *Manager) Listen(port uint16) (*Listener, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case m.mu.closed:
		return nil, fmt.Errorf("streaming: listen: %w", ErrClosed)
	case m.mu.listeners[port] != nil:
		return nil, fmt.Errorf("streaming: listen on %d: %w", port, ErrPortInUse)
	}
	l := newListener(m, port)
	m.mu.listeners[port] = l
	return l, nil
}

func (m *Manager) removeListener(l *Listener) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mu.listeners[l.port] == l {
		delete(m.mu.listeners, l.port)
	}
}
