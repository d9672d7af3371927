package pool

import (
	"encoding/binary"
	"fmt"
	"io"
	"sync"
	"time"

	"i2pgate/router/data"
	"i2pgate/router/tunnel"
)

// Tunnel is one of our tunnels, built and in a pool.
type Tunnel struct {
	pool    *Pool
	inbound bool
	hops    []data.Hash
	// first is, for an outbound tunnel, its first hop (where its
	// TunnelData goes); for an inbound tunnel, its gateway (what a lease
	// names). A zero-hop inbound tunnel's gateway is us.
	first tunnel.Hop
	// recv is the tunnel ID at which an inbound tunnel's messages reach
	// us: the last hop's next tunnel, or the gateway ID of a zero-hop one.
	recv    uint32
	created time.Time
	expires time.Time

	// ep removes the layers of an inbound tunnel (nil for zero-hop and
	// outbound tunnels); it is safe for concurrent use.
	ep *tunnel.InboundEndpoint

	out struct {
		sync.Mutex
		// gw is the outbound gateway, guarded by out.
		gw *tunnel.OutboundGateway
	}

	// Guarded by the Manager's mu.
	tested   bool
	failures int
	removed  bool
}

// Inbound reports whether t is an inbound tunnel.
func (t *Tunnel) Inbound() bool { return t.inbound }

// Hops returns the routers of t in tunnel order (from the gateway side);
// empty for a zero-hop tunnel.
func (t *Tunnel) Hops() []data.Hash { return append([]data.Hash(nil), t.hops...) }

// Gateway is, for an inbound tunnel, the router and tunnel ID that
// messages for us are sent to (a lease); for an outbound tunnel its first
// hop.
func (t *Tunnel) Gateway() tunnel.Hop { return t.first }

// Created returns when t was built.
func (t *Tunnel) Created() time.Time { return t.created }

// Expires returns when t's hops drop it.
func (t *Tunnel) Expires() time.Time { return t.expires }

// usable reports whether t may carry new traffic at now.
func (t *Tunnel) usable(now time.Time) bool {
	return !t.removed && now.Before(t.expires.Add(-RetireBefore))
}

// fresh reports whether t does not need a replacement yet.
func (t *Tunnel) fresh(now time.Time) bool {
	return !t.removed && now.Before(t.expires.Add(-RebuildBefore))
}

// expiresAt is the expiry of a tunnel requested at now: the request time
// goes into the record rounded down to the minute.
func expiresAt(now time.Time) time.Time {
	return now.Truncate(time.Minute).Add(Lifetime)
}

// randUint32 reads a nonzero random uint32.
func randUint32(r io.Reader) (uint32, error) {
	var b [4]byte
	for {
		if _, err := io.ReadFull(randOr(r), b[:]); err != nil {
			return 0, fmt.Errorf("pool: rand: %w", err)
		}
		if v := binary.BigEndian.Uint32(b[:]); v != 0 {
			return v, nil
		}
	}
}
