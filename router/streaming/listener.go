package streaming

import (
	"fmt"
	"net"
	"sync"
)

// Listener accepts inbound connections to one port. It implements
// net.Listener.
type Listener struct {
	m       *Manager
	port    uint16
	backlog int
	ready   chan struct{} // a token: the queue may be non-empty
	done    chan struct{} // closed by Close

	// mu guards the fields below.
	mu struct {
		sync.Mutex
		closed bool
		queue  []*Conn
	}
}

var _ net.Listener = (*Listener)(nil)

func newListener(m *Manager, port uint16) *Listener {
	return &Listener{
		m: m, port: port, backlog: m.s.AcceptBacklog,
		ready: make(chan struct{}, 1), done: make(chan struct{}),
	}
}

// hasRoom reports whether the backlog can take a connection.
func (l *Listener) hasRoom() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.mu.closed && len(l.mu.queue) < l.backlog
}

// enqueue adds an accepted connection to the backlog.
func (l *Listener) enqueue(c *Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.mu.closed || len(l.mu.queue) >= l.backlog {
		return false
	}
	l.mu.queue = append(l.mu.queue, c)
	l.signal()
	return true
}

func (l *Listener) signal() {
	select {
	case l.ready <- struct{}{}:
	default:
	}
}

// Accept waits for the next connection.
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.AcceptConn()
	if err != nil {
		return nil, err
	}
	return c, nil
}

// AcceptConn waits for the next connection and returns it as a *Conn.
func (l *Listener) AcceptConn() (*Conn, error) {
	for {
		l.mu.Lock()
		if l.mu.closed {
			l.mu.Unlock()
			return nil, fmt.Errorf("streaming: accept: %w", ErrClosed)
		}
		if len(l.mu.queue) > 0 {
			c := l.mu.queue[0]
			l.mu.queue[0] = nil
			l.mu.queue = l.mu.queue[1:]
			if len(l.mu.queue) > 0 {
				l.signal()
			}
			l.mu.Unlock()
			return c, nil
		}
		l.mu.Unlock()
		select {
		case <-l.ready:
		case <-l.done:
		}
	}
}

// Close stops listening and resets the connections not yet accepted. It
// is idempotent.
func (l *Listener) Close() error {
	l.mu.Lock()
	if l.mu.closed {
		l.mu.Unlock()
		return nil
	}
	l.mu.closed = true
	queue := l.mu.queue
	l.mu.queue = nil
	close(l.done)
	l.mu.Unlock()
	l.m.removeListener(l)
	for _, c := range queue {
		c.abort(fmt.Errorf("streaming: listener closed: %w", ErrReset), true)
	}
	return nil
}

// Addr returns our destination and the listening port.
func (l *Listener) Addr() net.Addr { return Addr{Hash: l.m.local, Port: l.port} }
