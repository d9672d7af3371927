package httpproxy

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"time"

	"i2pgate/gateway"
	"i2pgate/gateway/internal/httpserve"
)

// Defaults and limits.
const (
	DefaultAddress     = "127.0.0.1:4444"
	DefaultDialTimeout = 90 * time.Second // LeaseSet lookup and stream SYN
	// responseHeaderTimeout bounds the wait for a site's answer once the
	// request is sent.
	responseHeaderTimeout = 3 * time.Minute
	readHeaderTimeout     = 30 * time.Second
	idleTimeout           = 2 * time.Minute
	maxHeaderBytes        = 64 << 10
)

// DefaultJumpServices are i2pd's jump services (HTTPProxy.cpp), by b32 address so
// that they work with an empty address book: reg.i2p, stats.i2p, identiguy.i2p,
// notbob.i2p.
var DefaultJumpServices = []string{
	"http://shx5vqsw7usdaunyzr2qmes2fq37oumybpudrd4jjj4e4vk4uusa.b32.i2p/jump/",
	"http://7tbay5p4kzeekxvyvbf6v7eauazemsnnl2aoyqhg5jzpr5eke7tq.b32.i2p/cgi-bin/jump.cgi?a=",
	"http://3mzmrus2oron5fxptw7hw2puho3bnqmw2hqy7nw64dsrrjwdilva.b32.i2p/cgi-bin/query?hostname=",
	"http://nytzrhrjjfsutowojvxi7hphesskpqqr65wpistz6wa7cpajhp7a.b32.i2p/cgi-bin/jump.cgi?q=",
}

// Config configures a Server.
type Config struct {
	Address string // httpproxy.address; "": DefaultAddress
	// Allow is lan.allow; nil allows loopback clients only.
	Allow *gateway.AllowList
	// Dialer opens I2P streams for every client. Required unless DialerFor is
	// set.
	Dialer gateway.Dialer
	// DialerFor, when set, gives each client IP its own Dialer (isolation =
	// "client"); it may return nil to refuse a client.
	DialerFor func(client netip.Addr) gateway.Dialer
	// AddressBook receives names saved from address helper links; nil: the
	// helper page only offers to continue to the b32 address.
	AddressBook gateway.AddressBook
	// JumpServices are URL prefixes to which an unknown name is appended on the
	// unknown-name page; nil: DefaultJumpServices, empty: none.
	JumpServices []string
	// Outproxy (httpproxy.outproxy) is the "host.i2p:port" of an HTTP proxy in
	// I2P that non-.i2p requests and CONNECTs go through; "": they are refused
	// and nothing is dialed for them.
	Outproxy string

	MaxConns    int           // open client connections at most; 0: gateway.DefaultMaxConns
	DialTimeout time.Duration // 0: DefaultDialTimeout
	Logger      *slog.Logger  // nil: discard
	LogTargets  bool          // names and IPs in logs; otherwise redacted
	// Rand keys the address helper's tokens; nil: crypto/rand.
	Rand io.Reader
	// Listen opens the listener; nil means net.ListenConfig.Listen.
	Listen func(ctx context.Context, network, address string) (net.Listener, error)
}

// Server is the HTTP proxy.
type Server struct {
	cfg      Config
	log      *slog.Logger
	stats    counters
	tokenKey [32]byte
	outproxy *url.URL // nil: none
	bufs     bufferPool
	// headerTimeout bounds the wait for a site's answer once the request is
	// written (responseHeaderTimeout; tests shorten it).
	headerTimeout time.Duration
	http          *httpserve.Server

	ctx    context.Context // canceled by Close: aborts dials, ends requests
	cancel context.CancelFunc
	ln     *gateway.Listener
	done   chan struct{} // closed when Serve returns

	// handlers counts requests being served; closed stops new ones.
	handlers struct {
		sync.Mutex
		wg     sync.WaitGroup
		closed bool
	}
	closeOnce sync.Once
	closeErr  error
}

