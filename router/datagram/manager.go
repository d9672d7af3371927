package datagram

import (
	"fmt"
	"sync"
	"sync/atomic"

	"i2pgate/router/data"
)

// Manager is the datagram endpoint of one local destination: it hands
// received datagrams to the Conn bound to their destination port and
// builds the datagrams Conns send. It is safe for concurrent use.
type Manager struct {
	s     *settings
	stats counters

	// mu guards the fields below.
	mu struct {
		sync.RWMutex
		closed bool
		conns  map[uint16]*Conn // by local port; 0 takes every other port
	}
}

// counters are the Manager's statistics.
type counters struct {
	received, delivered                             atomic.Uint64
	noListener, invalid, unauthenticated, queueFull atomic.Uint64
	sent, sendErrors                                atomic.Uint64
}

// Stats are counters of a Manager since New.
type Stats struct {
	// Conns is the number of open Conns.
	Conns int
	// Received counts the datagrams given to HandlePayload, Delivered
	// those queued on a Conn.
	Received, Delivered uint64
	// Dropped datagrams: for a port no Conn holds, malformed or failing
	// their signature (or of another protocol), unauthenticated ones a
	// Conn refuses, and those that found their Conn's queue full.
	NoListener, Invalid, Unauthenticated, QueueFull uint64
	// Sent counts the datagrams the Sender accepted, SendErrors those it
	// refused.
	Sent, SendErrors uint64
}

// New returns a Manager for cfg.Local.
func New(cfg Config) (*Manager, error) {
	s, err := cfg.settings()
	if err != nil {
		return nil, err
	}
	m := &Manager{s: s}
	m.mu.conns = make(map[uint16]*Conn)
	return m, nil
}

// ListenConfig says how a Conn receives and sends.
type ListenConfig struct {
	// Port is the local I2CP port: the destination port of the datagrams
	// the Conn receives and the source port of those it sends. Port 0
	// receives the datagrams for every port no other Conn holds.
	Port uint16
	// Proto is the format WriteTo sends: ProtoDatagram (0 means it),
	// ProtoRaw, ProtoDatagram2 or ProtoDatagram3. A Conn receives every
	// format whatever its Proto.
	Proto uint8
	// AuthenticatedOnly drops raw datagrams and Datagram3, whose sender
	// is not verified, instead of queueing them.
	AuthenticatedOnly bool
}

// Listen binds a Conn to port that sends repliable datagrams (Datagram1,
// protocol 17) if repliable, else raw datagrams (protocol 18). It receives
// datagrams of every format; see ListenWith.
func (m *Manager) Listen(port uint16, repliable bool) (*Conn, error) {
	lc := ListenConfig{Port: port, Proto: ProtoRaw}
	if repliable {
		lc.Proto = ProtoDatagram
	}
	return m.ListenWith(lc)
}

// ListenWith binds a Conn as lc says. It fails with ErrPortInUse if a
// Conn holds the port, and with ErrOffline for Datagram1 from offline keys.
func (m *Manager) ListenWith(lc ListenConfig) (*Conn, error) {
	if lc.Proto == 0 {
		lc.Proto = ProtoDatagram
	}
	switch lc.Proto {
	case ProtoRaw, ProtoDatagram3:
	case ProtoDatagram, ProtoDatagram2:
		if m.s.Signer == nil {
			return nil, fmt.Errorf("datagram: listen: protocol %d needs a Signer: %w", lc.Proto, ErrInvalid)
		}
		if lc.Proto == ProtoDatagram && m.s.offline != nil {
			return nil, fmt.Errorf("datagram: listen: %w", ErrOffline)
		}
	default:
		return nil, fmt.Errorf("datagram: listen: protocol %d: %w", lc.Proto, ErrInvalid)
	}
	c := newConn(m, lc)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mu.closed {
		return nil, fmt.Errorf("datagram: listen: %w", ErrClosed)
	}
	if _, ok := m.mu.conns[lc.Port]; ok {
		return nil, fmt.Errorf("datagram: listen on port %d: %w", lc.Port, ErrPortInUse)
	}
	m.mu.conns[lc.Port] = c
	m.s.log.Debug("listen", "port", lc.Port, "proto", lc.Proto)
	return c, nil
}

// HandlePayload takes the data of one I2CP payload of protocol proto
// (ProtoDatagram, ProtoRaw, ProtoDatagram2 or ProtoDatagram3) sent to us
// from srcPort to dstPort, as router/i2cp decodes it. It parses and
// verifies the datagram and queues a copy of its payload on the Conn bound
// to dstPort (or port 0); it drops, and counts, everything else. It never
// blocks, never logs, does not keep b and is safe for concurrent use.
func (m *Manager) HandlePayload(proto uint8, srcPort, dstPort uint16, b []byte) {
	m.stats.received.Add(1)
	c := m.conn(dstPort)
	if c == nil {
		m.stats.noListener.Add(1)
		return
	}
	if c.authOnly && (proto == ProtoRaw || proto == ProtoDatagram3) {
		m.stats.unauthenticated.Add(1)
		return
	}
	// Spare the signature check when the datagram cannot be queued. Only
	// a raw datagram's payload size is known before parsing.
	need := 0
	if proto == ProtoRaw {
		need = len(b)
	}
	if !c.hasRoom(need) {
		c.dropped()
		return
	}
	from, payload, err := m.open(proto, b)
	if err != nil {
		m.stats.invalid.Add(1)
		return
	}
	from.Port, from.Proto = srcPort, proto
	if !c.deliver(from, payload) {
		c.dropped()
		return
	}
	m.stats.delivered.Add(1)
}

