package main

import (
	"strings"
	"time"

	"i2pgate/cmd/i2pgate/internal/config"
	"i2pgate/gateway/console"
	"i2pgate/router"
	"i2pgate/router/data"
	"i2pgate/router/naming"
	"i2pgate/router/tunnel/transit"
)

// consoleConfig hands the console every source the router and the gateway
// offer.
func consoleConfig(cfg *config.Config, r *router.Router, g *gatewayParts) console.Config {
	c := console.Config{
		Address:  cfg.Console.Address,
		Status:   routerStatus{r},
		Password: cfg.Console.Password,
		Overview: console.OverviewFunc(func() console.Overview { return overview(r) }),
		Peers: console.PeersFunc(func() []console.Peer {
			var out []console.Peer
			for _, p := range r.Peers() {
				out = append(out, console.Peer{Hash: p.Hash, Caps: p.Caps, Version: p.Version, Connected: p.Connected, Transport: p.Transport})
			}
			return out
		}),
		Tunnels:      console.TunnelsFunc(func() console.TunnelsInfo { return tunnels(r) }),
		Transit:      console.TransitFunc(func() []console.TransitTunnel { return transitList(r) }),
		Destinations: console.DestinationsFunc(func() []console.Destination { return destinations(r) }),
		Metrics:      console.MetricsFunc(func() []console.Sample { return metrics(r, g) }),
	}
	if g != nil {
		c.Allow = g.allow.Allows
		c.AddressBook = consoleBook{g.book}
		c.Automap = console.AutomapFunc(func() []console.AutomapEntry {
			var out []console.AutomapEntry
			for _, e := range g.table.Entries() {
				out = append(out, console.AutomapEntry(e))
			}
			return out
		})
		c.Subscriptions = console.SubscriptionsFunc(func() []console.Subscription {
			sub := g.subscriber() // a reload may replace it
			if sub == nil {
				return nil
			}
			var out []console.Subscription
			for _, s := range sub.Status() {
				out = append(out, console.Subscription{URL: s.URL, LastFetch: s.LastFetch, Result: string(s.Result), Err: s.Err, Added: s.Added})
			}
			return out
		})
	}
	return c
}

func overview(r *router.Router) console.Overview {
	st := r.Status()
	return console.Overview{
		NetworkStatus: st.NetworkStatus, Version: st.Version, RouterHash: st.RouterHash, NetID: st.NetID,
		Uptime: time.Duration(st.UptimeS) * time.Second, ClockSkew: time.Duration(st.ClockSkewS * float64(time.Second)),
		KnownRouters: st.KnownRouters, Floodfills: st.Floodfills, Published: st.Published,
		Sessions: []console.Count{{Name: "NTCP2 in", N: st.Sessions.NTCP2In}, {Name: "NTCP2 out", N: st.Sessions.NTCP2Out}},
		Tunnels: []console.Count{{Name: "exploratory in", N: st.Tunnels.ExploratoryIn}, {Name: "exploratory out", N: st.Tunnels.ExploratoryOut},
			{Name: "client in", N: st.Tunnels.ClientIn}, {Name: "client out", N: st.Tunnels.ClientOut}},
		TransitTunnels: st.TransitTunnels,
	}
}

func tunnels(r *router.Router) console.TunnelsInfo {
	st := r.Status().Tunnels
	info := console.TunnelsInfo{Builds: console.BuildStats{Total: st.BuildsTotal, Failed: st.BuildsFailed, TestsFailed: st.TestsFailed, SuccessRate: st.BuildSuccessRate}}
	for _, t := range r.TunnelList() {
		dir := console.Outbound
		if t.Inbound {
			dir = console.Inbound
		}
		info.Tunnels = append(info.Tunnels, console.Tunnel{Pool: t.Pool, Direction: dir, ID: t.ID, Hops: t.Hops, Expires: t.Expires, Tested: true})
	}
	return info
}

func transitList(r *router.Router) []console.TransitTunnel {
	var out []console.TransitTunnel
	for _, t := range r.TransitList() {
		role := console.RoleParticipant
		switch t.Role {
		case transit.RoleInboundGateway:
			role = console.RoleGateway
		case transit.RoleOutboundEndpoint:
			role = console.RoleEndpoint
		}
		out = append(out, console.TransitTunnel{Role: role, ReceiveID: t.ReceiveTunnel, Expires: t.Expires, Bytes: t.Bytes})
	}
	return out
}

func destinations(r *router.Router) []console.Destination {
	var out []console.Destination
	for _, d := range r.Status().Destinations {
		out = append(out, console.Destination{Name: d.Name, B32: d.B32, LeaseSetPublished: d.LeaseSetPublished, Streams: d.Streams})
	}
	return out
}

// consoleBook is the address book as the console sees it.
type consoleBook struct{ b *naming.Book }

func (c consoleBook) Search(q string, offset, limit int) ([]console.BookEntry, error) {
	recs, err := c.b.Search(strings.ToLower(q), offset+limit)
	if err != nil {
		return nil, err
	}
	if offset >= len(recs) {
		return nil, nil
	}
	var out []console.BookEntry
	for _, rec := range recs[offset:] {
		out = append(out, console.BookEntry{Name: rec.Name, B32: data.B32Address(rec.Hash), Local: rec.Local, Source: rec.Source, Added: rec.Added})
	}
	return out, nil
}

