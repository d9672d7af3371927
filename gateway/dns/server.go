// Package dns is the gateway's resolver for .i2p names. LAN devices (or
// the LAN's own resolver, forwarding the i2p zone) ask it for A and AAAA
// records of .i2p names and get virtual addresses from the automap range;
// PTR queries for those addresses give the names back.
//
// Answers: A and AAAA for names the address book knows and for valid
// .b32.i2p names (AAAA only when an IPv6 range is configured, NOERROR with
// no answer otherwise), PTR for mapped addresses, NXDOMAIN for unknown .i2p
// names and unmapped reverse names, NOERROR with no answer for other types
// of known names, REFUSED for every other name and for classes other than
// IN. Every answer has a TTL of TTL seconds. It serves UDP (with EDNS0 and
// truncation) and TCP on the same port, and answers only the clients Allow
// admits. Messages are read and written by a small RFC 1035 codec of its
// own (wire.go, reply.go), which knows only what this server reads and
// writes: of a query the header, the questions and an EDNS0 OPT record
// (other records are skipped by their length), of a reply a question, one
// A, AAAA or PTR record and an OPT record, names compressed. A message
// without a whole header gets no answer, one that breaks off after it, or
// whose names point forward or loop, gets FORMERR.
//
// It leaves to others which names exist (Names, backed by the router's
// address book) and which addresses they get (Mapper, backed by package
// automap); cmd/i2pgate wires both.
package dns

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// DefaultAddress is where dns.address listens by default.
	DefaultAddress = "127.0.0.1:5353"
	// maxTCPConns bounds concurrent TCP clients.
	maxTCPConns = 32
	// maxTCPQueries bounds the queries on one TCP connection.
	maxTCPQueries = 128
	// maxUDPHandlers bounds the UDP queries answered at once; the read
	// loop waits for a free slot.
	maxUDPHandlers = 16
	// ioTimeout bounds a read or write of one message.
	ioTimeout = 2 * time.Second
	// tcpIdleTimeout closes idle TCP connections (RFC 7766).
	tcpIdleTimeout = 8 * time.Second
	// maxAcceptDelay caps the back-off after a failed Accept.
	maxAcceptDelay = time.Second
	// listenAttempts is how often Start retries to get the same free port
	// for UDP and TCP when the configured port is 0.
	listenAttempts = 8
)

// Names tells which .i2p names resolve: the address book has them, or they
// are valid .b32.i2p names. name is lower case, without the root dot.
type Names interface {
	Known(name string) bool
}

// Mapper gives names their virtual addresses and maps them back; v6 is the
// zero Addr when no IPv6 range is configured. *automap.Table satisfies it.
type Mapper interface {
	Map(name string) (v4, v6 netip.Addr, err error)
	Reverse(ip netip.Addr) (string, bool)
}

// Config configures a Server.
type Config struct {
	// Address is the host:port for UDP and TCP (default DefaultAddress).
	Address string
	// Names and Mapper are required.
	Names  Names
	Mapper Mapper
	// Allow admits clients; nil admits all. Others get REFUSED on UDP, and
	// their TCP connections are closed.
	Allow func(netip.Addr) bool
	// Logger receives start and serve errors (nil: discard).
	Logger *slog.Logger
}

// Stats counts queries by result.
type Stats struct {
	Answer    uint64 // NOERROR with an answer
	NoData    uint64 // NOERROR without an answer
	NXDomain  uint64
	Refused   uint64 // outside .i2p or class not IN
	Denied    uint64 // client not admitted by Allow
	ServFail  uint64 // the Mapper failed (range full)
	FormErr   uint64
	NotImp    uint64
	BadVers   uint64 // EDNS version other than 0
	Truncated uint64 // UDP answers cut to the client's size
}

// Server is the resolver.
type Server struct {
	cfg Config
	log *slog.Logger

	counts    [numOutcomes]atomic.Uint64
	denied    atomic.Uint64
	truncated atomic.Uint64

	done chan struct{} // closed by Close
	wg   sync.WaitGroup
	// mu guards the lifecycle and the set of TCP connections.
	mu struct {
		sync.Mutex
		started, closed bool
		pc              net.PacketConn
		ln              net.Listener
		conns           map[net.Conn]struct{}
		addr            net.Addr
	}
}

