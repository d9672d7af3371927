package router

import (
	"fmt"

	"i2pgate/router/crypto"
	"i2pgate/router/data"
	"i2pgate/router/garlic"
	"i2pgate/router/i2np"
	"i2pgate/router/tunnel/build"
	"i2pgate/router/tunnel/pool"
	"i2pgate/router/tunnel/transit"
)

// ivFilterCapacity sizes the replay filter for tunnel message IVs shared by our
// own inbound tunnels (per 30 s slice; see i2np.DupFilter).
const ivFilterCapacity = 2 * i2np.DupFilterCapacity // and more while the rate is higher

// startTunnels starts our tunnel pools and the transit (participating) side.
func (r *Router) startTunnels() error {
	priv, err := r.keys.X25519PrivateKey()
	if err != nil {
		return fmt.Errorf("router: %w", err)
	}
	self := r.keys.Identity().Hash()
	tr, err := transit.New(transit.Config{
		Identity:   build.NewIdentity(self, crypto.X25519PrivateKey(priv)),
		Sender:     routerSender{r},
		WrapReply:  r.wrapReply,
		Local:      func(msg i2np.Message) { r.dispatch(data.Hash{}, msg, 0) },
		InUse:      r.ownReceiveID,
		MaxTunnels: r.cfg.TransitTunnels,
		// A quarter of the memory limit for other routers' tunnels.
		MemoryBudget: r.cfg.MemoryBytes / 4,
		ShareKBps:    r.cfg.BandwidthKBps,
		Clock:        r.clk,
		Rand:         r.rand,
		Logger:       r.cfg.Logger,
	})
	if err != nil {
		return fmt.Errorf("router: %w", err)
	}
	r.transit = tr
	var exploratory *pool.PoolConfig
	if n := r.cfg.ExploratoryLength; n > 0 {
		c := pool.DefaultExploratory()
		c.Inbound.Length, c.Outbound.Length = n, n
		exploratory = &c
	}
	pm, err := pool.New(pool.Config{
		Exploratory:       exploratory,
		Self:              self,
		Peers:             r.netdb,
		Sender:            routerSender{r},
		Deliver:           func(msg i2np.Message) { r.dispatch(data.Hash{}, msg, 0) },
		ExpectGarlicReply: r.expectGarlicReply,
		WrapBuild:         r.wrapForRouter,
		Store:             r.volatile,
		Filter:            i2np.NewDupFilter(ivFilterCapacity),
		Clock:             r.clk,
		Rand:              r.rand,
		Logger:            r.cfg.Logger,
	})
	if err != nil {
		return fmt.Errorf("router: %w", err)
	}
	r.pools = pm
	if err := tr.Start(); err != nil {
		return fmt.Errorf("router: %w", err)
	}
	if err := pm.Start(); err != nil {
		return fmt.Errorf("router: %w", err)
	}
	r.ntun.pools.Store(pm)
	return nil
}

// ownReceiveID reports whether id is a receive tunnel ID of our own pools
// (transit starts before the pools exist; until then nothing is ours).
func (r *Router) ownReceiveID(id uint32) bool {
	pm := r.pools
	return pm != nil && pm.ReceiveInUse(id)
}

// expectGarlicReply registers the one-time key and tag with which an outbound
// endpoint will garlic-encrypt our build's reply.
func (r *Router) expectGarlicReply(key [32]byte, tag [build.GarlicTagSize]byte) {
	r.garlicReplies.Add(garlic.ReplyKey{Key: key, Tag: tag})
}

// wrapForRouter garlic-wraps msg for the router ri (Noise_N to its X25519 key).
func (r *Router) wrapForRouter(ri *data.RouterInfo, msg i2np.Message) (i2np.Message, error) {
	id := ri.Identity()
	if id.CryptoType() != data.CryptoX25519 {
		return i2np.Message{}, fmt.Errorf("router: garlic to %v: crypto type %v", ri.Hash(), id.CryptoType())
	}
	var pub crypto.X25519PublicKey
	copy(pub[:], id.EncryptionPublicKey())
	body, err := garlic.WrapForRouter(r.rand, &pub, r.clk.Now(), msg)
	if err != nil {
		return i2np.Message{}, fmt.Errorf("router: garlic to %v: %w", ri.Hash(), err)
	}
	return i2np.NewMessage(i2np.Garlic{Data: body}, r.newMessageID(), msg.Expiration)
}

// dispatchTunnel routes tunnel messages: our pools first, then transit. It
// reports whether msg was a tunnel message.
func (r *Router) dispatchTunnel(from data.Hash, msg i2np.Message) bool {
	switch msg.Type {
	case i2np.TypeTunnelData:
		td, err := i2np.ParseTunnelData(msg.Payload)
		if err != nil {
			r.counters.unhandled.Add(1)
			return true
		}
		if !r.pools.HandleTunnelData(from, td) && !r.transit.HandleTunnelData(from, td) {
			r.counters.unknownTunnel.Add(1)
		}
	case i2np.TypeTunnelGateway:
		tg, err := i2np.ParseTunnelGateway(msg.Payload)
		if err != nil {
			r.counters.unhandled.Add(1)
			return true
		}
		if !r.pools.HandleTunnelGateway(from, tg) && !r.transit.HandleTunnelGateway(from, tg) {
			r.counters.unknownTunnel.Add(1)
		}
	case i2np.TypeShortTunnelBuild, i2np.TypeVariableTunnelBuild:
		if !r.pools.HandleBuildReply(from, msg) {
			r.transit.HandleBuild(from, msg)
		}
	case i2np.TypeOutboundTunnelBuildReply, i2np.TypeVariableTunnelBuildReply,
		i2np.TypeTunnelBuild, i2np.TypeTunnelBuildReply:
		if !r.pools.HandleBuildReply(from, msg) {
			r.counters.unhandled.Add(1)
		}
	case i2np.TypeDeliveryStatus:
		return r.pools.HandleDeliveryStatus(msg)
	default:
		return false
	}
	return true
}
