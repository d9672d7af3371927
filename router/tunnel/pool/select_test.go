package pool

import (
	"errors"
	"testing"

	"i2pgate/router/data"
)

func TestVersionAtLeast(t *testing.T) {
	tests := []struct {
		v, min string
		want   bool
	}{
		{"0.9.58", "0.9.51", true},
		{"0.9.51", "0.9.51", true},
		{"0.9.50", "0.9.51", false},
		{"0.9.5", "0.9.51", false},
		{"0.10", "0.9.51", true},
		{"1.0", "0.9.51", true},
		{"0.9.51.1", "0.9.51", true},
		{"0.9", "0.9.0", true},
		{"", "0.9.51", false},
		{"0.9.x", "0.9.51", false},
		{"0..9", "0.9.51", false},
		{"99999999.1", "0.9.51", false},
	}
	for _, tt := range tests {
		if got := VersionAtLeast(tt.v, tt.min); got != tt.want {
			t.Errorf("VersionAtLeast(%q, %q) = %t, want %t", tt.v, tt.min, got, tt.want)
		}
	}
}

func TestUsable(t *testing.T) {
	tests := []struct {
		caps string
		want bool
	}{
		{"LR", true},
		{"XfR", true},
		{"OR", true},
		{"L", true},    // not yet tested reachable, but it publishes an address
		{"LRU", false}, // says both; unreachable wins
		{"LU", false},
		{"LRH", false}, // hidden
		{"LRG", false}, // rejecting tunnels
		{"LRE", false}, // highly congested
		{"LRD", true},  // medium congestion is still usable
	}
	for _, tt := range tests {
		r := newTestRouter(t, tt.caps, "0.9.58")
		if got := Usable(r.ri); got != tt.want {
			t.Errorf("Usable(caps %q) = %t, want %t", tt.caps, got, tt.want)
		}
	}
	if Usable(nil) {
		t.Error("Usable(nil) = true")
	}
	if Usable(newTestRouterAddr(t, "LR", "0.9.58", false).ri) {
		t.Error("a router without a published address is usable")
	}
}

