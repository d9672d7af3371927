// Package clock gives the router an injectable source of time: the Clock
// interface (Now, timers, tickers), the real System clock and Skewed, a clock
// that corrects the local time by the median offset learned from peers.
//
// It leaves to others where the samples come from (transports feed peers'
// handshake timestamps into Skewed.AddSample) and what to do about a large
// skew (the router decides whether to warn or refuse to start). Tests use the
// deterministic fake in package clocktest.
package clock

import "time"

// Clock is the time source every component takes as a dependency. A nil
// Clock in a Config means System(); see Or.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// NewTimer returns a Timer that sends the time on its channel after d.
	NewTimer(d time.Duration) Timer
	// AfterFunc calls f in its own goroutine after d. The Timer's C is nil.
	AfterFunc(d time.Duration, f func()) Timer
	// NewTicker returns a Ticker that sends the time every d; d must be > 0.
	NewTicker(d time.Duration) Ticker
}

// Timer is a single event, like *time.Timer. After Stop or Reset returns,
// no stale value is received from C (Go 1.23 timer semantics).
type Timer interface {
	// C returns the channel on which the time is delivered; nil for timers
	// made by AfterFunc.
	C() <-chan time.Time
	// Stop prevents the Timer from firing. It reports whether the call
	// stopped the timer (false if it had already fired or been stopped).
	Stop() bool
	// Reset changes the timer to fire after d. It reports whether the timer
	// had been active.
	Reset(d time.Duration) bool
}

// Ticker delivers ticks at intervals, like *time.Ticker. Slow receivers miss
// ticks rather than queue them.
type Ticker interface {
	// C returns the channel on which ticks are delivered.
	C() <-chan time.Time
	// Stop turns off the ticker; no more ticks are sent.
	Stop()
	// Reset stops the ticker and restarts it with period d (> 0).
	Reset(d time.Duration)
}

// System returns the real clock, backed by package time.
func System() Clock { return systemClock{} }

// Or returns c, or System() when c is nil, for Configs where nil means the
// default clock.
func Or(c Clock) Clock {
	if c == nil {
		return System()
	}
	return c
}

type systemClock struct{}

var _ Clock = systemClock{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) NewTimer(d time.Duration) Timer {
	t := time.NewTimer(d)
	return systemTimer{t: t, c: t.C}
}

func (systemClock) AfterFunc(d time.Duration, f func()) Timer {
	return systemTimer{t: time.AfterFunc(d, f)}
}

func (systemClock) NewTicker(d time.Duration) Ticker {
	return systemTicker{time.NewTicker(d)}
}

type systemTimer struct {
	t *time.Timer
	c <-chan time.Time // nil for AfterFunc timers
}

func (s systemTimer) C() <-chan time.Time        { return s.c }
func (s systemTimer) Stop() bool                 { return s.t.Stop() }
func (s systemTimer) Reset(d time.Duration) bool { return s.t.Reset(d) }

type systemTicker struct{ t *time.Ticker }

func (s systemTicker) C() <-chan time.Time   { return s.t.C }
func (s systemTicker) Stop()                 { s.t.Stop() }
func (s systemTicker) Reset(d time.Duration) { s.t.Reset(d) }
