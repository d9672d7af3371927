package netdb

import (
	"i2pgate/router/data"
	"i2pgate/router/i2np"
)

// explore sends exploratory lookups for random keys, every
// exploreFastInterval while fewer than HealthyRouters are known and every
// exploreSlowInterval after. The first round runs at once.
func (n *NetDB) explore() {
	t := n.clk.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-n.ctx.Done():
			return
		case <-t.C():
		}
		if !n.tab.explorePaused.Load() {
			n.exploreRound()
		}
		interval := exploreSlowInterval
		if r, _, _ := n.tab.counts(); r < n.healthy {
			interval = exploreFastInterval
		}
		t.Reset(interval)
	}
}

// exploreRound sends exploreParallel exploratory lookups, each to the
// floodfill closest to a random key. The floodfills we know are excluded, as
// Java I2P does, so that the answers name routers rather than floodfills we
// already have (floodfills answer exploration with non-floodfills anyway).
func (n *NetDB) exploreRound() {
	excluded := append(n.tab.floodfillHashes(nil), n.cfg.Self)
	if len(excluded) > maxLookupExcluded {
		excluded = excluded[len(excluded)-maxLookupExcluded:]
	}
	asked := map[data.Hash]bool{}
	for range exploreParallel {
		key := n.randHash()
		ffs := n.ClosestFloodfills(key, 1, asked)
		if len(ffs) == 0 {
			return
		}
		asked[ffs[0]] = true
		now := n.clk.Now()
		n.pend.addExplore(key, now.Add(lookupTimeout), now)
		n.counter.explorations.Add(1)
		if err := n.query(ffs[0], key, i2np.LookupExploration, excluded); err != nil {
			n.log.Debug("exploration", "err", err)
		}
	}
}
