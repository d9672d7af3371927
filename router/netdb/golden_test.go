package netdb

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
)

// TestI2pdRouterInfos validates the RouterInfos of a real i2pd testnet.
func TestI2pdRouterInfos(t *testing.T) {
	files, err := filepath.Glob("testdata/i2pd/*")
	must(t, err)
	var ris []*data.RouterInfo
	var latest time.Time
	for _, f := range files {
		if filepath.Base(f) == "README" {
			continue
		}
		raw, err := os.ReadFile(f)
		must(t, err)
		ri, err := data.ParseRouterInfo(raw)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if name := filepath.Base(f); strings.HasPrefix(name, "routerInfo-") {
			want, err := data.ParseHashBase64(strings.TrimSuffix(strings.TrimPrefix(name, "routerInfo-"), ".dat"))
			must(t, err)
			if ri.Hash() != want {
				t.Fatalf("%s: hash %v", name, ri.Hash())
			}
		}
		ris = append(ris, ri)
		if ri.Published().After(latest) {
			latest = ri.Published()
		}
	}
	if len(ris) != 5 {
		t.Fatalf("%d RouterInfos", len(ris))
	}
	now := latest.Add(time.Minute)
	// The testnet runs on 198.18.0.0/15, accepted only with reservedrange = false.
	testnet := Policy{NetID: 99, ReservedRange: false}
	floodfills := 0
	for _, ri := range ris {
		if err := ValidateRouterInfo(ri, ri.Hash(), now, testnet); err != nil {
			t.Errorf("%v: %v", ri.Hash(), err)
		}
		if err := ValidateRouterInfo(ri, ri.Hash(), now, Policy{NetID: 2}); err == nil {
			t.Errorf("%v: accepted on the main network", ri.Hash())
		}
		if err := ValidateRouterInfo(ri, ri.Hash(), now.Add(MaxRouterInfoAge), testnet); err == nil {
			t.Errorf("%v: accepted 27 h later", ri.Hash())
		}
		// The gzip round trip of a DatabaseStore.
		gz, err := i2np.CompressRouterInfo(ri.Bytes())
		must(t, err)
		p, err := i2np.DatabaseStore{Key: ri.Hash(), Data: gz}.Append(nil)
		must(t, err)
		if err := ValidateStore(p, now, testnet); err != nil {
			t.Errorf("store: %v", err)
		}
		if usableFloodfill(ri) {
			floodfills++
		}
	}
	if floodfills != 2 {
		t.Errorf("%d floodfills, want 2", floodfills)
	}

	clk := clocktest.New(now)
	n, err := New(Config{Self: data.Hash{1}, Sender: endpoint{net: newFakeNet()}, Clock: clk, NetID: 99, ReservedRange: false})
	must(t, err)
	for _, ri := range ris {
		must(t, n.AddRaw(ri.Bytes()))
	}
	if s := n.Stats(); s.KnownRouters != 5 || s.Floodfills != 2 {
		t.Fatalf("stats %+v", s)
	}
	if got := n.ClosestFloodfills(ris[0].Hash(), 5, nil); len(got) != 2 {
		t.Fatalf("closest floodfills %d", len(got))
	}
	must(t, n.Close())
}
