package netdb

import (
	"slices"
	"time"

	"i2pgate/router/clock"
	"i2pgate/router/data"
	"sort"
)

// ClockSeeder takes an offset for the router's clock learned from something
// other than peers' handshakes; *clock.Skewed implements it.
type ClockSeeder interface {
	Seed(offset time.Duration, source string) bool
}

// reseedClockMin is how many valid reseeded RouterInfos a clock estimate
// needs.
const reseedClockMin = 2

// reseedClock estimates our clock's offset from the publication dates of
// reseeded RouterInfos and seeds the clock with it, before they are
// validated, so that a router whose clock is hours off keeps them instead of
// dropping every one as "published in the future" or stale. It only acts
// when most of them fail the time check with the current clock: a minority
// of odd dates (one lying or long-offline router) changes nothing. It
// reports the offset it seeded.
func (n *NetDB) reseedClock(raws [][]byte) (time.Duration, bool) {
	if n.cfg.ClockSeed == nil {
		return 0, false
	}
	now := n.clk.Now()
	offs := make([]time.Duration, 0, len(raws))
	bad := 0
	for _, raw := range raws {
		ri, err := data.ParseRouterInfo(raw)
		if err != nil {
			continue
		}
		pub := ri.Published()
		// Every check but the time: at its own publication date a
		// RouterInfo is neither stale nor from the future.
		if ValidateRouterInfo(ri, ri.Hash(), pub, n.policy) != nil {
			continue
		}
		offs = append(offs, pub.Sub(now))
		if checkPublished(pub, now, MaxRouterInfoAge) != nil {
			bad++
		}
	}
	off, ok := reseedOffset(offs, bad)
	if !ok || !n.cfg.ClockSeed.Seed(n.clockSkew()+off, clock.SourceReseed) {
		return 0, false
	}
	n.log.Warn("clock corrected from the reseeded RouterInfos' dates", "offset", off.Round(time.Second),
		"routerinfos", len(offs), "out_of_range", bad)
	return off, true
}

// clockSkew is the offset the clock already applies when it is a Skewed one.
func (n *NetDB) clockSkew() time.Duration {
	if s, ok := n.clk.(interface{ Skew() time.Duration }); ok {
		return s.Skew()
	}
	return 0
}

// reseedOffset estimates how far the reseeded RouterInfos' dates say our
// clock is behind from offs (publication date minus now), bad of which are
// out of range: none unless there are reseedClockMin of them and the out of
// range ones are a majority. The estimate is the upper quartile: RouterInfos
// are published before they are served, so their dates trail the network's
// time, and the future limit is the tight one; a minority of lying dates
// below a quarter cannot move it outside the honest ones.
func reseedOffset(offs []time.Duration, bad int) (time.Duration, bool) {
	if len(offs) < reseedClockMin || 2*bad <= len(offs) {
		return 0, false
	}
	s := slices.Clone(offs)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)*3/4], true
}
