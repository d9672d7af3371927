// Package memnet is an in-memory network for tests that run many routers in
// one process. Each simulated router gets its own IP through Host, a
// netx.Network whose TCP connections are buffered full-duplex pipes with
// net.Conn semantics (deadlines, half close, refused dials) and whose UDP
// sockets meet at a switch that can lose, delay, reorder, rate-limit and
// MTU-drop datagrams, and put hosts behind NAT. Randomness comes from
// Options.Seed, so a run can be repeated.
//
// It leaves out what the routers do not need: DNS names (addresses are IP
// literals), loopback, TCP bandwidth limits and NAT hairpinning.
package memnet

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"i2pgate/router/netx"
)

// Defaults for Options.
const (
	DefaultTCPBuffer = 64 << 10 // bytes buffered per direction of a TCP conn
	DefaultUDPQueue  = 256      // datagrams queued per UDP socket
	listenBacklog    = 64       // connections waiting for Accept
	maxUDPPayload    = 65507
	firstEphemeral   = 49152
)

// Options configures a Network. The zero value is a perfect network.
type Options struct {
	// Seed feeds the random source for loss, jitter and port choice.
	Seed uint64
	// Link applies to every link without an override (SetLink, SetPath).
	Link LinkOptions
	// TCPBuffer is the bytes buffered per direction of a TCP connection
	// before Write blocks (default DefaultTCPBuffer).
	TCPBuffer int
	// UDPQueue is the datagrams queued per UDP socket before arrivals are
	// dropped (default DefaultUDPQueue).
	UDPQueue int
}

// LinkOptions are the properties of the path from one host to another.
type LinkOptions struct {
	// Loss is the probability, 0 to 1, that a datagram is dropped.
	Loss float64
	// Latency delays every datagram and TCP segment one way.
	Latency time.Duration
	// Jitter adds a uniform random delay in [0, Jitter) to each datagram,
	// which reorders them.
	Jitter time.Duration
	// MTU is the IP MTU in bytes: UDP datagrams whose payload plus IP and
	// UDP headers exceed it are dropped and counted. 0 means no limit.
	MTU int
	// Bandwidth limits UDP in bytes per second, queueing datagrams behind
	// each other on the link. 0 means unlimited.
	Bandwidth int
}

// Stats counts datagrams over the life of a Network.
type Stats struct {
	Sent         uint64 // WriteTo calls that were accepted
	Delivered    uint64 // datagrams queued at a receiver
	Lost         uint64 // dropped by Loss
	MTUDropped   uint64 // dropped for exceeding MTU
	NATDropped   uint64 // dropped by a NAT (unsolicited or unmapped)
	NoListener   uint64 // no socket at the destination
	QueueDropped uint64 // receiver's queue was full
}

// Network is an in-memory network. Create it with New and end it with
// Close, which closes every listener, connection and socket.
type Network struct {
	opts  Options
	sched *scheduler
	stats struct {
		sent, delivered, lost, mtu, nat, noListener, queue atomic.Uint64
	}

	// mu guards everything below; it is never held while calling into a
	// Conn, Listener or PacketConn that could call back.
	mu struct {
		sync.Mutex
		closed  bool
		rng     *rand.Rand
		hosts   map[netip.Addr]*host
		links   map[linkKey]LinkOptions
		busy    map[linkKey]time.Time // bandwidth: when each link is free
		publics map[netip.Addr]*nat
	}
}

type linkKey struct{ from, to netip.Addr }

// New returns a network and starts its delivery goroutine.
func New(opts Options) *Network {
	if opts.TCPBuffer <= 0 {
		opts.TCPBuffer = DefaultTCPBuffer
	}
	if opts.UDPQueue <= 0 {
		opts.UDPQueue = DefaultUDPQueue
	}
	n := &Network{opts: opts, sched: newScheduler()}
	n.mu.rng = rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x6d656d6e6574))
	n.mu.hosts = make(map[netip.Addr]*host)
	n.mu.links = make(map[linkKey]LinkOptions)
	n.mu.busy = make(map[linkKey]time.Time)
	n.mu.publics = make(map[netip.Addr]*nat)
	return n
}

// Host returns the view of the network from the host with IP ip; calling
// it again with the same IP returns a view of the same host. An invalid IP
// gives a view whose every call fails.
func (n *Network) Host(ip string) *Host {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return &Host{n: n, err: fmt.Errorf("memnet: host %q: %w", ip, err)}
	}
	addr = addr.Unmap()
	n.mu.Lock()
	defer n.mu.Unlock()
	n.hostLocked(addr)
	return &Host{n: n, ip: addr}
}

func (n *Network) hostLocked(ip netip.Addr) *host {
	h := n.mu.hosts[ip]
	if h == nil {
		h = &host{
			ip:    ip,
			tcp:   make(map[uint16]*Listener),
			used:  make(map[uint16]int),
			udp:   make(map[uint16]*PacketConn),
			conns: make(map[*Conn]struct{}),
		}
		n.mu.hosts[ip] = h
	}
	return h
}

// SetLink sets the options of the links between hosts a and b, both ways.
func (n *Network) SetLink(a, b string, o LinkOptions) error {
	if err := n.SetPath(a, b, o); err != nil {
		return err
	}
	return n.SetPath(b, a, o)
}

