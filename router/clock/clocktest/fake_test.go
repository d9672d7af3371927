package clocktest_test

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"

	"i2pgate/router/clock"
	"i2pgate/router/clock/clocktest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var start = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func recv(c <-chan time.Time) (time.Time, bool) {
	select {
	case v := <-c:
		return v, true
	default:
		return time.Time{}, false
	}
}

func TestTimerFiresOnAdvance(t *testing.T) {
	f := clocktest.New(start)
	tm := f.NewTimer(10 * time.Second)
	f.Advance(9 * time.Second)
	if _, ok := recv(tm.C()); ok {
		t.Fatal("timer fired early")
	}
	f.Advance(time.Second)
	v, ok := recv(tm.C())
	if !ok || !v.Equal(start.Add(10*time.Second)) {
		t.Fatalf("got %v %v, want fire at +10s", v, ok)
	}
	if tm.Stop() {
		t.Fatal("Stop after fire = true")
	}
	if tm.Reset(time.Second) {
		t.Fatal("Reset of fired timer = true")
	}
	if !tm.Stop() {
		t.Fatal("Stop of armed timer = false")
	}
	f.Advance(time.Hour)
	if _, ok := recv(tm.C()); ok {
		t.Fatal("stopped timer fired")
	}
}

func TestStopDrains(t *testing.T) {
	f := clocktest.New(start)
	tm := f.NewTimer(time.Second)
	f.Advance(time.Second) // fires, value sits in the channel
	tm.Reset(time.Minute)
	if _, ok := recv(tm.C()); ok {
		t.Fatal("stale value after Reset")
	}
}

func TestOrderAndNow(t *testing.T) {
	f := clocktest.New(start)
	var got []time.Duration
	for _, d := range []time.Duration{3 * time.Second, time.Second, 2 * time.Second, time.Second} {
		f.AfterFunc(d, func() { got = append(got, f.Now().Sub(start)) })
	}
	f.Advance(5 * time.Second)
	want := []time.Duration{time.Second, time.Second, 2 * time.Second, 3 * time.Second}
	if len(got) != len(want) {
		t.Fatalf("fired %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("fired %v, want %v", got, want)
		}
	}
	if !f.Now().Equal(start.Add(5 * time.Second)) {
		t.Fatalf("Now() = %v", f.Now())
	}
}

func TestAfterFuncReschedules(t *testing.T) {
	f := clocktest.New(start)
	n := 0
	var tm clock.Timer
	tm = f.AfterFunc(time.Second, func() {
		n++
		tm.Reset(time.Second)
	})
	f.Advance(10 * time.Second)
	if n != 10 {
		t.Fatalf("fired %d times, want 10", n)
	}
	tm.Stop()
	if f.Pending() != 0 {
		t.Fatalf("Pending() = %d", f.Pending())
	}
}

func TestTicker(t *testing.T) {
	f := clocktest.New(start)
	tk := f.NewTicker(time.Second)
	for i := 1; i <= 3; i++ {
		f.Advance(time.Second)
		v, ok := recv(tk.C())
		if !ok || !v.Equal(start.Add(time.Duration(i)*time.Second)) {
			t.Fatalf("tick %d: %v %v", i, v, ok)
		}
	}
	f.Advance(time.Hour) // one tick kept, the rest dropped
	if _, ok := recv(tk.C()); !ok {
		t.Fatal("no tick after a long advance")
	}
	if _, ok := recv(tk.C()); ok {
		t.Fatal("ticks queued")
	}
	tk.Reset(time.Minute)
	f.Advance(59 * time.Second)
	if _, ok := recv(tk.C()); ok {
		t.Fatal("tick before reset period")
	}
	f.Advance(time.Second)
	if _, ok := recv(tk.C()); !ok {
		t.Fatal("no tick after reset period")
	}
	tk.Stop()
	f.Advance(time.Hour)
	if _, ok := recv(tk.C()); ok {
		t.Fatal("tick after Stop")
	}
}

func TestSet(t *testing.T) {
	f := clocktest.New(start)
	tm := f.NewTimer(time.Minute)
	f.Set(start.Add(-time.Hour))
	if !f.Now().Equal(start.Add(-time.Hour)) {
		t.Fatal("Set backward")
	}
	f.Set(start.Add(30 * time.Second))
	if _, ok := recv(tm.C()); ok {
		t.Fatal("timer fired before its deadline")
	}
	f.Set(start.Add(time.Hour))
	if _, ok := recv(tm.C()); !ok {
		t.Fatal("timer did not fire after Set forward")
	}
}

// TestBlockUntil drives a goroutine that waits on a timer in a loop, with no
// sleeps.
func TestBlockUntil(t *testing.T) {
	f := clocktest.New(start)
	ticks := make(chan time.Time)
	done := make(chan struct{})
	go func() {
		defer close(ticks)
		for range 3 {
			tm := f.NewTimer(time.Second)
			select {
			case v := <-tm.C():
				ticks <- v
			case <-done:
				tm.Stop()
				return
			}
		}
	}()
	for i := 1; i <= 3; i++ {
		f.BlockUntil(1)
		f.Advance(time.Second)
		if v := <-ticks; !v.Equal(start.Add(time.Duration(i) * time.Second)) {
			t.Fatalf("tick %d at %v", i, v)
		}
	}
	close(done)
	<-ticks

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := f.BlockUntilContext(ctx, 5); err == nil {
		t.Fatal("BlockUntilContext(5) returned nil with no timers")
	}
}
