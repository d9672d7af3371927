package router

import (
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"

	"i2pgate/router/netdb"
)

// Pressure is how close the live heap is to the memory limit
// (limits.memory).
type Pressure int

// Pressure levels. At High the router rejects new transit tunnels, stops
// exploring, trims the netdb's RouterInfos and the remote lease set caches
// and returns freed memory to the system; Critical does the same and warns.
const (
	PressureNormal Pressure = iota
	PressureHigh
	PressureCritical
)

func (p Pressure) String() string {
	switch p {
	case PressureHigh:
		return "high"
	case PressureCritical:
		return "critical"
	}
	return "normal"
}

// Thresholds in percent of the limit, and the margin below a threshold
// the heap must fall to before the level goes down again.
const (
	highPercent        = 70
	criticalPercent    = 85
	hysteresisPercent  = 5
	pressureInterval   = 5 * time.Second
	freeMemoryInterval = time.Minute
)

// Cache sizes scaled from the limit: RouterInfos get
// 1/routerInfoShare of it at routerInfoCost each (a parsed mainnet
// RouterInfo holds about 3 KB, plus its raw copy in a RAM store), half as
// many under pressure; a destination keeps trimmedRemotes remote lease
// sets under pressure.
const (
	routerInfoShare = 8
	routerInfoCost  = 4 << 10
	minRouterCap    = netdb.DefaultHealthyRouters
	trimmedRemotes  = 16
)

// routerCaps returns the netdb's RouterInfo cap for a memory limit, at
// normal and at high pressure; 0 means netdb.MaxRouters.
func routerCaps(limit int64) (normal, high int) {
	if limit <= 0 {
		return 0, netdb.MaxRouters / 2
	}
	n := int(min(limit/routerInfoShare/routerInfoCost, netdb.MaxRouters))
	n = max(n, minRouterCap)
	return n, max(n/2, minRouterCap)
}

// levelAt is the level of a heap of pct percent of the limit, with the
// thresholds lowered by down percent points.
func levelAt(pct, down uint64) Pressure {
	switch {
	case pct+down >= criticalPercent:
		return PressureCritical
	case pct+down >= highPercent:
		return PressureHigh
	}
	return PressureNormal
}

// nextLevel is the level after cur for a heap of heap bytes: up at once,
// down only once the heap is hysteresisPercent below the threshold.
func nextLevel(cur Pressure, heap uint64, limit int64) Pressure {
	if limit <= 0 {
		return PressureNormal
	}
	pct := heap * 100 / uint64(limit)
	return max(levelAt(pct, 0), min(cur, levelAt(pct, hysteresisPercent)))
}

// liveHeap reads the heap the last collection found live; before the
// first collection, the heap's objects (live or not yet swept).
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	for _, v := range s {
		if v.Value.Kind() == metrics.KindUint64 && v.Value.Uint64() > 0 {
			return v.Value.Uint64()
		}
	}
	return 0
}

// MemoryStatus is the memory part of Status.
type MemoryStatus struct {
	// HeapBytes is the live heap at the last look, LimitBytes the limit
	// (0: none).
	HeapBytes  uint64 `json:"heap_bytes"`
	LimitBytes int64  `json:"limit_bytes"`
	// Pressure is "normal", "high" or "critical".
	Pressure string `json:"pressure"`
	// TransitRejected counts transit requests rejected for pressure.
	TransitRejected uint64 `json:"transit_rejected"`
	// RouterCap is the netdb's RouterInfo cap now; TrimmedRouters and
	// TrimmedLeaseSets count what pressure dropped.
	RouterCap        int    `json:"router_cap"`
	TrimmedRouters   uint64 `json:"trimmed_routers"`
	TrimmedLeaseSets uint64 `json:"trimmed_leasesets"`
}

// pressure is the memory monitor's state.
type pressure struct {
	read func() uint64
	free func()

	// checking serializes checkMemory: a check from the watch loop and
	// one from SetLimits must not interleave, or the older heap reading
	// could set the level last.
	checking sync.Mutex

	// mu guards the fields below it.
	mu sync.Mutex
	// on is set once the network parts it acts on are started.
	on          bool
	limit       int64
	transit     int // limits.transittunnels, as Config.TransitTunnels
	level       Pressure
	heap        uint64
	lastFree    time.Time
	trimmedRIs  uint64
	trimmedLSes uint64
}

func newPressure(cfg *Config) *pressure {
	p := &pressure{read: cfg.ReadHeap, free: cfg.FreeOSMemory, limit: cfg.MemoryBytes, transit: cfg.TransitTunnels}
	if p.read == nil {
		p.read = liveHeap
	}
	if p.free == nil {
		p.free = debug.FreeOSMemory
	}
	return p
}

