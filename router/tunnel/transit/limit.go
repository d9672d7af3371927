package transit

import (
	"sync"
	"time"

	"i2pgate/router/data"
)

// bucket is a token bucket: rate tokens per second up to burst.
type bucket struct {
	tokens float64
	last   time.Time
}

func (b *bucket) take(rate, burst float64, now time.Time) bool {
	if b.last.IsZero() {
		b.tokens = burst
	} else if d := now.Sub(b.last); d > 0 {
		b.tokens = min(burst, b.tokens+d.Seconds()*rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// limiter holds the router-wide and per-previous-hop build request
// buckets; the per-hop table is bounded, evicting the least recently
// used hop when full.
type limiter struct {
	rate, burst       float64
	hopRate, hopBurst float64
	maxHops           int

	// mu guards the buckets.
	mu     sync.Mutex
	global bucket
	hops   map[data.Hash]*bucket
}

func newLimiter(cfg *Config) *limiter {
	return &limiter{
		rate: cfg.BuildRate, burst: cfg.BuildBurst,
		hopRate: cfg.HopRate, hopBurst: cfg.HopBurst,
		maxHops: cfg.MaxHops,
		hops:    make(map[data.Hash]*bucket),
	}
}

// allowHop takes a token from hop from's bucket.
func (l *limiter) allowHop(from data.Hash, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.hops[from]
	if b == nil {
		if len(l.hops) >= l.maxHops {
			l.evictLocked()
		}
		b = &bucket{}
		l.hops[from] = b
	}
	return b.take(l.hopRate, l.hopBurst, now)
}

// allowGlobal takes a token from the router-wide bucket.
func (l *limiter) allowGlobal(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.global.take(l.rate, l.burst, now)
}

func (l *limiter) evictLocked() {
	var oldest data.Hash
	var t time.Time
	first := true
	for h, b := range l.hops {
		if first || b.last.Before(t) {
			oldest, t, first = h, b.last, false
		}
	}
	delete(l.hops, oldest)
}

// expire forgets hops idle long enough for their bucket to be full.
func (l *limiter) expire(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for h, b := range l.hops {
		if now.Sub(b.last) > hopBucketIdle {
			delete(l.hops, h)
		}
	}
}

// meter measures the transit rate in bytes per second: the larger of the
// last complete one-second window and the current one.
type meter struct {
	// mu guards the window.
	mu     sync.Mutex
	start  time.Time
	bytes  uint64
	lastBs uint64
}

func (m *meter) add(n int, now time.Time) {
	m.mu.Lock()
	m.rollLocked(now)
	m.bytes += uint64(n)
	m.mu.Unlock()
}

func (m *meter) rate(now time.Time) uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rollLocked(now)
	return max(m.lastBs, m.bytes)
}

func (m *meter) rollLocked(now time.Time) {
	d := now.Sub(m.start)
	switch {
	case m.start.IsZero() || d < 0:
		m.start, m.bytes, m.lastBs = now, 0, 0
	case d >= 2*time.Second:
		m.start, m.bytes, m.lastBs = now, 0, 0
	case d >= time.Second:
		m.lastBs = m.bytes
		m.start, m.bytes = m.start.Add(time.Second), 0
	}
}
