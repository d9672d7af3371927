// Package console serves the router's web console: the JSON status API
// (GET /api/status) and a small server-rendered status page. It knows nothing of
// the router's internals: it is handed a StatusSource whose value it encodes as
// JSON. Access control beyond the listen address is left to later work.
package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// StatusSource yields the value served at /api/status; it must encode as a JSON
// object.
type StatusSource interface {
	Status() any
}

// Config configures a Server.
type Config struct {
	Address string       // host:port to listen on
	Status  StatusSource // required
	Logger  *slog.Logger // nil: discard
	// Listen opens the listener; nil means net.Listen("tcp", Address).
	Listen func(ctx context.Context, network, address string) (net.Listener, error)
}

// Server is the console's HTTP server.
type Server struct {
	cfg  Config
	log  *slog.Logger
	http *http.Server
	ln   net.Listener
	done chan struct{}

	closeOnce sync.Once
	closeErr  error
}

// readHeaderTimeout bounds slow clients.
const readHeaderTimeout = 10 * time.Second

// New checks the configuration.
func New(cfg Config) (*Server, error) {
	if cfg.Status == nil {
		return nil, errors.New("console: no status source")
	}
	s := &Server{cfg: cfg, log: cfg.Logger, done: make(chan struct{})}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.log = s.log.With("component", "console")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/status", s.handleStatus)
	mux.HandleFunc("GET /{$}", s.handleIndex)
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: readHeaderTimeout}
	return s, nil
}

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
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("serve", "err", err)
		}
	}()
	s.log.Info("listening", "address", ln.Addr().String())
	return nil
}

// Addr is the listening address; nil before Start.
func (s *Server) Addr() net.Addr {
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Close stops the server and waits for it. It is idempotent.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		if s.ln == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := s.http.Shutdown(ctx); err != nil {
			s.closeErr = s.http.Close()
		}
		<-s.done
	})
	return s.closeErr
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	b, err := json.MarshalIndent(s.cfg.Status.Status(), "", "  ")
	if err != nil {
		http.Error(w, "console: status: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(append(b, '\n'))
}
