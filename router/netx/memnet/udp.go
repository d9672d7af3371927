package memnet

import (
	"context"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// PacketConn is a UDP socket on the in-memory switch; it implements
// net.PacketConn with *net.UDPAddr addresses.
type PacketConn struct {
	n       *Network
	h       *host
	local   netip.AddrPort
	network string
	rdl     *deadline
	wdl     *deadline

	// mu guards the receive queue and closed.
	mu struct {
		sync.Mutex
		queue  []datagram
		closed bool
		wake   signal
	}
}

type datagram struct {
	data []byte
	from netip.AddrPort
}

var _ net.PacketConn = (*PacketConn)(nil)

// ListenPacket implements netx.Network for "udp", "udp4" and "udp6".
// Port 0 picks a free port.
func (h *Host) ListenPacket(ctx context.Context, network, address string) (net.PacketConn, error) {
	ap, err := h.bindAddr("listen", network, address, false)
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
		if port, ok = hs.ephemeralLocked(hs.udpInUse); !ok {
			return nil, opError("listen", network, nil, os.NewSyscallError("bind", syscall.EADDRINUSE))
		}
	} else if hs.udpInUse(port) {
		return nil, opError("listen", network, nil, os.NewSyscallError("bind", syscall.EADDRINUSE))
	}
	pc := &PacketConn{n: n, h: hs, local: netip.AddrPortFrom(h.ip, port), network: network,
		rdl: newDeadline(), wdl: newDeadline()}
	hs.udp[port] = pc
	return pc, nil
}

// LocalAddr returns the socket's *net.UDPAddr (its private address when
// behind NAT).
func (c *PacketConn) LocalAddr() net.Addr { return net.UDPAddrFromAddrPort(c.local) }

// ReadFrom reads one datagram; a datagram longer than p is truncated, as
// with real UDP sockets.
func (c *PacketConn) ReadFrom(p []byte) (int, net.Addr, error) {
	for {
		c.mu.Lock()
		if c.mu.closed {
			c.mu.Unlock()
			return 0, nil, opError("read", c.network, c.LocalAddr(), net.ErrClosed)
		}
		if len(c.mu.queue) > 0 {
			d := c.mu.queue[0]
			c.mu.queue[0] = datagram{}
			c.mu.queue = c.mu.queue[1:]
			c.mu.Unlock()
			return copy(p, d.data), net.UDPAddrFromAddrPort(d.from), nil
		}
		wake := c.mu.wake.wait()
		c.mu.Unlock()
		select {
		case <-wake:
		case <-c.rdl.wait():
			return 0, nil, opError("read", c.network, c.LocalAddr(), os.ErrDeadlineExceeded)
		}
	}
}

// WriteTo sends p to addr, a *net.UDPAddr or any address whose String is
// "ip:port". Like UDP, it succeeds whether or not the datagram arrives.
func (c *PacketConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	dst, err := udpAddrPort(addr)
	if err != nil {
		return 0, opErrorTo("write", c.network, c.LocalAddr(), addr, err)
	}
	if isClosed(c.wdl.wait()) {
		return 0, opErrorTo("write", c.network, c.LocalAddr(), addr, os.ErrDeadlineExceeded)
	}
	if len(p) > maxUDPPayload {
		return 0, opErrorTo("write", c.network, c.LocalAddr(), addr, os.NewSyscallError("sendto", syscall.EMSGSIZE))
	}
	c.mu.Lock()
	closed := c.mu.closed
	c.mu.Unlock()
	if closed {
		return 0, opErrorTo("write", c.network, c.LocalAddr(), addr, net.ErrClosed)
	}
	c.n.send(c, dst, p)
	return len(p), nil
}

func udpAddrPort(addr net.Addr) (netip.AddrPort, error) {
	if ua, ok := addr.(*net.UDPAddr); ok && ua != nil {
		ap := ua.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
	}
	if addr == nil {
		return netip.AddrPort{}, &net.AddrError{Err: "missing address"}
	}
	return remoteAddr(addr.String())
}

// send routes a datagram through the switch: NAT, MTU, loss, bandwidth and
// latency, then queues it at the receiver now or later.
func (n *Network) send(c *PacketConn, dst netip.AddrPort, p []byte) {
	n.mu.Lock()
	if n.mu.closed {
		n.mu.Unlock()
		return
	}
	n.stats.sent.Add(1)
	from, to, drop := n.routeLocked(c.h, c.local, dst)
	var rc *PacketConn
	if drop == nil {
		if rc = n.mu.hosts[to.Addr()].udp[to.Port()]; rc == nil {
			drop = &n.stats.noListener
		}
	}
	var delay time.Duration
	if drop == nil {
		delay, drop = n.linkDelayLocked(c.h.ip, to.Addr(), len(p))
	}
	n.mu.Unlock()
	if drop != nil {
		drop.Add(1)
		return
	}
	d := datagram{data: append([]byte(nil), p...), from: from}
	if delay <= 0 {
		rc.deliver(d)
		return
	}
	n.sched.at(time.Now().Add(delay), func() { rc.deliver(d) })
}

// linkDelayLocked applies the link's MTU, loss, bandwidth and latency to a
// datagram of size bytes.
func (n *Network) linkDelayLocked(from, to netip.Addr, size int) (time.Duration, *atomic.Uint64) {
	o := n.linkLocked(from, to)
	header := 28 // IPv4 + UDP
	if to.Is6() {
		header = 48
	}
	if o.MTU > 0 && size+header > o.MTU {
		return 0, &n.stats.mtu
	}
	if o.Loss > 0 && n.mu.rng.Float64() < o.Loss {
		return 0, &n.stats.lost
	}
	delay := o.Latency
	if o.Jitter > 0 {
		delay += time.Duration(n.mu.rng.Int64N(int64(o.Jitter)))
	}
	if o.Bandwidth > 0 {
		now := time.Now()
		key := linkKey{from, to}
		start := n.mu.busy[key]
		if start.Before(now) {
			start = now
		}
		done := start.Add(time.Duration(int64(size) * int64(time.Second) / int64(o.Bandwidth)))
		n.mu.busy[key] = done
		delay += done.Sub(now)
	}
	return delay, nil
}

func (c *PacketConn) deliver(d datagram) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.closed {
		c.n.stats.noListener.Add(1)
		return
	}
	if len(c.mu.queue) >= c.n.opts.UDPQueue {
		c.n.stats.queue.Add(1)
		return
	}
	c.mu.queue = append(c.mu.queue, d)
	c.mu.wake.broadcast()
	c.n.stats.delivered.Add(1)
}

// Close closes the socket and frees its port; it is idempotent.
func (c *PacketConn) Close() error {
	c.mu.Lock()
	if c.mu.closed {
		c.mu.Unlock()
		return nil
	}
	c.mu.closed = true
	c.mu.queue = nil
	c.mu.wake.broadcast()
	c.mu.Unlock()
	c.rdl.stop()
	c.wdl.stop()
	c.n.mu.Lock()
	if c.h.udp[c.local.Port()] == c {
		delete(c.h.udp, c.local.Port())
	}
	c.n.mu.Unlock()
	return nil
}

// SetDeadline implements net.PacketConn.
func (c *PacketConn) SetDeadline(t time.Time) error {
	c.rdl.set(t)
	c.wdl.set(t)
	return nil
}

// SetReadDeadline implements net.PacketConn.
func (c *PacketConn) SetReadDeadline(t time.Time) error { c.rdl.set(t); return nil }

// SetWriteDeadline implements net.PacketConn.
func (c *PacketConn) SetWriteDeadline(t time.Time) error { c.wdl.set(t); return nil }
