package ntcp2

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"i2pgate/router/clock"
	"i2pgate/router/crypto"
	"i2pgate/router/crypto/noise"
	"i2pgate/router/data"
	"i2pgate/router/netx"
	"i2pgate/router/transport"
)

// Transport limits and timers.
const (
	// DefaultMaxConnections bounds established sessions plus handshakes in
	// progress, for a low-memory router.
	DefaultMaxConnections = 256
	// DefaultMaxPendingInbound bounds inbound handshakes in progress
	// (including probes being delayed).
	DefaultMaxPendingInbound = 32
	// DefaultHandshakeTimeout bounds a whole handshake (i2pd
	// NTCP2_ESTABLISH_TIMEOUT).
	DefaultHandshakeTimeout = 10 * time.Second
	// ProbeDelayMax and ProbeReadMax shape the answer to a bad message 1
	// (ntcp2.rst "AEAD Error Handling"): wait a random time up to
	// ProbeDelayMax while reading up to a random number of bytes below
	// ProbeReadMax, then close, so that probes learn nothing.
	ProbeDelayMax = 5 * time.Second
	ProbeReadMax  = 1024
)

// SkewSampler receives peers' timestamps; *clock.Skewed implements it.
type SkewSampler interface {
	AddPeerSample(peer string, peerTime, localTime time.Time)
}

// Config configures a Transport. Zero fields mean the defaults.
type Config struct {
	Network netx.Network // nil means the OS network
	Clock   clock.Clock  // nil means the system clock
	Rand    io.Reader    // nil means crypto/rand
	Logger  *slog.Logger // nil discards
	// NetID is our network ID (2 on the live network, 99 on the testnet).
	NetID uint8
	// StaticKey and IV are our NTCP2 static X25519 private key and our
	// published "i", as stored in i2pd's ntcp2.keys.
	StaticKey [32]byte
	IV        [16]byte
	// RouterHash is our router hash.
	RouterHash data.Hash
	// LocalRouterInfo returns our current signed RouterInfo (for message
	// 3 and periodic RouterInfo blocks). Required.
	LocalRouterInfo func() *data.RouterInfo
	// ListenAddr is "host:port" to accept on; empty means outbound only.
	ListenAddr string
	// Skew, if set, receives the peers' handshake and DateTime timestamps.
	Skew SkewSampler
	// Filter refuses reserved peer addresses unless AllowReserved.
	Filter transport.AddrFilter
	// IPv6 allows dialing published IPv6 addresses.
	IPv6 bool

	MaxConnections    int
	MaxPendingInbound int
	HandshakeTimeout  time.Duration
	IdleTimeout       time.Duration
	SendQueueSize     int
	HandshakeBurst    int
	HandshakeInterval time.Duration
	// MaxPadding bounds handshake padding (0 means DefaultMaxPadding).
	MaxPadding int
}

func (c *Config) setDefaults() {
	c.Network, c.Clock = netx.Or(c.Network), clock.Or(c.Clock)
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defD := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.MaxConnections, DefaultMaxConnections)
	def(&c.MaxPendingInbound, DefaultMaxPendingInbound)
	def(&c.SendQueueSize, DefaultSendQueueSize)
	def(&c.HandshakeBurst, DefaultHandshakeBurst)
	defD(&c.HandshakeTimeout, DefaultHandshakeTimeout)
	defD(&c.IdleTimeout, DefaultIdleTimeout)
	defD(&c.HandshakeInterval, DefaultHandshakeInterval)
}

// Transport is the NTCP2 transport; it implements transport.Transport.
type Transport struct {
	cfg     Config
	clock   clock.Clock
	log     *slog.Logger
	static  noise.KeyPair
	replay  *ReplayCache
	limiter *rateLimiter
	// clockUnsure is true until a handshake completes and again after a
	// SessionCreated we could not decrypt or refused for skew: message 1
	// then goes without padding (see InitiatorConfig.NoPadding).
	clockUnsure atomic.Bool
	handler     transport.Handler

	closing chan struct{}
	wg      sync.WaitGroup

	mu struct {
		sync.Mutex
		started  bool
		closed   bool
		ln       net.Listener
		sessions map[*Session]struct{} // established, guarded by mu
		pending  map[net.Conn]struct{} // handshakes in progress
		inbound  int                   // inbound handshakes in progress
	}
	randMu sync.Mutex // serializes reads of cfg.Rand
}

var _ transport.Transport = (*Transport)(nil)

// New returns a Transport for cfg; Start begins accepting.
func New(cfg Config) (*Transport, error) {
	cfg.setDefaults()
	if cfg.LocalRouterInfo == nil {
		return nil, errors.New("ntcp2: config: LocalRouterInfo is required")
	}
	priv := crypto.X25519PrivateKey(cfg.StaticKey)
	t := &Transport{
		cfg: cfg, clock: cfg.Clock, log: cfg.Logger.With("component", "ntcp2"),
		static:  noise.KeyPair{Private: cfg.StaticKey, Public: priv.PublicKey()},
		replay:  NewReplayCache(0),
		limiter: newRateLimiter(cfg.HandshakeBurst, cfg.HandshakeInterval),
		closing: make(chan struct{}),
	}
	t.clockUnsure.Store(true)
	t.mu.sessions = make(map[*Session]struct{})
	t.mu.pending = make(map[net.Conn]struct{})
	return t, nil
}

