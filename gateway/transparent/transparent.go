package transparent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"i2pgate/gateway"
)

// Defaults and limits.
const (
	DefaultPort        = 7040
	DefaultDialTimeout = 90 * time.Second
	// relayBufferSize is the copy buffer of each direction of a relayed
	// connection: two per connection.
	relayBufferSize = 8 << 10
)

// Config configures a Server.
type Config struct {
	// Address is transparent.address, e.g. "0.0.0.0:7040". Required: the
	// proxy is off when the option is empty, and then not constructed.
	Address string
	// Allow is lan.allow; nil allows loopback clients only.
	Allow *gateway.AllowList
	// Networks are the automap ranges (IPv4, and IPv6 if used). A connection
	// whose original destination is outside them is closed. Required.
	Networks []netip.Prefix
	// Reverse maps a virtual IP back to its .i2p name. Required.
	Reverse func(netip.Addr) (name string, ok bool)
	// Dialer opens I2P streams; DialerFor, when set, gives each client IP its
	// own (isolation), and may return nil to refuse a client.
	Dialer    gateway.Dialer
	DialerFor func(client netip.Addr) gateway.Dialer
	// OriginalDst reads a connection's original destination; nil:
	// SyscallOriginalDst.
	OriginalDst OriginalDst

	MaxConns    int           // open client connections at most; 0: gateway.DefaultMaxConns
	DialTimeout time.Duration // 0: DefaultDialTimeout
	Logger      *slog.Logger  // nil: discard
	LogTargets  bool          // names and IPs in debug logs; otherwise redacted
	// Listen opens the listener; nil means net.ListenConfig.Listen.
	Listen func(ctx context.Context, network, address string) (net.Listener, error)
}

// Stats are the transparent proxy's counters for /metrics, totals since New
// except Open.
type Stats struct {
	Accepted   int64 // client connections accepted
	Refused    int64 // closed by lan.allow
	Open       int64 // open now
	NoOrigDst  int64 // original destination unreadable
	OutOfRange int64 // original destination outside the automap range
	Unmapped   int64 // inside the range but mapped to no name
	Connected  int64 // relayed to their destination
	DialFailed int64 // the I2P dial failed (any kind)
	BytesUp    int64
	BytesDown  int64
}

type counters struct {
	accepted, refused, noOrigDst, outOfRange, unmapped atomic.Int64
	connected, dialFailed, bytesUp, bytesDown          atomic.Int64
}

// Server is the transparent proxy.
type Server struct {
	cfg   Config
	log   *slog.Logger
	stats counters

	ctx    context.Context // canceled by Close
	cancel context.CancelFunc
	ln     *gateway.Listener
	wg     sync.WaitGroup

	closeOnce sync.Once
	closeErr  error
}

// New checks the configuration.
func New(cfg Config) (*Server, error) {
	switch {
	case cfg.Address == "":
		return nil, errors.New("transparent: no address (the proxy is off)")
	case cfg.Dialer == nil && cfg.DialerFor == nil:
		return nil, errors.New("transparent: no Dialer")
	case cfg.Reverse == nil:
		return nil, errors.New("transparent: no Reverse")
	case len(cfg.Networks) == 0:
		return nil, errors.New("transparent: no automap network")
	}
	for _, p := range cfg.Networks {
		if !p.IsValid() {
			return nil, fmt.Errorf("transparent: invalid automap network %v", p)
		}
	}
	if cfg.OriginalDst == nil {
		cfg.OriginalDst = SyscallOriginalDst
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = DefaultDialTimeout
	}
	s := &Server{cfg: cfg, log: cfg.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.log = s.log.With("component", "transparent")
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// Start listens on Config.Address and serves in the background.
func (s *Server) Start(ctx context.Context) error {
	ln, err := gateway.Listen(ctx, s.cfg.Listen, s.cfg.Address, gateway.ListenerConfig{
		Allow:    s.cfg.Allow,
		MaxConns: s.cfg.MaxConns,
		Refused:  func(netip.Addr) { s.stats.refused.Add(1) },
	})
	if err != nil {
		return fmt.Errorf("transparent: %w", err)
	}
	s.ln = ln
	s.wg.Add(1)
	go gateway.Serve(s.ctx, ln, &s.wg, s.log, func(gc *gateway.Conn) {
		s.stats.accepted.Add(1)
		s.serve(gc)
	})
	s.log.Info("listening", "address", ln.Addr().String(), "allow", s.cfg.Allow.String())
	return nil
}

// Addr is the listening address; nil before Start.
func (s *Server) Addr() net.Addr {
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Close stops accepting, closes every connection, aborts dials in progress and
// waits for the handlers. It is idempotent.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		if s.ln != nil {
			s.closeErr = s.ln.Close()
		}
		s.wg.Wait()
	})
	return s.closeErr
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	st := Stats{
		Accepted:   s.stats.accepted.Load(),
		Refused:    s.stats.refused.Load(),
		NoOrigDst:  s.stats.noOrigDst.Load(),
		OutOfRange: s.stats.outOfRange.Load(),
		Unmapped:   s.stats.unmapped.Load(),
		Connected:  s.stats.connected.Load(),
		DialFailed: s.stats.dialFailed.Load(),
		BytesUp:    s.stats.bytesUp.Load(),
		BytesDown:  s.stats.bytesDown.Load(),
	}
	if s.ln != nil {
		st.Open = int64(s.ln.Open())
	}
	return st
}

