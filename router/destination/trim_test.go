package destination

import (
	"testing"
	"time"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/data"
)

// TrimRemotes drops expired lease sets, then the least recently used.
func TestTrimRemotes(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	d := &Destination{clk: clocktest.New(now)}
	d.mu.remotes = map[data.Hash]*remote{}
	add := func(b byte, used, expires time.Duration) data.Hash {
		k := data.Hash{b}
		d.mu.remotes[k] = &remote{used: now.Add(used), expires: now.Add(expires)}
		return k
	}
	expired := add(1, 0, -time.Second)
	old := add(2, -time.Hour, 10*time.Minute)
	mid := add(3, -time.Minute, 10*time.Minute)
	recent := add(4, 0, 10*time.Minute)

	if got := d.TrimRemotes(10); got != 1 {
		t.Fatalf("TrimRemotes(10) dropped %d, want the expired one", got)
	}
	if _, ok := d.mu.remotes[expired]; ok {
		t.Fatal("expired lease set kept")
	}
	if got := d.TrimRemotes(1); got != 2 {
		t.Fatalf("TrimRemotes(1) dropped %d, want 2", got)
	}
	for k, want := range map[data.Hash]bool{old: false, mid: false, recent: true} {
		if _, ok := d.mu.remotes[k]; ok != want {
			t.Errorf("%x: held %v, want %v", k[:1], ok, want)
		}
	}
	if got := d.TrimRemotes(-1); got != 1 || len(d.mu.remotes) != 0 {
		t.Fatalf("TrimRemotes(-1) dropped %d, %d left", got, len(d.mu.remotes))
	}
}
