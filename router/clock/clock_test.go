package clock_test

import (
	"fmt"
	"testing"
	"time"

	"go.uber.org/goleak"

	"i2pgate/router/clock"
	"i2pgate/router/clock/clocktest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestSystem(t *testing.T) {
	c := clock.System()
	if d := time.Since(c.Now()); d < 0 || d > time.Second {
		t.Fatalf("System().Now() off by %v", d)
	}
	tm := c.NewTimer(time.Millisecond)
	<-tm.C()
	if tm.Stop() {
		t.Fatal("Stop of a fired timer reported true")
	}
	done := make(chan struct{})
	af := c.AfterFunc(time.Millisecond, func() { close(done) })
	if af.C() != nil {
		t.Fatal("AfterFunc timer has a channel")
	}
	<-done
	tk := c.NewTicker(time.Millisecond)
	<-tk.C()
	tk.Reset(2 * time.Millisecond)
	<-tk.C()
	tk.Stop()
}

func TestOr(t *testing.T) {
	if clock.Or(nil) == nil {
		t.Fatal("Or(nil) = nil")
	}
	f := clocktest.New(time.Unix(0, 0))
	if clock.Or(f) != clock.Clock(f) {
		t.Fatal("Or(f) != f")
	}
}

var skewStart = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func TestSkewed(t *testing.T) {
	s := time.Second
	tests := []struct {
		name    string
		offsets []time.Duration // peer minus local, one sample each
		want    time.Duration
	}{
		{"none", nil, 0},
		{"too few", []time.Duration{10 * s, 10 * s, 10 * s, 10 * s}, 0},
		{"five agree", []time.Duration{10 * s, 10 * s, 11 * s, 9 * s, 10 * s}, 10 * s},
		{"one liar", []time.Duration{-3 * s, -3 * s, -3 * s, -3 * s, -3 * s, 3600 * s}, -3 * s},
		{"two liars of seven", []time.Duration{5 * s, 5 * s, 6 * s, 5 * s, 5 * s, -86400 * s, 86400 * s}, 5 * s},
		{"liar below min agreeing", []time.Duration{7 * s, 7 * s, 7 * s, 7 * s, 900 * s}, 0},
		{"spread", []time.Duration{0, 100 * s, 200 * s, 300 * s, 400 * s, 500 * s, 600 * s, 700 * s}, 0},
		{"later minority keeps estimate", []time.Duration{s, s, s, s, s, 90 * s, 91 * s, 92 * s, 93 * s}, s},
		{"within tolerance", []time.Duration{s, 3 * s, 5 * s, 7 * s, 9 * s, 60 * s}, 5 * s},
		{"years behind", []time.Duration{3 * 365 * 24 * time.Hour, 3 * 365 * 24 * time.Hour, 3*365*24*time.Hour + s,
			3 * 365 * 24 * time.Hour, 3 * 365 * 24 * time.Hour}, 3 * 365 * 24 * time.Hour},
		{"even median", []time.Duration{2 * s, 2 * s, 2 * s, 4 * s, 4 * s, 4 * s}, 3 * s},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := clocktest.New(skewStart)
			sk := clock.NewSkewed(f, nil)
			for _, o := range tc.offsets {
				sk.AddSample(f.Now().Add(o), sk.Now())
			}
			if got := sk.Skew(); got != tc.want {
				t.Fatalf("Skew() = %v, want %v", got, tc.want)
			}
			if got := sk.Now(); !got.Equal(skewStart.Add(tc.want)) {
				t.Fatalf("Now() = %v, want %v", got, skewStart.Add(tc.want))
			}
		})
	}
}

