// Package transport is the router's view of its transports: the Transport
// and Session interfaces that NTCP2 (and later SSU2) implement, the Handler
// the router implements to receive what sessions deliver, the Manager that
// keeps the sessions to each peer (reuse, dial coalescing, limits, idle
// closing, statistics), and the reserved-address filter every transport
// applies before dialing or accepting.
//
// It leaves the wire protocols to the transport packages (router/transport/
// ntcp2), what to do with messages and RouterInfos to the router, and peer
// selection to netdb and tunnel. Nothing here logs secrets or keeps
// package-level mutable state.
package transport

import (
	"context"
	"errors"
	"time"

	"i2pgate/router/data"
	"i2pgate/router/i2np"
)

// Transport styles as they appear in RouterAddress.Transport and in Stats.
const (
	StyleNTCP2 = data.TransportNTCP2
	StyleSSU2  = data.TransportSSU2
)

// Errors shared by transports and the manager.
var (
	// ErrQueueFull is returned by Session.Send when the bounded send queue
	// is full; the message is dropped.
	ErrQueueFull = errors.New("transport: send queue full")
	// ErrClosed is returned by operations on a closed session, transport
	// or manager.
	ErrClosed = errors.New("transport: closed")
	// ErrUnsupported is returned when no transport supports a peer's
	// RouterInfo (no usable address).
	ErrUnsupported = errors.New("transport: no usable address")
	// ErrNoSession is returned by Manager.SendTo when no session to the
	// peer exists.
	ErrNoSession = errors.New("transport: no session")
	// ErrLimit is returned when a session limit refuses a dial.
	ErrLimit = errors.New("transport: session limit reached")
	// ErrReserved is returned when an address is in a reserved range and
	// the filter forbids it.
	ErrReserved = errors.New("transport: reserved address")
)

// Reason is why a session ends. The values are the termination reason
// codes of ntcp2.rst "Termination" (SSU2 uses the same numbers for 0-17).
type Reason uint8

// Termination reasons.
const (
	ReasonNormal           Reason = 0
	ReasonTerminationRecv  Reason = 1
	ReasonIdleTimeout      Reason = 2
	ReasonShutdown         Reason = 3
	ReasonAEADFailure      Reason = 4
	ReasonIncompatibleOpts Reason = 5
	ReasonIncompatibleSig  Reason = 6
	ReasonClockSkew        Reason = 7
	ReasonPaddingViolation Reason = 8
	ReasonFramingError     Reason = 9
	ReasonPayloadError     Reason = 10
	ReasonMessage1Error    Reason = 11
	ReasonMessage2Error    Reason = 12
	ReasonMessage3Error    Reason = 13
	ReasonReadTimeout      Reason = 14
	ReasonBadRISignature   Reason = 15
	ReasonBadStaticKey     Reason = 16
	ReasonBanned           Reason = 17
	reasonCount                   = 18
)

var reasonNames = [reasonCount]string{
	"normal close", "termination received", "idle timeout", "router shutdown",
	"data phase AEAD failure", "incompatible options", "incompatible signature type",
	"clock skew", "padding violation", "AEAD framing error", "payload format error",
	"message 1 error", "message 2 error", "message 3 error", "intra-frame read timeout",
	"RI signature verification fail", "s parameter missing or mismatched", "banned",
}

// String returns the reason's name from the specification.
func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return "unknown reason"
}

// Event is what happened to a session, reported to Handler.SessionEvent.
type Event uint8

// Session events.
const (
	// EventEstablished: the handshake completed. It is reported before
	// any message of the session is handed to the Handler.
	EventEstablished Event = iota + 1
	// EventClosed: the session ended; it is reported exactly once, after
	// the session's goroutines stopped delivering messages.
	EventClosed
)

// String names the event.
func (e Event) String() string {
	switch e {
	case EventEstablished:
		return "established"
	case EventClosed:
		return "closed"
	}
	return "unknown event"
}

// Handler is implemented by the router (through the Manager) and receives
// everything sessions deliver. Its methods are called from session
// goroutines, concurrently for different sessions, and must not block for
// long: a slow handler stalls that session's reader.
type Handler interface {
	// HandleMessage is called for every inbound I2NP message. The handler
	// may keep msg and the byte slices it and ri refer to: sessions never
	// reuse the memory they hand over.
	HandleMessage(from data.Hash, msg i2np.Message)
	// HandleRouterInfo is called for RouterInfos received in RouterInfo
	// blocks (NTCP2 message 3 and data phase); ri is the unverified,
	// uncompressed RouterInfo and flood its flood-request flag.
	HandleRouterInfo(from data.Hash, ri []byte, flood bool)
	// SessionEvent reports established and closed sessions (a session's
	// Done channel is closed before its EventClosed); err is why a
	// session closed (nil for a normal local close).
	SessionEvent(s Session, ev Event, err error)
}

// Session is an established connection to one peer.
type Session interface {
	// Peer returns the peer's router hash.
	Peer() data.Hash
	// PeerRouterInfo returns the peer's RouterInfo as known to the
	// session: the one dialed, or the one received in the handshake.
	PeerRouterInfo() *data.RouterInfo
	// Inbound reports whether the peer connected to us.
	Inbound() bool
	// Style returns the transport style, e.g. StyleNTCP2.
	Style() string
	// Send queues msg without blocking; it returns ErrQueueFull when the
	// bounded queue is full and ErrClosed after Close.
	Send(msg i2np.Message) error
	// SendRouterInfo queues a RouterInfo block carrying ri (for NTCP2; a
	// DatabaseStore elsewhere).
	SendRouterInfo(ri []byte, flood bool) error
	// LastActivity returns when a frame was last sent or received.
	LastActivity() time.Time
	// Close ends the session, telling the peer reason where the protocol
	// allows it. It is idempotent and waits for the session's goroutines.
	Close(reason Reason) error
	// Done is closed when the session has ended.
	Done() <-chan struct{}
	// Err returns why the session ended, once Done is closed.
	Err() error
}

// Transport is one transport protocol (NTCP2, SSU2).
type Transport interface {
	// Style returns the transport style, e.g. StyleNTCP2.
	Style() string
	// Supports reports whether ri publishes an address this transport can
	// dial.
	Supports(ri *data.RouterInfo) bool
	// Start starts listening and hands every established session, inbound
	// and outbound, to h.
	Start(h Handler) error
	// Dial connects to the peer described by ri and returns the
	// established session.
	Dial(ctx context.Context, ri *data.RouterInfo) (Session, error)
	// Close closes the listener and all sessions and waits for the
	// transport's goroutines. It is idempotent.
	Close() error
}