// target finds the name:port a redirected connection goes to, or says why not.
func (s *Server) target(c net.Conn) (string, error) {
	orig, err := s.cfg.OriginalDst(c)
	if err != nil {
		s.stats.noOrigDst.Add(1)
		return "", err
	}
	ip := orig.Addr().Unmap()
	in := false
	for _, p := range s.cfg.Networks {
		if p.Contains(ip) {
			in = true
			break
		}
	}
	if !in {
		s.stats.outOfRange.Add(1)
		return "", fmt.Errorf("transparent: %s is outside the automap range", s.redact(ip.String()))
	}
	name, ok := s.cfg.Reverse(ip)
	if ok {
		name, ok = gateway.I2PName(name)
	}
	if !ok {
		s.stats.unmapped.Add(1)
		return "", fmt.Errorf("transparent: %s maps to no name", s.redact(ip.String()))
	}
	return net.JoinHostPort(name, strconv.Itoa(int(orig.Port()))), nil
}

func (s *Server) serve(c *gateway.Conn) {
	defer c.Close()
	addr, err := s.target(c)
	if err != nil {
		s.log.Debug("refused", "client", s.redact(c.Client().String()), "err", err)
		reset(c)
		return
	}
	d := s.cfg.Dialer
	if s.cfg.DialerFor != nil {
		d = s.cfg.DialerFor(c.Client())
	}
	if d == nil {
		s.stats.dialFailed.Add(1)
		reset(c)
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.DialTimeout)
	stream, err := d.DialContext(ctx, "tcp", addr)
	cancel()
	if err != nil {
		s.stats.dialFailed.Add(1)
		kind := gateway.Classify(err)
		s.log.Debug("dial failed", "target", s.redact(addr), "kind", kind)
		reset(c)
		return
	}
	s.stats.connected.Add(1)
	s.relay(c, stream)
}

func (s *Server) redact(v string) string {
	if s.cfg.LogTargets {
		return v
	}
	return "[redacted]"
}

// reset closes a client's TCP connection with RST, so that it fails at once
// instead of seeing an empty answer.
func reset(c net.Conn) {
	if tc, ok := rawConn(c).(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}

// relay copies both ways until both directions end. The end of one direction
// half-closes the other side (or closes it when it cannot half-close); an
// error in either closes both.
func (s *Server) relay(client, stream net.Conn) {
	defer stream.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		n, err := io.CopyBuffer(stream, onlyReader{client}, make([]byte, relayBufferSize))
		s.stats.bytesUp.Add(n)
		finish(stream, client, err)
	}()
	n, err := io.CopyBuffer(client, onlyReader{stream}, make([]byte, relayBufferSize))
	s.stats.bytesDown.Add(n)
	finish(client, stream, err)
	<-done
}

// finish ends the writing side dst after copying from src: half-close on a clean
// end of input, close both on an error.
func finish(dst, src net.Conn, err error) {
	if err != nil {
		dst.Close()
		src.Close()
		return
	}
	if cw, ok := dst.(interface{ CloseWrite() error }); ok && cw.CloseWrite() == nil {
		return
	}
	dst.Close()
}

// onlyReader hides WriterTo so that io.CopyBuffer uses the bounded buffer.
type onlyReader struct{ io.Reader }
