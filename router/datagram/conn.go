package datagram

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Conn is a datagram socket bound to one I2CP port of the local
// destination. It implements net.PacketConn. Received datagrams wait in
// a bounded queue; when it is full new ones are dropped and counted.
type Conn struct {
	m        *Manager
	port     uint16
	proto    uint8
	authOnly bool
	ready    chan struct{} // a token: the queue may be non-empty
	done     chan struct{} // closed by Close
	rd, wd   *deadline
	drops    atomic.Uint64

	// mu guards the fields below.
	mu struct {
		sync.Mutex
		closed bool
		queue  []packet
		bytes  int // payload bytes in queue
	}
}

// packet is one received datagram.
type packet struct {
	from    Addr
	payload []byte
}

var _ net.PacketConn = (*Conn)(nil)

func newConn(m *Manager, lc ListenConfig) *Conn {
	return &Conn{
		m: m, port: lc.Port, proto: lc.Proto, authOnly: lc.AuthenticatedOnly,
		ready: make(chan struct{}, 1), done: make(chan struct{}),
		rd: newDeadline(m.s.clock), wd: newDeadline(m.s.clock),
	}
}

// hasRoom reports whether a datagram of n payload bytes fits the queue.
func (c *Conn) hasRoom(n int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hasRoomLocked(n)
}

func (c *Conn) hasRoomLocked(n int) bool {
	if c.mu.closed || len(c.mu.queue) >= c.m.s.QueueSize {
		return false
	}
	// An empty queue takes any datagram, so that one larger than
	// QueueBytes is not dropped forever.
	return len(c.mu.queue) == 0 || c.mu.bytes+n <= c.m.s.QueueBytes
}

// deliver queues a copy of payload from from; false if it did not fit.
func (c *Conn) deliver(from Addr, payload []byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.hasRoomLocked(len(payload)) {
		return false
	}
	c.mu.queue = append(c.mu.queue, packet{from: from, payload: append([]byte(nil), payload...)})
	c.mu.bytes += len(payload)
	c.signal()
	return true
}

// dropped counts a datagram the queue could not take.
func (c *Conn) dropped() {
	c.drops.Add(1)
	c.m.stats.queueFull.Add(1)
}

func (c *Conn) signal() {
	select {
	case c.ready <- struct{}{}:
	default:
	}
}

// next waits for the next datagram.
func (c *Conn) next() (packet, error) {
	for {
		c.mu.Lock()
		if c.mu.closed {
			c.mu.Unlock()
			return packet{}, fmt.Errorf("datagram: read: %w", ErrClosed)
		}
		if c.rd.expired() {
			c.mu.Unlock()
			return packet{}, timeoutError{}
		}
		if len(c.mu.queue) > 0 {
			p := c.mu.queue[0]
			c.mu.queue[0] = packet{}
			c.mu.queue = c.mu.queue[1:]
			c.mu.bytes -= len(p.payload)
			if len(c.mu.queue) > 0 {
				c.signal() // for another reader
			} else {
				c.mu.queue = nil // let the backing array go
			}
			c.mu.Unlock()
			return p, nil
		}
		c.mu.Unlock()
		select {
		case <-c.ready:
		case <-c.done:
		case <-c.rd.wait():
		}
	}
}

// ReadFrom waits for a datagram and copies its payload into b; a payload
// longer than b is cut, the rest discarded, as with UDP. addr is an Addr
// (a value, not a pointer):
// for a Datagram1 or Datagram2 the verified sender (Hash, Dest) and its
// source port; for a Datagram3 the claimed sender hash, Dest nil; for a
// raw datagram only the source port, with a zero Hash and String ":port"
// (raw datagrams do not say who sent them; WriteTo cannot answer them).
func (c *Conn) ReadFrom(b []byte) (n int, addr net.Addr, err error) {
	p, err := c.next()
	if err != nil {
		return 0, nil, err
	}
	return copy(b, p.payload), p.from, nil
}

// ReadDatagram is ReadFrom returning the whole payload, which the caller
// then owns.
func (c *Conn) ReadDatagram() ([]byte, Addr, error) {
	p, err := c.next()
	if err != nil {
		return nil, Addr{}, err
	}
	return p.payload, p.from, nil
}

// WriteTo sends b as one datagram, in the Conn's format, from its port to
// addr: an Addr (Hash or Dest, and Port), or any net.Addr whose String is
// "xxxx.b32.i2p:port". It fails with ErrTooLarge beyond Config.MaxSize
// (see MaxPayload) and ErrNoAddress for an unknown sender. It does not
// wait for delivery, which is not guaranteed.
func (c *Conn) WriteTo(b []byte, addr net.Addr) (int, error) {
	if c.isClosed() {
		return 0, fmt.Errorf("datagram: write: %w", ErrClosed)
	}
	if c.wd.expired() {
		return 0, timeoutError{}
	}
	to, port, err := target(addr)
	if err != nil {
		return 0, err
	}
	if err := c.m.send(c.proto, c.port, to, port, b); err != nil {
		return 0, err
	}
	return len(b), nil
}

// MaxPayload returns the largest payload WriteTo sends: Config.MaxSize
// less the header of the Conn's format.
func (c *Conn) MaxPayload() int { return max(0, c.m.s.MaxSize-c.m.overhead(c.proto)) }

// Proto returns the protocol WriteTo sends.
func (c *Conn) Proto() uint8 { return c.proto }

// Drops returns how many datagrams this Conn dropped because its queue
// was full.
func (c *Conn) Drops() uint64 { return c.drops.Load() }

// LocalAddr returns our destination and the Conn's port.
func (c *Conn) LocalAddr() net.Addr { return Addr{Hash: c.m.s.hash, Port: c.port, Dest: c.m.s.Local} }

// SetDeadline sets the read and write deadlines.
func (c *Conn) SetDeadline(t time.Time) error {
	c.rd.set(t)
	c.wd.set(t)
	return nil
}

// SetReadDeadline sets when ReadFrom stops waiting; zero means never.
// ReadFrom past the deadline fails with an error matching
// os.ErrDeadlineExceeded, even when datagrams wait.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.rd.set(t)
	return nil
}

// SetWriteDeadline sets when WriteTo starts failing; WriteTo itself never
// waits, so only a deadline already past matters.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	c.wd.set(t)
	return nil
}

func (c *Conn) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mu.closed
}

// Close unbinds the port, drops the queued datagrams and wakes readers. It
// is idempotent and always returns nil.
func (c *Conn) Close() error {
	c.mu.Lock()
	if c.mu.closed {
		c.mu.Unlock()
		return nil
	}
	c.mu.closed = true
	c.mu.queue, c.mu.bytes = nil, 0
	close(c.done)
	c.mu.Unlock()
	c.rd.stop()
	c.wd.stop()
	c.m.remove(c)
	c.m.s.log.Debug("closed", "port", c.port, "drops", c.drops.Load())
	return nil
}
