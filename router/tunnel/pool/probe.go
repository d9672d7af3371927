package pool

import (
	"time"

	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/tunnel"
)

// probe is a tunnel test in flight: a DeliveryStatus sent out through out
// to the gateway of in, which should bring it back to us
// (docs/tunnels/implementation "Tunnel Testing").
type probe struct {
	out, in *Tunnel
	sent    time.Time
}

// probeJob is a test message to send once the lock is released.
type probeJob struct {
	out *Tunnel
	msg i2np.Message
	to  tunnel.Delivery
}

// HandleDeliveryStatus takes the DeliveryStatus of one of our tunnel
// tests and marks both tunnels tested. It reports whether msg was ours.
func (m *Manager) HandleDeliveryStatus(msg i2np.Message) bool {
	if msg.Type != i2np.TypeDeliveryStatus {
		return false
	}
	ds, err := i2np.ParseDeliveryStatus(msg.Payload)
	if err != nil {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	pr := m.mu.probes[ds.MessageID]
	if pr == nil {
		return false
	}
	delete(m.mu.probes, ds.MessageID)
	for _, t := range []*Tunnel{pr.out, pr.in} {
		t.tested = true
		t.failures = 0
	}
	return true
}

// expireProbesLocked fails the tests that got no answer in TestInterval.
func (m *Manager) expireProbesLocked(now time.Time) {
	for id, pr := range m.mu.probes {
		if d := now.Sub(pr.sent); d < TestInterval && d > -TestInterval { // see expireBuildsLocked
			continue
		}
		delete(m.mu.probes, id)
		m.mu.stats.testsFailed++
		for _, t := range []*Tunnel{pr.out, pr.in} {
			t.tested = false
			t.failures++
			if t.failures >= MaxTestFailures {
				m.removeLocked(t)
			}
		}
	}
}

// probesLocked prepares the tests of p's tunnels when TestInterval has
// passed: each usable outbound tunnel is paired with an inbound one, in
// turn (the exploratory pool lends tunnels when p has none of a direction).
func (m *Manager) probesLocked(p *Pool, now time.Time) []probeJob {
	// A last test further ahead than the interval predates a clock
	// correction backwards: test now, not in as long as the correction.
	if d := now.Sub(p.lastTest); !p.lastTest.IsZero() && d < TestInterval && d > -TestInterval {
		return nil
	}
	p.lastTest = now
	outs, ins := usableOf(p.out, now), usableOf(p.in, now)
	if len(outs) == 0 {
		outs = usableOf(m.explore.out, now)
	}
	if len(ins) == 0 {
		ins = usableOf(m.explore.in, now)
	}
	if len(outs) == 0 || len(ins) == 0 {
		return nil
	}
	n := max(len(outs), len(ins))
	off, _ := randUint32(m.rnd)
	var jobs []probeJob
	for i := range n {
		out, in := outs[i%len(outs)], ins[(i+int(off%uint32(len(ins))))%len(ins)]
		if len(out.hops) == 0 && len(in.hops) == 0 {
			continue
		}
		id, err := randUint32(m.rnd)
		if err != nil {
			break
		}
		if _, dup := m.mu.probes[id]; dup {
			continue
		}
		msg, err := i2np.NewMessage(i2np.DeliveryStatus{MessageID: id, Timestamp: data.DateOf(now)}, id, now.Add(TestInterval))
		if err != nil {
			continue
		}
		m.mu.probes[id] = &probe{out: out, in: in, sent: now}
		jobs = append(jobs, probeJob{out: out, msg: msg, to: tunnel.ToTunnel(in.first.Router, in.first.TunnelID)})
	}
	return jobs
}

func usableOf(list []*Tunnel, now time.Time) []*Tunnel {
	var out []*Tunnel
	for _, t := range list {
		if t.usable(now) {
			out = append(out, t)
		}
	}
	return out
}
