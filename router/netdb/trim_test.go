package netdb

import (
	"errors"
	"testing"
	"time"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/data"
)

// Trim keeps floodfills and the routers keep names, drops the oldest
// others first, and SetMaxRouters refuses new routers beyond the cap.
func TestTrimAndMaxRouters(t *testing.T) {
	net, clk := newFakeNet(), clocktest.New(t0)
	n := newNode(t, net, clk, nodeOpts{cfg: func(c *Config) { c.MinRouters = 2; c.MinFloodfills = 1 }})
	startNode(t, n)
	var ffs, others []*testRouter
	for range 2 {
		r := newTestRouter(t, t0.Add(-10*time.Hour), riOpts{floodfill: true})
		must(t, n.db.Add(r.ri))
		ffs = append(ffs, r)
	}
	// others[i] is published i hours ago: the last ones are the oldest.
	for i := range 6 {
		r := newTestRouter(t, t0.Add(-time.Duration(i)*time.Hour), riOpts{})
		must(t, n.db.Add(r.ri))
		others = append(others, r)
	}
	kept := others[5] // the oldest, but it has a session
	keep := func(h data.Hash) bool { return h == kept.hash }

	if got := n.db.Trim(100, keep); got != 0 {
		t.Fatalf("Trim under the cap dropped %d", got)
	}
	// 8 routers down to 5: the three oldest without a session go.
	if got := n.db.Trim(5, keep); got != 3 {
		t.Fatalf("Trim dropped %d, want 3", got)
	}
	want := map[data.Hash]bool{ffs[0].hash: true, ffs[1].hash: true, others[0].hash: true, others[1].hash: true, kept.hash: true}
	for _, r := range append(ffs, others...) {
		if _, ok := n.db.RouterInfo(r.hash); ok != want[r.hash] {
			t.Errorf("router published %v: held %v, want %v", r.ri.Published(), ok, want[r.hash])
		}
	}
	// Never below MinRouters, never a floodfill.
	n.db.Trim(0, nil)
	st := n.db.Stats()
	if st.KnownRouters != 2 || st.Floodfills != 2 {
		t.Fatalf("after Trim(0): %d routers, %d floodfills", st.KnownRouters, st.Floodfills)
	}

	n.db.SetMaxRouters(3)
	must(t, n.db.Add(newTestRouter(t, t0, riOpts{}).ri))
	if err := n.db.Add(newTestRouter(t, t0, riOpts{}).ri); !errors.Is(err, errFull) {
		t.Fatalf("Add beyond SetMaxRouters: %v", err)
	}
	// Updates of known routers are not refused.
	must(t, n.db.Add(ffs[0].sign(t, t0, riOpts{floodfill: true})))
	n.db.SetMaxRouters(0)
	must(t, n.db.Add(newTestRouter(t, t0, riOpts{}).ri))
}
