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
	select {
	case n.lookupSlot <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("netdb: lookup: %w", ctx.Err())
	case <-n.ctx.Done():
		return nil, ErrClosed
	}
	c := n.startLookup(h)
	select {
	case <-c.done:
		return c.ri, c.err
	case <-ctx.Done():
		return nil, fmt.Errorf("netdb: lookup: %w", ctx.Err())
	}
}

// startLookup returns the running lookup of h or starts one. The caller holds
// a lookup slot, which the new lookup's goroutine releases (or startLookup at
// once when it joins a running one).
func (n *NetDB) startLookup(h data.Hash) *lookupCall {
	n.pend.mu.Lock()
	if c, ok := n.pend.lookups[h]; ok {
		n.pend.mu.Unlock()
		<-n.lookupSlot
		return c
	}
	c := &lookupCall{
		done:    make(chan struct{}),
		found:   make(chan *data.RouterInfo, 1),
		replies: make(chan searchReply, 2*lookupParallel),
	}
	n.pend.lookups[h] = c
	n.pend.mu.Unlock()
	if !n.running() {
		<-n.lookupSlot
		n.finishLookup(h, c, nil, ErrClosed)
		return c
	}
	n.counter.lookupsStarted.Add(1)
	go func() {
		defer n.wg.Done()
		defer func() { <-n.lookupSlot }()
		ri, err := n.runLookup(h, c)
		if err != nil {
			n.counter.lookupsFailed.Add(1)
		} else {
			n.counter.lookupsSucceeded.Add(1)
		}
		n.finishLookup(h, c, ri, err)
	}()
	return c
}

// finishLookup publishes the result of c and forgets it.
func (n *NetDB) finishLookup(h data.Hash, c *lookupCall, ri *data.RouterInfo, err error) {
	n.pend.mu.Lock()
	defer n.pend.mu.Unlock()
	if n.pend.lookups[h] == c {
		delete(n.pend.lookups, h)
		c.ri, c.err = ri, err
		close(c.done)
	}
}

// lookupState is the progress of one lookup.
type lookupState struct {
	key      data.Hash
	tried    map[data.Hash]bool
	inflight map[data.Hash]time.Time
	queries  int
}

// runLookup is the iterative search of one key.
func (n *NetDB) runLookup(key data.Hash, c *lookupCall) (*data.RouterInfo, error) {
	st := &lookupState{key: key, tried: map[data.Hash]bool{n.cfg.Self: true}, inflight: map[data.Hash]time.Time{}}
	deadline := n.clk.NewTimer(lookupTimeout)
	defer deadline.Stop()
	wait := n.clk.NewTimer(requestTimeout)
	defer wait.Stop()
	for {
		if ri, ok := n.tab.get(key); ok {
			return ri, nil
		}
		n.queryMore(st)
		if len(st.inflight) == 0 {
			return nil, fmt.Errorf("netdb: lookup %v: %w", key, ErrNotFound)
		}
		wait.Reset(st.nextTimeout(n.clk.Now()))
		select {
		case ri := <-c.found:
			return ri, nil
		case r := <-c.replies:
			delete(st.inflight, r.from)
			for _, p := range r.peers {
				n.learnLater(p)
			}
		case <-wait.C():
			st.expire(n.clk.Now())
		case <-deadline.C():
			return nil, fmt.Errorf("netdb: lookup %v: timeout: %w", key, ErrNotFound)
		case <-n.ctx.Done():
			return nil, ErrClosed
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
		if err := n.query(ff, st.key, i2np.LookupRouterInfo, st.excluded()); err != nil {
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
		n.startLookup(h)
	}
}
