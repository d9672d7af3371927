package automap

import (
	"sort"
	"sync"
)

// MemoryPersist is a Persist kept in RAM, for tests and for running without
// storage. The zero value is ready to use.
type MemoryPersist struct {
	// mu guards m.
	mu struct {
		sync.Mutex
		m map[string]Entry
	}
}

var _ Persist = (*MemoryPersist)(nil)

// Load implements Persist; entries come in name order.
func (p *MemoryPersist) Load() ([]Entry, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Entry, 0, len(p.mu.m))
	for _, e := range p.mu.m {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Save implements Persist.
func (p *MemoryPersist) Save(e Entry) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mu.m == nil {
		p.mu.m = make(map[string]Entry)
	}
	p.mu.m[e.Name] = e
	return nil
}

// Delete implements Persist.
func (p *MemoryPersist) Delete(name string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.mu.m, name)
	return nil
}

// Len returns the number of stored entries.
func (p *MemoryPersist) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.mu.m)
}
