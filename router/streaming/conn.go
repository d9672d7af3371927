package streaming

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"i2pgate/router/clock"
	"i2pgate/router/data"
)

type connState uint8

const (
	stateSynSent  connState = iota // outbound, waiting for the SYN reply
	stateOpen                      // established
	stateTimeWait                  // both sides closed; kept to re-ACK
	stateDead                      // removed from the Manager
)

// Conn is one streaming connection. It implements net.Conn; Read and Write
// may be called concurrently with each other and with Close.
type Conn struct {
	m                     *Manager
	localID               uint32 // our stream ID: the peer's sendStreamId
	peerIDIn              uint32 // inbound: the initiator's stream ID
	remote                *data.Destination
	remoteHash            data.Hash
	outbound              bool
	localPort, remotePort uint16
	rd, wd                *deadline

	// counted is guarded by m.mu: the connection counts against limits.
	counted bool

	// mu guards the fields below.
	mu struct {
		sync.Mutex
		state   connState
		err     error // why the connection failed; nil if it did not
		peerID  uint32
		peerKey data.SigningPublicKey // verifies the peer's signed packets
		notify  chan struct{}         // closed and replaced to wake waiters
		waiters int

		userClosed   bool // Close was called
		writeClosed  bool // Close or CloseWrite: CLOSE follows the data
		lastActivity time.Time

		timer   clock.Timer
		timerAt time.Time

		// Packets leave in the order they were made: one goroutine at a
		// time drains outq, without the lock.
		outq    []outPacket
		sending bool
		// Deadlines of the timer events; zero when not armed.
		connectAt, rtoAt, ackAt, closeAt, timeWaitAt time.Time
		// probeAt is when a receiver whose data stopped arriving sends
		// its ACK again (probes counts them): a sender whose ACKs were
		// all lost, or that forgot to resend, gets the NACKs once more.
		probeAt time.Time
		probes  int

		send sendState
		recv recvState
	}
}

var _ net.Conn = (*Conn)(nil)

// actions collects what a locked section decided, to be done unlocked.
type actions struct {
	out     []outPacket
	release bool  // stop counting against the limits
	forget  bool  // remove from the Manager
	drain   bool  // this goroutine sends the queued packets
	endErr  error // why the connection ended, for the log
	// What the log says of an ended connection: the peer's stream ID,
	// the next sequence number expected, packets of ours unacknowledged.
	endPeer, endNext uint32
	endUnacked       int
}

type outPacket struct {
	wire   []byte
	resend bool
}

func newConn(m *Manager, id uint32, remote *data.Destination, outbound bool, localPort, remotePort uint16) *Conn {
	c := &Conn{
		m: m, localID: id, remote: remote, remoteHash: remote.Hash(), outbound: outbound,
		localPort: localPort, remotePort: remotePort,
		rd: newDeadline(m.s.clock), wd: newDeadline(m.s.clock),
	}
	now := m.s.clock.Now()
	c.mu.notify = make(chan struct{})
	c.mu.lastActivity = now
	c.mu.send.init(m.s)
	c.mu.recv.limit = m.s.ReceiveBuffer
	c.mu.recv.oooLimit, c.mu.recv.budget = m.s.OutOfOrderBuffer, &m.oooBudget
	return c
}

// LocalAddr returns our destination and the local port.
func (c *Conn) LocalAddr() net.Addr { return Addr{Hash: c.m.local, Port: c.localPort} }

// RemoteAddr returns the peer's destination and port.
func (c *Conn) RemoteAddr() net.Addr { return Addr{Hash: c.remoteHash, Port: c.remotePort} }

// RemoteDestination returns the peer's destination.
func (c *Conn) RemoteDestination() *data.Destination { return c.remote }

// SetDeadline sets the read and write deadlines.
func (c *Conn) SetDeadline(t time.Time) error {
	c.rd.set(t)
	c.wd.set(t)
	return nil
}

// SetReadDeadline sets the deadline for Read calls, including a blocked
// one; the zero time means none.
func (c *Conn) SetReadDeadline(t time.Time) error { c.rd.set(t); return nil }

// SetWriteDeadline sets the deadline for Write calls, including a blocked
// one; the zero time means none.
func (c *Conn) SetWriteDeadline(t time.Time) error { c.wd.set(t); return nil }