// SetLimits changes limits.transittunnels and limits.memory (a
// configuration reload): the transit limits, the netdb's RouterInfo cap
// and the pressure thresholds follow at once. The Go runtime's own limit
// is the caller's (debug.SetMemoryLimit is process-wide).
func (r *Router) SetLimits(transitTunnels int, memoryBytes int64) {
	r.press.mu.Lock()
	r.press.limit, r.press.transit = memoryBytes, transitTunnels
	on := r.press.on
	r.press.mu.Unlock()
	if on && r.ctx.Err() == nil {
		r.transit.SetLimits(transitTunnels, memoryBytes/4)
		r.checkMemory()
	}
}

// startMemoryWatch starts the monitor once the netdb, the transports and
// transit run.
func (r *Router) startMemoryWatch() {
	r.press.mu.Lock()
	r.press.on = true
	r.press.mu.Unlock()
	r.wg.Add(1)
	go r.watchMemory()
}

// watchMemory checks the memory pressure every pressureInterval until
// Close.
func (r *Router) watchMemory() {
	defer r.wg.Done()
	r.checkMemory()
	t := r.clk.NewTicker(pressureInterval)
	defer t.Stop()
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-t.C():
			r.checkMemory()
		}
	}
}

// checkMemory reads the heap, sets the level and acts on it.
func (r *Router) checkMemory() {
	p := r.press
	p.checking.Lock()
	defer p.checking.Unlock()
	heap := p.read()
	now := r.clk.Now()
	p.mu.Lock()
	prev := p.level
	p.level = nextLevel(prev, heap, p.limit)
	p.heap = heap
	level, limit := p.level, p.limit
	free := level >= PressureHigh && now.Sub(p.lastFree) >= freeMemoryInterval
	if free {
		p.lastFree = now
	}
	p.mu.Unlock()

	normalCap, highCap := routerCaps(limit)
	under := level >= PressureHigh
	r.transit.SetOverloaded(under)
	r.netdb.PauseExploration(under)
	if !under {
		// RouterInfos loaded from the store at start may exceed the cap.
		r.netdb.SetMaxRouters(normalCap)
		if normalCap > 0 {
			p.add(r.netdb.Trim(normalCap, r.transports.Connected), 0)
		}
	} else {
		r.netdb.SetMaxRouters(highCap)
		p.add(r.netdb.Trim(highCap, r.transports.Connected), r.trimRemotes(trimmedRemotes))
	}
	if free {
		p.free()
	}
	if level != prev {
		attrs := []any{"from", prev.String(), "to", level.String(), "heap_bytes", heap, "limit_bytes", limit}
		switch level {
		case PressureCritical:
			r.log.Warn("memory pressure critical: near limits.memory, transit refused, caches trimmed", attrs...)
		case PressureHigh:
			r.log.Warn("memory pressure high: transit refused, caches trimmed", attrs...)
		default:
			r.log.Info("memory pressure normal again", attrs...)
		}
	}
}

// add counts what a trim dropped.
func (p *pressure) add(routers, leaseSets int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.trimmedRIs += uint64(routers)
	p.trimmedLSes += uint64(leaseSets)
}

// MemoryPressure is the level of the last memory check.
func (r *Router) MemoryPressure() Pressure {
	r.press.mu.Lock()
	defer r.press.mu.Unlock()
	return r.press.level
}

// trimRemotes trims every local destination's remote lease sets.
func (r *Router) trimRemotes(limit int) int {
	r.dests.Lock()
	dests := append([]*Destination(nil), r.dests.list...)
	r.dests.Unlock()
	n := 0
	for _, d := range dests {
		n += d.dest.TrimRemotes(limit)
	}
	return n
}

// memoryStatus reports the monitor's last look.
func (r *Router) memoryStatus() MemoryStatus {
	p := r.press
	p.mu.Lock()
	st := MemoryStatus{HeapBytes: p.heap, LimitBytes: p.limit, Pressure: p.level.String(),
		TrimmedRouters: p.trimmedRIs, TrimmedLeaseSets: p.trimmedLSes}
	limit, level, on := p.limit, p.level, p.on
	p.mu.Unlock()
	normalCap, highCap := routerCaps(limit)
	st.RouterCap = normalCap
	if level >= PressureHigh {
		st.RouterCap = highCap
	}
	if st.RouterCap == 0 {
		st.RouterCap = netdb.MaxRouters
	}
	if on {
		st.TransitRejected = r.transit.Stats().Rejected.Pressure
	}
	if st.HeapBytes == 0 {
		st.HeapBytes = p.read()
	}
	return st
}
