package netdb

import (
	"testing"
	"time"

	"i2pgate/router/clock/clocktest"
)

// TestNetworkConverges runs 20 NetDBs, 3 of them floodfills, on the fake
// message network. Each starts knowing only the floodfills' RouterInfos;
// publishing, flooding, exploration and lookups must teach every router
// about every other within a few minutes of fake time.
func TestNetworkConverges(t *testing.T) {
	const routers, floodfills = 20, 3
	net, clk := newFakeNet(), clocktest.New(t0)
	var nodes []*node
	for i := range routers {
		nodes = append(nodes, newNode(t, net, clk, nodeOpts{floodfill: i < floodfills,
			cfg: func(c *Config) { c.MinRouters = 0; c.MinFloodfills = 0 }}))
	}
	for _, n := range nodes {
		for _, ff := range nodes[:floodfills] {
			if ff != n {
				must(t, n.db.Add(ff.ri))
			}
		}
	}
	for _, n := range nodes {
		startNode(t, n)
		must(t, n.db.Publish(n.ri))
	}
	converged := func() bool {
		for _, n := range nodes {
			if n.db.Stats().KnownRouters != routers-1 {
				return false
			}
		}
		return true
	}
	start := clk.Now()
	advanceUntil(t, clk, time.Second, "convergence", converged)
	t.Logf("converged after %v of fake time", clk.Now().Sub(start))
	for _, n := range nodes {
		s := n.db.Stats()
		if !s.PublishConfirmed {
			advanceUntil(t, clk, time.Second, "publication", func() bool { return n.db.Stats().PublishConfirmed })
		}
		if s.Floodfills != floodfills && !(n.db.cfg.Floodfill && s.Floodfills == floodfills-1) {
			t.Errorf("node knows %d floodfills", s.Floodfills)
		}
	}
	for _, n := range nodes[:floodfills] {
		if s := n.db.Stats(); s.StoresReceived == 0 || s.LookupsAnswered == 0 {
			t.Errorf("floodfill stats %+v", s)
		}
	}
}
