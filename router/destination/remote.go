package destination

import (
	"context"
	"errors"
	"fmt"
	"time"

	"i2pgate/router/crypto"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/netdb"
)

// lookupAttempts is how many netdb lookups one remote lookup makes.
const lookupAttempts = 2

// lease is a remote inbound tunnel from either lease set type.
type lease struct {
	gateway data.Hash
	tunnel  uint32
	end     time.Time
}

// remote is what we know of a remote destination: its lease set's leases
// and ratchet key, and whether it has our current lease set.
type remote struct {
	dest      *data.Destination
	key       crypto.X25519PublicKey
	leases    []lease
	published time.Time
	expires   time.Time
	// bundled is the lease set of ours last bundled to it, and when.
	bundled   *data.LeaseSet2
	bundledAt time.Time
	used      time.Time
}

// lookupCall is a running lookup of one remote lease set.
type lookupCall struct {
	done chan struct{}
	r    *remote
	err  error
}

func (c *lookupCall) finish(r *remote, err error) {
	select {
	case <-c.done:
	default:
		c.r, c.err = r, err
		close(c.done)
	}
}

// parseRemote checks a lease set of store type t for key at now and
// extracts what we need to reach its owner.
func parseRemote(t i2np.StoreType, key data.Hash, raw []byte, now time.Time) (*remote, error) {
	switch t {
	case i2np.StoreLeaseSet2:
		ls, err := data.ParseLeaseSet2(raw)
		if err != nil {
			return nil, fmt.Errorf("destination: lease set: %w", err)
		}
		if ls.Hash() != key {
			return nil, fmt.Errorf("destination: lease set of %v under key %v", ls.Hash(), key)
		}
		if err := ls.Verify(); err != nil {
			return nil, fmt.Errorf("destination: lease set: %w", err)
		}
		k, ok := ls.EncryptionKey(data.CryptoX25519)
		if !ok || len(k) != crypto.X25519KeySize {
			return nil, fmt.Errorf("destination: %v offers no X25519 key: %w", key, ErrUnsupported)
		}
		r := &remote{dest: ls.Destination(), published: ls.Published(), expires: ls.Expires()}
		copy(r.key[:], k)
		for _, l := range ls.Leases() {
			r.leases = append(r.leases, lease{gateway: l.Gateway, tunnel: l.TunnelID, end: l.End()})
		}
		return r.check(now)
	case i2np.StoreLeaseSet:
		ls, err := data.ParseLeaseSet(raw)
		if err != nil {
			return nil, fmt.Errorf("destination: lease set: %w", err)
		}
		if ls.Hash() != key {
			return nil, fmt.Errorf("destination: lease set of %v under key %v", ls.Hash(), key)
		}
		if err := ls.Verify(); err != nil {
			return nil, fmt.Errorf("destination: lease set: %w", err)
		}
		// A type 1 lease set names its key by the destination's crypto
		// type; only an X25519 one can be reached by the ratchet.
		if ls.Destination().CryptoType() != data.CryptoX25519 || len(ls.EncryptionKey()) < crypto.X25519KeySize {
			return nil, fmt.Errorf("destination: %v has an ElGamal lease set: %w", key, ErrUnsupported)
		}
		r := &remote{dest: ls.Destination(), expires: ls.Expires()}
		copy(r.key[:], ls.EncryptionKey()[:crypto.X25519KeySize])
		for _, l := range ls.Leases() {
			r.leases = append(r.leases, lease{gateway: l.Gateway, tunnel: l.TunnelID, end: l.End()})
			if r.published.IsZero() || l.End().Before(r.published) {
				r.published = l.End()
			}
		}
		return r.check(now)
	case i2np.StoreEncryptedLeaseSet:
		return nil, fmt.Errorf("destination: encrypted lease set of %v: %w", key, ErrUnsupported)
	}
	return nil, fmt.Errorf("destination: store type %v is no lease set", t)
}

func (r *remote) check(now time.Time) (*remote, error) {
	if !r.expires.After(now) {
		return nil, errors.New("destination: lease set expired")
	}
	return r, nil
}

// usableLease picks a lease that lasts past now+margin, at random.
func (r *remote) usableLease(now time.Time, pick func(n int) int) (lease, bool) {
	var ok []lease
	for _, l := range r.leases {
		if l.end.After(now.Add(10 * time.Second)) {
			ok = append(ok, l)
		}
	}
	if len(ok) == 0 {
		return lease{}, false
	}
	return ok[pick(len(ok))], true
}

