package pool

import "time"

// Stats is what /api/status reports under "tunnels".
type Stats struct {
	// ExploratoryIn .. ClientOut count the tunnels built and tested that
	// can carry traffic now.
	ExploratoryIn  int `json:"exploratory_in"`
	ExploratoryOut int `json:"exploratory_out"`
	ClientIn       int `json:"client_in"`
	ClientOut      int `json:"client_out"`
	// BuildSuccessRate is the share of the last RateWindow builds that
	// succeeded (0 before any build completed).
	BuildSuccessRate float64 `json:"build_success_rate"`
	// BuildsTotal counts completed builds (succeeded, refused or timed
	// out); BuildsFailed the refused and timed out ones.
	BuildsTotal  uint64 `json:"builds_total"`
	BuildsFailed uint64 `json:"builds_failed"`
	// TestsFailed counts tunnel tests without an answer in time.
	TestsFailed uint64 `json:"tests_failed"`
	// SendErrors counts messages the Sender could not deliver.
	SendErrors uint64 `json:"send_errors"`
}

// counters are the Manager's running totals.
type counters struct {
	total, failed, testsFailed, sendErrors uint64
	recent                                 [RateWindow]bool
	next, filled                           int
}

func (c *counters) build(ok bool) {
	c.total++
	if !ok {
		c.failed++
	}
	c.recent[c.next] = ok
	c.next = (c.next + 1) % RateWindow
	c.filled = min(c.filled+1, RateWindow)
}

func (c *counters) rate() float64 {
	if c.filled == 0 {
		return 0
	}
	n := 0
	for _, ok := range c.recent[:c.filled] {
		if ok {
			n++
		}
	}
	return float64(n) / float64(c.filled)
}

// Stats returns the current counts.
func (m *Manager) Stats() Stats {
	now := m.clk.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	s := Stats{
		BuildSuccessRate: m.mu.stats.rate(),
		BuildsTotal:      m.mu.stats.total,
		BuildsFailed:     m.mu.stats.failed,
		TestsFailed:      m.mu.stats.testsFailed,
		SendErrors:       m.mu.stats.sendErrors,
	}
	for _, p := range m.mu.pools {
		in, out := countTested(p.in, now), countTested(p.out, now)
		if p.cfg.IsExploratory {
			s.ExploratoryIn += in
			s.ExploratoryOut += out
		} else {
			s.ClientIn += in
			s.ClientOut += out
		}
	}
	return s
}

// countTested counts the tested tunnels of list that can carry traffic.
func countTested(list []*Tunnel, now time.Time) int {
	n := 0
	for _, t := range list {
		if t.tested && t.usable(now) {
			n++
		}
	}
	return n
}
