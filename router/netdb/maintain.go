package netdb

import (
	"context"
	"strings"
	"time"

	"i2pgate/router/data"
)

// expire runs expiry every expireInterval.
func (n *NetDB) expire() {
	t := n.clk.NewTicker(expireInterval)
	defer t.Stop()
	for {
		select {
		case <-n.ctx.Done():
			return
		case <-t.C():
			n.expireNow(n.clk.Now())
		}
	}
}

// expiration returns how old a RouterInfo may get, after i2pd's
// NetDb::ManageRouterInfos: nothing expires by age while fewer than
// MinRouters are known or during the first expiryMinUptime; then the limit is
// MaxRouterInfoAge until expiryFullUptime, after which a floodfill keeps
// floodfillExpiration and other routers between minExpiration and
// MaxRouterInfoAge, shorter as the database grows.
func (n *NetDB) expiration(total int, uptime time.Duration) (time.Duration, bool) {
	if total <= n.minRouters || uptime < expiryMinUptime {
		return 0, false
	}
	if uptime < expiryFullUptime {
		return MaxRouterInfoAge, true
	}
	if n.cfg.Floodfill {
		return floodfillExpiration, true
	}
	return minExpiration + (MaxRouterInfoAge-minExpiration)*time.Duration(n.minRouters)/time.Duration(total), true
}

// expireNow drops RouterInfos that are too old, from the future or flagged
// bad, never going below MinRouters routers or MinFloodfills floodfills, and
// lease sets that expired.
func (n *NetDB) expireNow(now time.Time) {
	n.life.mu.Lock()
	uptime := now.Sub(n.life.start)
	n.life.mu.Unlock()
	var gone []data.Hash
	n.tab.mu.Lock()
	total, floodfills := len(n.tab.routers), len(n.tab.floodfills)
	maxAge, byAge := n.expiration(total, uptime)
	for h, e := range n.tab.routers {
		if total <= n.minRouters || (e.floodfill && floodfills <= n.minFloodfills) {
			continue
		}
		pub := e.ri.Published()
		stale := byAge && now.Sub(pub) > maxAge
		if !e.bad && !stale && !pub.After(now.Add(MaxFutureSkew)) {
			continue
		}
		if e.floodfill {
			floodfills--
		}
		total--
		n.tab.deleteLocked(h)
		gone = append(gone, h)
	}
	for h, ls := range n.tab.leaseSets {
		if !ls.expires.After(now) {
			delete(n.tab.leaseSets, h)
		}
	}
	n.tab.mu.Unlock()
	n.unstore(gone)
	if len(gone) > 0 {
		n.log.Debug("expired routerinfos", "count", len(gone), "left", total)
	}
}

// tooSmall reports whether the database holds fewer routers or floodfills
// than it should.
func (n *NetDB) tooSmall() bool {
	r, f, _ := n.tab.counts()
	return r < n.minRouters || f < n.minFloodfills
}

// needReseed reports whether to reseed: the database is empty, or it is too
// small and no peer has sent us a netdb message for reseedGrace (since the
// start or the last message). A small database whose peers answer is a small
// network, or one that exploration is growing: reseeding would not help, and
// a restart with a stored netdb reconnects without one.
func (n *NetDB) needReseed() bool {
	r, _, _ := n.tab.counts()
	if r == 0 {
		return true
	}
	if !n.tooSmall() {
		return false
	}
	n.life.mu.Lock()
	last := n.life.start
	n.life.mu.Unlock()
	if heard := n.heard.Load(); heard > last.UnixNano() {
		last = time.Unix(0, heard)
	}
	return n.clk.Now().Sub(last) >= reseedGrace
}

// reseed asks the Reseeder for RouterInfos whenever the database is too
// small: at start, then every reseedCheckInterval. Failed attempts (an error
// with nothing usable) are retried after an exponential backoff from
// reseedBackoffMin to reseedBackoffMax.
func (n *NetDB) reseed() {
	t := n.clk.NewTimer(0)
	defer t.Stop()
	backoff := reseedBackoffMin
	for {
		select {
		case <-n.ctx.Done():
			return
		case <-t.C():
		}
		next := reseedCheckInterval
		if n.tooSmall() {
			next = reseedGrace
		}
		if n.needReseed() {
			if n.reseedOnce() {
				backoff = reseedBackoffMin
			} else {
				next = backoff
				backoff = min(2*backoff, reseedBackoffMax)
			}
		}
		t.Reset(next)
	}
}

// reseedOnce runs one Reseed and adds what it returns; it reports whether
// anything was added.
func (n *NetDB) reseedOnce() bool {
	ctx, cancel := context.WithTimeout(n.ctx, reseedTimeout)
	defer cancel()
	n.counter.reseeds.Add(1)
	raws, err := n.cfg.Reseeder.Reseed(ctx)
	n.reseedClock(raws)
	added := 0
	for _, raw := range raws {
		if n.AddRaw(raw) == nil {
			added++
		}
	}
	if added == 0 {
		n.counter.reseedFailures.Add(1)
		msg := ""
		if err != nil {
			msg = strings.ReplaceAll(err.Error(), "\n", "; ")
		}
		n.log.Warn("reseed failed", "err", msg, "received", len(raws))
		return false
	}
	n.log.Info("reseeded", "added", added, "received", len(raws))
	return true
}
