package tunnel

import "sync/atomic"

// Budget is a byte budget that the reassembly of many endpoints draws from,
// so that a router-wide bound holds however many endpoints exist (all the
// outbound endpoints of transit tunnels share one). An endpoint still keeps
// its own per-endpoint limits; the budget is checked in addition. It is safe
// for concurrent use.
type Budget struct {
	max  int64
	used atomic.Int64
}

// NewBudget returns a budget of max bytes; max <= 0 means no limit.
func NewBudget(max int64) *Budget { return &Budget{max: max} }

// take charges n bytes if they fit and reports whether they did.
func (b *Budget) take(n int) bool {
	if b == nil {
		return true
	}
	for {
		cur := b.used.Load()
		if b.max > 0 && cur+int64(n) > b.max {
			return false
		}
		if b.used.CompareAndSwap(cur, cur+int64(n)) {
			return true
		}
	}
}

// give returns n bytes.
func (b *Budget) give(n int) {
	if b != nil && n != 0 {
		b.used.Add(-int64(n))
	}
}

// Used returns the bytes charged now.
func (b *Budget) Used() int64 { return b.used.Load() }

// Max returns the limit (0: none).
func (b *Budget) Max() int64 { return max(b.max, 0) }
