package consoletest

import (
	"fmt"
	"net/netip"
	"time"

	"i2pgate/gateway/console"
)

// Sizes of Sample's lists: enough for more than one page where the console
// pages.
const (
	SamplePeers   = 130
	SampleTransit = 120
	SampleNames   = 120
)

// Sample returns plausible data as of now.
func Sample(now time.Time) *Data {
	d := &Data{
		Overview: console.Overview{
			NetworkStatus: "ok", Version: "0.9.66", RouterHash: Hash("self"), NetID: 2,
			Uptime: 3*time.Hour + 25*time.Minute + 7*time.Second, ClockSkew: 1250 * time.Millisecond,
			KnownRouters: 2480, Floodfills: 312, Published: true,
			Sessions:       []console.Count{{Name: "NTCP2 in", N: 14}, {Name: "NTCP2 out", N: 22}, {Name: "SSU2 in", N: 9}, {Name: "SSU2 out", N: 17}},
			Tunnels:        []console.Count{{Name: "exploratory in", N: 2}, {Name: "exploratory out", N: 2}, {Name: "client in", N: 4}, {Name: "client out", N: 4}},
			TransitTunnels: SampleTransit,
			Bandwidth:      &console.Bandwidth{InRate: 48_300, OutRate: 51_900, InTotal: 612 << 20, OutTotal: 655 << 20},
		},
		Tunnels: console.TunnelsInfo{
			Builds: console.BuildStats{Total: 412, Failed: 97, TestsFailed: 6, SuccessRate: 0.78, InProgress: 3},
		},
		Destinations: []console.Destination{
			{Name: "gateway-http", B32: B32("http"), LeaseSetPublished: true, Streams: 5},
			{Name: "socks-client-192.168.1.23", B32: B32("socks"), LeaseSetPublished: false, Streams: 0},
			{Name: "<b>eepsite</b>", B32: B32("site"), LeaseSetPublished: true, Streams: 2},
		},
		Subscriptions: []console.Subscription{
			{URL: "http://reg.i2p/hosts.txt", LastFetch: now.Add(-2 * time.Hour), Result: "ok", Added: 41},
			{URL: "http://stats.i2p/cgi-bin/newhosts.txt", LastFetch: now.Add(-2 * time.Hour), Result: "not modified"},
			{URL: "http://notbob.i2p/hosts.txt", LastFetch: now.Add(-2 * time.Hour), Result: "error", Err: "<i>timeout</i> after 120 s"},
			{URL: "http://identiguy.i2p/hosts.txt"},
		},
	}
	caps := []string{"XfR", "LU", "XR", "PfR", "OR", "NU"}
	for i := range SamplePeers {
		p := console.Peer{Hash: Hash(fmt.Sprint("peer", i)), Caps: caps[i%len(caps)], Version: "0.9.6" + fmt.Sprint(2+i%4)}
		if i%4 == 0 {
			p.Connected, p.Transport = true, []string{"NTCP2 out", "SSU2 in", "NTCP2 in", "SSU2 out"}[i/4%4]
		}
		d.Peers = append(d.Peers, p)
	}
	for i, pool := range []string{"exploratory", "exploratory", "gateway-http", "gateway-http", "<b>eepsite</b>"} {
		dir := console.Inbound
		if i%2 == 1 {
			dir = console.Outbound
		}
		t := console.Tunnel{Pool: pool, Direction: dir, ID: uint32(1000 + i*7919), Expires: now.Add(time.Duration(3+i) * time.Minute), Tested: i != 4}
		for h := range 2 + i%2 {
			t.Hops = append(t.Hops, Hash(fmt.Sprint("hop", i, h)))
		}
		d.Tunnels.Tunnels = append(d.Tunnels.Tunnels, t)
	}
	roles := []console.TransitRole{console.RoleParticipant, console.RoleParticipant, console.RoleGateway, console.RoleEndpoint}
	for i := range SampleTransit {
		d.Transit = append(d.Transit, console.TransitTunnel{Role: roles[i%len(roles)], ReceiveID: uint32(0x10000 + i*104729),
			Expires: now.Add(time.Duration(i%600) * time.Second), Bytes: uint64(i) * 37_000})
	}
	for i, n := range []string{"reg.i2p", "stats.i2p", "zzz.i2p", "forum.i2p", "<img src=x>.i2p"} {
		d.Automap = append(d.Automap, console.AutomapEntry{Name: n,
			IP:  netip.AddrFrom4([4]byte{10, 192, 0, byte(2 + i)}),
			IP6: netip.MustParseAddr(fmt.Sprintf("fd00:1:2::%x", 2+i)), LastUse: now.Add(-time.Duration(i*17) * time.Minute)})
	}
	d.Metrics = sampleMetrics()
	return d
}

func sampleMetrics() []console.Sample {
	g := func(name, help string, v float64, kv ...string) console.Sample {
		return console.Sample{Name: name, Help: help, Type: console.Gauge, Labels: labels(kv), Value: v}
	}
	c := func(name, help string, v float64, kv ...string) console.Sample {
		return console.Sample{Name: name, Help: help, Type: console.Counter, Labels: labels(kv), Value: v}
	}
	return []console.Sample{
		g("i2pgate_transport_sessions", "Open transport sessions.", 14, "transport", "ntcp2", "direction", "in"),
		g("i2pgate_transport_sessions", "Open transport sessions.", 22, "transport", "ntcp2", "direction", "out"),
		g("i2pgate_tunnels", "Usable tunnels of our pools.", 2, "pool", "exploratory", "direction", "in"),
		c("i2pgate_tunnel_builds_total", "Completed tunnel builds.", 315, "result", "success"),
		c("i2pgate_tunnel_builds_total", "Completed tunnel builds.", 97, "result", "failure"),
		c("i2pgate_transport_bytes_total", "Bytes through the transports.", 612<<20, "direction", "in"),
		c("i2pgate_dns_queries_total", "DNS queries by result.", 1234, "result", "mapped"),
		c("i2pgate_dns_queries_total", "DNS queries by result.", 12, "result", "nxdomain"),
		c("i2pgate_proxy_requests_total", "Proxy requests by result.", 88, "proxy", "http", "result", "ok"),
		g("i2pgate_streams", "Open streaming connections.", 7, "destination", `odd "name"\with`+"\nnewline"),
	}
}

func labels(kv []string) map[string]string {
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}
