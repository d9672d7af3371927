package pool

import (
	"testing"
	"time"
)

// After the router's clock is corrected backwards (it learned the network's
// time), builds started before the correction look started in the future:
// they must time out rather than hold their slots for as long as the
// correction; a build started a moment "ahead" (a race) is kept.
func TestBuildsExpireAfterClockCorrectedBackwards(t *testing.T) {
	m := &Manager{}
	p := &Pool{m: m}
	m.mu.pending = map[uint32]*pendingBuild{
		1: {pool: p, inbound: true, started: t0.Add(2 * time.Hour)},
		2: {pool: p, started: t0.Add(time.Second)},
		3: {pool: p, started: t0.Add(-time.Second)},
	}
	p.building = [2]int{2, 1}
	out := m.expireBuildsLocked(t0)
	if len(out) != 1 || out[0].started != t0.Add(2*time.Hour) {
		t.Fatalf("expired %d builds, want only the one from before the correction", len(out))
	}
	if len(m.mu.pending) != 2 || p.building != [2]int{2, 0} {
		t.Fatalf("pending %d, building %v", len(m.mu.pending), p.building)
	}
}

// Tunnel tests (which make tunnels count as usable) resume at once after a
// correction backwards instead of waiting for the old test time to come.
func TestTestsResumeAfterClockCorrectedBackwards(t *testing.T) {
	m := &Manager{}
	m.explore = &Pool{m: m}
	p := &Pool{m: m, lastTest: t0.Add(2 * time.Hour)}
	m.probesLocked(p, t0)
	if !p.lastTest.Equal(t0) {
		t.Fatalf("tests wait until %v", p.lastTest)
	}
	p.lastTest = t0.Add(-time.Second)
	m.probesLocked(p, t0)
	if !p.lastTest.Equal(t0.Add(-time.Second)) {
		t.Fatal("tested again within the interval")
	}
}
