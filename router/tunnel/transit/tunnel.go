package transit

import (
	"io"
	"sync"
	"sync/atomic"
	"time"

	"i2pgate/router/crypto"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/tunnel"
)

// Role is what this router does in a transit tunnel.
type Role uint8

const (
	// RoleParticipant is an intermediate hop.
	RoleParticipant Role = iota
	// RoleInboundGateway is the first hop of an inbound tunnel: it takes
	// TunnelGateway messages from anyone.
	RoleInboundGateway
	// RoleOutboundEndpoint is the last hop of an outbound tunnel: it
	// delivers the messages to anyone.
	RoleOutboundEndpoint
)

// String names the role as i2pd's console does.
func (r Role) String() string {
	switch r {
	case RoleParticipant:
		return "participant"
	case RoleInboundGateway:
		return "gateway"
	case RoleOutboundEndpoint:
		return "endpoint"
	}
	return "unknown"
}

// cost is the estimated state of a tunnel of role r.
func (r Role) cost() int64 {
	switch r {
	case RoleInboundGateway:
		return CostInboundGateway
	case RoleOutboundEndpoint:
		return CostOutboundEndpoint
	}
	return CostParticipant
}

// Info describes one transit tunnel for the console.
type Info struct {
	ReceiveTunnel uint32
	Role          Role
	// Next is the next hop; for an OBEP the reply gateway and tunnel
	// given at build time (its messages go where their instructions say).
	Next tunnel.Hop
	// From is the router that sent us the build request.
	From     data.Hash
	Created  time.Time
	Expires  time.Time
	Messages uint64 // tunnel messages received
	Bytes    uint64 // tunnel message bytes forwarded or delivered
}

// transitTunnel is one tunnel we take part in. Its layer cipher and
// role state are made on the first message, so an idle tunnel holds only
// its keys, hops and counters.
type transitTunnel struct {
	receive uint32
	role    Role
	next    tunnel.Hop
	from    data.Hash
	created int64        // unix ms
	keys    *[2][32]byte // layer key, IV key; nil once the layer exists

	messages atomic.Uint64
	bytes    atomic.Uint64

	// mu guards keys and the creation of the state below, and serializes
	// the inbound gateway, which is not safe for concurrent use.
	mu   sync.Mutex
	part atomic.Pointer[tunnel.Participant]
	obep atomic.Pointer[tunnel.OutboundEndpoint]
	ibgw *tunnel.InboundGateway
}

func newTransitTunnel(receive uint32, role Role, next tunnel.Hop, from data.Hash, layer, iv *[32]byte, now time.Time) *transitTunnel {
	return &transitTunnel{
		receive: receive,
		role:    role,
		next:    next,
		from:    from,
		created: now.UnixMilli(),
		keys:    &[2][32]byte{*layer, *iv},
	}
}

func (t *transitTunnel) expired(now time.Time) bool {
	return now.UnixMilli() >= t.created+Lifetime.Milliseconds()
}

// layerLocked makes the layer cipher and forgets the keys.
func (t *transitTunnel) layerLocked() *crypto.TunnelLayer {
	l := crypto.NewTunnelLayer(&t.keys[0], &t.keys[1])
	clear(t.keys[:])
	t.keys = nil
	return l
}

// participant returns the participant state, making it on first use.
func (t *transitTunnel) participant(filter *i2np.DupFilter) *tunnel.Participant {
	if p := t.part.Load(); p != nil {
		return p
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if p := t.part.Load(); p != nil {
		return p
	}
	p := tunnel.NewParticipant(t.layerLocked(), t.next, filter)
	t.part.Store(p)
	return p
}

// endpoint returns the OBEP state, making it on first use.
func (t *transitTunnel) endpoint(cfg *tunnel.Config) *tunnel.OutboundEndpoint {
	if e := t.obep.Load(); e != nil {
		return e
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.obep.Load(); e != nil {
		return e
	}
	e := tunnel.NewOutboundEndpoint(t.layerLocked(), cfg)
	t.obep.Store(e)
	return e
}

// gatewayLocked returns the IBGW state, making it on first use.
func (t *transitTunnel) gatewayLocked(random io.Reader) *tunnel.InboundGateway {
	if t.ibgw == nil {
		t.ibgw = tunnel.NewInboundGateway(t.layerLocked(), t.next, random)
	}
	return t.ibgw
}

func (t *transitTunnel) info() Info {
	created := time.UnixMilli(t.created)
	return Info{
		ReceiveTunnel: t.receive,
		Role:          t.role,
		Next:          t.next,
		From:          t.from,
		Created:       created,
		Expires:       created.Add(Lifetime),
		Messages:      t.messages.Load(),
		Bytes:         t.bytes.Load(),
	}
}
