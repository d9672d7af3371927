package destination

import (
	"i2pgate/router/data"
	"sort"
)

// TrimRemotes shrinks the cache of remote lease sets to at most limit
// entries (the router asks while it is short of memory): expired ones go
// first, then the least recently used. A dropped lease set is looked up
// again when it is next needed. It returns how many it dropped.
func (d *Destination) TrimRemotes(limit int) int {
	limit = max(limit, 0)
	now := d.clk.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	before := len(d.mu.remotes)
	for k, r := range d.mu.remotes {
		if !r.expires.After(now) {
			delete(d.mu.remotes, k)
		}
	}
	if excess := len(d.mu.remotes) - limit; excess > 0 {
		keys := make([]data.Hash, 0, len(d.mu.remotes))
		for k := range d.mu.remotes {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			return d.mu.remotes[keys[i]].used.Before(d.mu.remotes[keys[j]].used)
		})
		for _, k := range keys[:excess] {
			delete(d.mu.remotes, k)
		}
	}
	return before - len(d.mu.remotes)
}
