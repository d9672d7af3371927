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
// admits.
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

	mdns "github.com/miekg/dns"
	"golang.org/x/net/netutil"
)

const (
	// DefaultAddress is where dns.address listens by default.
	DefaultAddress = "127.0.0.1:5353"
	// maxTCPConns bounds concurrent TCP clients.
	maxTCPConns = 32
	// maxTCPQueries bounds the queries on one TCP connection.
	maxTCPQueries = 128
	// ioTimeout bounds a read or write of one message.
	ioTimeout = 2 * time.Second
	// tcpIdleTimeout closes idle TCP connections (RFC 7766).
	tcpIdleTimeout = 8 * time.Second
	// shutdownTimeout bounds the wait for queries in progress at Close.
	shutdownTimeout = 2 * time.Second
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

	wg sync.WaitGroup
	// mu guards the lifecycle.
	mu struct {
		sync.Mutex
		started, closed bool
		udp, tcp        *mdns.Server
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
	s := &Server{cfg: cfg, log: cfg.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.log = s.log.With("component", "dns")
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
	h := mdns.HandlerFunc(s.serveDNS)
	udpUp, tcpUp := make(chan struct{}), make(chan struct{})
	s.mu.udp = &mdns.Server{
		PacketConn:        pc,
		Handler:           h,
		UDPSize:           maxUDPSize,
		ReadTimeout:       ioTimeout,
		WriteTimeout:      ioTimeout,
		MsgAcceptFunc:     accept,
		MsgInvalidFunc:    s.invalid,
		DecorateReader:    func(r mdns.Reader) mdns.Reader { return &filterReader{Reader: r, s: s} },
		NotifyStartedFunc: func() { close(udpUp) },
	}
	s.mu.tcp = &mdns.Server{
		Listener:          netutil.LimitListener(&filterListener{Listener: ln, s: s}, maxTCPConns),
		Handler:           h,
		ReadTimeout:       ioTimeout,
		WriteTimeout:      ioTimeout,
		IdleTimeout:       func() time.Duration { return tcpIdleTimeout },
		MaxTCPQueries:     maxTCPQueries,
		MsgAcceptFunc:     accept,
		MsgInvalidFunc:    s.invalid,
		NotifyStartedFunc: func() { close(tcpUp) },
	}
	errc := make(chan error, 2)
	for _, srv := range []*mdns.Server{s.mu.udp, s.mu.tcp} {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := srv.ActivateAndServe(); err != nil {
				s.log.Error("serve", "err", err)
				errc <- err
			}
		}()
	}
	for _, up := range []chan struct{}{udpUp, tcpUp} {
		select {
		case <-up:
		case err := <-errc:
			s.mu.closed = true
			s.shutdownLocked()
			s.wg.Wait()
			return fmt.Errorf("dns: serve: %w", err)
		}
	}
	s.mu.started = true
	s.mu.addr = pc.LocalAddr()
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

// Close stops both servers and waits for them. It is idempotent.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.mu.closed {
		s.mu.Unlock()
		s.wg.Wait()
		return nil
	}
	s.mu.closed = true
	s.shutdownLocked()
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

func (s *Server) shutdownLocked() {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	for _, srv := range []*mdns.Server{s.mu.udp, s.mu.tcp} {
		if srv == nil {
			continue
		}
		if err := srv.ShutdownContext(ctx); err != nil {
			// Not started (it failed): release its socket ourselves.
			if srv.PacketConn != nil {
				srv.PacketConn.Close()
			}
			if srv.Listener != nil {
				srv.Listener.Close()
			}
		}
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

// invalid counts messages that do not parse; the server answers FORMERR
// to those whose header parses.
func (s *Server) invalid([]byte, error) { s.counts[outFormErr].Add(1) }

// accept lets every query through to the handler, which answers errors
// itself (counted); responses are ignored, so two servers cannot loop.
func accept(dh mdns.Header) mdns.MsgAcceptAction {
	const qrBit = 1 << 15
	if dh.Bits&qrBit != 0 {
		return mdns.MsgIgnore
	}
	return mdns.MsgAccept
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

func (s *Server) serveDNS(w mdns.ResponseWriter, req *mdns.Msg) {
	_, tcp := w.RemoteAddr().(*net.TCPAddr)
	var m *mdns.Msg
	if !s.allowed(w.RemoteAddr()) {
		s.denied.Add(1)
		m = refusal(req)
	} else {
		var out outcome
		m, out = s.answer(req, !tcp)
		if m == nil {
			return
		}
		s.counts[out].Add(1)
		if m.Truncated {
			s.truncated.Add(1)
		}
	}
	if err := w.WriteMsg(m); err != nil {
		s.log.Debug("write", "err", err)
	}
}

// refusal is the answer to a client that Allow does not admit.
func refusal(req *mdns.Msg) *mdns.Msg {
	m := new(mdns.Msg)
	m.SetRcode(req, mdns.RcodeRefused)
	return m
}

// filterReader drops UDP queries from clients Allow does not admit before
// they are parsed, answering REFUSED to those that parse as a query.
type filterReader struct {
	mdns.Reader
	s *Server
}

func (r *filterReader) ReadUDP(conn *net.UDPConn, timeout time.Duration) ([]byte, *mdns.SessionUDP, error) {
	for {
		b, sess, err := r.Reader.ReadUDP(conn, timeout)
		if err != nil || r.s.allowed(sess.RemoteAddr()) {
			return b, sess, err
		}
		if reply := r.s.refuseRaw(b); reply != nil {
			_, _ = mdns.WriteToSessionUDP(conn, reply, sess)
		}
	}
}

func (r *filterReader) ReadPacketConn(conn net.PacketConn, timeout time.Duration) ([]byte, net.Addr, error) {
	pr, ok := r.Reader.(mdns.PacketConnReader)
	if !ok {
		return nil, nil, errors.New("dns: reader cannot read a PacketConn")
	}
	for {
		b, from, err := pr.ReadPacketConn(conn, timeout)
		if err != nil || r.s.allowed(from) {
			return b, from, err
		}
		if reply := r.s.refuseRaw(b); reply != nil {
			_, _ = conn.WriteTo(reply, from)
		}
	}
}

// refuseRaw counts a query from a client that is not admitted and returns
// the REFUSED reply to send, or nil when it is not a query.
func (s *Server) refuseRaw(b []byte) []byte {
	s.denied.Add(1)
	req := new(mdns.Msg)
	if err := req.Unpack(b); err != nil || req.Response {
		return nil
	}
	out, err := refusal(req).Pack()
	if err != nil {
		return nil
	}
	return out
}

// filterListener closes TCP connections from clients Allow does not admit.
type filterListener struct {
	net.Listener
	s *Server
}

func (l *filterListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil || l.s.allowed(c.RemoteAddr()) {
			return c, err
		}
		l.s.denied.Add(1)
		c.Close()
	}
}
