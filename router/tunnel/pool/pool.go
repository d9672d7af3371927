package pool

import (
	"time"
)

// Pool is a set of inbound and outbound tunnels kept at a configured
// quantity: the exploratory pool or a client pool.
type Pool struct {
	m   *Manager
	cfg PoolConfig

	// Guarded by the Manager's mu.
	in, out  []*Tunnel
	building [2]int // builds in flight: [0] outbound, [1] inbound
	lastTest time.Time
	closed   bool
}

// Config returns the pool's configuration.
func (p *Pool) Config() PoolConfig { return p.cfg }

// side returns the configuration of one direction.
func (p *Pool) side(inbound bool) Side {
	if inbound {
		return p.cfg.Inbound
	}
	return p.cfg.Outbound
}

func sideIndex(inbound bool) int {
	if inbound {
		return 1
	}
	return 0
}

// Inbound returns the pool's inbound tunnels that can carry traffic now,
// tested ones first.
func (p *Pool) Inbound() []*Tunnel { return p.list(true) }

// Outbound returns the pool's outbound tunnels that can carry traffic now,
// tested ones first.
func (p *Pool) Outbound() []*Tunnel { return p.list(false) }

func (p *Pool) list(inbound bool) []*Tunnel {
	now := p.m.clk.Now()
	p.m.mu.Lock()
	defer p.m.mu.Unlock()
	var tested, untested []*Tunnel
	for _, t := range p.tunnelsLocked(inbound) {
		switch {
		case !t.usable(now):
		case t.tested:
			tested = append(tested, t)
		default:
			untested = append(untested, t)
		}
	}
	return append(tested, untested...)
}

// Pick returns a random usable tunnel of one direction, a tested one when
// there is any.
func (p *Pool) Pick(inbound bool) (*Tunnel, bool) {
	now := p.m.clk.Now()
	p.m.mu.Lock()
	defer p.m.mu.Unlock()
	return p.pickLocked(inbound, now)
}

func (p *Pool) pickLocked(inbound bool, now time.Time) (*Tunnel, bool) {
	var tested, untested []*Tunnel
	for _, t := range p.tunnelsLocked(inbound) {
		switch {
		case !t.usable(now):
		case t.tested:
			tested = append(tested, t)
		default:
			untested = append(untested, t)
		}
	}
	list := tested
	if len(list) == 0 {
		list = untested
	}
	if len(list) == 0 {
		return nil, false
	}
	x, err := randUint32(p.m.rnd)
	if err != nil {
		return list[0], true
	}
	return list[x%uint32(len(list))], true
}

func (p *Pool) tunnelsLocked(inbound bool) []*Tunnel {
	if inbound {
		return p.in
	}
	return p.out
}

// Close removes the pool from its Manager and drops its tunnels; builds in
// flight are discarded when they complete. The exploratory pool is closed
// with the Manager.
func (p *Pool) Close() {
	if p == p.m.explore {
		return
	}
	p.m.mu.Lock()
	defer p.m.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	for _, t := range append(p.in, p.out...) {
		p.m.removeLocked(t)
	}
	pools := p.m.mu.pools[:0]
	for _, q := range p.m.mu.pools {
		if q != p {
			pools = append(pools, q)
		}
	}
	p.m.mu.pools = pools
}

// addLocked puts a new tunnel into the pool.
func (p *Pool) addLocked(t *Tunnel) {
	if t.inbound {
		p.in = append(p.in, t)
		p.m.mu.inbound[t.recv] = t
	} else {
		p.out = append(p.out, t)
	}
}

// removeLocked takes t out of its pool and of the receive table.
func (m *Manager) removeLocked(t *Tunnel) {
	if t.removed {
		return
	}
	t.removed = true
	p := t.pool
	if t.inbound {
		if m.mu.inbound[t.recv] == t {
			delete(m.mu.inbound, t.recv)
		}
		p.in = without(p.in, t)
	} else {
		p.out = without(p.out, t)
	}
}

func without(list []*Tunnel, t *Tunnel) []*Tunnel {
	out := list[:0]
	for _, x := range list {
		if x != t {
			out = append(out, x)
		}
	}
	clear(list[len(out):])
	return out
}
