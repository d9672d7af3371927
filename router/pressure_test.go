package router

import (
	"crypto/rand"
	"sync/atomic"
	"testing"
	"time"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/tunnel/build"
)

func TestNextLevel(t *testing.T) {
	const limit = 1000
	cases := []struct {
		cur  Pressure
		heap uint64
		want Pressure
	}{
		{PressureNormal, 0, PressureNormal},
		{PressureNormal, 699, PressureNormal},
		{PressureNormal, 700, PressureHigh},
		{PressureNormal, 849, PressureHigh},
		{PressureNormal, 850, PressureCritical},
		{PressureNormal, 5000, PressureCritical},
		// Down only below the threshold minus the hysteresis.
		{PressureHigh, 660, PressureHigh},
		{PressureHigh, 649, PressureNormal},
		{PressureCritical, 810, PressureCritical},
		{PressureCritical, 790, PressureHigh},
		{PressureCritical, 640, PressureNormal},
		{PressureHigh, 900, PressureCritical},
	}
	for _, c := range cases {
		if got := nextLevel(c.cur, c.heap, limit); got != c.want {
			t.Errorf("nextLevel(%v, %d) = %v, want %v", c.cur, c.heap, got, c.want)
		}
	}
	if got := nextLevel(PressureCritical, 1<<40, 0); got != PressureNormal {
		t.Errorf("no limit: %v", got)
	}
}

func TestRouterCaps(t *testing.T) {
	for _, c := range []struct {
		mb           int64
		normal, high int
	}{
		{0, 0, 2500},
		{16, 512, 300},
		{96, 3072, 1536},
		{1024, 5000, 2500},
	} {
		n, h := routerCaps(c.mb << 20)
		if n != c.normal || h != c.high {
			t.Errorf("%d MB: caps %d/%d, want %d/%d", c.mb, n, h, c.normal, c.high)
		}
	}
}

// testRouterInfo is a signed RouterInfo of a fresh identity on netid 99.
func testRouterInfo(t *testing.T, published time.Time) *data.RouterInfo {
	t.Helper()
	keys, err := data.GenerateRouterKeys(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := keys.Signer()
	if err != nil {
		t.Fatal(err)
	}
	var opts data.Mapping
	for _, kv := range [][2]string{{"caps", "L"}, {"netId", "99"}, {"router.version", Version}} {
		if err := opts.Set(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	ri, err := data.NewRouterInfo(keys.RouterIdentity(), published, nil, opts, s)
	if err != nil {
		t.Fatal(err)
	}
	return ri
}

// At high pressure the router rejects transit requests, trims the netdb
// to the lower cap, stops exploring and frees memory at most once a
// minute; back to normal it accepts transit again.
func TestMemoryPressure(t *testing.T) {
	clk := clocktest.New(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	cfg := testConfig(t, t.TempDir())
	cfg.Clock = clk
	cfg.MemoryBytes = 16 << 20
	var heap atomic.Uint64
	var frees atomic.Int32
	cfg.ReadHeap = heap.Load
	cfg.FreeOSMemory = func() { frees.Add(1) }
	heap.Store(1 << 20)
	r := startRouter(t, cfg)
	defer r.Close()

	normalCap, highCap := routerCaps(cfg.MemoryBytes)
	const routers = 400
	for i := range routers {
		if err := r.netdb.Add(testRouterInfo(t, clk.Now().Add(-time.Duration(i)*time.Second))); err != nil {
			t.Fatalf("router %d: %v", i, err)
		}
	}
	st := r.Status()
	if st.Memory.Pressure != "normal" || st.Memory.LimitBytes != cfg.MemoryBytes || st.Memory.RouterCap != normalCap || st.KnownRouters < routers {
		t.Fatalf("before: %+v, %d routers", st.Memory, st.KnownRouters)
	}

	heap.Store(uint64(cfg.MemoryBytes) * 75 / 100)
	r.checkMemory()
	st = r.Status()
	if st.Memory.Pressure != "high" || st.Memory.HeapBytes != heap.Load() || st.Memory.RouterCap != highCap {
		t.Fatalf("at 75%%: %+v", st.Memory)
	}
	if st.KnownRouters > highCap || st.Memory.TrimmedRouters == 0 {
		t.Fatalf("netdb not trimmed: %d routers (cap %d), memory %+v", st.KnownRouters, highCap, st.Memory)
	}
	if !r.transit.Overloaded() {
		t.Fatal("transit not overloaded at high pressure")
	}
	if status := transitRequest(t, r, clk.Now()); status != build.StatusBandwidth {
		t.Fatalf("transit request at high pressure: status %d", status)
	}
	if st := r.Status(); st.Memory.TransitRejected != 1 {
		t.Fatalf("transit_rejected %d", st.Memory.TransitRejected)
	}
	// Memory is returned to the system at most once a minute.
	r.checkMemory()
	if n := frees.Load(); n != 1 {
		t.Fatalf("FreeOSMemory called %d times, want 1", n)
	}
	clk.Advance(time.Minute)
	r.checkMemory()
	if n := frees.Load(); n != 2 {
		t.Fatalf("after a minute FreeOSMemory called %d times, want 2", n)
	}

	heap.Store(uint64(cfg.MemoryBytes) * 90 / 100)
	r.checkMemory()
	if st := r.Status(); st.Memory.Pressure != "critical" || r.MemoryPressure() != PressureCritical {
		t.Fatalf("at 90%%: %+v", st.Memory)
	}
	heap.Store(uint64(cfg.MemoryBytes) * 30 / 100)
	r.checkMemory()
	if st := r.Status(); st.Memory.Pressure != "normal" || r.transit.Overloaded() {
		t.Fatalf("at 30%%: %+v, overloaded %v", st.Memory, r.transit.Overloaded())
	}
	if status := transitRequest(t, r, clk.Now()); status != build.StatusAccept {
		t.Fatalf("transit request at normal pressure: status %d", status)
	}

	// A reload to a larger limit raises the cap.
	r.SetLimits(0, 96<<20)
	if st := r.Status(); st.Memory.LimitBytes != 96<<20 || st.Memory.RouterCap != 3072 {
		t.Fatalf("after SetLimits: %+v", st.Memory)
	}
}

// transitRequest hands r a one-hop inbound tunnel build with r as the hop
// and returns the status r chose (read from the transit counters).
func transitRequest(t *testing.T, r *Router, now time.Time) build.Status {
	t.Helper()
	before := r.transit.Stats()
	id := r.keys.Identity()
	peer := build.Peer{Hash: id.Hash(), Short: true}
	copy(peer.Key[:], id.EncryptionPublicKey())
	creator := testRouterInfo(t, now).Hash()
	_, p, err := build.New(build.Config{Hops: []build.Peer{peer}, Inbound: true, Self: creator, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := i2np.NewMessage(p, 7, now.Add(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	r.transit.HandleBuild(creator, msg)
	after := r.transit.Stats()
	switch {
	case after.Accepted > before.Accepted || after.Tunnels > before.Tunnels:
		return build.StatusAccept
	case after.Rejected.Total() > before.Rejected.Total():
		return build.StatusBandwidth
	}
	t.Fatalf("request neither accepted nor rejected: %+v", after)
	return 0
}

// The default reading is the process's heap, never zero.
func TestLiveHeap(t *testing.T) {
	if h := liveHeap(); h == 0 || h > 1<<40 {
		t.Fatalf("liveHeap() = %d", h)
	}
}
