package memnet

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
	"syscall"
	"time"
)

// Listener is a TCP listener on a Host; it implements net.Listener.
type Listener struct {
	n       *Network
	h       *host
	addr    netip.AddrPort
	network string

	// mu guards the accept queue and closed.
	mu struct {
		sync.Mutex
		queue  []*Conn
		closed bool
		wake   signal
	}
}

var _ net.Listener = (*Listener)(nil)

// Listen implements netx.Network for "tcp", "tcp4" and "tcp6". The address
// may name the host's IP or leave it empty or unspecified; port 0 picks a
// free port.
func (h *Host) Listen(ctx context.Context, network, address string) (net.Listener, error) {
	ap, err := h.bindAddr("listen", network, address, true)
	if err != nil {
		return nil, err
	}
	n := h.n
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.mu.closed {
		return nil, opError("listen", network, nil, net.ErrClosed)
	}
	hs := n.hostLocked(h.ip)
	port := ap.Port()
	if port == 0 {
		var ok bool
		if port, ok = hs.ephemeralLocked(hs.tcpInUse); !ok {
			return nil, opError("listen", network, nil, os.NewSyscallError("bind", syscall.EADDRINUSE))
		}
	} else if hs.tcp[port] != nil {
		return nil, opError("listen", network, nil, os.NewSyscallError("bind", syscall.EADDRINUSE))
	}
	l := &Listener{n: n, h: hs, addr: netip.AddrPortFrom(h.ip, port), network: network}
	hs.tcp[port] = l
	return l, nil
}

// Addr returns the listener's *net.TCPAddr.
func (l *Listener) Addr() net.Addr { return net.TCPAddrFromAddrPort(l.addr) }

// Accept waits for the next connection.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		l.mu.Lock()
		if l.mu.closed {
			l.mu.Unlock()
			return nil, opError("accept", l.network, l.Addr(), net.ErrClosed)
		}
		if len(l.mu.queue) > 0 {
			c := l.mu.queue[0]
			l.mu.queue[0] = nil
			l.mu.queue = l.mu.queue[1:]
			l.mu.wake.broadcast()
			l.mu.Unlock()
			return c, nil
		}
		wake := l.mu.wake.wait()
		l.mu.Unlock()
		<-wake
	}
}

// Close stops listening; connections not yet accepted are closed. It is
// idempotent.
func (l *Listener) Close() error {
	l.mu.Lock()
	if l.mu.closed {
		l.mu.Unlock()
		return nil
	}
	l.mu.closed = true
	queued := l.mu.queue
	l.mu.queue = nil
	l.mu.wake.broadcast()
	l.mu.Unlock()
	l.n.mu.Lock()
	if l.h.tcp[l.addr.Port()] == l {
		delete(l.h.tcp, l.addr.Port())
	}
	l.n.mu.Unlock()
	for _, c := range queued {
		c.Close()
	}
	return nil
}

