package ntcp2

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/transport"
)

// Session limits and timers (i2pd NTCP2.h values where it has them).
const (
	// DefaultSendQueueSize is how many messages wait for the writer before
	// Send returns transport.ErrQueueFull (i2pd queues up to 500).
	DefaultSendQueueSize = 128
	// DefaultIdleTimeout closes a session with no frame in either
	// direction (i2pd NTCP2_TERMINATION_TIMEOUT).
	DefaultIdleTimeout = 120 * time.Second
	// FrameReadTimeout bounds reading one frame once its length arrived.
	FrameReadTimeout = 30 * time.Second
	// WriteTimeout bounds writing one frame.
	WriteTimeout = 30 * time.Second
	// terminationWriteTimeout bounds the final Termination frame.
	terminationWriteTimeout = 2 * time.Second
	// RouterInfoInterval is how often our RouterInfo is resent on a long
	// session: i2pd's NTCP2_ROUTERINFO_RESEND_INTERVAL plus up to its
	// threshold, at random.
	RouterInfoInterval = 25 * time.Minute
	// maxPaddingRatio is i2pd's NTCP2_MAX_PADDING_RATIO (percent).
	maxPaddingRatio = 6
	// minPaddingBase makes short frames get some padding too (i2pd).
	minPaddingBase = 256
)

// queued is one item of the send queue: a message or a RouterInfo.
type queued struct {
	msg   i2np.Message
	ri    []byte
	flood bool
}

// Session is an established NTCP2 session; it implements transport.Session.
type Session struct {
	t       *Transport
	conn    net.Conn
	peer    data.Hash
	peerRI  *data.RouterInfo
	inbound bool
	log     *slog.Logger

	send *sealer // writer goroutine only
	recv *opener // reader goroutine only

	queue        chan queued
	closing      chan struct{}
	done         chan struct{}
	closeOnce    sync.Once
	framesRecv   atomic.Uint64
	lastActivity atomic.Int64 // UnixNano of the injected clock

	// end is why the session ends, set once under closeOnce.
	end struct {
		reason    transport.Reason
		err       error
		terminate bool // send a Termination block
	}
}

var _ transport.Session = (*Session)(nil)

func newSession(t *Transport, conn net.Conn, k Keys, peer *data.RouterInfo, inbound bool) *Session {
	s := &Session{
		t: t, conn: conn, peer: peer.Hash(), peerRI: peer, inbound: inbound,
		send:    newSealer(&k.SendKey, &k.SendSipKeys),
		recv:    newOpener(&k.RecvKey, &k.RecvSipKeys),
		queue:   make(chan queued, t.cfg.SendQueueSize),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
	}
	s.log = t.log.With("peer", s.peer.String()[:8], "inbound", inbound)
	s.touch()
	return s
}

// Peer implements transport.Session.
func (s *Session) Peer() data.Hash { return s.peer }

// PeerRouterInfo implements transport.Session.
func (s *Session) PeerRouterInfo() *data.RouterInfo { return s.peerRI }

// Inbound implements transport.Session.
func (s *Session) Inbound() bool { return s.inbound }

// Style implements transport.Session.
func (s *Session) Style() string { return transport.StyleNTCP2 }

// LastActivity implements transport.Session.
func (s *Session) LastActivity() time.Time { return time.Unix(0, s.lastActivity.Load()) }

// Done implements transport.Session.
func (s *Session) Done() <-chan struct{} { return s.done }

// Err implements transport.Session: why the session ended (nil for a local
// Close), valid once Done is closed.
func (s *Session) Err() error {
	select {
	case <-s.done:
		return s.end.err
	default:
		return nil
	}
}

func (s *Session) touch() { s.lastActivity.Store(s.t.clock.Now().UnixNano()) }

// Send implements transport.Session. Messages larger than i2pd accepts
// (i2np.MaxMessageSize with the short header) are refused.
func (s *Session) Send(msg i2np.Message) error {
	if n := msg.ShortLen(); n > i2np.MaxMessageSize {
		return fmt.Errorf("ntcp2: send: message of %d bytes: %w", n, i2np.ErrTooLarge)
	}
	return s.enqueue(queued{msg: msg})
}

