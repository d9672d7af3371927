package router

import (
	"errors"
	"fmt"
	"sync/atomic"

	"i2pgate/router/data"
	"i2pgate/router/garlic"
	"i2pgate/router/i2np"
	"i2pgate/router/netdb"
	"i2pgate/router/tunnel"
	"i2pgate/router/tunnel/pool"
)

// netdbTunnels carries the netdb's lookups and stores through the exploratory
// tunnels. The netdb starts before the pools, so the pools are set once they
// exist; until then everything goes directly.
type netdbTunnels struct {
	r     *Router
	pools atomic.Pointer[pool.Manager]
}

var _ netdb.Tunnels = (*netdbTunnels)(nil)

var errNoTunnels = errors.New("router: no exploratory tunnels")

func (t *netdbTunnels) Connected(h data.Hash) bool {
	return t.r.transports != nil && t.r.transports.Connected(h)
}

// ReplyTunnel picks an inbound exploratory tunnel, if an outbound one exists
// too: a reply path is useless when the request cannot leave by a tunnel.
func (t *netdbTunnels) ReplyTunnel() (data.Hash, uint32, bool) {
	pm := t.pools.Load()
	if pm == nil {
		return data.Hash{}, 0, false
	}
	ex := pm.Exploratory()
	in, ok := ex.Pick(true)
	if !ok {
		return data.Hash{}, 0, false
	}
	if _, ok := ex.Pick(false); !ok {
		return data.Hash{}, 0, false
	}
	gw := in.Gateway()
	return gw.Router, gw.TunnelID, gw.TunnelID != 0
}

// SendThrough garlic-wraps msg to the router to, so that the outbound
// endpoint cannot read it, and sends it out an outbound exploratory tunnel.
func (t *netdbTunnels) SendThrough(to data.Hash, msg i2np.Message) error {
	pm := t.pools.Load()
	if pm == nil {
		return errNoTunnels
	}
	out, ok := pm.Exploratory().Pick(false)
	if !ok {
		return errNoTunnels
	}
	ri, ok := t.r.netdb.RouterInfo(to)
	if !ok {
		return fmt.Errorf("router: send through tunnel: %v: %w", to, netdb.ErrNotFound)
	}
	wrapped, err := t.r.wrapForRouter(ri, msg)
	if err != nil {
		return err
	}
	return pm.SendThrough(out, wrapped, tunnel.ToRouter(to))
}

// NewReplyKey makes a one-time reply key and tag and registers them with the
// router garlic, which then decrypts the reply and dispatches its cloves.
func (t *netdbTunnels) NewReplyKey() ([32]byte, i2np.RatchetTag, error) {
	k, err := garlic.NewReplyKey(t.r.rand)
	if err != nil {
		return [32]byte{}, i2np.RatchetTag{}, fmt.Errorf("router: %w", err)
	}
	t.r.garlicReplies.Add(k)
	return k.Key, k.Tag, nil
}
