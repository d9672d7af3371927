package netdb

import (
	"context"
	"fmt"
	"time"

	"i2pgate/router/data"
	"i2pgate/router/i2np"
)

// Lookup returns the RouterInfo of h: from the database, or by asking the
// floodfills closest to h, up to lookupParallel at a time and maxLookupQueries
// in all, following the floodfills their search replies name, within
// lookupTimeout. Concurrent lookups of one key share the work.
func (n *NetDB) Lookup(ctx context.Context, h data.Hash) (*data.RouterInfo, error) {
	if ri, ok := n.tab.get(h); ok {
		return ri, nil
	}
	if h == n.cfg.Self {
		return nil, fmt.Errorf("netdb: lookup of ourselves: %w", ErrNotFound)
	}
	c, err := n.lookup(ctx, lookupKey{key: h})
	if err != nil {
		return nil, err
	}
	return c.ri, c.err
}

// LeaseSet is a validated lease set that a lookup found.
type LeaseSet struct {
	// Key is the destination hash.
	Key data.Hash
	// StoreType tells LeaseSet (1), LeaseSet2 (3) or EncryptedLeaseSet (5).
	StoreType i2np.StoreType
	// Raw is the lease set's bytes (what follows the store type).
	Raw []byte
	// Published is when it was published (LS2) or its earliest lease end
	// (LS1); Expires when its last lease ends.
	Published, Expires time.Time
}

// LookupLeaseSet returns the lease set of the destination h: held here when
// we are a floodfill, else asked of the floodfills closest to h as Lookup
// does, through our tunnels whenever they exist (a lease set lookup must not
// tie our router to the destination). Lease sets found are not kept here;
// the caller caches them until they expire.
func (n *NetDB) LookupLeaseSet(ctx context.Context, h data.Hash) (*LeaseSet, error) {
	if ls, ok := n.tab.leaseSet(h, n.clk.Now()); ok {
		return ls.export(), nil
	}
	c, err := n.lookup(ctx, lookupKey{key: h, leaseSet: true})
	if err != nil {
		return nil, err
	}
	if c.err != nil {
		return nil, c.err
	}
	return c.ls.export(), nil
}

func (ls *leaseSet) export() *LeaseSet {
	return &LeaseSet{Key: ls.key, StoreType: ls.storeType, Raw: ls.raw, Published: ls.version, Expires: ls.expires}
}

// lookup runs or joins the lookup k and waits for it.
func (n *NetDB) lookup(ctx context.Context, k lookupKey) (*lookupCall, error) {
	select {
	case n.lookupSlot <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("netdb: lookup: %w", ctx.Err())
	case <-n.ctx.Done():
		return nil, ErrClosed
	}
	c := n.startLookup(k)
	select {
	case <-c.done:
		return c, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("netdb: lookup: %w", ctx.Err())
	}
}

// startLookup returns the running lookup k or starts one. The caller holds
// a lookup slot, which the new lookup's goroutine releases (or startLookup at
// once when it joins a running one).
func (n *NetDB) startLookup(k lookupKey) *lookupCall {
	n.pend.mu.Lock()
	if c, ok := n.pend.lookups[k]; ok {
		n.pend.mu.Unlock()
		<-n.lookupSlot
		return c
	}
	c := &lookupCall{
		done:    make(chan struct{}),
		found:   make(chan *data.RouterInfo, 1),
		foundLS: make(chan *leaseSet, 1),
		replies: make(chan searchReply, 2*lookupParallel),
	}
	n.pend.lookups[k] = c
	n.pend.mu.Unlock()
	if !n.running() {
		<-n.lookupSlot
		n.finishLookup(k, c, ErrClosed)
		return c
	}
	n.counter.lookupsStarted.Add(1)
	go func() {
		defer n.wg.Done()
		defer func() { <-n.lookupSlot }()
		err := n.runLookup(k, c)
		if err != nil {
			n.counter.lookupsFailed.Add(1)
		} else {
			n.counter.lookupsSucceeded.Add(1)
		}
		n.finishLookup(k, c, err)
	}()
	return c
}

// finishLookup publishes the result of c (its ri or ls, or err) and forgets
// it.
func (n *NetDB) finishLookup(k lookupKey, c *lookupCall, err error) {
	n.pend.mu.Lock()
	defer n.pend.mu.Unlock()
	if n.pend.lookups[k] == c {
		delete(n.pend.lookups, k)
		c.err = err
		close(c.done)
	}
}