func TestSkewedKeyedPeerCountsOnce(t *testing.T) {
	f := clocktest.New(skewStart)
	sk := clock.NewSkewed(f, nil)
	for range 20 {
		local := sk.Now()
		sk.AddPeerSample("liar", local.Add(time.Hour), local)
	}
	if sk.Skew() != 0 || sk.Samples() != 1 {
		t.Fatalf("one peer moved the clock: skew %v, samples %d", sk.Skew(), sk.Samples())
	}
	for _, p := range []string{"a", "b", "c", "d", "e"} {
		local := sk.Now()
		sk.AddPeerSample(p, local.Add(-20*time.Second), local)
	}
	if sk.Skew() != -20*time.Second {
		t.Fatalf("Skew() = %v, want -20s", sk.Skew())
	}
	// Samples taken from the corrected clock keep agreeing after the move.
	for _, p := range []string{"f", "g", "h"} {
		local := sk.Now()
		sk.AddPeerSample(p, local, local)
	}
	if sk.Skew() != -20*time.Second {
		t.Fatalf("Skew() after corrected samples = %v, want -20s", sk.Skew())
	}
}

func TestSkewedWindow(t *testing.T) {
	f := clocktest.New(skewStart)
	sk := clock.NewSkewed(f, &clock.SkewOptions{Window: 8, MinSamples: 3, Tolerance: time.Second})
	for range 8 {
		sk.AddSample(f.Now().Add(time.Minute), sk.Now())
	}
	if sk.Skew() != time.Minute {
		t.Fatalf("Skew() = %v, want 1m", sk.Skew())
	}
	// The window forgets old samples: eight new ones replace them.
	for range 8 {
		sk.AddSample(f.Now(), sk.Now())
	}
	if sk.Samples() != 8 || sk.Skew() != 0 {
		t.Fatalf("samples %d skew %v, want 8 and 0", sk.Samples(), sk.Skew())
	}
}

func TestSkewedConcurrent(t *testing.T) {
	sk := clock.NewSkewed(nil, nil)
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 200 {
				local := sk.Now()
				sk.AddPeerSample(string(rune('a'+g*10+i%10)), local.Add(time.Second), local)
				_ = sk.Skew()
			}
		}()
	}
	for range 4 {
		<-done
	}
	if sk.Samples() == 0 {
		t.Fatal("no samples")
	}
}

// Offsets within the timestamps' resolution are noise: the clock stays put;
// a real offset still moves it.
func TestSkewedResolution(t *testing.T) {
	base := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	s := clock.NewSkewed(clocktest.New(base), &clock.SkewOptions{MinSamples: 3, Resolution: time.Second})
	for i, off := range []time.Duration{-400, -300, -450, -200, -350} {
		s.AddPeerSample(fmt.Sprint("p", i), base.Add(off*time.Millisecond), s.Now())
	}
	if s.Skew() != 0 {
		t.Errorf("skew %v from sub-second noise", s.Skew())
	}
	for i := range 5 {
		s.AddPeerSample(fmt.Sprint("q", i), base.Add(5*time.Second), s.Now())
	}
	for i := range 5 {
		s.AddPeerSample(fmt.Sprint("p", i), base.Add(5*time.Second), s.Now())
	}
	if s.Skew() != 5*time.Second {
		t.Errorf("skew %v, want 5s", s.Skew())
	}
}

