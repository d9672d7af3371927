package transport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"i2pgate/router/clock"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
)

// Manager defaults for a low-memory router.
const (
	// DefaultMaxSessions bounds established sessions over all transports.
	DefaultMaxSessions = 128
	// DefaultIdleTimeout closes sessions with no traffic for this long
	// (i2pd's NTCP2_TERMINATION_TIMEOUT; transports may close earlier).
	DefaultIdleTimeout = 120 * time.Second
)

// ManagerConfig configures a Manager.
type ManagerConfig struct {
	// Transports in order of preference (NTCP2 first, then SSU2).
	Transports []Transport
	// Handler is the router; the Manager passes everything on to it.
	Handler Handler
	Clock   clock.Clock  // nil means the system clock
	Logger  *slog.Logger // nil discards
	// MaxSessions bounds established sessions plus dials in flight;
	// inbound sessions beyond it are closed at once.
	MaxSessions int
	// IdleTimeout closes sessions idle for this long.
	IdleTimeout time.Duration
}

// Manager is the one place that knows the sessions to each peer: it picks
// a transport from the peer's RouterInfo, reuses an existing session in
// either direction, lets one dial per peer be in flight (other senders
// wait for it), enforces the session limit, closes idle sessions and
// counts sessions per style and direction. It implements Handler towards
// the transports and passes everything on to the router's Handler.
type Manager struct {
	cfg     ManagerConfig
	log     *slog.Logger
	closing chan struct{}
	wg      sync.WaitGroup

	mu struct {
		sync.Mutex
		started, closed bool
		sessions        map[data.Hash][]Session // guarded by mu
		count           int                     // sessions in the map
		dials           map[data.Hash]*dialCall // in flight
	}
}

var _ Handler = (*Manager)(nil)

type dialCall struct {
	done chan struct{}
	s    Session
	err  error
}

// NewManager returns a Manager for cfg; Start starts its transports.
func NewManager(cfg ManagerConfig) (*Manager, error) {
	if cfg.Handler == nil {
		return nil, errors.New("transport: manager: nil handler")
	}
	cfg.Clock = clock.Or(cfg.Clock)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	m := &Manager{cfg: cfg, log: cfg.Logger.With("component", "transport"), closing: make(chan struct{})}
	m.mu.sessions = make(map[data.Hash][]Session)
	m.mu.dials = make(map[data.Hash]*dialCall)
	return m, nil
}

// Start starts every transport with the Manager as its Handler, and the
// idle checker. On error the transports already started are closed.
func (m *Manager) Start() error {
	m.mu.Lock()
	if m.mu.started || m.mu.closed {
		m.mu.Unlock()
		return errors.New("transport: manager: already started or closed")
	}
	m.mu.started = true
	m.mu.Unlock()
	for i, t := range m.cfg.Transports {
		if err := t.Start(m); err != nil {
			for _, u := range m.cfg.Transports[:i] {
				_ = u.Close()
			}
			return fmt.Errorf("transport: start %s: %w", t.Style(), err)
		}
	}
	m.wg.Add(1)
	go m.idleLoop()
	return nil
}

// Close closes every transport (and so every session) and waits for the
// Manager's goroutines. It is idempotent.
func (m *Manager) Close() error {
	m.mu.Lock()
	if m.mu.closed {
		m.mu.Unlock()
		m.wg.Wait()
		return nil
	}
	m.mu.closed = true
	close(m.closing)
	m.mu.Unlock()
	var errs []error
	for _, t := range m.cfg.Transports {
		if err := t.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	m.wg.Wait()
	return errors.Join(errs...)
}

// Send delivers msg to the router described by ri, dialing it when no
// session exists. Concurrent sends to one peer share one dial.
func (m *Manager) Send(ctx context.Context, ri *data.RouterInfo, msg i2np.Message) error {
	s, err := m.Session(ctx, ri)
	if err != nil {
		return err
	}
	return s.Send(msg)
}

// SendTo delivers msg over an existing session only.
func (m *Manager) SendTo(peer data.Hash, msg i2np.Message) error {
	m.mu.Lock()
	s := m.pickLocked(peer)
	m.mu.Unlock()
	if s == nil {
		return ErrNoSession
	}
	return s.Send(msg)
}

// Connected reports whether a session to peer is open now.
func (m *Manager) Connected(peer data.Hash) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.pickLocked(peer) != nil
}

