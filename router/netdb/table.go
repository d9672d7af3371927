package netdb

import (
	"errors"
	"hash/fnv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"i2pgate/router/data"
)

// errFull means the table holds MaxRouters or MaxLeaseSets entries.
var errFull = errors.New("netdb: database full")

// entry is one RouterInfo we hold.
type entry struct {
	ri        *data.RouterInfo
	floodfill bool
	// bad marks a router flagged by MarkBad; expiry drops it.
	bad bool
	// persisted is when the store last got this router (zero: never),
	// storedPub the published date of that copy and storedSum its
	// persistSum.
	persisted time.Time
	storedPub time.Time
	storedSum uint64
}

// table is the in-memory database.
type table struct {
	mu sync.RWMutex // guards the maps
	// routers indexes RouterInfos by router hash.
	routers map[data.Hash]*entry
	// floodfills is the subset of routers usable as floodfills.
	floodfills map[data.Hash]struct{}
	// leaseSets is the floodfill role's lease sets by destination hash.
	leaseSets map[data.Hash]*leaseSet
	// maxRouters caps routers (0: MaxRouters; see SetMaxRouters).
	maxRouters int
	// explorePaused stops exploration (PauseExploration); not guarded
	// by mu.
	explorePaused atomic.Bool
}

func newTable() *table {
	return &table{
		routers:    make(map[data.Hash]*entry),
		floodfills: make(map[data.Hash]struct{}),
		leaseSets:  make(map[data.Hash]*leaseSet),
	}
}

// usableFloodfill reports whether ri may be asked as a floodfill: it
// advertises 'f', is not marked unreachable ('U') and publishes an address we
// can dial.
func usableFloodfill(ri *data.RouterInfo) bool {
	if !ri.IsFloodfill() || strings.ContainsRune(ri.Caps(), 'U') {
		return false
	}
	for _, a := range ri.Addresses() {
		if _, ok := a.AddrPort(); ok {
			return true
		}
	}
	return false
}

// putResult tells the caller what put did.
type putResult struct {
	added   bool // a router we did not know
	persist bool // the store should be (re)written
}

// put stores ri if it is newer than what is held.
func (t *table) put(ri *data.RouterInfo, now time.Time) (putResult, error) {
	h := ri.Hash()
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.routers[h]
	if ok {
		if ri.PublishedDate() <= e.ri.PublishedDate() {
			return putResult{}, ErrNotNewer
		}
	} else if len(t.routers) >= t.capLocked() {
		return putResult{}, errFull
	} else {
		e = &entry{}
		t.routers[h] = e
	}
	e.ri = ri
	e.floodfill = usableFloodfill(ri)
	if e.floodfill {
		t.floodfills[h] = struct{}{}
	} else {
		delete(t.floodfills, h)
	}
	res := putResult{added: !ok}
	sum := persistSum(ri)
	changed := sum != e.storedSum || now.Sub(e.storedPub) >= persistRefreshAge
	if e.persisted.IsZero() || (changed && now.Sub(e.persisted) >= persistMinAge) {
		e.persisted, e.storedPub, e.storedSum = now, ri.Published(), sum
		res.persist = true
	}
	return res, nil
}

// persistSum hashes what a restarted router needs of a RouterInfo besides
// its identity: the transports and their options, the caps and the network
// ID. A RouterInfo republished with only a new date, signature or
// statistics has the same sum.
func persistSum(ri *data.RouterInfo) uint64 {
	h := fnv.New64a()
	var buf []byte
	for _, a := range ri.Addresses() {
		buf = append(buf[:0], a.Transport...)
		buf = append(buf, 0)
		if b, err := a.Options.Bytes(); err == nil {
			buf = append(buf, b...)
		}
		h.Write(buf)
	}
	caps, _ := ri.Option(data.OptionCaps)
	netID, _ := ri.Option(data.OptionNetID)
	h.Write([]byte{0xff})
	h.Write([]byte(caps))
	h.Write([]byte{0})
	h.Write([]byte(netID))
	return h.Sum64()
}

// deleteLocked removes h; t.mu must be held.
func (t *table) deleteLocked(h data.Hash) {
	delete(t.routers, h)
	delete(t.floodfills, h)
}

func (t *table) get(h data.Hash) (*data.RouterInfo, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if e, ok := t.routers[h]; ok {
		return e.ri, true
	}
	return nil, false
}

func (t *table) counts() (routers, floodfills, leaseSets int) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.routers), len(t.floodfills), len(t.leaseSets)
}

func (t *table) markBad(h data.Hash) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, ok := t.routers[h]; ok {
		e.bad = true
	}
}

// floodfillHashes returns the usable floodfills not in exclude.
func (t *table) floodfillHashes(exclude map[data.Hash]bool) []data.Hash {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make([]data.Hash, 0, len(t.floodfills))
	for h := range t.floodfills {
		if !exclude[h] && !t.routers[h].bad {
			out = append(out, h)
		}
	}
	return out
}

// nonFloodfillHashes returns the routers that are not floodfills and not in
// exclude.
func (t *table) nonFloodfillHashes(exclude map[data.Hash]bool) []data.Hash {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make([]data.Hash, 0, len(t.routers)-len(t.floodfills))
	for h, e := range t.routers {
		if !e.floodfill && !e.bad && !exclude[h] {
			out = append(out, h)
		}
	}
	return out
}

// putLeaseSet stores ls if it is newer than what is held.
func (t *table) putLeaseSet(ls *leaseSet) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	old, ok := t.leaseSets[ls.key]
	switch {
	case ok && !ls.version.After(old.version):
		return ErrNotNewer
	case !ok && len(t.leaseSets) >= MaxLeaseSets:
		return errFull
	}
	t.leaseSets[ls.key] = ls
	return nil
}

func (t *table) leaseSet(h data.Hash, now time.Time) (*leaseSet, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	ls, ok := t.leaseSets[h]
	if !ok || !ls.expires.After(now) {
		return nil, false
	}
	return ls, true
}