// Style implements transport.Transport.
func (t *Transport) Style() string { return transport.StyleNTCP2 }

// StaticPublicKey returns our NTCP2 "s".
func (t *Transport) StaticPublicKey() [32]byte { return t.static.Public }

// Addr returns the listener's address, or nil before Start or when
// outbound only.
func (t *Transport) Addr() net.Addr {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.mu.ln == nil {
		return nil
	}
	return t.mu.ln.Addr()
}

// Start implements transport.Transport: it listens on ListenAddr (if set)
// and hands every established session to h.
func (t *Transport) Start(h transport.Handler) error {
	if h == nil {
		return errors.New("ntcp2: start: nil handler")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.mu.closed {
		return transport.ErrClosed
	}
	if t.mu.started {
		return errors.New("ntcp2: already started")
	}
	t.handler = h
	if t.cfg.ListenAddr != "" {
		ln, err := t.cfg.Network.Listen(context.Background(), "tcp", t.cfg.ListenAddr)
		if err != nil {
			return fmt.Errorf("ntcp2: listen: %w", err)
		}
		t.mu.ln = ln
		t.wg.Add(1)
		go t.acceptLoop(ln)
	}
	t.mu.started = true
	return nil
}

// Close implements transport.Transport: it stops accepting, aborts
// handshakes, closes every session with ReasonShutdown and waits.
func (t *Transport) Close() error {
	t.mu.Lock()
	if t.mu.closed {
		t.mu.Unlock()
		t.wg.Wait()
		return nil
	}
	t.mu.closed = true
	close(t.closing)
	if t.mu.ln != nil {
		_ = t.mu.ln.Close()
	}
	for c := range t.mu.pending {
		_ = c.Close()
	}
	sessions := make([]*Session, 0, len(t.mu.sessions))
	for s := range t.mu.sessions {
		sessions = append(sessions, s)
	}
	t.mu.Unlock()
	for _, s := range sessions {
		s.shutdown(transport.ReasonShutdown, nil, true)
	}
	t.wg.Wait()
	return nil
}

// Sessions returns the established sessions.
func (t *Transport) Sessions() []*Session {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]*Session, 0, len(t.mu.sessions))
	for s := range t.mu.sessions {
		out = append(out, s)
	}
	return out
}

// reserve counts a new connection against MaxConnections and tracks it so
// that Close can abort it; it fails when closed or full.
func (t *Transport) reserve(c net.Conn, inbound bool) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.mu.closed {
		return transport.ErrClosed
	}
	if len(t.mu.sessions)+len(t.mu.pending) >= t.cfg.MaxConnections {
		return transport.ErrLimit
	}
	if inbound {
		if t.mu.inbound >= t.cfg.MaxPendingInbound {
			return transport.ErrLimit
		}
		t.mu.inbound++
	}
	t.mu.pending[c] = struct{}{}
	return nil
}

// promote turns a finished handshake into a running session: it is
// registered, reported established, and its goroutines start. It returns
// false if the transport closed meanwhile.
func (t *Transport) promote(c net.Conn, s *Session, inbound bool) bool {
	t.mu.Lock()
	t.releaseLocked(c, inbound)
	if t.mu.closed {
		t.mu.Unlock()
		return false
	}
	t.mu.sessions[s] = struct{}{}
	t.wg.Add(1)
	t.mu.Unlock()
	t.handler.SessionEvent(s, transport.EventEstablished, nil)
	go func() {
		defer t.wg.Done()
		s.run()
	}()
	return true
}

func (t *Transport) release(c net.Conn, inbound bool) {
	t.mu.Lock()
	t.releaseLocked(c, inbound)
	t.mu.Unlock()
}

func (t *Transport) releaseLocked(c net.Conn, inbound bool) {
	if _, ok := t.mu.pending[c]; !ok {
		return
	}
	delete(t.mu.pending, c)
	if inbound {
		t.mu.inbound--
	}
}

func (t *Transport) sessionEnded(s *Session) {
	t.mu.Lock()
	delete(t.mu.sessions, s)
	t.mu.Unlock()
}

func (t *Transport) localRouterInfo() *data.RouterInfo { return t.cfg.LocalRouterInfo() }

// sample gives the timestamp of the peer at the other end of c to the skew
// sampler, keyed by the peer's IP address: one host holds one sample whether
// it dialed us or we dialed it, whatever identities it shows, and before its
// identity is known (a SessionRequest refused for skew).
func (t *Transport) sample(c net.Conn, peerTime, local time.Time) {
	if t.cfg.Skew != nil {
		t.cfg.Skew.AddPeerSample("ip:"+remoteIP(c).String(), peerTime, local)
	}
}

// randReader returns a reader that serializes access to cfg.Rand, which
// need not be safe for concurrent use.
func (t *Transport) randReader() io.Reader { return lockedReader{t} }

type lockedReader struct{ t *Transport }

func (l lockedReader) Read(p []byte) (int, error) {
	l.t.randMu.Lock()
	defer l.t.randMu.Unlock()
	return l.t.cfg.Rand.Read(p)
}

// seed returns 128 bits for a session's non-cryptographic padding PRNG.
func (t *Transport) seed() (uint64, uint64) {
	var b [16]byte
	_, _ = io.ReadFull(t.randReader(), b[:])
	return binary.LittleEndian.Uint64(b[:8]), binary.LittleEndian.Uint64(b[8:])
}
