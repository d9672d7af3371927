// Package httpserve serves HTTP/1.0 and HTTP/1.1 requests to an http.Handler on
// connections from a net.Listener, without net/http's Server (which links Go's
// whole TLS stack: ~2 MB on mipsle). It leaves HTTP/2, TLS and routing to others.
//
// A connection costs one goroutine, a 4 KiB read buffer and a 4 KiB write
// buffer. The response writer implements http.Flusher, http.Hijacker and the
// deadline and full-duplex hooks of http.ResponseController. A handler's
// 1xx informational responses (WriteHeader(100..199) other than 101) are sent
// to HTTP/1.1 clients at once and do not count as the final header. Response
// trailers are not sent. The request context is canceled when the handler
// returns, when a write to the client fails, when Close is called, and when
// the client closes the connection while the handler runs: once the request
// body has been read to its end (or there is none), one background read
// waits for the client's next byte (see watch). A handler that leaves a
// body unread is not watched.
package httpserve // import "i2pgate/gateway/internal/httpserve"

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// ErrServerClosed is what Serve returns after Close.
var ErrServerClosed = errors.New("httpserve: server closed")

// Defaults and limits.
const (
	defaultReadHeaderTimeout = 10 * time.Second
	defaultIdleTimeout       = 60 * time.Second
	defaultMaxHeaderBytes    = 16 << 10
	readBufferSize           = 4 << 10
	writeBufferSize          = 4 << 10
	// maxDiscard is how much of a request body the handler left unread the
	// server reads and drops to keep the connection for the next request.
	maxDiscard = 256 << 10
	// errorWriteTimeout bounds writing the server's own error responses.
	errorWriteTimeout = 5 * time.Second
	// acceptRetryMax caps the wait after a temporary accept error.
	acceptRetryMax = time.Second
)

// Server serves HTTP/1.x. Set the fields before the first Serve and do not
// change them afterwards.
type Server struct {
	Handler           http.Handler
	ReadHeaderTimeout time.Duration    // time to read a request's header; 0: 10 s
	ReadTimeout       time.Duration    // whole request incl. body; 0: none
	WriteTimeout      time.Duration    // from end of header read to end of response; 0: none
	IdleTimeout       time.Duration    // keep-alive wait for the next request; 0: 60 s
	MaxHeaderBytes    int              // request line + header; 0: 16 KiB; larger: 431
	BaseContext       context.Context  // parent of request contexts; nil: Background
	Log               *slog.Logger     // nil: discard; handler panics and bad requests at Debug/Warn
	Now               func() time.Time // the Date header (deadlines use time.Now); nil: time.Now

	// state is guarded by its mutex; wg counts Serve loops and connections
	// (Add only under the mutex while not closed).
	state struct {
		sync.Mutex
		closed    bool
		ctx       context.Context // parent of connections; nil until the first Serve
		cancel    context.CancelFunc
		listeners map[net.Listener]struct{}
		conns     map[*conn]struct{} // not hijacked
	}
	wg sync.WaitGroup
}

// Serve accepts connections on ln and serves each in its own goroutine. It
// blocks until ln fails or Close is called; after Close it returns
// ErrServerClosed. It closes ln only through Close.
func (s *Server) Serve(ln net.Listener) error {
	ctx, ok := s.addListener(ln)
	if !ok {
		ln.Close()
		return ErrServerClosed
	}
	defer s.wg.Done()
	defer s.removeListener(ln)
	var delay time.Duration
	for {
		rwc, err := ln.Accept()
		if err != nil {
			if s.isClosed() {
				return ErrServerClosed
			}
			var temp interface{ Temporary() bool }
			if errors.As(err, &temp) && temp.Temporary() && !errors.Is(err, net.ErrClosed) {
				delay = min(max(2*delay, 5*time.Millisecond), acceptRetryMax)
				s.logger().Warn("accept", "err", err, "retry", delay)
				t := time.NewTimer(delay)
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
				}
				continue
			}
			return err
		}
		delay = 0
		c := s.newConn(rwc)
		if !s.addConn(c) {
			rwc.Close()
			return ErrServerClosed
		}
		go func() {
			defer s.wg.Done()
			c.serve(ctx)
		}()
	}
}

// Close closes every listener passed to Serve and every connection not
// hijacked, cancels the request contexts and waits for the running handlers
// to return. It is idempotent; it must not be called from a handler.
func (s *Server) Close() error {
	var err error
	s.state.Lock()
	if !s.state.closed {
		s.state.closed = true
		for ln := range s.state.listeners {
			if cerr := ln.Close(); cerr != nil && !errors.Is(cerr, net.ErrClosed) && err == nil {
				err = cerr
			}
		}
		for c := range s.state.conns {
			c.rwc.Close()
		}
		if s.state.cancel != nil {
			s.state.cancel()
		}
	}
	s.state.Unlock()
	s.wg.Wait()
	return err
}

func (s *Server) addListener(ln net.Listener) (context.Context, bool) {
	s.state.Lock()
	defer s.state.Unlock()
	if s.state.closed {
		return nil, false
	}
	if s.state.ctx == nil {
		base := s.BaseContext
		if base == nil {
			base = context.Background()
		}
		s.state.ctx, s.state.cancel = context.WithCancel(base)
		s.state.listeners = make(map[net.Listener]struct{})
		s.state.conns = make(map[*conn]struct{})
	}
	s.state.listeners[ln] = struct{}{}
	s.wg.Add(1)
	return s.state.ctx, true
}

func (s *Server) removeListener(ln net.Listener) {
	s.state.Lock()
	delete(s.state.listeners, ln)
	s.state.Unlock()
}

func (s *Server) addConn(c *conn) bool {
	s.state.Lock()
	defer s.state.Unlock()
	if s.state.closed {
		return false
	}
	s.state.conns[c] = struct{}{}
	s.wg.Add(1)
	return true
}

// forget drops c from the connections Close closes (it ended or was hijacked).
func (s *Server) forget(c *conn) {
	s.state.Lock()
	delete(s.state.conns, c)
	s.state.Unlock()
}

func (s *Server) isClosed() bool {
	s.state.Lock()
	defer s.state.Unlock()
	return s.state.closed
}

func (s *Server) logger() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) readHeaderTimeout() time.Duration {
	if s.ReadHeaderTimeout > 0 {
		return s.ReadHeaderTimeout
	}
	return defaultReadHeaderTimeout
}

func (s *Server) idleTimeout() time.Duration {
	if s.IdleTimeout > 0 {
		return s.IdleTimeout
	}
	return defaultIdleTimeout
}

func (s *Server) maxHeaderBytes() int {
	if s.MaxHeaderBytes > 0 {
		return s.MaxHeaderBytes
	}
	return defaultMaxHeaderBytes
}
