package pool

import (
	"time"
)

// buildJob is a build to start once the lock is released.
type buildJob struct {
	pool    *Pool
	inbound bool
}

// maintain is one maintenance pass: time out builds, drop expired
// tunnels, fail unanswered tests, start the builds the pools lack and send
// new tests.
func (m *Manager) maintain() {
	now := m.clk.Now()
	m.mu.Lock()
	if m.mu.closed {
		m.mu.Unlock()
		return
	}
	timedOut := m.expireBuildsLocked(now)
	m.expireProbesLocked(now)
	var builds []buildJob
	var probes []probeJob
	inFlight := 0
	for _, p := range m.mu.pools {
		inFlight += p.building[0] + p.building[1]
	}
	for _, p := range m.mu.pools {
		m.expireTunnelsLocked(p, now)
		jobs := m.buildsLocked(p, now, MaxBuilds-inFlight)
		inFlight += len(jobs)
		builds = append(builds, jobs...)
		probes = append(probes, m.probesLocked(p, now)...)
	}
	m.mu.Unlock()

	for _, pb := range timedOut {
		for _, h := range pb.p.Hops {
			if err := m.profiles.Record(h.Hash, TimedOut, now); err != nil {
				m.log.Debug("profile not saved", "err", err)
			}
		}
	}
	for _, j := range builds {
		if err := m.startBuild(j.pool, j.inbound); err != nil {
			m.log.Debug("build not started", "inbound", j.inbound, "err", err)
		}
	}
	for _, j := range probes {
		if err := m.SendThrough(j.out, j.msg, j.to); err != nil {
			m.log.Debug("tunnel test not sent", "err", err)
		}
	}
}

// expireBuildsLocked removes the builds older than BuildTimeout and counts
// them as failed.
func (m *Manager) expireBuildsLocked(now time.Time) []*pendingBuild {
	var out []*pendingBuild
	for id, pb := range m.mu.pending {
		// One started further ahead than the timeout predates a clock
		// correction backwards: it times out too, or it would hold its
		// build slot for as long as the correction.
		if d := now.Sub(pb.started); d < BuildTimeout && d > -BuildTimeout {
			continue
		}
		delete(m.mu.pending, id)
		pb.pool.building[sideIndex(pb.inbound)]--
		m.mu.stats.build(false)
		out = append(out, pb)
	}
	return out
}

// expireTunnelsLocked removes p's expired tunnels.
func (m *Manager) expireTunnelsLocked(p *Pool, now time.Time) {
	for _, list := range [][]*Tunnel{p.in, p.out} {
		for _, t := range append([]*Tunnel(nil), list...) {
			if !now.Before(t.expires) {
				m.removeLocked(t)
			}
		}
	}
}

// buildsLocked reserves the builds p needs: per side, the configured
// quantity minus the tunnels that are not due for replacement and the
// builds in flight, within MaxPoolBuilds for the pool and room overall.
func (m *Manager) buildsLocked(p *Pool, now time.Time, room int) []buildJob {
	need := [2]int{}
	for i, inbound := range []bool{false, true} {
		fresh := 0
		for _, t := range p.tunnelsLocked(inbound) {
			if t.fresh(now) {
				fresh++
			}
		}
		need[i] = p.side(inbound).want() - fresh - p.building[i]
	}
	var jobs []buildJob
	for len(jobs) < room && p.building[0]+p.building[1] < MaxPoolBuilds && (need[0] > 0 || need[1] > 0) {
		// Inbound first: outbound builds need an inbound tunnel for a
		// reply path that does not end at a zero-hop tunnel.
		i := 1
		if need[1] <= 0 || (need[0] > need[1]) {
			i = 0
		}
		need[i]--
		p.building[i]++
		jobs = append(jobs, buildJob{pool: p, inbound: i == 1})
	}
	return jobs
}