// enqueue hands a server-side connection to Accept, waiting while the
// backlog is full.
func (l *Listener) enqueue(ctx context.Context, c *Conn) error {
	for {
		l.mu.Lock()
		if l.mu.closed {
			l.mu.Unlock()
			return os.NewSyscallError("connect", syscall.ECONNREFUSED)
		}
		if len(l.mu.queue) < listenBacklog {
			l.mu.queue = append(l.mu.queue, c)
			l.mu.wake.broadcast()
			l.mu.Unlock()
			return nil
		}
		wake := l.mu.wake.wait()
		l.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Dial implements netx.Network for "tcp", "tcp4" and "tcp6" to an
// "ip:port" address. With no listener there it fails with ECONNREFUSED; a
// host behind NAT or an unknown address fails with ETIMEDOUT at once. With
// link latency, Dial takes one round trip.
func (h *Host) Dial(ctx context.Context, network, address string) (net.Conn, error) {
	if h.err != nil {
		return nil, h.err
	}
	if err := checkNetwork(network, true); err != nil {
		return nil, opError("dial", network, nil, err)
	}
	dst, err := remoteAddr(address)
	if err != nil {
		return nil, opError("dial", network, nil, err)
	}
	raddr := net.TCPAddrFromAddrPort(dst)
	fail := func(err error) (net.Conn, error) { return nil, opErrorTo("dial", network, nil, raddr, err) }
	client, server, l, rtt, err := h.n.connect(h.ip, dst, network)
	if err != nil {
		return fail(err)
	}
	if rtt > 0 {
		t := time.NewTimer(rtt)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			client.Close()
			server.Close()
			return fail(ctx.Err())
		}
	}
	if err := l.enqueue(ctx, server); err != nil {
		client.Close()
		server.Close()
		return fail(err)
	}
	return client, nil
}

// connect creates both ends of a connection from host ip to dst.
func (n *Network) connect(ip netip.Addr, dst netip.AddrPort, network string) (client, server *Conn, l *Listener, rtt time.Duration, err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.mu.closed {
		return nil, nil, nil, 0, net.ErrClosed
	}
	src := n.hostLocked(ip)
	dh := n.mu.hosts[dst.Addr()]
	reachable := dh != nil && (dh == src || dh.nat == nil || dh.nat == src.nat)
	if !reachable {
		return nil, nil, nil, 0, os.NewSyscallError("connect", syscall.ETIMEDOUT)
	}
	if l = dh.tcp[dst.Port()]; l == nil {
		return nil, nil, nil, 0, os.NewSyscallError("connect", syscall.ECONNREFUSED)
	}
	port, ok := src.ephemeralLocked(src.tcpInUse)
	if !ok {
		return nil, nil, nil, 0, os.NewSyscallError("connect", syscall.EADDRNOTAVAIL)
	}
	local := netip.AddrPortFrom(ip, port)
	seen := local // the client's address as the server sees it
	if src.nat != nil && dh.nat != src.nat {
		if seen, ok = src.nat.outboundLocked(local, dst); !ok {
			return nil, nil, nil, 0, os.NewSyscallError("connect", syscall.EADDRNOTAVAIL)
		}
	}
	up, down := n.linkLocked(ip, dst.Addr()).Latency, n.linkLocked(dst.Addr(), ip).Latency
	c2s := newPipe(n.opts.TCPBuffer, up)
	s2c := newPipe(n.opts.TCPBuffer, down)
	client = &Conn{n: n, h: src, port: port, network: network, local: local, remote: dst, rx: s2c, tx: c2s,
		rdl: newDeadline(), wdl: newDeadline()}
	server = &Conn{n: n, h: dh, network: network, local: dst, remote: seen, rx: c2s, tx: s2c,
		rdl: newDeadline(), wdl: newDeadline()}
	src.used[port]++
	src.conns[client] = struct{}{}
	dh.conns[server] = struct{}{}
	return client, server, l, up + down, nil
}

// Conn is one end of an in-memory TCP connection; it implements net.Conn
// with *net.TCPAddr addresses, plus CloseRead and CloseWrite like
// *net.TCPConn.
type Conn struct {
	n             *Network
	h             *host
	port          uint16 // ephemeral port held on h, 0 for accepted conns
	network       string
	local, remote netip.AddrPort
	rx, tx        *pipe
	rdl, wdl      *deadline
	closeOnce     sync.Once
}

var _ net.Conn = (*Conn)(nil)

// LocalAddr returns the local *net.TCPAddr.
func (c *Conn) LocalAddr() net.Addr { return net.TCPAddrFromAddrPort(c.local) }

// RemoteAddr returns the peer's *net.TCPAddr (its NAT's public address
// when the peer is behind NAT).
func (c *Conn) RemoteAddr() net.Addr { return net.TCPAddrFromAddrPort(c.remote) }

// Read implements net.Conn; it returns io.EOF after the peer's Close or
// CloseWrite once the data sent before is read.
func (c *Conn) Read(b []byte) (int, error) {
	n, err := c.rx.read(b, c.rdl.wait())
	if err != nil && err != io.EOF {
		return n, c.opErr("read", err)
	}
	return n, err
}

// Write implements net.Conn; it blocks while the peer's buffer is full.
func (c *Conn) Write(b []byte) (int, error) {
	n, err := c.tx.write(b, c.wdl.wait())
	if err != nil {
		return n, c.opErr("write", err)
	}
	return n, nil
}

func (c *Conn) opErr(op string, err error) error {
	switch {
	case errors.Is(err, errTimeout):
		err = os.ErrDeadlineExceeded
	case errors.Is(err, errReadClosed):
		err = net.ErrClosed
	case errors.Is(err, errWriteClosed):
		if c.rx.isReadClosed() {
			err = net.ErrClosed
		} else {
			err = os.NewSyscallError(op, syscall.EPIPE)
		}
	case errors.Is(err, errPeerGone):
		err = os.NewSyscallError(op, syscall.ECONNRESET)
	}
	return opErrorTo(op, c.network, c.LocalAddr(), c.RemoteAddr(), err)
}

// CloseWrite shuts down the sending side: the peer reads EOF after the
// data already written.
func (c *Conn) CloseWrite() error {
	c.tx.closeWrite()
	return nil
}

// CloseRead shuts down the receiving side: queued data is dropped, the
// peer's writes fail with ECONNRESET and local reads fail with
// net.ErrClosed (Linux would return EOF).
func (c *Conn) CloseRead() error {
	c.rx.closeRead()
	return nil
}

// Close closes both directions and frees the port; it is idempotent.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() {
		c.rx.closeRead()
		c.tx.closeWrite()
		c.rdl.stop()
		c.wdl.stop()
		c.n.mu.Lock()
		delete(c.h.conns, c)
		if c.port != 0 {
			if c.h.used[c.port]--; c.h.used[c.port] <= 0 {
				delete(c.h.used, c.port)
			}
		}
		c.n.mu.Unlock()
	})
	return nil
}

// SetDeadline implements net.Conn.
func (c *Conn) SetDeadline(t time.Time) error {
	c.rdl.set(t)
	c.wdl.set(t)
	return nil
}

// SetReadDeadline implements net.Conn.
func (c *Conn) SetReadDeadline(t time.Time) error { c.rdl.set(t); return nil }

// SetWriteDeadline implements net.Conn.
func (c *Conn) SetWriteDeadline(t time.Time) error { c.wdl.set(t); return nil }