// remember caches r as key's lease set unless we hold a newer one.
func (d *Destination) remember(key data.Hash, r *remote) *remote {
	d.mu.Lock()
	defer d.mu.Unlock()
	if old, ok := d.mu.remotes[key]; ok {
		if old.published.After(r.published) {
			return old
		}
		r.bundled, r.bundledAt, r.used = old.bundled, old.bundledAt, old.used
	} else if len(d.mu.remotes) >= MaxRemoteLeaseSets {
		d.evictLocked()
	}
	d.mu.remotes[key] = r
	return r
}

// evictLocked drops expired lease sets, or else the least recently used.
func (d *Destination) evictLocked() {
	now := d.clk.Now()
	var oldest data.Hash
	var oldestUsed time.Time
	for k, r := range d.mu.remotes {
		if !r.expires.After(now) {
			delete(d.mu.remotes, k)
			continue
		}
		if oldest.IsZero() || r.used.Before(oldestUsed) {
			oldest, oldestUsed = k, r.used
		}
	}
	if len(d.mu.remotes) >= MaxRemoteLeaseSets && !oldest.IsZero() {
		delete(d.mu.remotes, oldest)
	}
}

// forget drops key's lease set (its leases failed us).
func (d *Destination) forget(key data.Hash) {
	d.mu.Lock()
	delete(d.mu.remotes, key)
	d.mu.Unlock()
}

// Lookup returns the destination behind hash h, looking its lease set up
// if it is not cached.
func (d *Destination) Lookup(ctx context.Context, h data.Hash) (*data.Destination, error) {
	r, err := d.remoteFor(ctx, h)
	if err != nil {
		return nil, err
	}
	return r.dest, nil
}

// remoteFor returns key's cached lease set or looks it up; concurrent
// callers share one lookup.
func (d *Destination) remoteFor(ctx context.Context, key data.Hash) (*remote, error) {
	now := d.clk.Now()
	d.mu.Lock()
	if d.mu.closed {
		d.mu.Unlock()
		return nil, ErrClosed
	}
	if r, ok := d.mu.remotes[key]; ok && r.expires.After(now) {
		if _, usable := r.usableLease(now, func(int) int { return 0 }); usable {
			r.used = now
			d.mu.Unlock()
			return r, nil
		}
	}
	c, running := d.mu.lookups[key]
	if !running {
		c = &lookupCall{done: make(chan struct{})}
		d.mu.lookups[key] = c
		d.wg.Add(1)
		go d.runLookup(key, c)
	}
	d.mu.Unlock()
	select {
	case <-c.done:
		return c.r, c.err
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("destination: lookup of %v: %w", key, ErrTimeout)
		}
		return nil, ctx.Err()
	}
}

func (d *Destination) runLookup(key data.Hash, c *lookupCall) {
	defer d.wg.Done()
	ctx, cancel := context.WithTimeout(d.ctx, lookupAttempts*LookupTimeout)
	defer cancel()
	// A lease set just published may not have reached every floodfill,
	// and a reply through a tunnel can be lost: ask again once.
	ls, err := d.cfg.NetDB.LookupLeaseSet(ctx, key)
	for i := 1; i < lookupAttempts && errors.Is(err, netdb.ErrNotFound) && ctx.Err() == nil; i++ {
		ls, err = d.cfg.NetDB.LookupLeaseSet(ctx, key)
	}
	var r *remote
	switch {
	case err == nil:
		r, err = parseRemote(ls.StoreType, key, ls.Raw, d.clk.Now())
		if err == nil {
			r.used = d.clk.Now()
			r = d.remember(key, r)
		}
	case errors.Is(err, netdb.ErrNotFound):
		err = fmt.Errorf("destination: %v: %w", key, ErrNotFound)
	case ctx.Err() != nil && d.ctx.Err() == nil:
		err = fmt.Errorf("destination: lookup of %v: %w", key, ErrTimeout)
	}
	d.mu.Lock()
	if d.mu.lookups[key] == c {
		delete(d.mu.lookups, key)
	}
	d.mu.Unlock()
	c.finish(r, err)
}
