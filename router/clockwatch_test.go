package router

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"i2pgate/router/clock"
	"i2pgate/router/data"
)

// When the clock offset moves by hours (a reseed or peers corrected it), the
// RouterInfo is signed again with the corrected date and written out, and
// the status says how far off the clock is and where the offset came from.
func TestClockMoveResignsRouterInfo(t *testing.T) {
	dir := t.TempDir()
	r := startRouter(t, testConfig(t, dir))
	defer r.Close()
	old := r.RouterInfo()
	st := r.Status()
	if st.Clock.FarOff || st.Clock.Source != clock.SourceNone || st.Clock.ClockNote() != "" {
		t.Fatalf("clock before: %+v", st.Clock)
	}
	if r.freshRouterInfo() != old {
		t.Fatal("re-signed without a move")
	}
	if !r.clk.Seed(2*time.Hour, clock.SourceReseed) {
		t.Fatal("seed refused")
	}
	if r.freshRouterInfo() == old {
		t.Fatal("not re-signed after the clock moved 2 h forwards")
	}
	ri := r.RouterInfo()
	if ri == old || ri.Hash() != old.Hash() {
		t.Fatal("RouterInfo not re-signed, or another identity")
	}
	if d := ri.Published().Sub(old.Published()); d < 2*time.Hour-time.Minute || d > 2*time.Hour+time.Minute {
		t.Errorf("published moved by %v, want 2h", d)
	}
	b, err := os.ReadFile(filepath.Join(dir, routerInfoFile))
	if err != nil {
		t.Fatal(err)
	}
	onDisk, err := data.ParseRouterInfo(b)
	if err != nil || !onDisk.Published().Equal(ri.Published()) {
		t.Errorf("router.info on disk not the re-signed one: %v", err)
	}
	st = r.Status()
	if !st.Clock.FarOff || st.Clock.Source != clock.SourceReseed || st.Clock.SkewSeconds != 7200 || st.ClockSkewS != 7200 {
		t.Errorf("clock after: %+v", st.Clock)
	}
	if st.UptimeS > 60 {
		t.Errorf("uptime %d s: moved by the clock correction", st.UptimeS)
	}
	if st.NetworkStatus != NetworkClockSkew {
		t.Errorf("network status %q, want %q", st.NetworkStatus, NetworkClockSkew)
	}
	if note := st.Clock.ClockNote(); note != "clock is off by 2h0m0s (behind the network; corrected from reseed)" {
		t.Errorf("note %q", note)
	}
	j, err := json.Marshal(st)
	if err != nil || !strings.Contains(string(j), `"clock":{"skew_seconds":7200,"source":"reseed","far_off":true}`) {
		t.Errorf("json %s %v", j, err)
	}
}

func TestRIStale(t *testing.T) {
	now := time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		age   time.Duration
		stale bool
	}{
		{0, false}, {29 * time.Minute, false}, {31 * time.Minute, true}, {2 * time.Hour, true},
		{-20 * time.Second, false}, {-time.Minute, true}, {-2 * time.Hour, true},
	} {
		if got := riStale(now.Add(-tc.age), now); got != tc.stale {
			t.Errorf("age %v: stale %v, want %v", tc.age, got, tc.stale)
		}
	}
}
