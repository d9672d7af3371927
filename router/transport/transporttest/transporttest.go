// Package transporttest provides message-level fake transports: I2NP
// messages travel over channels between in-process routers, with knobs for
// loss, so that netdb and tunnel tests can run many routers without crypto
// or sockets. Its Transport and Session implement the transport package's
// interfaces, so a transport.Manager runs over them unchanged.
//
// It leaves out everything on the wire: handshakes, frames, padding,
// addresses and the reserved-range filter.
package transporttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"i2pgate/router/clock"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/transport"
)

// Style is the transport style of the fake transports.
const Style = "TEST"

// DefaultQueueSize is each session's bounded send queue.
const DefaultQueueSize = 256

// Options configures a Network.
type Options struct {
	// Loss is the probability, 0 to 1, that a sent message is dropped.
	Loss float64
	// Seed feeds the loss decisions, so that a run can be repeated.
	Seed uint64
	// QueueSize is each session's send queue (default DefaultQueueSize).
	QueueSize int
	// Clock stamps session activity (nil means the system clock).
	Clock clock.Clock
}

// Network connects the fake transports of in-process routers.
type Network struct {
	opts Options
	mu   struct {
		sync.Mutex
		rng        *rand.Rand                // guarded by mu
		loss       float64                   // guarded by mu
		transports map[data.Hash]*Transport  // guarded by mu
		down       map[[2]data.Hash]struct{} // links refusing dials
	}
}

// NewNetwork returns an empty network.
func NewNetwork(opts Options) *Network {
	if opts.QueueSize <= 0 {
		opts.QueueSize = DefaultQueueSize
	}
	opts.Clock = clock.Or(opts.Clock)
	n := &Network{opts: opts}
	n.mu.rng = rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))
	n.mu.loss = opts.Loss
	n.mu.transports = make(map[data.Hash]*Transport)
	n.mu.down = make(map[[2]data.Hash]struct{})
	return n
}

// SetLoss changes the loss probability.
func (n *Network) SetLoss(p float64) {
	n.mu.Lock()
	n.mu.loss = p
	n.mu.Unlock()
}

// SetLinkDown makes dials from a to b (and b to a) fail while down.
func (n *Network) SetLinkDown(a, b data.Hash, down bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, k := range [][2]data.Hash{{a, b}, {b, a}} {
		if down {
			n.mu.down[k] = struct{}{}
		} else {
			delete(n.mu.down, k)
		}
	}
}

func (n *Network) drop() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.mu.loss > 0 && n.mu.rng.Float64() < n.mu.loss
}

// NewTransport returns the fake transport of the router with hash local.
func (n *Network) NewTransport(local data.Hash) *Transport {
	return &Transport{net: n, local: local, sessions: make(map[*Session]struct{})}
}

// Transport is one router's fake transport; it implements
// transport.Transport. It supports every router registered in its Network.
type Transport struct {
	net   *Network
	local data.Hash

	mu       sync.Mutex
	handler  transport.Handler     // set by Start, guarded by mu
	closed   bool                  // guarded by mu
	sessions map[*Session]struct{} // guarded by mu
	wg       sync.WaitGroup
}

var _ transport.Transport = (*Transport)(nil)

// Style implements transport.Transport.
func (t *Transport) Style() string { return Style }

// Supports implements transport.Transport: the peer must have started a
// transport on the same Network.
func (t *Transport) Supports(ri *data.RouterInfo) bool {
	t.net.mu.Lock()
	defer t.net.mu.Unlock()
	_, ok := t.net.mu.transports[ri.Hash()]
	return ok
}

// Start implements transport.Transport and makes the router reachable.
func (t *Transport) Start(h transport.Handler) error {
	if h == nil {
		return errors.New("transporttest: nil handler")
	}
	t.mu.Lock()
	if t.handler != nil || t.closed {
		t.mu.Unlock()
		return errors.New("transporttest: already started")
	}
	t.handler = h
	t.mu.Unlock()
	t.net.mu.Lock()
	t.net.mu.transports[t.local] = t
	t.net.mu.Unlock()
	return nil
}

// Close implements transport.Transport.
func (t *Transport) Close() error {
	t.net.mu.Lock()
	if t.net.mu.transports[t.local] == t {
		delete(t.net.mu.transports, t.local)
	}
	t.net.mu.Unlock()
	t.mu.Lock()
	t.closed = true
	list := make([]*Session, 0, len(t.sessions))
	for s := range t.sessions {
		list = append(list, s)
	}
	t.mu.Unlock()
	for _, s := range list {
		_ = s.Close(transport.ReasonShutdown)
	}
	t.wg.Wait()
	return nil
}

