// Package console serves the router's web console to the person running the
// gateway: server-rendered HTML pages (overview, peers, tunnels, transit
// tunnels, local destinations, address book with search and a form to add a
// name, automap table, subscriptions) with a small inline style, no scripts and
// no external assets; the JSON status API (GET /api/status); and the counters
// in the Prometheus text format (GET /metrics).
//
// Access: every request is checked against Config.Allow (lan.allow) and, when
// Config.Password is set, HTTP Basic authentication (any user name). The one
// state-changing request, adding a name to the address book, also needs a
// token that only the console's own page carries (bound to the client address
// and valid for an hour) and is refused when a browser says it comes from
// another site.
//
// It knows nothing of the router's internals: it declares small interfaces
// (OverviewSource, PeersSource, ..., MetricsSource) that the integrator
// adapts the router and the gateway to, each optional. It leaves to others
// what the numbers mean, the address book's checks of names and destinations,
// and TLS (the console is for the LAN or loopback).
package console

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
	"sync"
	"time"

	"i2pgate/gateway/internal/httpserve"
)

// StatusSource yields the value served at /api/status; it must encode as a JSON
// object.
type StatusSource interface {
	Status() any
}

// Config configures a Server. Every source is optional: a nil one makes its
// page (or /api/status, /metrics) answer "not available".
type Config struct {
	Address string       // host:port to listen on
	Status  StatusSource // /api/status; also the overview when Overview is nil
	Logger  *slog.Logger // nil: discard
	// Listen opens the listener; nil means net.Listen("tcp", Address).
	Listen func(ctx context.Context, network, address string) (net.Listener, error)

	Overview      OverviewSource
	Peers         PeersSource
	Tunnels       TunnelsSource
	Transit       TransitSource
	Destinations  DestinationsSource
	AddressBook   AddressBook
	Automap       AutomapSource
	Subscriptions SubscriptionsSource
	Metrics       MetricsSource

	// Password (console.password), when set, is required with HTTP Basic
	// authentication on every request, with any user name.
	Password string
	// Allow (lan.allow) says which client addresses may use the console; nil
	// allows every client that reaches the listener.
	Allow func(netip.Addr) bool

	// Now tells the time for "expires in" and "ago" columns and the form
	// tokens; nil: time.Now.
	Now func() time.Time
	// Rand keys the form tokens; nil: crypto/rand.
	Rand io.Reader
}

// Server is the console's HTTP server.
type Server struct {
	cfg      Config
	log      *slog.Logger
	now      func() time.Time
	tokenKey [tokenKeySize]byte
	handler  http.Handler
	http     *httpserve.Server
	ln       net.Listener
	done     chan struct{}

	closeOnce sync.Once
	closeErr  error
}

// Server limits.
const (
	readHeaderTimeout = 10 * time.Second // bounds slow clients
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 16 << 10
)

// New checks the configuration.
func New(cfg Config) (*Server, error) {
	s := &Server{cfg: cfg, log: cfg.Logger, now: cfg.Now, done: make(chan struct{})}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.log = s.log.With("component", "console")
	if s.now == nil {
		s.now = time.Now
	}
	rnd := cfg.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	if _, err := io.ReadFull(rnd, s.tokenKey[:]); err != nil {
		return nil, fmt.Errorf("console: token key: %w", err)
	}
	s.handler = s.guard(s.routes())
	s.http = &httpserve.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		Log:               s.log,
		Now:               s.now,
	}
	return s, nil
}

func (s *Server) routes() http.Handler {
	rt := newRouter(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, http.StatusNotFound, "no such page")
	})
	rt.handle("GET", "/api/status", s.handleStatus)
	rt.handle("GET", "/metrics", s.handleMetrics)
	rt.handle("GET", "/", s.handleOverview)
	rt.handle("GET", "/peers", s.handlePeers)
	rt.handle("GET", "/tunnels", s.handleTunnels)
	rt.handle("GET", "/transit", s.handleTransit)
	rt.handle("GET", "/destinations", s.handleDestinations)
	rt.handle("GET", "/addressbook", s.handleBook)
	rt.handle("POST", "/addressbook", s.handleBookAdd)
	rt.handle("GET", "/automap", s.handleAutomap)
	rt.handle("GET", "/subscriptions", s.handleSubscriptions)
	return rt
}

// Handler is the console with its access checks, for serving it elsewhere
// (tests, another listener).
func (s *Server) Handler() http.Handler { return s.handler }

// Start listens and serves in the background.
func (s *Server) Start(ctx context.Context) error {
	listen := s.cfg.Listen
	if listen == nil {
		var lc net.ListenConfig
		listen = lc.Listen
	}
	ln, err := listen(ctx, "tcp", s.cfg.Address)
	if err != nil {
		return fmt.Errorf("console: %w", err)
	}
	s.ln = ln
	go func() {
		defer close(s.done)
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, httpserve.ErrServerClosed) {
			s.log.Error("serve", "err", err)
		}
	}()
	s.log.Info("listening", "address", ln.Addr().String(), "password", s.cfg.Password != "")
	return nil
}

// Addr is the listening address; nil before Start.
func (s *Server) Addr() net.Addr {
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Close stops the server: it closes the listener and every connection and
// waits for the requests being served (each is quick). It is idempotent.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		if s.ln == nil {
			return
		}
		s.closeErr = s.http.Close()
		<-s.done
	})
	return s.closeErr
}