// Session returns a session to ri's router, reusing one in either
// direction or dialing (one dial per peer at a time; later callers wait
// for it, and share its outcome).
func (m *Manager) Session(ctx context.Context, ri *data.RouterInfo) (Session, error) {
	h := ri.Hash()
	m.mu.Lock()
	if m.mu.closed {
		m.mu.Unlock()
		return nil, ErrClosed
	}
	if s := m.pickLocked(h); s != nil {
		m.mu.Unlock()
		return s, nil
	}
	if c, ok := m.mu.dials[h]; ok {
		m.mu.Unlock()
		select {
		case <-c.done:
			return c.s, c.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if m.mu.count+len(m.mu.dials) >= m.cfg.MaxSessions {
		m.mu.Unlock()
		return nil, ErrLimit
	}
	c := &dialCall{done: make(chan struct{})}
	m.mu.dials[h] = c
	m.mu.Unlock()

	c.s, c.err = m.dial(ctx, ri)
	m.mu.Lock()
	delete(m.mu.dials, h)
	if c.err == nil {
		m.addLocked(c.s)
	}
	m.mu.Unlock()
	close(c.done)
	return c.s, c.err
}

func (m *Manager) dial(ctx context.Context, ri *data.RouterInfo) (Session, error) {
	var errs []error
	for _, t := range m.cfg.Transports {
		if !t.Supports(ri) {
			continue
		}
		s, err := t.Dial(ctx, ri)
		if err == nil {
			return s, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	if len(errs) == 0 {
		return nil, fmt.Errorf("transport: %s: %w", ri.Hash().String()[:8], ErrUnsupported)
	}
	return nil, errors.Join(errs...)
}

// pickLocked returns a live session to h, or nil.
func (m *Manager) pickLocked(h data.Hash) Session {
	for _, s := range m.mu.sessions[h] {
		select {
		case <-s.Done():
		default:
			return s
		}
	}
	return nil
}

// addLocked registers s unless it is already known or already closed: a session
// the peer closed while we dialed may report EventClosed before the dial
// returns (or before EventEstablished), and would then never be removed.
func (m *Manager) addLocked(s Session) {
	select {
	case <-s.Done():
		return
	default:
	}
	h := s.Peer()
	for _, o := range m.mu.sessions[h] {
		if o == s {
			return
		}
	}
	m.mu.sessions[h] = append(m.mu.sessions[h], s)
	m.mu.count++
}

func (m *Manager) removeLocked(s Session) {
	h := s.Peer()
	list := m.mu.sessions[h]
	for i, o := range list {
		if o == s {
			list = append(list[:i], list[i+1:]...)
			m.mu.count--
			break
		}
	}
	if len(list) == 0 {
		delete(m.mu.sessions, h)
	} else {
		m.mu.sessions[h] = list
	}
}

// closeAsync closes s in a goroutine the Manager waits for: Close waits for
// the session's goroutines, which may be the caller.
func (m *Manager) closeAsync(s Session, r Reason) {
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		_ = s.Close(r)
	}()
}

// HandleMessage implements Handler by passing msg on.
func (m *Manager) HandleMessage(from data.Hash, msg i2np.Message) {
	m.cfg.Handler.HandleMessage(from, msg)
}

// HandleRouterInfo implements Handler by passing ri on.
func (m *Manager) HandleRouterInfo(from data.Hash, ri []byte, flood bool) {
	m.cfg.Handler.HandleRouterInfo(from, ri, flood)
}

// SessionEvent implements Handler: it registers established sessions
// (closing inbound ones beyond the limit, and any after Close) and forgets
// closed ones, then passes the event on.
func (m *Manager) SessionEvent(s Session, ev Event, err error) {
	m.mu.Lock()
	switch ev {
	case EventEstablished:
		if m.mu.closed || (s.Inbound() && m.mu.count >= m.cfg.MaxSessions) {
			n := m.mu.count
			m.mu.Unlock()
			m.log.Debug("refusing session", "style", s.Style(), "sessions", n)
			m.closeAsync(s, ReasonShutdown)
			return
		}
		m.addLocked(s)
	case EventClosed:
		m.removeLocked(s)
	}
	m.mu.Unlock()
	m.cfg.Handler.SessionEvent(s, ev, err)
}

// Sessions lists the live sessions.
func (m *Manager) Sessions() []Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Session, 0, m.mu.count)
	for _, list := range m.mu.sessions {
		out = append(out, list...)
	}
	return out
}

// Stats counts sessions per style and direction.
type Stats struct {
	Total int
	// ByKind maps "<style>_in" and "<style>_out" in lower case (e.g.
	// "ntcp2_in") to session counts, for /api/status.
	ByKind map[string]int
	// Dialing is the number of dials in flight.
	Dialing int
}

// Stats returns the current counts. Every transport's style appears with
// both directions, even at zero.
func (m *Manager) Stats() Stats {
	st := Stats{ByKind: make(map[string]int)}
	for _, t := range m.cfg.Transports {
		style := strings.ToLower(t.Style())
		st.ByKind[style+"_in"] += 0
		st.ByKind[style+"_out"] += 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, list := range m.mu.sessions {
		for _, s := range list {
			dir := "_out"
			if s.Inbound() {
				dir = "_in"
			}
			st.ByKind[strings.ToLower(s.Style())+dir]++
			st.Total++
		}
	}
	st.Dialing = len(m.mu.dials)
	return st
}

// idleLoop closes sessions idle for longer than IdleTimeout.
func (m *Manager) idleLoop() {
	defer m.wg.Done()
	tick := m.cfg.Clock.NewTicker(m.cfg.IdleTimeout / 4)
	defer tick.Stop()
	for {
		select {
		case <-m.closing:
			return
		case <-tick.C():
			now := m.cfg.Clock.Now()
			for _, s := range m.Sessions() {
				if now.Sub(s.LastActivity()) >= m.cfg.IdleTimeout {
					m.closeAsync(s, ReasonIdleTimeout)
				}
			}
		}
	}
}