// Dial implements transport.Transport: it connects at once to the peer's
// transport, which sees an inbound session.
func (t *Transport) Dial(ctx context.Context, ri *data.RouterInfo) (transport.Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	peer := ri.Hash()
	t.net.mu.Lock()
	other, ok := t.net.mu.transports[peer]
	_, down := t.net.mu.down[[2]data.Hash{t.local, peer}]
	t.net.mu.Unlock()
	if !ok || down || other == t {
		return nil, fmt.Errorf("transporttest: dial %s: %w", peer.String()[:8], transport.ErrUnsupported)
	}
	out := t.newSession(peer, ri, false)
	in := other.newSession(t.local, nil, true)
	out.peerSide, in.peerSide = in, out
	if !t.register(out) {
		return nil, transport.ErrClosed
	}
	if !other.register(in) {
		t.unregister(out)
		return nil, fmt.Errorf("transporttest: dial: peer %w", transport.ErrClosed)
	}
	other.handler.SessionEvent(in, transport.EventEstablished, nil)
	t.handler.SessionEvent(out, transport.EventEstablished, nil)
	in.start()
	out.start()
	return out, nil
}

func (t *Transport) register(s *Session) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	t.sessions[s] = struct{}{}
	return true
}

func (t *Transport) unregister(s *Session) {
	t.mu.Lock()
	delete(t.sessions, s)
	t.mu.Unlock()
}

func (t *Transport) newSession(peer data.Hash, ri *data.RouterInfo, inbound bool) *Session {
	s := &Session{
		t: t, peer: peer, ri: ri, inbound: inbound,
		queue:   make(chan i2np.Message, t.net.opts.QueueSize),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
	}
	s.touch()
	return s
}

// Session is one direction's end of a fake session; it implements
// transport.Session.
type Session struct {
	t        *Transport
	peer     data.Hash
	ri       *data.RouterInfo
	inbound  bool
	peerSide *Session

	queue     chan i2np.Message
	closing   chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	reason    transport.Reason
	err       error

	mu   sync.Mutex
	last time.Time // guarded by mu
}

var _ transport.Session = (*Session)(nil)

// Peer implements transport.Session.
func (s *Session) Peer() data.Hash { return s.peer }

// PeerRouterInfo implements transport.Session (nil on the inbound side).
func (s *Session) PeerRouterInfo() *data.RouterInfo { return s.ri }

// Inbound implements transport.Session.
func (s *Session) Inbound() bool { return s.inbound }

// Style implements transport.Session.
func (s *Session) Style() string { return Style }

// Done implements transport.Session.
func (s *Session) Done() <-chan struct{} { return s.done }

// Err implements transport.Session.
func (s *Session) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// LastActivity implements transport.Session.
func (s *Session) LastActivity() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

func (s *Session) touch() {
	now := s.t.net.opts.Clock.Now()
	s.mu.Lock()
	s.last = now
	s.mu.Unlock()
}

// Send implements transport.Session: the message (with a copy of its
// payload) is queued for the peer unless the network drops it.
func (s *Session) Send(msg i2np.Message) error {
	select {
	case <-s.closing:
		return transport.ErrClosed
	default:
	}
	s.touch()
	if s.t.net.drop() {
		return nil
	}
	msg.Payload = bytes.Clone(msg.Payload)
	select {
	case s.queue <- msg:
		return nil
	default:
		return transport.ErrQueueFull
	}
}

// SendRouterInfo implements transport.Session: the peer's handler gets it
// through HandleRouterInfo.
func (s *Session) SendRouterInfo(ri []byte, flood bool) error {
	select {
	case <-s.closing:
		return transport.ErrClosed
	default:
	}
	ri = bytes.Clone(ri)
	p := s.peerSide
	p.t.handler.HandleRouterInfo(p.peer, ri, flood)
	return nil
}

// ErrTerminated is the error of the side whose peer closed the session.
var ErrTerminated = errors.New("transporttest: terminated by peer")

// Close implements transport.Session; the peer's side closes too.
func (s *Session) Close(r transport.Reason) error {
	s.shutdown(r, nil)
	s.peerSide.shutdown(transport.ReasonTerminationRecv, fmt.Errorf("%w: %v", ErrTerminated, r))
	<-s.done
	return nil
}

func (s *Session) shutdown(r transport.Reason, err error) {
	s.closeOnce.Do(func() {
		s.reason, s.err = r, err
		close(s.closing)
	})
}

// start runs the delivery goroutine: it hands this side's queue to the
// peer's handler in order.
func (s *Session) start() {
	s.t.wg.Add(1)
	go func() {
		defer s.t.wg.Done()
		defer func() {
			s.t.unregister(s)
			close(s.done)
			s.t.handler.SessionEvent(s, transport.EventClosed, s.err)
		}()
		p := s.peerSide
		for {
			select {
			case <-s.closing:
				return
			case m := <-s.queue:
				p.touch()
				p.t.handler.HandleMessage(p.peer, m)
			}
		}
	}()
}
