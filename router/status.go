package router

import (
	"math"
	"time"
)

// Status is the router's state as served at /api/status. The JSON names are a
// contract (scripts and tests read them): fields are added, never renamed.
type Status struct {
	RouterHash    string   `json:"router_hash"`
	NetID         int      `json:"netid"`
	Version       string   `json:"version"`
	UptimeS       int64    `json:"uptime_s"`
	NetworkStatus string   `json:"network_status"`
	ClockSkewS    float64  `json:"clock_skew_s"`
	KnownRouters  int      `json:"known_routers"`
	Floodfills    int      `json:"floodfills"`
	Sessions      Sessions `json:"sessions"`
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

// Status reports the router's current state.
func (r *Router) Status() Status {
	r.state.Lock()
	started, startedAt, ri := r.state.started, r.state.startedAt, r.state.ri
	r.state.Unlock()
	st := Status{NetID: r.cfg.NetID, Version: Version, NetworkStatus: NetworkStarting}
	if ri != nil {
		st.RouterHash = ri.Hash().String()
	}
	if started {
		st.UptimeS = int64(r.clk.Now().Sub(startedAt) / time.Second)
		st.NetworkStatus = NetworkTesting
	}
	st.ClockSkewS = math.Round(r.clk.Skew().Seconds()*1000) / 1000
	return st
}
