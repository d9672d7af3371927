package ntcp2

import (
	"sync"
	"time"
)

// Replay cache defaults (ntcp2.rst "1) SessionRequest" notes: cache the
// handshake values and reject duplicates; entries live at least 2*D where D
// is the allowed clock skew).
const (
	DefaultReplayCapacity = 2048
	ReplayLifetime        = 2 * ClockSkew
)

// ReplayCache remembers ephemeral keys seen in handshakes for
// ReplayLifetime so that a replayed message 1 (or message 2) is refused.
// It is bounded: when full, the oldest entry is evicted (a replayed message
// 1 can still not complete a handshake; the cache only saves the work of
// answering it). It is safe for concurrent use.
type ReplayCache struct {
	mu struct {
		sync.Mutex
		seen  map[[32]byte]time.Time // guarded by mu
		order [][32]byte             // insertion order, a ring of cap entries
		head  int
	}
	capacity int
}

// NewReplayCache returns a cache for capacity keys (<= 0 means
// DefaultReplayCapacity).
func NewReplayCache(capacity int) *ReplayCache {
	if capacity <= 0 {
		capacity = DefaultReplayCapacity
	}
	c := &ReplayCache{capacity: capacity}
	c.mu.seen = make(map[[32]byte]time.Time)
	return c
}

// Seen records key at now and reports whether it was already recorded
// within ReplayLifetime.
func (c *ReplayCache) Seen(key [32]byte, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.mu.seen[key]; ok && now.Sub(t) < ReplayLifetime {
		return true
	}
	c.addLocked(key, now)
	return false
}

func (c *ReplayCache) addLocked(key [32]byte, now time.Time) {
	if _, ok := c.mu.seen[key]; ok {
		c.mu.seen[key] = now
		return
	}
	if len(c.mu.order) < c.capacity {
		c.mu.order = append(c.mu.order, key)
	} else {
		old := c.mu.order[c.mu.head]
		delete(c.mu.seen, old)
		c.mu.order[c.mu.head] = key
		c.mu.head = (c.mu.head + 1) % c.capacity
	}
	c.mu.seen[key] = now
}

// Len returns the number of keys held.
func (c *ReplayCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.mu.seen)
}
