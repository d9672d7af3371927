package streaming

import "sync/atomic"

// budget is a count of bytes shared by the connections of a Manager, with
// a limit. Safe for concurrent use; a nil *budget has no limit.
type budget struct {
	limit int64
	used  atomic.Int64
}

// take reserves n bytes if they fit under the limit.
func (b *budget) take(n int) bool {
	if b == nil {
		return true
	}
	for {
		u := b.used.Load()
		if u+int64(n) > b.limit {
			return false
		}
		if b.used.CompareAndSwap(u, u+int64(n)) {
			return true
		}
	}
}

// release gives n bytes back.
func (b *budget) release(n int) {
	if b != nil && n != 0 {
		b.used.Add(-int64(n))
	}
}

// inUse is the bytes reserved now.
func (b *budget) inUse() int64 {
	if b == nil {
		return 0
	}
	return b.used.Load()
}