// lookupState is the progress of one lookup.
type lookupState struct {
	key      data.Hash
	typ      i2np.LookupType
	always   bool // through tunnels even with a session to the floodfill
	tried    map[data.Hash]bool
	inflight map[data.Hash]time.Time
	queries  int
}

// runLookup is the iterative search of one key; it sets c.ri or c.ls.
func (n *NetDB) runLookup(k lookupKey, c *lookupCall) error {
	st := &lookupState{key: k.key, typ: i2np.LookupRouterInfo, tried: map[data.Hash]bool{n.cfg.Self: true}, inflight: map[data.Hash]time.Time{}}
	if k.leaseSet {
		st.typ, st.always = i2np.LookupLeaseSet, true
	}
	deadline := n.clk.NewTimer(lookupTimeout)
	defer deadline.Stop()
	wait := n.clk.NewTimer(requestTimeout)
	defer wait.Stop()
	for {
		if !k.leaseSet {
			if ri, ok := n.tab.get(k.key); ok {
				c.ri = ri
				return nil
			}
		}
		n.queryMore(st)
		if len(st.inflight) == 0 {
			return fmt.Errorf("netdb: lookup %v: %w", k.key, ErrNotFound)
		}
		wait.Reset(st.nextTimeout(n.clk.Now()))
		select {
		case ri := <-c.found:
			c.ri = ri
			return nil
		case ls := <-c.foundLS:
			c.ls = ls
			return nil
		case r := <-c.replies:
			delete(st.inflight, r.from)
			for _, p := range r.peers {
				n.learnLater(p)
			}
		case <-wait.C():
			st.expire(n.clk.Now())
		case <-deadline.C():
			return fmt.Errorf("netdb: lookup %v: timeout: %w", k.key, ErrNotFound)
		case <-n.ctx.Done():
			return ErrClosed
		}
	}
}

// queryMore asks further floodfills until lookupParallel are in flight.
func (n *NetDB) queryMore(st *lookupState) {
	for len(st.inflight) < lookupParallel && st.queries < maxLookupQueries {
		next := n.ClosestFloodfills(st.key, 1, st.tried)
		if len(next) == 0 {
			return
		}
		ff := next[0]
		st.tried[ff] = true
		st.queries++
		if err := n.queryRoute(ff, st.key, st.typ, st.always, st.excluded()); err != nil {
			n.log.Debug("lookup", "err", err)
			continue
		}
		st.inflight[ff] = n.clk.Now()
	}
}

// excluded lists the floodfills already asked (and ourselves).
func (st *lookupState) excluded() []data.Hash {
	out := make([]data.Hash, 0, min(len(st.tried), maxLookupExcluded))
	for h := range st.tried {
		if len(out) == maxLookupExcluded {
			break
		}
		out = append(out, h)
	}
	return out
}

// nextTimeout is how long until the oldest query times out.
func (st *lookupState) nextTimeout(now time.Time) time.Duration {
	d := requestTimeout
	for _, sent := range st.inflight {
		if left := sent.Add(requestTimeout).Sub(now); left < d {
			d = left
		}
	}
	return max(d, time.Millisecond)
}

// expire forgets the queries that timed out.
func (st *lookupState) expire(now time.Time) {
	for h, sent := range st.inflight {
		if !now.Before(sent.Add(requestTimeout)) {
			delete(st.inflight, h)
		}
	}
}

// learnLater queues h for a lookup unless it is known, ourselves or the
// queue is full.
func (n *NetDB) learnLater(h data.Hash) {
	if h == n.cfg.Self || h.IsZero() {
		return
	}
	if _, ok := n.tab.get(h); ok {
		return
	}
	select {
	case n.learnQ <- h:
	default:
	}
}

// learn looks up the queued hashes, up to maxLookups at a time.
func (n *NetDB) learn() {
	for {
		var h data.Hash
		select {
		case <-n.ctx.Done():
			return
		case h = <-n.learnQ:
		}
		if _, ok := n.tab.get(h); ok {
			continue
		}
		select {
		case n.lookupSlot <- struct{}{}:
		case <-n.ctx.Done():
			return
		}
		n.startLookup(lookupKey{key: h})
	}
}