// A seed (SNTP, reseed) sets the offset until peers agree on one; then the
// peers' offset stays and later seeds are refused.
func TestSkewedSeed(t *testing.T) {
	f := clocktest.New(skewStart)
	sk := clock.NewSkewed(f, &clock.SkewOptions{Resolution: time.Second})
	if sk.Source() != clock.SourceNone {
		t.Fatalf("source %q, want none", sk.Source())
	}
	if !sk.Seed(2*time.Hour, clock.SourceReseed) || sk.Skew() != 2*time.Hour || sk.Source() != clock.SourceReseed {
		t.Fatalf("after seed: skew %v source %q", sk.Skew(), sk.Source())
	}
	if !f.Now().Add(2 * time.Hour).Equal(sk.Now()) {
		t.Fatal("Now does not carry the seed")
	}
	// A single peer 2 h 10 s ahead of the base cannot move it.
	sk.AddPeerSample("liar", f.Now().Add(2*time.Hour+10*time.Second), sk.Now())
	if sk.Skew() != 2*time.Hour || sk.Source() != clock.SourceReseed {
		t.Fatalf("one peer moved the seed: %v %q", sk.Skew(), sk.Source())
	}
	if n, total := sk.Disagreeing(5 * time.Second); n != 1 || total != 1 {
		t.Fatalf("Disagreeing = %d/%d, want 1/1", n, total)
	}
	for _, p := range []string{"a", "b", "c", "d", "e"} {
		sk.AddPeerSample(p, f.Now().Add(2*time.Hour+10*time.Second), sk.Now())
	}
	want := 2*time.Hour + 10*time.Second
	if sk.Skew() != want || sk.Source() != clock.SourcePeers {
		t.Fatalf("after peers: skew %v source %q, want %v peers", sk.Skew(), sk.Source(), want)
	}
	if n, _ := sk.Disagreeing(5 * time.Second); n != 0 {
		t.Fatalf("%d samples disagree with the peers' offset", n)
	}
	if sk.Seed(0, clock.SourceSNTP) || sk.Skew() != want {
		t.Fatalf("a seed overrode the peers: %v", sk.Skew())
	}
	// A sub-resolution seed is noise.
	sk2 := clock.NewSkewed(f, &clock.SkewOptions{Resolution: time.Second})
	sk2.Seed(300*time.Millisecond, clock.SourceSNTP)
	if sk2.Skew() != 0 || sk2.Source() != clock.SourceSNTP {
		t.Fatalf("sub-second seed: %v %q", sk2.Skew(), sk2.Source())
	}
}

// With QuickAgree, two or more peers that all agree on an offset beyond it
// move the clock though they are fewer than MinSamples; one peer never does,
// nor peers that disagree, nor a small agreeing offset.
func TestSkewedQuickAgree(t *testing.T) {
	f := clocktest.New(skewStart)
	opts := &clock.SkewOptions{QuickAgree: time.Minute, Resolution: time.Second}
	sk := clock.NewSkewed(f, opts)
	add := func(sk *clock.Skewed, peer string, off time.Duration) {
		sk.AddPeerSample(peer, f.Now().Add(off), sk.Now())
	}
	add(sk, "a", -2*time.Hour)
	if sk.Skew() != 0 {
		t.Fatalf("one peer moved the clock to %v", sk.Skew())
	}
	add(sk, "a", -2*time.Hour) // the same peer again
	if sk.Skew() != 0 {
		t.Fatalf("one peer twice moved the clock to %v", sk.Skew())
	}
	add(sk, "b", -2*time.Hour+time.Second)
	if sk.Skew() < -2*time.Hour || sk.Skew() > -2*time.Hour+time.Second || sk.Source() != clock.SourcePeers {
		t.Fatalf("two agreeing peers: skew %v source %q", sk.Skew(), sk.Source())
	}
	// An honest peer at the old time disagrees: the window no longer
	// agrees, and it takes a majority of MinSamples to move back.
	add(sk, "c", 0)
	if sk.Skew() > -time.Hour {
		t.Fatalf("a single disagreeing peer moved it back: %v", sk.Skew())
	}

	small := clock.NewSkewed(f, opts)
	add(small, "a", 30*time.Second)
	add(small, "b", 30*time.Second)
	if small.Skew() != 0 {
		t.Fatalf("offset within QuickAgree moved by two peers: %v", small.Skew())
	}
	off := clock.NewSkewed(f, &clock.SkewOptions{})
	add(off, "a", time.Hour)
	add(off, "b", time.Hour)
	if off.Skew() != 0 {
		t.Fatalf("QuickAgree off, yet two peers moved it: %v", off.Skew())
	}
}
