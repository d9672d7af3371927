package router

import (
	"fmt"
	"math"
	"path/filepath"
	"time"

	"i2pgate/router/clock"
)

const (
	// clockCheckInterval is how often the router looks whether its clock
	// offset moved.
	clockCheckInterval = 10 * time.Second
	// resignSkew is how far the offset may move before our RouterInfo is
	// signed again with a corrected date: peers refuse one published more
	// than 2 min ahead of them (i2pd NETDB_EXPIRATION_TIMEOUT_THRESHOLD) or
	// 90 min old in SessionConfirmed (NETDB_MIN_EXPIRATION_TIMEOUT).
	resignSkew = 30 * time.Second
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
// "clock is off by 2h0m0s (corrected from peers)"; empty otherwise.
func (c ClockStatus) ClockNote() string {
	if !c.FarOff {
		return ""
	}
	d := time.Duration(c.SkewSeconds * float64(time.Second)).Round(time.Second)
	switch c.Source {
	case clock.SourceNone:
		return "clock is off: peers refuse our handshakes for clock skew"
	case clock.SourcePeers:
		return fmt.Sprintf("clock is off by %v (corrected from peers)", d)
	default:
		return fmt.Sprintf("clock is off by %v (corrected from %s)", d, c.Source)
	}
}

// startClockWatch starts the goroutine that signs our RouterInfo again when
// the clock offset moves; signed is the offset the current one was signed
// with.
func (r *Router) startClockWatch(signed time.Duration) {
	r.wg.Add(1)
	go r.watchClock(signed)
}

func (r *Router) watchClock(signed time.Duration) {
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
		signed = r.checkClock(signed)
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

// checkClock signs and publishes our RouterInfo again when the offset moved
// by more than resignSkew since signed; it returns the offset of the
// RouterInfo now current.
func (r *Router) checkClock(signed time.Duration) time.Duration {
	skew := r.clk.Skew()
	if d := skew - signed; d <= resignSkew && d >= -resignSkew {
		return signed
	}
	ri, err := r.buildRouterInfo()
	if err != nil {
		r.log.Warn("re-signing the RouterInfo for the clock offset", "err", err)
		return signed
	}
	r.state.Lock()
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
	r.log.Info("clock offset moved: RouterInfo signed again", "skew", skew.Round(time.Second),
		"was", signed.Round(time.Second), "source", r.clk.Source())
	return skew
}
