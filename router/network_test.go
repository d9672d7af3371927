package router

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/netx/memnet"
)

// Twenty routers, three of them floodfills, on an in-memory network with real
// NTCP2 sessions: all bootstrap from one seed of the floodfills' RouterInfos and
// every router ends up knowing every other router; then each builds and tests
// exploratory tunnels of length 3 through the others.
func TestTwentyRoutersBootstrap(t *testing.T) {
	const total, floodfills = 20, 3
	net := memnet.New(memnet.Options{Seed: 1})
	defer net.Close()
	clk := clocktest.New(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	base := t.TempDir()
	seed := filepath.Join(base, "seed")
	if err := os.Mkdir(seed, 0o700); err != nil {
		t.Fatal(err)
	}

	config := func(i int) Config {
		host := fmt.Sprintf("198.18.1.%d", i+1)
		return Config{
			DataDir: filepath.Join(base, fmt.Sprint(i)), NetID: 99, Host: host, Port: 12000,
			Floodfill: i < floodfills, BandwidthCaps: 'O', NTCP2Enabled: true,
			ReseedFile: seed, ReseedThreshold: 5, ExploratoryLength: 3,
			Network: net.Host(host), Clock: clk,
		}
	}
	// The floodfills' RouterInfos, made by a first start, are the seed.
	for i := range floodfills {
		cfg := config(i)
		cfg.ReseedFile = ""
		r := startRouter(t, cfg)
		ri := r.RouterInfo()
		r.Close()
		p := filepath.Join(seed, "routerInfo-"+ri.Hash().String()+".dat")
		if err := os.WriteFile(p, ri.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	routers := make([]*Router, total)
	for i := range routers {
		r, err := New(config(i))
		if err != nil {
			t.Fatal(err)
		}
		routers[i] = r
		defer r.Close()
		if err := r.Start(context.Background()); err != nil {
			t.Fatalf("router %d: %v", i, err)
		}
	}

	converged := func() (int, bool) {
		worst := total
		for _, r := range routers {
			if n := r.Status().KnownRouters; n < worst {
				worst = n
			}
		}
		return worst, worst == total-1
	}
	deadline := time.Now().Add(60 * time.Second)
	start := clk.Now()
	for {
		worst, ok := converged()
		if ok {
			break
		}
		if time.Now().After(deadline) {
			for i, r := range routers {
				t.Logf("router %d: %+v", i, r.Status())
			}
			t.Fatalf("after %v of router time the least informed router knows %d of %d",
				clk.Now().Sub(start), worst, total-1)
		}
		clk.Advance(500 * time.Millisecond)
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("every router knows every other after %v of router time", clk.Now().Sub(start))
	for i, r := range routers {
		if st := r.Status(); st.Sessions.NTCP2In+st.Sessions.NTCP2Out == 0 {
			t.Errorf("router %d has no sessions: %+v", i, st)
		}
	}

	tunnelsReady := func() (int, bool) {
		ready := 0
		for _, r := range routers {
			if st := r.Status().Tunnels; st.ExploratoryIn >= 2 && st.ExploratoryOut >= 2 {
				ready++
			}
		}
		return ready, ready == total
	}
	deadline = time.Now().Add(90 * time.Second)
	start = clk.Now()
	for {
		ready, ok := tunnelsReady()
		if ok {
			break
		}
		if time.Now().After(deadline) {
			for i, r := range routers {
				t.Logf("router %d: %+v transit %+v", i, r.Status().Tunnels, r.transit.Stats())
			}
			t.Fatalf("after %v of router time %d of %d routers have 2+2 tested 3-hop tunnels",
				clk.Now().Sub(start), ready, total)
		}
		// Slower than above: builds cross three hops of real crypto and
		// sessions, and must beat their timeouts in router time.
		clk.Advance(100 * time.Millisecond)
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("every router has 2 inbound and 2 outbound tested 3-hop tunnels after %v of router time", clk.Now().Sub(start))

	// A late router joins: it publishes to the floodfills, and the others
	// learn it by exploring, through their tunnels, with the floodfills'
	// answers garlic-encrypted to one-time reply keys.
	late, err := New(config(total))
	if err != nil {
		t.Fatal(err)
	}
	defer late.Close()
	if err := late.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	lateHash := late.Hash()
	deadline = time.Now().Add(60 * time.Second)
	start = clk.Now()
	for {
		knowing := 0
		for _, r := range routers {
			if _, ok := r.netdb.RouterInfo(lateHash); ok {
				knowing++
			}
		}
		if knowing == total {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v of router time %d of %d routers know the late router", clk.Now().Sub(start), knowing, total)
		}
		clk.Advance(500 * time.Millisecond)
		time.Sleep(10 * time.Millisecond)
	}
	var via, replies uint64
	for _, r := range routers {
		st := r.netdb.Stats()
		via += st.ViaTunnels
		replies += st.RepliesViaTunnels
	}
	if via == 0 || replies == 0 {
		t.Fatalf("netdb requests through tunnels %d, replies out of tunnels %d", via, replies)
	}
	t.Logf("every router knows the late router after %v of router time; %d netdb requests went through tunnels, %d replies came back through inbound tunnels", clk.Now().Sub(start), via, replies)
}
