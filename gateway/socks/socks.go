package socks

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	socks5 "github.com/armon/go-socks5"

	"i2pgate/gateway"
)

// Defaults of Config.
const (
	DefaultAddress          = "127.0.0.1:4447"
	DefaultHandshakeTimeout = 30 * time.Second // greeting, auth and request
	DefaultDialTimeout      = 90 * time.Second // LeaseSet lookup and stream SYN
)

// Config configures a Server.
type Config struct {
	Address string // socks.address; "": DefaultAddress
	// Allow is lan.allow; nil allows loopback clients only.
	Allow *gateway.AllowList
	// Username and Password (socks.username, socks.password): when either is
	// set, clients must authenticate with RFC 1929 username/password.
	Username, Password string

	// Dialer opens I2P streams for every client. Required unless DialerFor is
	// set.
	Dialer gateway.Dialer
	// DialerFor, when set, gives each client IP its own Dialer (socks.isolation
	// = "client": a transient destination per LAN client). It may return nil to
	// refuse a client (reply 0x01).
	DialerFor func(client netip.Addr) gateway.Dialer
	// Outproxy, when set, dials clearnet targets ("host:port", IP or name);
	// when nil they are refused with reply 0x02 and nothing is dialed.
	Outproxy gateway.Dialer
	// Reverse maps an automapped virtual IP back to its .i2p name; nil: none.
	Reverse func(netip.Addr) (name string, ok bool)

	MaxConns         int           // open client connections at most; 0: gateway.DefaultMaxConns
	HandshakeTimeout time.Duration // 0: DefaultHandshakeTimeout
	DialTimeout      time.Duration // 0: DefaultDialTimeout
	Logger           *slog.Logger  // nil: discard
	// LogTargets puts target names and client IPs in debug logs; otherwise
	// they are redacted.
	LogTargets bool
	// Listen opens the listener; nil means net.ListenConfig.Listen.
	Listen func(ctx context.Context, network, address string) (net.Listener, error)
}

// Server is the SOCKS5 front-end.
type Server struct {
	cfg    Config
	log    *slog.Logger
	libLog *log.Logger // go-socks5's logger; its lines carry target names, so discarded
	creds  socks5.CredentialStore
	stats  counters

	ctx    context.Context // canceled by Close: aborts dials in progress
	cancel context.CancelFunc
	ln     *gateway.Listener
	wg     sync.WaitGroup // accept loop and connection handlers

	// targets are the open I2P streams; Close ends them, since a relay
	// reading from one would otherwise wait for the remote to close.
	targets struct {
		sync.Mutex
		m      map[*targetConn]struct{}
		closed bool
	}

	closeOnce sync.Once
	closeErr  error
}

// New checks the configuration.
func New(cfg Config) (*Server, error) {
	if cfg.Dialer == nil && cfg.DialerFor == nil {
		return nil, errors.New("socks: no Dialer")
	}
	if cfg.Address == "" {
		cfg.Address = DefaultAddress
	}
	if cfg.HandshakeTimeout <= 0 {
		cfg.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = DefaultDialTimeout
	}
	s := &Server{cfg: cfg, log: cfg.Logger, libLog: log.New(io.Discard, "", 0)}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.log = s.log.With("component", "socks")
	if cfg.Username != "" || cfg.Password != "" {
		s.creds = credentials{user: cfg.Username, pass: cfg.Password, failed: &s.stats.authFailed}
	}
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
		return fmt.Errorf("socks: %w", err)
	}
	s.ln = ln
	s.wg.Add(1)
	go gateway.Serve(s.ctx, ln, &s.wg, s.log, func(gc *gateway.Conn) {
		s.stats.accepted.Add(1)
		s.serveConn(gc, gc.Client())
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

// Close stops accepting, closes every client connection and I2P stream,
// aborts dials in progress and waits for the handlers. It is idempotent.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		if s.ln != nil {
			s.closeErr = s.ln.Close()
		}
		s.targets.Lock()
		s.targets.closed = true
		open := s.targets.m
		s.targets.m = nil
		s.targets.Unlock()
		for t := range open {
			t.Conn.Close()
		}
		s.wg.Wait()
	})
	return s.closeErr
}

// serveConn runs one SOCKS5 exchange on c, a client at client, and the relay
// that follows a successful CONNECT. It closes c.
func (s *Server) serveConn(c net.Conn, client netip.Addr) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(s.cfg.HandshakeTimeout))
	sess := &session{s: s, conn: c, client: client}
	conf := &socks5.Config{
		Credentials: s.creds,
		Resolver:    noResolver{},
		Rules:       sess,
		Rewriter:    sess,
		Logger:      s.libLog,
		Dial:        sess.dial,
	}
	lib, err := socks5.New(conf)
	if err != nil {
		return
	}
	if err := lib.ServeConn(&replyConn{Conn: c, sess: sess}); err != nil {
		s.log.Debug("connection ended", "client", s.redact(client.String()), "err", s.redactErr(err))
	}
}

func (s *Server) redact(v string) string {
	if s.cfg.LogTargets {
		return v
	}
	return "[redacted]"
}

// redactErr keeps only the error kind unless LogTargets: go-socks5's errors
// name the target.
func (s *Server) redactErr(err error) string {
	if s.cfg.LogTargets {
		return err.Error()
	}
	if k := gateway.Classify(err); k != nil {
		return k.Error()
	}
	return "[redacted]"
}

// credentials checks RFC 1929 username/password in constant time.
type credentials struct {
	user, pass string
	failed     interface{ Add(int64) int64 }
}

func (c credentials) Valid(user, pass string) bool {
	u := subtle.ConstantTimeCompare([]byte(user), []byte(c.user))
	p := subtle.ConstantTimeCompare([]byte(pass), []byte(c.pass))
	if u&p == 1 {
		return true
	}
	c.failed.Add(1)
	return false
}

// track registers an open stream; false when the server is closing (the
// caller closes it).
func (s *Server) track(t *targetConn) bool {
	s.targets.Lock()
	defer s.targets.Unlock()
	if s.targets.closed {
		return false
	}
	if s.targets.m == nil {
		s.targets.m = make(map[*targetConn]struct{})
	}
	s.targets.m[t] = struct{}{}
	return true
}

func (s *Server) untrack(t *targetConn) {
	s.targets.Lock()
	defer s.targets.Unlock()
	delete(s.targets.m, t)
}
