package transit

// SetOverloaded makes the Manager reject every new tunnel request (with
// build.StatusBandwidth, as i2pd answers when it is over its transit
// limit) while on is true; the tunnels already accepted keep running. The
// router turns it on while it is short of memory.
func (m *Manager) SetOverloaded(on bool) { m.overloaded.Store(on) }

// Overloaded reports whether SetOverloaded turned rejection on.
func (m *Manager) Overloaded() bool { return m.overloaded.Load() }

// SetLimits changes MaxTunnels and MemoryBudget (limits.transittunnels
// and limits.memory, on a configuration reload), with Config's meaning of
// zero and negative values. Tunnels already accepted stay even when they
// now exceed the limits; new ones are refused until enough expire. The
// shared reassembly budget of outbound endpoints keeps its size from New.
func (m *Manager) SetLimits(maxTunnels int, memoryBudget int64) {
	if maxTunnels == 0 {
		maxTunnels = DefaultMaxTunnels
	}
	if memoryBudget == 0 {
		memoryBudget = DefaultMemoryBudget
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cfg.MaxTunnels, m.cfg.MemoryBudget = maxTunnels, memoryBudget
}