// New checks the configuration.
func New(cfg Config) (*Server, error) {
	if cfg.Names == nil || cfg.Mapper == nil {
		return nil, errors.New("dns: Names and Mapper are required")
	}
	if cfg.Address == "" {
		cfg.Address = DefaultAddress
	}
	if _, _, err := net.SplitHostPort(cfg.Address); err != nil {
		return nil, fmt.Errorf("dns: address: %w", err)
	}
	s := &Server{cfg: cfg, log: cfg.Logger, done: make(chan struct{})}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.log = s.log.With("component", "dns")
	s.mu.conns = map[net.Conn]struct{}{}
	return s, nil
}

// Start listens on UDP and TCP and serves in the background.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.started || s.mu.closed {
		return errors.New("dns: already started or closed")
	}
	pc, ln, err := listen(ctx, s.cfg.Address)
	if err != nil {
		return err
	}
	s.mu.started = true
	s.mu.pc, s.mu.ln = pc, ln
	s.mu.addr = pc.LocalAddr()
	s.wg.Add(2)
	go s.serveUDP(pc)
	go s.serveTCP(ln)
	s.log.Info("listening", "address", s.mu.addr.String())
	return nil
}

// listen opens UDP and TCP on one address; for port 0 it looks for a port
// free in both.
func listen(ctx context.Context, address string) (net.PacketConn, net.Listener, error) {
	var lc net.ListenConfig
	host, port, _ := net.SplitHostPort(address)
	var lastErr error
	for range listenAttempts {
		pc, err := lc.ListenPacket(ctx, "udp", address)
		if err != nil {
			return nil, nil, fmt.Errorf("dns: %w", err)
		}
		tcpAddr := address
		if port == "0" {
			_, p, _ := net.SplitHostPort(pc.LocalAddr().String())
			tcpAddr = net.JoinHostPort(host, p)
		}
		ln, err := lc.Listen(ctx, "tcp", tcpAddr)
		if err == nil {
			return pc, ln, nil
		}
		pc.Close()
		lastErr = err
		if port != "0" {
			break
		}
	}
	return nil, nil, fmt.Errorf("dns: %w", lastErr)
}

// Addr returns the UDP address served (TCP uses the same port); nil before
// Start.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mu.addr
}

// Close stops serving and waits for the queries in progress, which a
// write timeout bounds. It is idempotent.
func (s *Server) Close() error {
	s.mu.Lock()
	if !s.mu.closed {
		s.mu.closed = true
		close(s.done)
		s.stopLocked()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// stopLocked unblocks the serving goroutines: the UDP loop and each TCP
// connection see their read fail and end after the answer they are
// writing; the UDP loop closes its socket once its handlers are done.
func (s *Server) stopLocked() {
	past := time.Unix(1, 0)
	if s.mu.pc != nil {
		_ = s.mu.pc.SetReadDeadline(past)
	}
	if s.mu.ln != nil {
		s.mu.ln.Close()
	}
	for c := range s.mu.conns {
		_ = c.SetReadDeadline(past)
	}
}

// closing reports whether Close has been called.
func (s *Server) closing() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	return Stats{
		Answer:    s.counts[outAnswer].Load(),
		NoData:    s.counts[outNoData].Load(),
		NXDomain:  s.counts[outNXDomain].Load(),
		Refused:   s.counts[outRefused].Load(),
		Denied:    s.denied.Load(),
		ServFail:  s.counts[outServFail].Load(),
		FormErr:   s.counts[outFormErr].Load(),
		NotImp:    s.counts[outNotImp].Load(),
		BadVers:   s.counts[outBadVers].Load(),
		Truncated: s.truncated.Load(),
	}
}

func (s *Server) allowed(a net.Addr) bool {
	if s.cfg.Allow == nil {
		return true
	}
	ap, ok := addrPort(a)
	return ok && s.cfg.Allow(ap.Addr().Unmap())
}

func addrPort(a net.Addr) (netip.AddrPort, bool) {
	switch a := a.(type) {
	case *net.UDPAddr:
		return a.AddrPort(), true
	case *net.TCPAddr:
		return a.AddrPort(), true
	}
	return netip.AddrPort{}, false
}