func TestSelect(t *testing.T) {
	self := newTestRouter(t, "XR", "0.9.58")
	var peers []*data.RouterInfo
	for range 4 {
		peers = append(peers, newTestRouter(t, "LR", "0.9.58").ri)
	}
	fast := []*data.RouterInfo{newTestRouter(t, "XR", "0.9.58").ri, newTestRouter(t, "PR", "0.9.58").ri}
	unreachable := newTestRouter(t, "LU", "0.9.58").ri
	all := append(append(append([]*data.RouterInfo{self.ri, unreachable}, peers...), fast...), peers[0])

	t.Run("distinct, never self, never unusable", func(t *testing.T) {
		for range 20 {
			got, err := Select(all, Selection{Self: self.hash, Length: 6})
			if err != nil {
				t.Fatal(err)
			}
			seen := map[data.Hash]bool{}
			for _, ri := range got {
				h := ri.Hash()
				if h == self.hash || h == unreachable.Hash() || seen[h] {
					t.Fatalf("bad hop %x in %d hops", h[:4], len(got))
				}
				seen[h] = true
			}
		}
	})
	t.Run("too few distinct peers", func(t *testing.T) {
		_, err := Select(all, Selection{Self: self.hash, Length: 7})
		if !errors.Is(err, ErrTooFewPeers) {
			t.Fatalf("err = %v, want ErrTooFewPeers", err)
		}
	})
	t.Run("length out of range", func(t *testing.T) {
		if _, err := Select(all, Selection{Length: 9}); err == nil {
			t.Fatal("no error for 9 hops")
		}
	})
	t.Run("high bandwidth preferred", func(t *testing.T) {
		for range 20 {
			got, err := Select(all, Selection{Self: self.hash, Length: 2, HighBandwidth: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, ri := range got {
				if !HighBandwidth(ri) {
					t.Fatalf("chose caps %q over high-bandwidth peers", ri.Caps())
				}
			}
		}
	})
	t.Run("failed peers last", func(t *testing.T) {
		failed := map[data.Hash]bool{peers[0].Hash(): true, peers[1].Hash(): true, fast[0].Hash(): true}
		rank := func(h data.Hash) Rank {
			if failed[h] {
				return RankFailed
			}
			return RankUnknown
		}
		for range 20 {
			got, err := Select(all, Selection{Self: self.hash, Length: 3, Rank: rank})
			if err != nil {
				t.Fatal(err)
			}
			for _, ri := range got {
				if failed[ri.Hash()] {
					t.Fatal("chose a failed peer while others were usable")
				}
			}
		}
		// With too few others, failed peers fill in.
		if _, err := Select(all, Selection{Self: self.hash, Length: 6, Rank: rank}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("exclude", func(t *testing.T) {
		ex := func(h data.Hash) bool { return h != fast[1].Hash() }
		got, err := Select(all, Selection{Self: self.hash, Length: 1, Exclude: ex})
		if err != nil || got[0].Hash() != fast[1].Hash() {
			t.Fatalf("got %v, %v", got, err)
		}
	})
	t.Run("random order", func(t *testing.T) {
		firsts := map[data.Hash]bool{}
		for range 40 {
			got, err := Select(peers, Selection{Length: 2})
			if err != nil {
				t.Fatal(err)
			}
			firsts[got[0].Hash()] = true
		}
		if len(firsts) < 3 {
			t.Fatalf("first hop took only %d values in 40 selections", len(firsts))
		}
	})
}

func TestBuildPeerShort(t *testing.T) {
	for _, tt := range []struct {
		version string
		short   bool
	}{{"0.9.58", true}, {"0.9.51", true}, {"0.9.50", false}, {"0.9.48", false}} {
		r := newTestRouter(t, "LR", tt.version)
		p := buildPeer(r.ri)
		if p.Short != tt.short || p.Hash != r.hash {
			t.Errorf("version %s: Short = %t, want %t", tt.version, p.Short, tt.short)
		}
		pub := r.ri.Identity().EncryptionPublicKey()
		if string(p.Key[:]) != string(pub) {
			t.Errorf("version %s: key mismatch", tt.version)
		}
	}
}

func TestSideLength(t *testing.T) {
	tests := []struct {
		side     Side
		min, max int
	}{
		{Side{Length: 2}, 2, 2},
		{Side{Length: 0}, 0, 0},
		{Side{Length: 2, LengthVariance: 1}, 2, 3},
		{Side{Length: 2, LengthVariance: -1}, 1, 3},
		{Side{Length: 1, LengthVariance: -3}, 0, 4},
		{Side{Length: 7, LengthVariance: 3}, 7, 7},
		{Side{Length: -1}, 0, 0},
	}
	for _, tt := range tests {
		seen := map[int]bool{}
		for range 200 {
			n, err := tt.side.length(nil)
			if err != nil {
				t.Fatal(err)
			}
			if n < tt.min || n > tt.max {
				t.Fatalf("%+v: length %d outside [%d, %d]", tt.side, n, tt.min, tt.max)
			}
			seen[n] = true
		}
		if len(seen) != tt.max-tt.min+1 {
			t.Errorf("%+v: lengths %v, want all of [%d, %d]", tt.side, seen, tt.min, tt.max)
		}
	}
	for _, tt := range []struct {
		side Side
		want int
	}{{Side{}, DefaultQuantity}, {Side{Quantity: 3, Backup: 1}, 4}, {Side{Quantity: 20}, MaxQuantity}, {Side{Quantity: 1, Backup: -2}, 1}} {
		if got := tt.side.want(); got != tt.want {
			t.Errorf("%+v: want() = %d, want %d", tt.side, got, tt.want)
		}
	}
}
