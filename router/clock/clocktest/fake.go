// Package clocktest provides Fake, a deterministic clock.Clock for tests:
// time only moves when the test calls Advance or Set, and timers, tickers and
// AfterFunc callbacks due by then fire in deadline order before Advance
// returns. BlockUntil lets a test wait until the code under test has armed
// its timers, so tests of goroutine code need no sleeps.
package clocktest

import (
	"context"
	"sync"
	"time"

	"i2pgate/router/clock"
)

// Fake is a manually driven clock. The zero value is not usable; use New.
type Fake struct {
	// mu guards the time, the active timers and the change channel.
	mu struct {
		sync.Mutex
		now     time.Time
		active  []*timer      // armed timers and tickers, unordered
		seq     uint64        // arming order, breaks ties between equal deadlines
		changed chan struct{} // closed and replaced when active changes
	}
}

var _ clock.Clock = (*Fake)(nil)

// New returns a Fake clock reading start.
func New(start time.Time) *Fake {
	f := &Fake{}
	f.mu.now = start
	f.mu.changed = make(chan struct{})
	return f
}

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.mu.now
}

// Since returns the fake time elapsed since t.
func (f *Fake) Since(t time.Time) time.Duration { return f.Now().Sub(t) }

// NewTimer implements clock.Clock. Its channel has a buffer of one.
func (f *Fake) NewTimer(d time.Duration) clock.Timer {
	t := &timer{f: f, c: make(chan time.Time, 1)}
	f.arm(t, d)
	return t
}

// AfterFunc implements clock.Clock. fn runs on the goroutine that calls
// Advance or Set, after the clock's lock is released, so it may use the
// clock; it must not wait for the goroutine driving the clock.
func (f *Fake) AfterFunc(d time.Duration, fn func()) clock.Timer {
	t := &timer{f: f, fn: fn}
	f.arm(t, d)
	return t
}

// NewTicker implements clock.Clock; d must be > 0. A tick nobody has
// received yet is not queued behind: like time.Ticker, slow receivers miss
// ticks.
func (f *Fake) NewTicker(d time.Duration) clock.Ticker {
	if d <= 0 {
		panic("clocktest: non-positive interval for NewTicker")
	}
	t := &timer{f: f, c: make(chan time.Time, 1), period: d}
	f.arm(t, d)
	return &ticker{t}
}

// Advance moves the clock forward by d, firing every timer due on the way in
// deadline order; the clock reads each timer's deadline while it fires.
// Negative d is ignored.
func (f *Fake) Advance(d time.Duration) {
	if d < 0 {
		return
	}
	f.mu.Lock()
	target := f.mu.now.Add(d)
	f.mu.Unlock()
	f.advanceTo(target)
}

// Set moves the clock to t. Going forward fires due timers as Advance does;
// going backward fires nothing (armed timers keep their deadlines).
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	if !t.After(f.mu.now) {
		f.mu.now = t
		f.mu.Unlock()
		return
	}
	f.mu.Unlock()
	f.advanceTo(t)
}

// Pending returns how many timers, tickers and AfterFunc timers are armed.
func (f *Fake) Pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.mu.active)
}

// BlockUntil waits until at least n timers, tickers or AfterFunc timers are
// armed.
func (f *Fake) BlockUntil(n int) {
	_ = f.BlockUntilContext(context.Background(), n)
}

// BlockUntilContext is BlockUntil that gives up when ctx is done, returning
// ctx.Err().
func (f *Fake) BlockUntilContext(ctx context.Context, n int) error {
	for {
		f.mu.Lock()
		if len(f.mu.active) >= n {
			f.mu.Unlock()
			return nil
		}
		ch := f.mu.changed
		f.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (f *Fake) advanceTo(target time.Time) {
	for {
		f.mu.Lock()
		t := f.nextDueLocked(target)
		if t == nil {
			if target.After(f.mu.now) {
				f.mu.now = target
			}
			f.mu.Unlock()
			return
		}
		if t.when.After(f.mu.now) {
			f.mu.now = t.when
		}
		now := f.mu.now
		fn := f.fireLocked(t, now, target)
		f.mu.Unlock()
		if fn != nil {
			fn()
		}
	}
}

// nextDueLocked returns the armed timer with the earliest deadline not after
// target, or nil.
func (f *Fake) nextDueLocked(target time.Time) *timer {
	var best *timer
	for _, t := range f.mu.active {
		if t.when.After(target) {
			continue
		}
		if best == nil || t.when.Before(best.when) || (t.when.Equal(best.when) && t.seq < best.seq) {
			best = t
		}
	}
	return best
}

// fireLocked delivers t at now and returns an AfterFunc callback to run
// after unlocking, if any.
func (f *Fake) fireLocked(t *timer, now, target time.Time) func() {
	if t.period > 0 {
		full := false
		select {
		case t.c <- now:
		default:
			full = true
		}
		t.when = t.when.Add(t.period)
		if full && !t.when.After(target) {
			// The receiver is behind: skip ticks it would miss anyway.
			k := target.Sub(t.when)/t.period + 1
			t.when = t.when.Add(k * t.period)
		}
		return nil
	}
	f.disarmLocked(t)
	if t.fn != nil {
		return t.fn
	}
	select {
	case t.c <- now:
	default:
	}
	return nil
}

func (f *Fake) arm(t *timer, d time.Duration) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	was := f.disarmLocked(t)
	t.drain()
	f.mu.seq++
	t.seq = f.mu.seq
	t.when = f.mu.now.Add(d)
	t.armed = true
	f.mu.active = append(f.mu.active, t)
	f.notifyLocked()
	return was
}

func (f *Fake) disarmLocked(t *timer) bool {
	if !t.armed {
		return false
	}
	t.armed = false
	for i, x := range f.mu.active {
		if x == t {
			last := len(f.mu.active) - 1
			f.mu.active[i] = f.mu.active[last]
			f.mu.active[last] = nil
			f.mu.active = f.mu.active[:last]
			break
		}
	}
	f.notifyLocked()
	return true
}

func (f *Fake) notifyLocked() {
	close(f.mu.changed)
	f.mu.changed = make(chan struct{})
}

// timer is a fake timer, ticker (period > 0) or AfterFunc timer (fn != nil).
// Its fields are guarded by f.mu.
type timer struct {
	f      *Fake
	c      chan time.Time
	fn     func()
	period time.Duration
	when   time.Time
	seq    uint64
	armed  bool
}

func (t *timer) C() <-chan time.Time { return t.c }

func (t *timer) Stop() bool {
	t.f.mu.Lock()
	defer t.f.mu.Unlock()
	t.drain()
	return t.f.disarmLocked(t)
}

func (t *timer) Reset(d time.Duration) bool { return t.f.arm(t, d) }

// drain drops an undelivered value so that none is received after Stop or
// Reset.
func (t *timer) drain() {
	if t.c == nil {
		return
	}
	select {
	case <-t.c:
	default:
	}
}

type ticker struct{ t *timer }

func (k *ticker) C() <-chan time.Time { return k.t.c }
func (k *ticker) Stop()               { k.t.Stop() }

func (k *ticker) Reset(d time.Duration) {
	if d <= 0 {
		panic("clocktest: non-positive interval for Ticker.Reset")
	}
	k.t.f.mu.Lock()
	k.t.period = d
	k.t.f.mu.Unlock()
	k.t.f.arm(k.t, d)
}
