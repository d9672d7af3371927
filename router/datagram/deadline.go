package datagram

import (
	"sync"
	"time"

	"i2pgate/router/clock"
)

// deadline is one direction's deadline: a channel closed once it passes,
// rearmed by set. Its timer comes from the injected clock.
type deadline struct {
	clock clock.Clock

	// mu guards the fields below.
	mu     sync.Mutex
	timer  clock.Timer
	passed chan struct{} // closed once the deadline has passed
	gen    uint64        // which set armed the timer
}

func newDeadline(c clock.Clock) *deadline {
	return &deadline{clock: c, passed: make(chan struct{})}
}

// set moves the deadline to t; the zero time means none.
func (d *deadline) set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopLocked()
	if isClosed(d.passed) {
		d.passed = make(chan struct{})
	}
	if t.IsZero() {
		return
	}
	wait := t.Sub(d.clock.Now())
	if wait <= 0 {
		close(d.passed)
		return
	}
	gen := d.gen
	d.timer = d.clock.AfterFunc(wait, func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.gen == gen && !isClosed(d.passed) {
			close(d.passed)
		}
	})
}

// wait returns a channel closed when the deadline passes.
func (d *deadline) wait() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.passed
}

// expired reports whether the deadline has passed.
func (d *deadline) expired() bool { return isClosed(d.wait()) }

// stop releases the timer.
func (d *deadline) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopLocked()
}

func (d *deadline) stopLocked() {
	d.gen++
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
