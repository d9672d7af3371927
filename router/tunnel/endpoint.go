package tunnel

import (
	"fmt"
	"sync"
	"time"

	"i2pgate/router/clock"
	"i2pgate/router/crypto"
	"i2pgate/router/i2np"
)

// Config tunes an endpoint. A nil *Config or a zero field means the
// default.
type Config struct {
	// Clock times incomplete messages (nil means clock.System()).
	Clock clock.Clock
	// MaxIncomplete bounds the messages being reassembled
	// (DefaultMaxIncomplete).
	MaxIncomplete int
	// MaxIncompleteBytes bounds the bytes they hold
	// (DefaultMaxIncompleteBytes).
	MaxIncompleteBytes int
	// IncompleteTimeout is how long an incomplete message is kept
	// (DefaultIncompleteTimeout).
	IncompleteTimeout time.Duration
	// Filter is the router-wide replay filter, checked on each body as
	// received, before any layer is removed; nil disables it.
	Filter *i2np.DupFilter
	// Shared, when set, is a budget the reassembly bytes are also charged
	// to (shared with other endpoints); when it is exhausted this
	// endpoint evicts its own oldest messages or drops the fragment.
	Shared *Budget
}

func (c *Config) clock() clock.Clock {
	if c == nil {
		return clock.System()
	}
	return clock.Or(c.Clock)
}

func (c *Config) maxIncomplete() int {
	if c == nil || c.MaxIncomplete <= 0 {
		return DefaultMaxIncomplete
	}
	return c.MaxIncomplete
}

func (c *Config) maxIncompleteBytes() int {
	if c == nil || c.MaxIncompleteBytes <= 0 {
		return DefaultMaxIncompleteBytes
	}
	return c.MaxIncompleteBytes
}

func (c *Config) timeout() time.Duration {
	if c == nil || c.IncompleteTimeout <= 0 {
		return DefaultIncompleteTimeout
	}
	return c.IncompleteTimeout
}

func (c *Config) filter() *i2np.DupFilter {
	if c == nil {
		return nil
	}
	return c.Filter
}

// endpoint is what both endpoint roles share: the replay filter, the
// checksum and reassembly.
type endpoint struct {
	clock  clock.Clock
	filter *i2np.DupFilter

	mu sync.Mutex // guards r
	r  reassembler
}

func newEndpoint(cfg *Config) endpoint {
	return endpoint{clock: cfg.clock(), filter: cfg.filter(), r: newReassembler(cfg)}
}

// handle checks and decrypts body (with decrypt, under the lock) and
// reassembles its fragments.
func (e *endpoint) handle(dst []Received, body *Body, decrypt func(*Body)) ([]Received, error) {
	now := e.clock.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.r.stats.Bodies++
	if replayed(e.filter, body, now) {
		e.r.stats.Replayed++
		return dst, fmt.Errorf("tunnel: endpoint: %w", ErrDuplicate)
	}
	decrypt(body)
	payload, err := open(body)
	if err != nil {
		e.r.stats.BadChecksum++
		return dst, err
	}
	return e.r.handle(dst, payload, now)
}

func (e *endpoint) expire() {
	now := e.clock.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.r.expire(now)
}

// release drops every incomplete message and returns its bytes to the
// shared budget.
func (e *endpoint) release() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.r.release()
}

func (e *endpoint) stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.r.snapshot()
}

// OutboundEndpoint is the last hop of an outbound tunnel
// (docs/tunnels/implementation "Endpoint Processing"): it adds its layer
// like any participant, after which the body is plaintext, then verifies
// and reassembles it. Delivered messages go where their instructions say;
// sending them is the caller's job. It is safe for concurrent use.
type OutboundEndpoint struct {
	layer *crypto.TunnelLayer
	ep    endpoint
}

// NewOutboundEndpoint returns the endpoint with this hop's layer; a nil
// layer takes plaintext bodies (the creator's end of a zero-hop tunnel).
func NewOutboundEndpoint(layer *crypto.TunnelLayer, cfg *Config) *OutboundEndpoint {
	return &OutboundEndpoint{layer: layer, ep: newEndpoint(cfg)}
}

// Handle processes one body in place and appends the messages it
// completes to dst. A body that is replayed, fails its checksum or holds
// malformed instructions is dropped, counted and reported (messages
// completed before a malformed fragment are still appended); fragment
// level drops are only counted.
func (e *OutboundEndpoint) Handle(dst []Received, body *Body) ([]Received, error) {
	return e.ep.handle(dst, body, e.decrypt)
}

func (e *OutboundEndpoint) decrypt(b *Body) {
	if e.layer != nil {
		e.layer.Encrypt(b)
	}
}

// Expire drops incomplete messages older than the timeout; Handle does
// it too, so call it when no bodies arrive for a while.
func (e *OutboundEndpoint) Expire() { e.ep.expire() }

// Release drops the incomplete messages and returns their bytes to the
// shared budget; the owner calls it when the tunnel goes away. The
// endpoint stays usable.
func (e *OutboundEndpoint) Release() { e.ep.release() }

// Stats returns the endpoint's counters.
func (e *OutboundEndpoint) Stats() Stats { return e.ep.stats() }

// InboundEndpoint is the creator's end of an inbound tunnel: it removes
// every hop's layer, from the last hop to the first (the gateway's),
// then verifies and reassembles the body (docs/tunnels/implementation
// "Endpoint Processing"). It is safe for concurrent use.
type InboundEndpoint struct {
	layers []*crypto.TunnelLayer
	ep     endpoint
}

// NewInboundEndpoint returns the endpoint of the tunnel whose hops, from
// the gateway to the hop before the creator, have the given layers.
func NewInboundEndpoint(layers []*crypto.TunnelLayer, cfg *Config) *InboundEndpoint {
	return &InboundEndpoint{layers: append([]*crypto.TunnelLayer(nil), layers...), ep: newEndpoint(cfg)}
}

// Handle processes one body in place and appends the messages it
// completes to dst, as OutboundEndpoint.Handle does.
func (e *InboundEndpoint) Handle(dst []Received, body *Body) ([]Received, error) {
	return e.ep.handle(dst, body, e.decrypt)
}

func (e *InboundEndpoint) decrypt(b *Body) {
	for i := len(e.layers) - 1; i >= 0; i-- {
		e.layers[i].Decrypt(b)
	}
}

// Expire drops incomplete messages older than the timeout.
func (e *InboundEndpoint) Expire() { e.ep.expire() }

// Stats returns the endpoint's counters.
func (e *InboundEndpoint) Stats() Stats { return e.ep.stats() }
