package netdb

import (
	"testing"
	"time"

	"i2pgate/router/clock"
	"i2pgate/router/clock/clocktest"
)

func TestReseedOffset(t *testing.T) {
	h, m := time.Hour, time.Minute
	tests := []struct {
		name string
		offs []time.Duration
		bad  int
		want time.Duration
		ok   bool
	}{
		{"too few", []time.Duration{2 * h}, 1, 0, false},
		{"two of a small network", []time.Duration{2*h - m, 2 * h}, 2, 2 * h, true},
		{"one of two out of range", []time.Duration{-m, 2 * h}, 1, 0, false},
		{"minority out of range", []time.Duration{-m, -2 * m, -3 * m, -4 * m, 30 * 24 * h}, 1, 0, false},
		{"network ahead", []time.Duration{2*h - 5*m, 2*h - m, 2 * h, 2*h - 30*m, 2*h - 10*m}, 5, 2*h - m, true},
		{"network behind", []time.Duration{-30 * h, -29 * h, -28 * h, -40 * h, -31 * h}, 5, -29 * h, true},
		{"one liar far ahead", []time.Duration{2 * h, 2 * h, 2 * h, 2 * h, 2 * h, 2 * h, 2 * h, 400 * 24 * h}, 8, 2 * h, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := reseedOffset(tc.offs, tc.bad)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("reseedOffset = %v, %v; want %v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

// A router 2 h behind the network reseeds: the RouterInfos, all "published
// in the future" by its clock, set the skewed clock and are kept. One lying
// RouterInfo among them does not move the estimate; and with a right clock a
// single far-future RouterInfo seeds nothing.
func TestReseedClockCorrects(t *testing.T) {
	net, clk := newFakeNet(), clocktest.New(t0)
	sk := clock.NewSkewed(clk, &clock.SkewOptions{Resolution: time.Second})
	rs := &flakyReseeder{clk: clk}
	for i := range 6 {
		pub := t0.Add(2*time.Hour - time.Duration(i)*time.Minute)
		rs.raws = append(rs.raws, newTestRouter(t, pub, riOpts{floodfill: true}).ri.Bytes())
	}
	rs.raws = append(rs.raws, newTestRouter(t, t0.Add(300*24*time.Hour), riOpts{}).ri.Bytes())
	n := newNode(t, net, clk, nodeOpts{cfg: func(c *Config) {
		c.Reseeder, c.MinRouters, c.Clock, c.ClockSeed = rs, 3, sk, sk
	}})
	startNode(t, n)
	advanceUntil(t, clk, time.Second, "reseed", func() bool { return n.db.Stats().KnownRouters >= 6 })
	if got := n.db.Stats().KnownRouters; got != 6 {
		t.Errorf("%d routers kept, want the 6 honest ones", got)
	}
	if d := sk.Skew(); d < 2*time.Hour-3*time.Minute || d > 2*time.Hour {
		t.Errorf("skew %v, want about 2h", d)
	}
	if sk.Source() != clock.SourceReseed {
		t.Errorf("source %q", sk.Source())
	}
}

func TestReseedClockOneLiar(t *testing.T) {
	net, clk := newFakeNet(), clocktest.New(t0)
	sk := clock.NewSkewed(clk, nil)
	n := newNode(t, net, clk, nodeOpts{cfg: func(c *Config) { c.Clock, c.ClockSeed = sk, sk }})
	var raws [][]byte
	for range 6 {
		raws = append(raws, newTestRouter(t, t0.Add(-10*time.Minute), riOpts{}).ri.Bytes())
	}
	raws = append(raws, newTestRouter(t, t0.Add(5*time.Hour), riOpts{}).ri.Bytes())
	if _, ok := n.db.reseedClock(raws); ok || sk.Skew() != 0 || sk.Source() != clock.SourceNone {
		t.Fatalf("one RouterInfo moved the clock: %v %q", sk.Skew(), sk.Source())
	}
	// Without a seeder nothing happens either.
	n2 := newNode(t, net, clk, nodeOpts{})
	if _, ok := n2.db.reseedClock(raws[:1]); ok {
		t.Fatal("seeded without a seeder")
	}
}
