package router

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"time"

	"i2pgate/router/clock"
	"i2pgate/router/clock/sntp"
	"i2pgate/router/data"
	"i2pgate/router/netx"
)

const (
	// clockCheckInterval is how often the router looks whether its clock
	// offset moved.
	clockCheckInterval = 10 * time.Second
	// resignSkew is how far in the future (after a clock correction
	// backwards) our RouterInfo's date may be before it is signed again.
	resignSkew = 30 * time.Second
	// riRefresh is the age at which our RouterInfo is signed again with a
	// new date, well under the 90 min i2pd accepts in SessionConfirmed.
	riRefresh = 30 * time.Minute
)

// ClockStatus is the clock part of Status.
type ClockStatus struct {
	// SkewSeconds is the offset added to the system clock: how far the
	// network's time is ahead of ours.
	SkewSeconds float64 `json:"skew_seconds"`
	// Source is where the offset came from: "none", "peers" (handshake
	// timestamps), "sntp" or "reseed" (the dates of reseeded RouterInfos).
	Source string `json:"source"`
	// FarOff is true when the system clock is more than a minute off the
	// network's (corrected or not), or most peers' timestamps disagree
	// with our corrected time by more than the handshakes allow.
	FarOff bool `json:"far_off"`
}

// clockStatus reports the clock's offset, its source and whether it is far
// off.
func (r *Router) clockStatus() ClockStatus {
	skew := r.clk.Skew()
	n, total := r.clk.Disagreeing(clockSkewLimit)
	return ClockStatus{
		SkewSeconds: math.Round(skew.Seconds()*1000) / 1000,
		Source:      r.clk.Source(),
		FarOff:      skew > clockSkewLimit || skew < -clockSkewLimit || (total > 0 && 2*n > total),
	}
}

// ClockNote is a sentence for status lines when the clock is far off, e.g.
// "clock is off by 2h0m0s (behind the network; corrected from peers)";
// empty otherwise.
func (c ClockStatus) ClockNote() string {
	if !c.FarOff {
		return ""
	}
	d := time.Duration(c.SkewSeconds * float64(time.Second)).Round(time.Second)
	if c.Source == clock.SourceNone || d == 0 {
		return "clock is off: peers refuse our handshakes for clock skew"
	}
	way := "behind"
	if d < 0 {
		d, way = -d, "ahead of"
	}
	return fmt.Sprintf("clock is off by %v (%s the network; corrected from %s)", d, way, c.Source)
}

// startClockWatch starts the goroutine that keeps our RouterInfo's date
// fresh and logs when the clock goes far off or back.
func (r *Router) startClockWatch() {
	r.wg.Add(1)
	go r.watchClock()
}

func (r *Router) watchClock() {
	defer r.wg.Done()
	t := r.clk.NewTicker(clockCheckInterval)
	defer t.Stop()
	far := false
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-t.C():
		}
		r.freshRouterInfo()
		if st := r.clockStatus(); st.FarOff != far {
			far = st.FarOff
			if far {
				r.log.Warn(st.ClockNote(), "skew", time.Duration(st.SkewSeconds*float64(time.Second)).Round(time.Second), "source", st.Source)
			} else {
				r.log.Info("clock agrees with the network again", "skew_s", st.SkewSeconds, "source", st.Source)
			}
		}
	}
}

// riStale reports whether our RouterInfo published at pub needs a new date
// at now: peers refuse one from more than 2 min ahead
// (NETDB_EXPIRATION_TIMEOUT_THRESHOLD), which a clock correction backwards
// makes it, or 90 min old in SessionConfirmed (NETDB_MIN_EXPIRATION_TIMEOUT),
// which a correction forwards or a long uptime makes it.
func riStale(pub, now time.Time) bool {
	age := now.Sub(pub)
	return age < -resignSkew || age > riRefresh
}

// freshRouterInfo returns our RouterInfo, first signed again with the
// current date (and written and published) when riStale: the transports
// send it in handshakes, so a clock correction never lets a stale date out.
func (r *Router) freshRouterInfo() *data.RouterInfo {
	r.state.Lock()
	old := r.state.ri
	if old == nil || !riStale(old.Published(), r.clk.Now()) {
		r.state.Unlock()
		return old
	}
	ri, err := r.buildRouterInfo()
	if err != nil {
		r.state.Unlock()
		r.log.Warn("re-signing the RouterInfo", "err", err)
		return old
	}
	r.state.ri = ri
	r.state.Unlock()
	if err := writeFileAtomic(filepath.Join(r.cfg.DataDir, routerInfoFile), ri.Bytes(), 0o644); err != nil {
		r.log.Warn("writing the RouterInfo", "err", err)
	}
	if r.netdb != nil {
		if err := r.netdb.Publish(ri); err != nil {
			r.log.Warn("publishing the RouterInfo", "err", err)
		}
	}
	r.log.Info("RouterInfo signed again with a new date", "age_was", r.clk.Now().Sub(old.Published()).Round(time.Second),
		"skew", r.clk.Skew().Round(time.Second), "source", r.clk.Source())
	return ri
}

// SNTP timing: the first query at start, retries while it fails (no
// network yet at boot), then a query every sntpInterval.
const (
	sntpInterval   = 4 * time.Hour
	sntpRetryMin   = 30 * time.Second
	sntpRetryMax   = 30 * time.Minute
	sntpRunTimeout = time.Minute
)

// startSNTP starts the SNTP loop when servers are configured.
func (r *Router) startSNTP() {
	if len(r.cfg.SNTPServers) == 0 {
		return
	}
	r.wg.Add(1)
	go r.sntpLoop()
}

func (r *Router) sntpLoop() {
	defer r.wg.Done()
	t := r.clk.NewTimer(0)
	defer t.Stop()
	retry := sntpRetryMin
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-t.C():
		}
		if r.sntpOnce() {
			retry = sntpRetryMin
			t.Reset(sntpInterval)
			continue
		}
		t.Reset(retry)
		retry = min(2*retry, sntpRetryMax)
	}
}

// sntpOnce asks the servers and seeds the clock with their median offset;
// it reports whether any answered.
func (r *Router) sntpOnce() bool {
	ctx, cancel := context.WithTimeout(r.ctx, sntpRunTimeout)
	defer cancel()
	off, res, err := sntp.Offset(ctx, sntp.Config{Network: netx.Or(r.cfg.Network), Clock: r.clk.Base(), Rand: r.rand}, r.cfg.SNTPServers)
	if err != nil {
		r.log.Debug("sntp failed", "err", err)
		return false
	}
	used := r.clk.Seed(off, clock.SourceSNTP)
	r.log.Info("sntp", "offset", off.Round(time.Millisecond), "answers", len(res), "used", used)
	return true
}
