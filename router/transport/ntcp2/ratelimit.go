package ntcp2

import (
	"net/netip"
	"sync"
	"time"
)

// Per-IP handshake rate limit defaults: a burst of handshakes, then one per
// interval (ntcp2.rst "DoS Mitigation": limit repeated or simultaneous
// connections from the same source).
const (
	DefaultHandshakeBurst    = 8
	DefaultHandshakeInterval = 5 * time.Second
	// maxRateEntries bounds the limiter's memory; stale entries are
	// dropped first, then the table is reset.
	maxRateEntries = 4096
)

// rateLimiter is a token bucket per source IP. It is safe for concurrent
// use.
type rateLimiter struct {
	burst    float64
	interval time.Duration
	mu       struct {
		sync.Mutex
		buckets map[netip.Addr]*bucket // guarded by mu
	}
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(burst int, interval time.Duration) *rateLimiter {
	l := &rateLimiter{burst: float64(burst), interval: interval}
	l.mu.buckets = make(map[netip.Addr]*bucket)
	return l
}

// allow takes a token for ip at now and reports whether one was available.
func (l *rateLimiter) allow(ip netip.Addr, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.mu.buckets[ip]
	if !ok {
		if len(l.mu.buckets) >= maxRateEntries {
			l.pruneLocked(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.mu.buckets[ip] = b
	}
	if el := now.Sub(b.last); el > 0 {
		b.tokens = min(l.burst, b.tokens+float64(el)/float64(l.interval))
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// pruneLocked drops buckets that have refilled; if none has, it resets.
func (l *rateLimiter) pruneLocked(now time.Time) {
	full := time.Duration(l.burst) * l.interval
	for ip, b := range l.mu.buckets {
		if now.Sub(b.last) >= full {
			delete(l.mu.buckets, ip)
		}
	}
	if len(l.mu.buckets) >= maxRateEntries {
		clear(l.mu.buckets)
	}
}
