package router

import (
	"math"
	"time"

	"i2pgate/router/tunnel/pool"
)

// Status is the router's state as served at /api/status. The JSON names are a
// contract (scripts and tests read them): fields are added, never renamed.
type Status struct {
	RouterHash    string  `json:"router_hash"`
	NetID         int     `json:"netid"`
	Version       string  `json:"version"`
	UptimeS       int64   `json:"uptime_s"`
	NetworkStatus string  `json:"network_status"`
	ClockSkewS    float64 `json:"clock_skew_s"`
	// Clock is the clock offset, its source and whether it is far off.
	Clock        ClockStatus `json:"clock"`
	KnownRouters int         `json:"known_routers"`
	Floodfills   int         `json:"floodfills"`
	Sessions     Sessions    `json:"sessions"`
	// Published is true once a floodfill confirmed storing our current
	// RouterInfo.
	Published bool `json:"published"`
	// Tunnels are our own tunnel pools; TransitTunnels the tunnels of other
	// routers that we carry.
	Tunnels        pool.Stats `json:"tunnels"`
	TransitTunnels int        `json:"transit_tunnels"`
	// NetDB counts the netdb's traffic through our tunnels.
	NetDB NetDBStatus `json:"netdb"`
	// Destinations are the local destinations.
	Destinations []DestinationStatus `json:"destinations"`
	// Memory is the heap against limits.memory and the pressure level.
	Memory MemoryStatus `json:"memory"`
}

// NetDBStatus is the netdb part of Status.
type NetDBStatus struct {
	LookupsStarted    uint64 `json:"lookups_started"`
	LookupsSucceeded  uint64 `json:"lookups_succeeded"`
	Explorations      uint64 `json:"explorations"`
	ViaTunnels        uint64 `json:"via_tunnels"`
	RepliesViaTunnels uint64 `json:"replies_via_tunnels"`
}

// Sessions counts transport sessions by style and direction.
type Sessions struct {
	NTCP2In  int `json:"ntcp2_in"`
	NTCP2Out int `json:"ntcp2_out"`
	SSU2In   int `json:"ssu2_in"`
	SSU2Out  int `json:"ssu2_out"`
}

// Values of Status.NetworkStatus.
const (
	NetworkStarting  = "starting"
	NetworkTesting   = "testing"
	NetworkOK        = "ok"
	NetworkNoPeers   = "no_peers"
	NetworkClockSkew = "clock_skew"
)

// clockSkewLimit is the skew beyond which peers refuse our handshakes (NTCP2
// allows ±60 s).
const clockSkewLimit = 60 * time.Second

// Status reports the router's current state.
func (r *Router) Status() Status {
	r.state.Lock()
	startedAt, ri := r.state.startedAt, r.state.ri
	r.state.Unlock()
	st := Status{NetID: r.cfg.NetID, Version: Version, NetworkStatus: NetworkStarting}
	st.Memory = r.memoryStatus()
	skew := r.clk.Skew()
	st.ClockSkewS = math.Round(skew.Seconds()*1000) / 1000
	st.Clock = r.clockStatus()
	if ri == nil || r.netdb == nil || r.transports == nil {
		return st
	}
	st.RouterHash = ri.Hash().String()
	st.UptimeS = int64(r.clk.Base().Now().Sub(startedAt) / time.Second)
	db := r.netdb.Stats()
	st.KnownRouters, st.Floodfills = db.KnownRouters, db.Floodfills
	st.Published = db.PublishConfirmed
	st.NetDB = NetDBStatus{LookupsStarted: db.LookupsStarted, LookupsSucceeded: db.LookupsSucceeded,
		Explorations: db.Explorations, ViaTunnels: db.ViaTunnels, RepliesViaTunnels: db.RepliesViaTunnels}
	if r.pools != nil && r.transit != nil {
		st.Tunnels = r.pools.Stats()
		st.TransitTunnels = r.transit.Stats().Tunnels
	}
	st.Destinations = r.destinationStatus()
	tr := r.transports.Stats()
	st.Sessions = Sessions{
		NTCP2In: tr.ByKind["ntcp2_in"], NTCP2Out: tr.ByKind["ntcp2_out"],
		SSU2In: tr.ByKind["ssu2_in"], SSU2Out: tr.ByKind["ssu2_out"],
	}
	// A clock far off but corrected well enough to work is "ok" (the
	// clock part says how far off it is).
	switch {
	case tr.Total > 0 && db.PublishConfirmed:
		st.NetworkStatus = NetworkOK
	case st.Clock.FarOff:
		st.NetworkStatus = NetworkClockSkew
	case tr.Total == 0 && st.KnownRouters == 0:
		st.NetworkStatus = NetworkNoPeers
	default:
		st.NetworkStatus = NetworkTesting
	}
	return st
}
