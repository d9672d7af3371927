package reseed

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"i2pgate/router/clock/clocktest"
)

func TestBackoffNext(t *testing.T) {
	b := &Backoff{Min: time.Second, Max: 8 * time.Second}
	for round := range 2 {
		for i, ceil := range []time.Duration{1, 2, 4, 8, 8, 8} {
			ceil *= time.Second
			for range 20 {
				bb := *b
				if d := bb.Next(); d < ceil/2 || d > ceil {
					t.Fatalf("round %d attempt %d: %v not in [%v, %v]", round, i, d, ceil/2, ceil)
				}
			}
			b.Next()
		}
		b.Reset()
	}
	// Defaults, and no overflow however long it runs.
	d := &Backoff{}
	for range 100 {
		if n := d.Next(); n < DefaultBackoffMin/2 || n > DefaultBackoffMax {
			t.Fatalf("default delay %v", n)
		}
	}
	huge := &Backoff{Min: time.Second, Max: math.MaxInt64}
	for range 100 {
		if n := huge.Next(); n <= 0 {
			t.Fatalf("overflow: %v", n)
		}
	}
	inverted := &Backoff{Min: time.Hour, Max: time.Minute}
	if n := inverted.Next(); n > time.Minute {
		t.Fatalf("Min above Max: %v", n)
	}
}

// TestReseedUntil fails twice (the WAN is down), then succeeds, on a fake
// clock.
func TestReseedUntil(t *testing.T) {
	clk := clocktest.New(time.Now())
	src := &fakeSource{name: "flaky", ris: rawOf(testRouterInfos(t, 2, clk.Now())), failures: 2}
	r, err := New(Config{Sources: []Source{src}, NetID: testNetID, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	b := &Backoff{Min: time.Second, Max: time.Minute, Clock: clk}
	type result struct {
		ris [][]byte
		err error
	}
	done := make(chan result, 1)
	start := clk.Now()
	go func() {
		ris, err := r.ReseedUntil(context.Background(), b)
		done <- result{ris, err}
	}()
	// Advance until it is done: other timers (a source's timeout) may be
	// armed besides the backoff's, so counting timers could wait forever.
	var res result
wait:
	for {
		select {
		case res = <-done:
			break wait
		case <-time.After(2 * time.Millisecond):
			clk.Advance(time.Minute)
		}
	}
	if res.err != nil || len(res.ris) != 2 {
		t.Fatalf("%d, %v", len(res.ris), res.err)
	}
	if src.calls.Load() != 3 {
		t.Fatalf("%d attempts", src.calls.Load())
	}
	if waited := clk.Now().Sub(start); waited < 2*time.Minute {
		t.Fatalf("waited %v", waited)
	}
}

func TestReseedUntilCanceled(t *testing.T) {
	clk := clocktest.New(time.Now())
	src := &fakeSource{name: "down", err: errors.New("unreachable")}
	r, _ := New(Config{Sources: []Source{src}, Clock: clk})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := r.ReseedUntil(ctx, &Backoff{Clock: clk})
		done <- err
	}()
	clk.BlockUntil(1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("ReseedUntil = %v", err)
	}
}