// SetPath sets the options of the link from host from to host to only.
func (n *Network) SetPath(from, to string, o LinkOptions) error {
	f, err1 := netip.ParseAddr(from)
	t, err2 := netip.ParseAddr(to)
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("memnet: set path: %w", err)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.mu.links[linkKey{f.Unmap(), t.Unmap()}] = o
	return nil
}

func (n *Network) linkLocked(from, to netip.Addr) LinkOptions {
	if o, ok := n.mu.links[linkKey{from, to}]; ok {
		return o
	}
	return n.opts.Link
}

// Stats returns the datagram counters.
func (n *Network) Stats() Stats {
	return Stats{
		Sent:         n.stats.sent.Load(),
		Delivered:    n.stats.delivered.Load(),
		Lost:         n.stats.lost.Load(),
		MTUDropped:   n.stats.mtu.Load(),
		NATDropped:   n.stats.nat.Load(),
		NoListener:   n.stats.noListener.Load(),
		QueueDropped: n.stats.queue.Load(),
	}
}

// Close closes every listener, connection and socket and stops the delivery
// goroutine; datagrams in flight are dropped. It is idempotent.
func (n *Network) Close() error {
	n.mu.Lock()
	if n.mu.closed {
		n.mu.Unlock()
		return nil
	}
	n.mu.closed = true
	var closers []interface{ Close() error }
	for _, h := range n.mu.hosts {
		for _, l := range h.tcp {
			closers = append(closers, l)
		}
		for _, p := range h.udp {
			closers = append(closers, p)
		}
		for c := range h.conns {
			closers = append(closers, c)
		}
	}
	n.mu.Unlock()
	n.sched.close()
	for _, c := range closers {
		c.Close()
	}
	return nil
}

// host is the state of one simulated machine, guarded by Network.mu.
type host struct {
	ip    netip.Addr
	tcp   map[uint16]*Listener
	used  map[uint16]int // TCP ports held by connections (count of holders)
	udp   map[uint16]*PacketConn
	conns map[*Conn]struct{}
	next  uint16 // next ephemeral port to try
	nat   *nat   // nil unless behind NAT
}

// ephemeralLocked picks a free port in the ephemeral range; inUse reports
// whether a port is taken.
func (h *host) ephemeralLocked(inUse func(uint16) bool) (uint16, bool) {
	const span = 65536 - firstEphemeral
	for range span {
		if h.next < firstEphemeral {
			h.next = firstEphemeral
		}
		p := h.next
		h.next++
		if !inUse(p) {
			return p, true
		}
	}
	return 0, false
}

func (h *host) tcpInUse(p uint16) bool { return h.tcp[p] != nil || h.used[p] > 0 }
func (h *host) udpInUse(p uint16) bool { return h.udp[p] != nil }

// Host is one simulated machine's view of the network; it implements
// netx.Network.
type Host struct {
	n   *Network
	ip  netip.Addr
	err error // invalid IP given to Network.Host
}

var _ netx.Network = (*Host)(nil)

// IP returns the host's address.
func (h *Host) IP() netip.Addr { return h.ip }

// bindAddr resolves a local address to listen on: empty, unspecified or
// the host's own IP, any port.
func (h *Host) bindAddr(op, network, address string, tcp bool) (netip.AddrPort, error) {
	if h.err != nil {
		return netip.AddrPort{}, h.err
	}
	if err := checkNetwork(network, tcp); err != nil {
		return netip.AddrPort{}, opError(op, network, nil, err)
	}
	hostPart, portPart, err := net.SplitHostPort(address)
	if err != nil {
		return netip.AddrPort{}, opError(op, network, nil, err)
	}
	port, err := strconv.ParseUint(portPart, 10, 16)
	if err != nil {
		return netip.AddrPort{}, opError(op, network, nil, fmt.Errorf("memnet: bad port %q", portPart))
	}
	if hostPart != "" {
		ip, err := netip.ParseAddr(hostPart)
		if err != nil {
			return netip.AddrPort{}, opError(op, network, nil, fmt.Errorf("memnet: not an IP literal: %q", hostPart))
		}
		if ip = ip.Unmap(); !ip.IsUnspecified() && ip != h.ip {
			return netip.AddrPort{}, opError(op, network, nil, os.NewSyscallError("bind", syscall.EADDRNOTAVAIL))
		}
	}
	return netip.AddrPortFrom(h.ip, uint16(port)), nil
}

// remoteAddr parses a destination "ip:port".
func remoteAddr(address string) (netip.AddrPort, error) {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("memnet: address %q: %w", address, err)
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
}

func checkNetwork(network string, tcp bool) error {
	switch network {
	case "tcp", "tcp4", "tcp6":
		if tcp {
			return nil
		}
	case "udp", "udp4", "udp6":
		if !tcp {
			return nil
		}
	}
	return net.UnknownNetworkError(network)
}

// opError wraps err as package net does, so that errors.Is and net.Error
// behave as with real sockets.
func opError(op, network string, local net.Addr, err error) error {
	return &net.OpError{Op: op, Net: network, Source: local, Err: err}
}

func opErrorTo(op, network string, local, remote net.Addr, err error) error {
	return &net.OpError{Op: op, Net: network, Source: local, Addr: remote, Err: err}
}
