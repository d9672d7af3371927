package netdb

import (
	"sync"
	"time"

	"i2pgate/router/data"
)

// lookupKey names a running lookup: the key and whether a lease set (not a
// RouterInfo) is sought.
type lookupKey struct {
	key      data.Hash
	leaseSet bool
}

// lookupCall is one running lookup; concurrent lookups of the same key
// and kind share it.
type lookupCall struct {
	// done is closed when ri (or ls) or err is set.
	done chan struct{}
	ri   *data.RouterInfo
	ls   *leaseSet
	err  error
	// found receives the RouterInfo when a store brings it, foundLS the
	// lease set.
	found   chan *data.RouterInfo
	foundLS chan *leaseSet
	// replies receives the search replies of the floodfills asked.
	replies chan searchReply
}

// searchReply is a DatabaseSearchReply from a floodfill.
type searchReply struct {
	from  data.Hash
	peers []data.Hash
}

// pending correlates replies with what we asked.
type pending struct {
	mu sync.Mutex // guards the fields below
	// lookups are the running lookups by key.
	lookups map[lookupKey]*lookupCall
	// explores are the exploration keys awaiting replies, with their
	// deadline.
	explores map[data.Hash]time.Time

	// self is our current RouterInfo, selfGz its gzip form.
	self   *data.RouterInfo
	selfGz []byte
	// token is the reply token of the publication in flight (0: none);
	// confirmed receives it back.
	token     uint32
	confirmed chan struct{}
	// lastPublish, publishedTo and current describe the last confirmed
	// publication; current is false until the present self is confirmed.
	lastPublish time.Time
	publishedTo data.Hash
	current     bool
}

func (p *pending) init() {
	p.lookups = make(map[lookupKey]*lookupCall)
	p.explores = make(map[data.Hash]time.Time)
	p.confirmed = make(chan struct{}, 1)
}

// found hands ri to the lookup waiting for it, if any.
func (p *pending) found(ri *data.RouterInfo) {
	p.mu.Lock()
	c := p.lookups[lookupKey{key: ri.Hash()}]
	p.mu.Unlock()
	if c == nil {
		return
	}
	select {
	case c.found <- ri:
	default:
	}
}

// foundLeaseSet hands ls to the lookup waiting for it and reports whether
// one was.
func (p *pending) foundLeaseSet(ls *leaseSet) bool {
	p.mu.Lock()
	c := p.lookups[lookupKey{key: ls.key, leaseSet: true}]
	p.mu.Unlock()
	if c == nil {
		return false
	}
	select {
	case c.foundLS <- ls:
	default:
	}
	return true
}

// reply hands a search reply to the lookups of key (of either kind); it
// reports false when no lookup waits for key.
func (p *pending) reply(key data.Hash, r searchReply) bool {
	p.mu.Lock()
	calls := [2]*lookupCall{p.lookups[lookupKey{key: key}], p.lookups[lookupKey{key: key, leaseSet: true}]}
	p.mu.Unlock()
	waiting := false
	for _, c := range calls {
		if c == nil {
			continue
		}
		waiting = true
		select {
		case c.replies <- r:
		default:
		}
	}
	return waiting
}

// exploring reports whether key is an exploration key still awaited.
func (p *pending) exploring(key data.Hash, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	dl, ok := p.explores[key]
	return ok && now.Before(dl)
}

// addExplore registers an exploration key and forgets stale ones.
func (p *pending) addExplore(key data.Hash, deadline, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, dl := range p.explores {
		if !now.Before(dl) {
			delete(p.explores, k)
		}
	}
	p.explores[key] = deadline
}

// failAll ends every running lookup with err (at Close).
func (p *pending) failAll(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, c := range p.lookups {
		c.err = err
		close(c.done)
		delete(p.lookups, k)
	}
}

func (p *pending) publishState() (time.Time, bool, data.Hash) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastPublish, p.current, p.publishedTo
}
