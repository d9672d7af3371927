package streaming

import (
	"fmt"
	"time"
)

// armLocked points the connection's one timer at the earliest of its
// events.
func (c *Conn) armLocked(now time.Time) {
	next := time.Time{}
	for _, t := range []time.Time{c.mu.connectAt, c.mu.rtoAt, c.mu.ackAt, c.mu.closeAt, c.mu.timeWaitAt, c.mu.probeAt, c.idleAtLocked()} {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	if next.Equal(c.mu.timerAt) {
		return
	}
	c.mu.timerAt = next
	if next.IsZero() {
		if c.mu.timer != nil {
			c.mu.timer.Stop()
		}
		return
	}
	d := max(next.Sub(now), 0)
	if c.mu.timer == nil {
		c.mu.timer = c.m.s.clock.AfterFunc(d, c.onTimer)
	} else {
		c.mu.timer.Reset(d)
	}
}

// idleAtLocked is when an open connection times out for silence.
func (c *Conn) idleAtLocked() time.Time {
	if c.mu.state != stateOpen || c.m.s.IdleTimeout < 0 {
		return time.Time{}
	}
	return c.mu.lastActivity.Add(c.m.s.IdleTimeout)
}

func (c *Conn) onTimer() {
	if !c.m.enter() {
		return
	}
	defer c.m.leave()
	c.run(func(now time.Time, a *actions) {
		if c.mu.state == stateDead {
			return
		}
		if !c.mu.timerAt.After(now) {
			c.mu.timerAt = time.Time{}
		}
		c.timersLocked(now, a)
	})
}

// timersLocked handles the events that are due.
func (c *Conn) timersLocked(now time.Time, a *actions) {
	due := func(t time.Time) bool { return !t.IsZero() && !t.After(now) }
	switch {
	case due(c.mu.timeWaitAt):
		c.mu.timeWaitAt = time.Time{}
		c.mu.state = stateDead
		a.forget = true
		a.endPeer, a.endNext, a.endUnacked = c.mu.peerID, c.mu.recv.next, len(c.mu.send.unacked)
		c.wakeLocked()
		return
	case due(c.mu.connectAt):
		c.failLocked(now, fmt.Errorf("streaming: connect: %w", ErrTimeout), true, a)
		return
	case due(c.mu.closeAt):
		c.failLocked(now, fmt.Errorf("streaming: close: %w", ErrTimeout), true, a)
		return
	case due(c.idleAtLocked()):
		c.failLocked(now, fmt.Errorf("streaming: idle: %w", ErrTimeout), true, a)
		return
	}
	if due(c.mu.rtoAt) {
		c.onTimeoutLocked(now, a)
	}
	if due(c.mu.ackAt) {
		c.mu.ackAt = time.Time{}
		c.mu.recv.ackNow = true
	}
	if due(c.mu.probeAt) {
		c.probeLocked(now)
	}
	c.flushLocked(now, a)
}

// Receiver probes: when data stops arriving before the peer's CLOSE, our
// ACK (with its NACKs) goes again after MinProbeDelay or two RTOs, then at
// doubling intervals, MaxProbes times. i2pd 2.45.1 was seen to leave a
// transfer stalled near its end under load; an ACK makes it resend.
const (
	MinProbeDelay = 3 * time.Second
	MaxProbes     = 6
)

// armProbeLocked (re)starts the probes after data arrived.
func (c *Conn) armProbeLocked(now time.Time) {
	if c.mu.state != stateOpen || c.mu.recv.remoteClosed {
		c.mu.probeAt, c.mu.probes = time.Time{}, 0
		return
	}
	c.mu.probes = 0
	c.mu.probeAt = now.Add(max(2*c.mu.send.rto, MinProbeDelay))
}

// probeLocked sends our ACK again and schedules the next probe.
func (c *Conn) probeLocked(now time.Time) {
	c.mu.probeAt = time.Time{}
	if c.mu.state != stateOpen || c.mu.recv.remoteClosed || c.mu.recv.next == 0 {
		return
	}
	c.mu.recv.ackNow = true
	c.mu.probes++
	if c.mu.probes < MaxProbes {
		c.mu.probeAt = now.Add(max(2*c.mu.send.rto, MinProbeDelay) << c.mu.probes)
	}
}