// New checks the configuration.
func New(cfg Config) (*Server, error) {
	if cfg.Dialer == nil && cfg.DialerFor == nil {
		return nil, errors.New("httpproxy: no Dialer")
	}
	if cfg.Address == "" {
		cfg.Address = DefaultAddress
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = DefaultDialTimeout
	}
	if cfg.JumpServices == nil {
		cfg.JumpServices = DefaultJumpServices
	}
	for _, j := range cfg.JumpServices {
		if u, err := url.Parse(j); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("httpproxy: jump service %q is not an http URL", j)
		}
	}
	s := &Server{cfg: cfg, log: cfg.Logger, done: make(chan struct{})}
	if cfg.Outproxy != "" {
		host, port, err := splitHostPort(cfg.Outproxy, 0)
		name, ok := gateway.I2PName(host)
		if err != nil || port == 0 || !ok {
			return nil, fmt.Errorf("httpproxy: outproxy %q is not an .i2p host:port", cfg.Outproxy)
		}
		s.outproxy = &url.URL{Scheme: "http", Host: joinHostPort(name, port, 0)}
	}
	rnd := cfg.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	if _, err := io.ReadFull(rnd, s.tokenKey[:]); err != nil {
		return nil, fmt.Errorf("httpproxy: token key: %w", err)
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.log = s.log.With("component", "httpproxy")
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.bufs = newBufferPool()
	s.headerTimeout = responseHeaderTimeout
	s.http = &httpserve.Server{
		Handler:           s,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		BaseContext:       s.ctx,
		// Bad requests at Debug, a handler panic (a bug) at Warn.
		Log: s.log.With("part", "server"),
	}
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
		return fmt.Errorf("httpproxy: %w", err)
	}
	s.ln = ln
	go func() {
		defer close(s.done)
		if err := s.http.Serve(s.ln); err != nil && !errors.Is(err, httpserve.ErrServerClosed) {
			s.log.Error("serve", "err", err)
		}
	}()
	s.log.Info("listening", "address", ln.Addr().String(), "allow", s.cfg.Allow.String(),
		"outproxy", s.cfg.Outproxy != "")
	return nil
}

// Addr is the listening address; nil before Start.
func (s *Server) Addr() net.Addr {
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Close stops accepting, closes every client connection (CONNECT tunnels
// included), aborts dials and waits for the requests being served. It is
// idempotent.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		if s.ln != nil {
			s.closeErr = s.http.Close()
			s.ln.Close()
			<-s.done
		}
		s.handlers.Lock()
		s.handlers.closed = true
		s.handlers.Unlock()
		s.handlers.wg.Wait()
	})
	return s.closeErr
}

func (s *Server) enter() bool {
	s.handlers.Lock()
	defer s.handlers.Unlock()
	if s.handlers.closed {
		return false
	}
	s.handlers.wg.Add(1)
	return true
}

// ServeHTTP routes one request from a LAN client.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		return
	}
	defer s.handlers.wg.Done()
	s.stats.requests.Add(1)
	client, _ := netip.ParseAddrPort(r.RemoteAddr)
	ip := client.Addr().Unmap()
	rt, err := classify(r)
	if err != nil {
		s.stats.badRequest.Add(1)
		writePage(w, http.StatusBadRequest, pageData{Kind: pageBadRequest, Reason: err.Error()})
		return
	}
	switch rt.kind {
	case routeHelper:
		s.handleHelper(w, r, rt, ip)
	case routeConnectI2P, routeConnectClearnet:
		s.handleConnect(w, r, rt, ip)
	case routeClearnet:
		if s.outproxy == nil {
			s.fail(w, rt.hostport, gateway.ErrNotAllowed)
			return
		}
		s.forward(w, r, rt, ip)
	default:
		s.forward(w, r, rt, ip)
	}
}

// fail answers with the page for an error kind and counts it.
func (s *Server) fail(w http.ResponseWriter, host string, err error) {
	kind := gateway.Classify(err)
	s.stats.count(kind)
	d := pageData{Host: host}
	status := http.StatusBadGateway
	switch kind {
	case gateway.ErrUnknownName:
		d.Kind, status = pageUnknownName, http.StatusNotFound
		if h, _, err := net.SplitHostPort(host); err == nil {
			d.Host = h
		}
		d.Jumps = jumpLinks(s.cfg.JumpServices, d.Host)
	case gateway.ErrNotFound:
		d.Kind = pageNotFound
	case gateway.ErrTimeout:
		d.Kind, status = pageTimeout, http.StatusGatewayTimeout
	case gateway.ErrNoTunnels:
		d.Kind, status = pageNoTunnels, http.StatusServiceUnavailable
	case gateway.ErrNotAllowed:
		d.Kind, status = pageNotAllowed, http.StatusForbidden
	case gateway.ErrRefused:
		d.Kind = pageRefused
	default:
		d.Kind = pageFailed
	}
	writePage(w, status, d)
}

func (s *Server) redact(v string) string {
	if s.cfg.LogTargets {
		return v
	}
	return "[redacted]"
}