func (c consoleBook) AddLocal(name, base64dest string) error {
	return bookAdder(c).AddLocal(name, base64dest)
}

// metrics is /metrics: the router's and the front-ends' counters.
func metrics(r *router.Router, g *gatewayParts) []console.Sample {
	st := r.Status()
	var out []console.Sample
	gauge := func(name, help string, v float64, labels ...string) {
		out = append(out, console.Sample{Name: name, Help: help, Type: console.Gauge, Labels: pairs(labels), Value: v})
	}
	counter := func(name, help string, v float64, labels ...string) {
		out = append(out, console.Sample{Name: name, Help: help, Type: console.Counter, Labels: pairs(labels), Value: v})
	}
	gauge("i2pgate_uptime_seconds", "Router uptime.", float64(st.UptimeS))
	gauge("i2pgate_known_routers", "Routers in the network database.", float64(st.KnownRouters))
	gauge("i2pgate_floodfills", "Floodfills in the network database.", float64(st.Floodfills))
	gauge("i2pgate_clock_skew_seconds", "Clock offset learned from peers.", st.ClockSkewS)
	for k, v := range map[string]int{"ntcp2_in": st.Sessions.NTCP2In, "ntcp2_out": st.Sessions.NTCP2Out} {
		gauge("i2pgate_sessions", "Open transport sessions.", float64(v), "kind", k)
	}
	for k, v := range map[string]int{"exploratory_in": st.Tunnels.ExploratoryIn, "exploratory_out": st.Tunnels.ExploratoryOut,
		"client_in": st.Tunnels.ClientIn, "client_out": st.Tunnels.ClientOut} {
		gauge("i2pgate_tunnels", "Our usable tunnels.", float64(v), "pool", k)
	}
	counter("i2pgate_tunnel_builds_total", "Completed tunnel builds.", float64(st.Tunnels.BuildsTotal))
	counter("i2pgate_tunnel_builds_failed_total", "Refused or timed-out tunnel builds.", float64(st.Tunnels.BuildsFailed))
	gauge("i2pgate_transit_tunnels", "Transit tunnels carried.", float64(st.TransitTunnels))
	gauge("i2pgate_memory_heap_bytes", "Live heap at the last memory check.", float64(st.Memory.HeapBytes))
	gauge("i2pgate_memory_limit_bytes", "limits.memory.", float64(st.Memory.LimitBytes))
	for _, p := range []string{"normal", "high", "critical"} {
		v := 0.0
		if st.Memory.Pressure == p {
			v = 1
		}
		gauge("i2pgate_memory_pressure", "Memory pressure level (1 for the current one).", v, "level", p)
	}
	counter("i2pgate_transit_rejected_pressure_total", "Transit requests rejected under memory pressure.", float64(st.Memory.TransitRejected))
	counter("i2pgate_netdb_trimmed_total", "RouterInfos dropped under memory pressure.", float64(st.Memory.TrimmedRouters))
	for _, d := range st.Destinations {
		gauge("i2pgate_streams", "Open streams per destination.", float64(d.Streams), "destination", d.Name)
		counter("i2pgate_stream_packets_sent_total", "Stream packets sent.", float64(d.PacketsSent), "destination", d.Name)
		counter("i2pgate_stream_packets_received_total", "Stream packets received.", float64(d.PacketsReceived), "destination", d.Name)
	}
	if g == nil {
		return out
	}
	if g.dns != nil {
		s := g.dns.Stats()
		for k, v := range map[string]uint64{"answer": s.Answer, "nodata": s.NoData, "nxdomain": s.NXDomain, "refused": s.Refused,
			"denied": s.Denied, "servfail": s.ServFail, "formerr": s.FormErr} {
			counter("i2pgate_dns_queries_total", "DNS queries by result.", float64(v), "result", k)
		}
	}
	if g.socks != nil {
		s := g.socks.Stats()
		for k, v := range map[string]int64{"connected": s.Connected, "unknown_name": s.UnknownName, "not_found": s.NotFound,
			"timeout": s.Timeout, "no_tunnels": s.NoTunnels, "not_allowed": s.NotAllowed, "refused": s.PeerRefused, "error": s.OtherError} {
			counter("i2pgate_socks_requests_total", "SOCKS CONNECTs by result.", float64(v), "result", k)
		}
		counter("i2pgate_socks_bytes_total", "Bytes relayed by SOCKS.", float64(s.BytesUp), "direction", "up")
		counter("i2pgate_socks_bytes_total", "Bytes relayed by SOCKS.", float64(s.BytesDown), "direction", "down")
	}
	if g.http != nil {
		s := g.http.Stats()
		for k, v := range map[string]int64{"forwarded": s.Forwarded, "connect": s.Connects, "bad_request": s.BadRequest,
			"unknown_name": s.UnknownName, "not_found": s.NotFound, "timeout": s.Timeout, "no_tunnels": s.NoTunnels,
			"not_allowed": s.NotAllowed, "refused": s.PeerRefused, "error": s.OtherError} {
			counter("i2pgate_http_requests_total", "HTTP proxy requests by result.", float64(v), "result", k)
		}
	}
	return out
}

func pairs(kv []string) map[string]string {
	if len(kv) == 0 {
		return nil
	}
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}
