package ratchet

import (
	"fmt"
	"time"

	"i2pgate/router/i2np"
)

// Diagnosis of messages with a tag we do not expect: was it one we already
// received (a duplicate delivery), or a tag of one of our tag sets beyond
// what we generated (a burst wider than the look-ahead and the search)?

const (
	// recentTags is how many received tags are remembered to recognise a
	// duplicate (8 bytes each).
	recentTags = 1024
	// probeDepth is how far past its last generated tag each inbound
	// tag set is searched for an unknown tag, at most once per
	// probeInterval (the search costs about 2 ms per 1000 tags).
	probeDepth    = 2048
	probeInterval = 5 * time.Second
)

// tagRing holds the last received tags.
type tagRing struct {
	tags [recentTags]i2np.RatchetTag
	next int
	full bool
}

func (r *tagRing) add(t i2np.RatchetTag) {
	r.tags[r.next] = t
	r.next++
	if r.next == len(r.tags) {
		r.next, r.full = 0, true
	}
}

func (r *tagRing) has(t i2np.RatchetTag) bool {
	n := r.next
	if r.full {
		n = len(r.tags)
	}
	for _, x := range r.tags[:n] {
		if x == t {
			return true
		}
	}
	return false
}

// diagnoseLocked explains an unknown tag for the error message, and counts
// duplicates and tags found past the windows.
func (m *Manager) diagnoseLocked(tag i2np.RatchetTag, now time.Time) string {
	if m.mu.recent.has(tag) {
		m.mu.stats.RejectedDuplicate++
		return "received before (a duplicate)"
	}
	if now.Sub(m.mu.lastProbe) < probeInterval {
		return "not probed"
	}
	m.mu.lastProbe = now
	for s := range m.mu.all {
		for _, ts := range s.recv {
			c := ts.chains
			for range probeDepth {
				if c.exhausted() {
					break
				}
				t, idx := c.tag()
				if t == tag {
					m.mu.stats.RejectedAhead++
					return fmt.Sprintf("index %d of tag set %d, %d past its last tag %d (window from %d)",
						idx, ts.id, idx-ts.nextTag+1, ts.nextTag-1, ts.base)
				}
			}
		}
	}
	return fmt.Sprintf("not within %d tags of any of %d sessions", probeDepth, len(m.mu.all))
}
