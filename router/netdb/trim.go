package netdb

import (
	"slices"

	"i2pgate/router/data"
	"sort"
)

// SetMaxRouters caps the RouterInfos held at limit; 0, or more than
// MaxRouters, means MaxRouters. Routers we do not know yet are refused
// beyond it (updates of known ones are not); none is dropped: see Trim.
// The router scales the cap from its memory limit.
func (n *NetDB) SetMaxRouters(limit int) {
	n.tab.mu.Lock()
	defer n.tab.mu.Unlock()
	n.tab.maxRouters = limit
}

// capLocked is the router cap; t.mu must be held.
func (t *table) capLocked() int {
	if t.maxRouters <= 0 || t.maxRouters > MaxRouters {
		return MaxRouters
	}
	return t.maxRouters
}

// PauseExploration stops exploratory lookups while on is true (the router
// is short of memory); lookups of routers and lease sets go on.
func (n *NetDB) PauseExploration(on bool) { n.tab.explorePaused.Store(on) }

// trimCandidate is a router Trim may drop.
type trimCandidate struct {
	hash      data.Hash
	published data.Date
}

// Trim drops RouterInfos until at most limit remain, and at least MinRouters:
// never floodfills, nor routers for which keep (nil: none) returns true (the
// router keeps those it has sessions with); among the others the oldest
// published go first. They are deleted from the store as well, whose copy
// is memory too in RAM storage mode. It returns how many it dropped.
func (n *NetDB) Trim(limit int, keep func(data.Hash) bool) int {
	limit = max(limit, n.minRouters)
	n.tab.mu.RLock()
	excess := len(n.tab.routers) - limit
	var cands []trimCandidate
	if excess > 0 {
		for h, e := range n.tab.routers {
			if !e.floodfill {
				cands = append(cands, trimCandidate{h, e.ri.PublishedDate()})
			}
		}
	}
	n.tab.mu.RUnlock()
	if excess <= 0 {
		return 0
	}
	// keep may take other locks: it is called without ours.
	if keep != nil {
		cands = slices.DeleteFunc(cands, func(c trimCandidate) bool { return keep(c.hash) })
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].published < cands[j].published })
	var gone []data.Hash
	n.tab.mu.Lock()
	for _, c := range cands {
		if len(n.tab.routers) <= limit {
			break
		}
		if e, ok := n.tab.routers[c.hash]; ok && !e.floodfill {
			n.tab.deleteLocked(c.hash)
			gone = append(gone, c.hash)
		}
	}
	left := len(n.tab.routers)
	n.tab.mu.Unlock()
	n.unstore(gone)
	if len(gone) > 0 {
		n.log.Info("trimmed routerinfos", "count", len(gone), "left", left)
	}
	return len(gone)
}

// unstore deletes the RouterInfos of gone from the store (batched).
func (n *NetDB) unstore(gone []data.Hash) {
	if n.batch == nil {
		return
	}
	for _, h := range gone {
		if err := n.batch.Delete(Bucket, h[:]); err != nil {
			n.log.Warn("deleting routerinfo", "err", err)
		}
	}
}