// open parses and verifies a datagram and returns its sender and payload.
func (m *Manager) open(proto uint8, b []byte) (Addr, []byte, error) {
	switch proto {
	case ProtoRaw:
		if len(b) > MaxSize {
			return Addr{}, nil, ErrTooLarge
		}
		return Addr{}, b, nil
	case ProtoDatagram:
		from, payload, err := ParseRepliable(b)
		if err != nil {
			return Addr{}, nil, err
		}
		return Addr{Hash: from.Hash(), Dest: from}, payload, nil
	case ProtoDatagram2:
		d, err := ParseDatagram2(b, m.s.hash, m.s.clock.Now())
		if err != nil {
			return Addr{}, nil, err
		}
		return Addr{Hash: d.From.Hash(), Dest: d.From}, d.Payload, nil
	case ProtoDatagram3:
		d, err := ParseDatagram3(b)
		if err != nil {
			return Addr{}, nil, err
		}
		return Addr{Hash: d.From}, d.Payload, nil
	}
	return Addr{}, nil, fmt.Errorf("datagram: protocol %d: %w", proto, ErrInvalid)
}

// conn returns the Conn for a destination port, falling back to port 0.
func (m *Manager) conn(port uint16) *Conn {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.mu.closed {
		return nil
	}
	if c, ok := m.mu.conns[port]; ok {
		return c
	}
	return m.mu.conns[0]
}

// remove unbinds c from its port.
func (m *Manager) remove(c *Conn) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mu.conns[c.port] == c {
		delete(m.mu.conns, c.port)
	}
}

// build returns the datagram of payload to the destination hash to in the
// format proto.
func (m *Manager) build(proto uint8, to data.Hash, payload []byte) ([]byte, error) {
	switch proto {
	case ProtoDatagram:
		return BuildRepliable(m.s.Signer, m.s.Local, payload)
	case ProtoDatagram2:
		return BuildDatagram2(m.s.Signer, to, &Datagram2{From: m.s.Local, Offline: m.s.offline, Payload: payload})
	case ProtoDatagram3:
		return BuildDatagram3(&Datagram3{From: m.s.hash, Payload: payload})
	}
	if len(payload) > MaxSize {
		return nil, fmt.Errorf("datagram: raw: %d bytes: %w", len(payload), ErrTooLarge)
	}
	return append([]byte(nil), payload...), nil
}

// overhead returns the bytes a datagram of format proto adds to its
// payload when we send it.
func (m *Manager) overhead(proto uint8) int {
	sigLen := 0
	if m.s.Signer != nil {
		sigLen = m.s.Signer.Type().SignatureLen()
	}
	switch proto {
	case ProtoDatagram:
		return len(m.s.Local.Bytes()) + sigLen
	case ProtoDatagram2:
		n := len(m.s.Local.Bytes()) + FlagsSize + sigLen
		if m.s.offline != nil {
			n += m.s.offline.len()
		}
		return n
	case ProtoDatagram3:
		return MinDatagram3Size
	}
	return 0
}

// send builds and sends one datagram.
func (m *Manager) send(proto uint8, srcPort uint16, to data.Hash, dstPort uint16, payload []byte) error {
	dg, err := m.build(proto, to, payload)
	if err != nil {
		return err
	}
	if len(dg) > m.s.MaxSize {
		return fmt.Errorf("datagram: %d bytes, limit %d: %w", len(dg), m.s.MaxSize, ErrTooLarge)
	}
	if err := m.s.Sender.SendDatagram(to, proto, srcPort, dstPort, dg); err != nil {
		m.stats.sendErrors.Add(1)
		return fmt.Errorf("datagram: send: %w", err)
	}
	m.stats.sent.Add(1)
	return nil
}

// Stats returns the counters.
func (m *Manager) Stats() Stats {
	m.mu.RLock()
	n := len(m.mu.conns)
	m.mu.RUnlock()
	return Stats{
		Conns:           n,
		Received:        m.stats.received.Load(),
		Delivered:       m.stats.delivered.Load(),
		NoListener:      m.stats.noListener.Load(),
		Invalid:         m.stats.invalid.Load(),
		Unauthenticated: m.stats.unauthenticated.Load(),
		QueueFull:       m.stats.queueFull.Load(),
		Sent:            m.stats.sent.Load(),
		SendErrors:      m.stats.sendErrors.Load(),
	}
}

// Close closes every Conn; later HandlePayload calls drop their datagram
// and Listen fails. It is idempotent and always returns nil.
func (m *Manager) Close() error {
	m.mu.Lock()
	if m.mu.closed {
		m.mu.Unlock()
		return nil
	}
	m.mu.closed = true
	conns := make([]*Conn, 0, len(m.mu.conns))
	for _, c := range m.mu.conns {
		conns = append(conns, c)
	}
	m.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
	return nil
}