// wakeLocked wakes every goroutine waiting on the connection.
func (c *Conn) wakeLocked() {
	if c.mu.waiters > 0 {
		close(c.mu.notify)
		c.mu.notify = make(chan struct{})
		c.mu.waiters = 0
	}
}

// waitLocked releases the lock until the connection changes or done is
// closed, and reports whether done was.
func (c *Conn) waitLocked(done <-chan struct{}) bool {
	ch := c.mu.notify
	c.mu.waiters++
	c.mu.Unlock()
	defer c.mu.Lock()
	select {
	case <-ch:
		return false
	case <-done:
		return true
	}
}

// run executes f with the lock held, then settles the state and carries
// out the actions.
func (c *Conn) run(f func(now time.Time, a *actions)) {
	var a actions
	c.mu.Lock()
	now := c.m.s.clock.Now()
	f(now, &a)
	c.settleLocked(now, &a)
	c.mu.Unlock()
	c.apply(&a)
}

// apply sends and updates the Manager; no lock is held.
func (c *Conn) apply(a *actions) {
	if a.drain {
		c.drainOut()
	}
	if a.forget {
		c.m.forget(c)
		c.m.s.log.Debug("connection ended", "stream", c.localID, "peer", a.endPeer, "inbound", !c.outbound,
			"received", a.endNext, "unacked", a.endUnacked, "err", a.endErr)
	} else if a.release {
		c.m.release(c)
	}
}

// drainOut hands the queued packets to the Sender until none are left.
func (c *Conn) drainOut() {
	for {
		c.mu.Lock()
		batch := c.mu.outq
		c.mu.outq = nil
		if len(batch) == 0 {
			c.mu.sending = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		c.m.send(c.remote, c.localPort, c.remotePort, batch)
	}
}

// settleLocked moves the connection through its end states, arms the
// timer after every change and queues the packets made.
func (c *Conn) settleLocked(now time.Time, a *actions) {
	c.settleStateLocked(now, a)
	if len(a.out) > 0 {
		c.mu.outq = append(c.mu.outq, a.out...)
		a.out = nil
	}
	if len(c.mu.outq) > 0 && !c.mu.sending {
		c.mu.sending = true
		a.drain = true
	}
}

func (c *Conn) settleStateLocked(now time.Time, a *actions) {
	s := &c.mu.send
	if c.mu.state == stateOpen && s.closeAcked && c.mu.recv.remoteClosed && len(s.unacked) == 0 {
		c.mu.state = stateTimeWait
		c.mu.timeWaitAt = now.Add(TimeWait)
		c.mu.rtoAt, c.mu.ackAt, c.mu.closeAt = time.Time{}, time.Time{}, time.Time{}
		a.release = true
		c.wakeLocked()
	}
	if c.mu.err != nil && c.mu.state != stateDead {
		c.mu.state = stateDead
		a.forget, a.endErr = true, c.mu.err
		a.endPeer, a.endNext, a.endUnacked = c.mu.peerID, c.mu.recv.next, len(c.mu.send.unacked)
		c.wakeLocked()
	}
	if c.mu.state == stateDead {
		if c.mu.timer != nil {
			c.mu.timer.Stop()
		}
		c.mu.send.drop()
		c.mu.recv.clearOOO()
		if c.mu.err != nil || c.mu.userClosed {
			c.mu.recv.drop()
		}
		return
	}
	c.sendAckLocked(now, a)
	c.armLocked(now)
}

// failLocked ends the connection with err, sending a RESET if asked.
func (c *Conn) failLocked(now time.Time, err error, reset bool, a *actions) {
	if c.mu.err != nil || c.mu.state == stateDead {
		return
	}
	if reset && c.mu.state != stateTimeWait {
		if w, e := c.resetPacketLocked(); e == nil {
			a.out = append(a.out, outPacket{wire: w})
		}
	}
	c.mu.err = err
}

// abort fails the connection from outside a locked section.
func (c *Conn) abort(err error, reset bool) {
	c.run(func(now time.Time, a *actions) { c.failLocked(now, err, reset, a) })
}

// connect sends the SYN and waits for the reply.
func (c *Conn) connect(ctx context.Context) error {
	c.run(func(now time.Time, a *actions) {
		c.mu.connectAt = now.Add(c.m.s.ConnectTimeout)
		if err := c.synLocked(now, a); err != nil {
			c.mu.err = err
		}
	})
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		switch {
		case c.mu.state == stateOpen:
			return nil
		case c.mu.err != nil:
			return c.mu.err
		}
		if c.waitLocked(ctx.Done()) {
			c.mu.Unlock()
			c.abort(ctx.Err(), true)
			c.mu.Lock()
			return ctx.Err()
		}
	}
}