// SendRouterInfo implements transport.Session with a RouterInfo block.
func (s *Session) SendRouterInfo(ri []byte, flood bool) error {
	if len(ri) == 0 || len(ri)+1 > MaxBlockDataSize-BlockHeaderSize {
		return fmt.Errorf("ntcp2: send routerinfo of %d bytes: %w", len(ri), ErrBlock)
	}
	return s.enqueue(queued{ri: ri, flood: flood})
}

func (s *Session) enqueue(q queued) error {
	select {
	case <-s.closing:
		return transport.ErrClosed
	default:
	}
	select {
	case s.queue <- q:
		return nil
	default:
		return transport.ErrQueueFull
	}
}

// Close implements transport.Session: it sends a Termination block with
// reason, closes the connection and waits for the session's goroutines.
func (s *Session) Close(reason transport.Reason) error {
	s.shutdown(reason, nil, true)
	<-s.done
	return nil
}

// shutdown records why the session ends (first caller wins) and wakes the
// writer, which sends the Termination block if asked and closes the
// connection.
func (s *Session) shutdown(reason transport.Reason, err error, terminate bool) {
	s.closeOnce.Do(func() {
		s.end.reason, s.end.err, s.end.terminate = reason, err, terminate
		close(s.closing)
	})
}

// run drives the session until it ends; the transport calls it in a
// goroutine after reporting the session established.
func (s *Session) run() {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.readLoop()
	}()
	s.writeLoop()
	wg.Wait()
	s.t.sessionEnded(s)
	close(s.done)
	if s.end.err != nil {
		s.log.Debug("session closed", "reason", s.end.reason.String(), "err", s.end.err)
	}
	s.t.handler.SessionEvent(s, transport.EventClosed, s.end.err)
}

// readLoop reads, authenticates and dispatches frames until an error.
func (s *Session) readLoop() {
	var blocks []Block
	for {
		var lb [LengthSize]byte
		if _, err := io.ReadFull(s.conn, lb[:]); err != nil {
			s.shutdown(transport.ReasonNormal, readErr(err), false)
			return
		}
		n, err := s.recv.length(lb)
		if err != nil {
			s.shutdown(transport.ReasonFramingError, err, true)
			return
		}
		// A fresh buffer per frame: the handler may keep what it is given.
		frame := make([]byte, n)
		_ = s.conn.SetReadDeadline(time.Now().Add(FrameReadTimeout))
		if _, err := io.ReadFull(s.conn, frame); err != nil {
			s.shutdown(transport.ReasonReadTimeout, readErr(err), false)
			return
		}
		_ = s.conn.SetReadDeadline(time.Time{})
		payload, err := s.recv.open(frame[:0], frame)
		if err != nil {
			s.shutdown(transport.ReasonAEADFailure, err, true)
			return
		}
		s.framesRecv.Store(s.recv.received())
		s.touch()
		if blocks, err = AppendBlocks(blocks[:0], payload); err != nil {
			s.shutdown(transport.ReasonPayloadError, err, true)
			return
		}
		if !s.dispatch(blocks) {
			return
		}
	}
}

func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("ntcp2: connection closed: %w", err)
	}
	return fmt.Errorf("ntcp2: read: %w", err)
}

// ErrTerminated is wrapped by the error of a session the peer terminated.
var ErrTerminated = errors.New("ntcp2: terminated by peer")

// dispatch hands the blocks of one frame to the handler; it returns false
// when the session must end.
func (s *Session) dispatch(blocks []Block) bool {
	h := s.t.handler
	for _, b := range blocks {
		switch b.Type {
		case BlockI2NP:
			m, err := b.I2NP()
			if err != nil {
				s.shutdown(transport.ReasonPayloadError, err, true)
				return false
			}
			h.HandleMessage(s.peer, m)
		case BlockRouterInfo:
			ri, flood, _ := b.RouterInfo()
			h.HandleRouterInfo(s.peer, ri, flood)
		case BlockDateTime:
			ts, _ := b.DateTime()
			now := s.t.clock.Now()
			s.t.sample(s.conn, timestampTime(ts, now), now)
		case BlockTermination:
			tm, _ := b.Termination()
			s.shutdown(transport.ReasonTerminationRecv,
				fmt.Errorf("%w: %v", ErrTerminated, tm.Reason), false)
			return false
		}
		// Options, Padding and unknown types are skipped (ntcp2.rst
		// "Other block types").
	}
	return true
}
