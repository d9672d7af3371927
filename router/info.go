package router

import (
	"time"

	"i2pgate/router/data"
	"i2pgate/router/tunnel/pool"
	"i2pgate/router/tunnel/transit"
)

// PeerInfo is one known router, for the console.
type PeerInfo struct {
	Hash, Caps, Version string
	Connected           bool
	Transport           string // of the open session, if any
}

// Peers lists the routers the netdb knows, with the open sessions.
func (r *Router) Peers() []PeerInfo {
	if r.netdb == nil || r.transports == nil {
		return nil
	}
	open := map[data.Hash]string{}
	for _, s := range r.transports.Sessions() {
		open[s.Peer()] = s.Style()
	}
	ris := r.netdb.Routers(nil)
	out := make([]PeerInfo, 0, len(ris))
	for _, ri := range ris {
		h := ri.Hash()
		style, ok := open[h]
		v, _ := ri.Options().Get(data.OptionRouterVersion)
		out = append(out, PeerInfo{Hash: h.String(), Caps: ri.Caps(), Version: v, Connected: ok, Transport: style})
	}
	return out
}

// TunnelInfo is one of our tunnels, for the console.
type TunnelInfo struct {
	Pool    string // "exploratory" or the destination's name
	Inbound bool
	ID      uint32 // the gateway's tunnel ID
	Hops    []string
	Expires time.Time
}

// TunnelList lists our exploratory and client tunnels.
func (r *Router) TunnelList() []TunnelInfo {
	var out []TunnelInfo
	add := func(name string, ts []*pool.Tunnel) {
		for _, t := range ts {
			ti := TunnelInfo{Pool: name, Inbound: t.Inbound(), ID: t.Gateway().TunnelID, Expires: t.Expires()}
			for _, h := range t.Hops() {
				ti.Hops = append(ti.Hops, h.String())
			}
			out = append(out, ti)
		}
	}
	if r.pools != nil {
		ex := r.pools.Exploratory()
		add("exploratory", ex.Inbound())
		add("exploratory", ex.Outbound())
	}
	r.dests.Lock()
	dests := append([]*Destination(nil), r.dests.list...)
	r.dests.Unlock()
	for _, x := range dests {
		in, outb := x.dest.Tunnels()
		add(x.name, in)
		add(x.name, outb)
	}
	return out
}

// TransitList lists the transit tunnels we carry.
func (r *Router) TransitList() []transit.Info {
	if r.transit == nil {
		return nil
	}
	return r.transit.Tunnels()
}
