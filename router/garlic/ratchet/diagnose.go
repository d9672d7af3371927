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
	probeInterval = time.Minute
	// probeBudget bounds the tags one search derives over all tag sets
	// (about 3 us each on amd64, 30 on a small ARM board).
	probeBudget = 1 << 15
	// The search also regenerates each tag set from its first tag, so
	// that a tag received long ago or trimmed is recognised, and looks
	// at the last few tag sets dropped.
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
	budget := probeBudget
	for s := range m.mu.all {
		for _, ts := range s.recv {
			if where, ok := probe(ts.origin, ts.nextTag+probeDepth, tag, &budget); ok {
				m.mu.stats.RejectedAhead++
				return fmt.Sprintf("index %d of tag set %d (nsr %v), whose tags run %d-%d: %s",
					where, ts.id, ts.nsr, ts.base, ts.nextTag-1, ahead(where, ts.base, ts.nextTag))
			}
		}
	}
	for _, d := range m.mu.dropped.sets {
		if !d.used {
			continue
		}
		if where, ok := probe(d.origin, d.last+1+probeDepth, tag, &budget); ok {
			return fmt.Sprintf("index %d of tag set %d (nsr %v), dropped %v ago with tags up to %d",
				where, d.id, d.nsr, now.Sub(d.at).Round(time.Second), d.last)
		}
	}
	if budget <= 0 {
		return fmt.Sprintf("not among the first %d tags searched", probeBudget)
	}
	return fmt.Sprintf("not among the tags of %d sessions nor of the last dropped tag sets", len(m.mu.all))
}

func ahead(idx, base, next int) string {
	switch {
	case idx >= next:
		return fmt.Sprintf("%d past the last", idx-next+1)
	case idx < base:
		return fmt.Sprintf("%d behind the first kept", base-idx)
	}
	return "received or trimmed"
}

// probe looks for tag among the first n tags of chains c, within budget.
func probe(c chains, n int, tag i2np.RatchetTag, budget *int) (int, bool) {
	for range n {
		if c.exhausted() || *budget <= 0 {
			return 0, false
		}
		*budget--
		t, idx := c.tag()
		if t == tag {
			return idx, true
		}
	}
	return 0, false
}

// droppedSets remembers the last tag sets dropped, for diagnoseLocked.
type droppedSets struct {
	sets [4]droppedSet
	next int
}

type droppedSet struct {
	origin chains
	id     uint16
	nsr    bool
	last   int // last tag generated
	at     time.Time
	used   bool
}

func (d *droppedSets) add(ts *recvTagSet, now time.Time) {
	d.sets[d.next] = droppedSet{origin: ts.origin, id: ts.id, nsr: ts.nsr, last: ts.nextTag - 1, at: now, used: true}
	d.next = (d.next + 1) % len(d.sets)
}