// Read reads received data. It returns io.EOF after the peer's CLOSE,
// and an error wrapping ErrReset or ErrTimeout when the connection failed.
func (c *Conn) Read(b []byte) (int, error) {
	c.mu.Lock()
	for {
		r := &c.mu.recv
		switch {
		case c.mu.userClosed:
			c.mu.Unlock()
			return 0, fmt.Errorf("streaming: read: %w", ErrClosed)
		case isClosed(c.rd.wait()):
			c.mu.Unlock()
			return 0, timeoutError{}
		case r.bytes > 0:
			n := r.read(b)
			var a actions
			now := c.m.s.clock.Now()
			c.unchokeLocked(now, &a)
			c.settleLocked(now, &a)
			c.mu.Unlock()
			c.apply(&a)
			return n, nil
		case r.remoteClosed:
			c.mu.Unlock()
			return 0, io.EOF
		case c.mu.err != nil:
			err := c.mu.err
			c.mu.Unlock()
			return 0, err
		case len(b) == 0:
			c.mu.Unlock()
			return 0, nil
		}
		if c.waitLocked(c.rd.wait()) {
			c.mu.Unlock()
			return 0, timeoutError{}
		}
	}
}

// Write queues b for sending, blocking while the send buffer is full. It
// returns when all of b is queued, not when it is acknowledged.
func (c *Conn) Write(b []byte) (int, error) {
	n := 0
	c.mu.Lock()
	for {
		switch {
		case c.mu.userClosed:
			c.mu.Unlock()
			return n, fmt.Errorf("streaming: write: %w", ErrClosed)
		case c.mu.err != nil:
			err := c.mu.err
			c.mu.Unlock()
			return n, err
		case c.mu.writeClosed:
			c.mu.Unlock()
			return n, fmt.Errorf("streaming: write after CloseWrite: %w", ErrClosed)
		case isClosed(c.wd.wait()):
			c.mu.Unlock()
			return n, timeoutError{}
		case n == len(b):
			c.mu.Unlock()
			return n, nil
		}
		if room := c.mu.send.room(); room > 0 {
			k := min(room, len(b)-n)
			c.mu.send.buf = append(c.mu.send.buf, b[n:n+k]...)
			n += k
			var a actions
			now := c.m.s.clock.Now()
			c.flushLocked(now, &a)
			c.settleLocked(now, &a)
			c.mu.Unlock()
			c.apply(&a)
			c.mu.Lock()
			continue
		}
		if c.waitLocked(c.wd.wait()) {
			c.mu.Unlock()
			return n, timeoutError{}
		}
	}
}

// CloseWrite sends CLOSE after the queued data: the peer reads EOF, while
// this side can still read.
func (c *Conn) CloseWrite() error {
	var err error
	c.run(func(now time.Time, a *actions) {
		switch {
		case c.mu.userClosed:
			err = fmt.Errorf("streaming: close write: %w", ErrClosed)
		case c.mu.err != nil:
			err = c.mu.err
		default:
			c.mu.writeClosed = true
			c.flushLocked(now, a)
		}
	})
	return err
}

// Close closes the connection: queued data and a CLOSE are still sent,
// for up to CloseTimeout, while Read and Write fail at once. Received data
// that was not read is discarded. Close is idempotent.
func (c *Conn) Close() error {
	c.rd.stop()
	c.wd.stop()
	c.run(func(now time.Time, a *actions) {
		if c.mu.userClosed {
			return
		}
		c.mu.userClosed = true
		c.mu.recv.discard()
		switch c.mu.state {
		case stateSynSent:
			c.failLocked(now, fmt.Errorf("streaming: closed while connecting: %w", ErrClosed), true, a)
		case stateOpen:
			c.mu.writeClosed = true
			c.mu.closeAt = now.Add(CloseTimeout)
			c.flushLocked(now, a)
		}
		c.wakeLocked()
	})
	return nil
}
