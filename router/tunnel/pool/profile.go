package pool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"i2pgate/router/data"
	"i2pgate/router/store"
)

// Profile limits and windows.
const (
	// MaxProfiles bounds the peers remembered; the least recently updated
	// is evicted first.
	MaxProfiles = 1024
	// FailedPeerWindow is how long after a decline or timeout a peer ranks
	// RankFailed, unless it agreed since.
	FailedPeerWindow = 2 * time.Minute
	// GoodPeerWindow is how recent an agreement must be for RankGood.
	GoodPeerWindow = time.Hour
	// ProfileBucket is the store bucket of the profiles, keyed by router
	// hash.
	ProfileBucket = "tunnel.profiles"
	// ProfileFlushInterval is how often changed profiles are committed to
	// the store (unless Config.Batch says otherwise), and at Close. Every
	// tunnel build changes some; each bbolt commit rewrites several 4 KB
	// pages and syncs, and a profile lost in a crash only costs a few
	// builds' worth of knowledge.
	ProfileFlushInterval = 30 * time.Minute
)

// Encoded profile: version 1, agreed, declined, timed out (uint32 each),
// last success, last failure, updated (int64 ms since the epoch each).
const (
	profileVersion      = 1
	profileVersionSize  = 1
	profileCountersSize = 3 * 4
	profileTimesSize    = 3 * 8
	profileSize         = profileVersionSize + profileCountersSize + profileTimesSize
)

// Profile is what we know of one peer as a tunnel hop.
type Profile struct {
	Agreed, Declined, TimedOut uint32
	LastSuccess, LastFailure   time.Time
	Updated                    time.Time
}

// Rank classifies p at now for Select.
func (p Profile) Rank(now time.Time) Rank {
	failed := p.Declined + p.TimedOut
	// A failure further ahead than the window is from before a clock
	// correction backwards (the router's clock learns the network's):
	// it is not recent, or it would rank the peer failed for hours.
	sinceFailure := now.Sub(p.LastFailure)
	switch {
	case !p.LastFailure.IsZero() && p.LastFailure.After(p.LastSuccess) && sinceFailure < FailedPeerWindow && sinceFailure > -FailedPeerWindow:
		return RankFailed
	case failed > 2*p.Agreed+2:
		return RankPoor
	case !p.LastSuccess.IsZero() && now.Sub(p.LastSuccess) < GoodPeerWindow && p.Agreed >= failed:
		return RankGood
	default:
		return RankUnknown
	}
}

// marshal encodes p in profileSize bytes.
func (p Profile) marshal() []byte {
	b := make([]byte, profileSize)
	b[0] = profileVersion
	o := profileVersionSize
	for _, v := range []uint32{p.Agreed, p.Declined, p.TimedOut} {
		binary.BigEndian.PutUint32(b[o:], v)
		o += 4
	}
	for _, t := range []time.Time{p.LastSuccess, p.LastFailure, p.Updated} {
		var ms int64
		if !t.IsZero() {
			ms = t.UnixMilli()
		}
		binary.BigEndian.PutUint64(b[o:], uint64(ms))
		o += 8
	}
	return b
}

var errProfile = errors.New("pool: bad stored profile")

// unmarshalProfile decodes a stored profile.
func unmarshalProfile(b []byte) (Profile, error) {
	if len(b) != profileSize || b[0] != profileVersion {
		return Profile{}, errProfile
	}
	var p Profile
	o := profileVersionSize
	for _, v := range []*uint32{&p.Agreed, &p.Declined, &p.TimedOut} {
		*v = binary.BigEndian.Uint32(b[o:])
		o += 4
	}
	for _, t := range []*time.Time{&p.LastSuccess, &p.LastFailure, &p.Updated} {
		if ms := int64(binary.BigEndian.Uint64(b[o:])); ms != 0 {
			*t = time.UnixMilli(ms)
		}
		o += 8
	}
	return p, nil
}

// Outcome is how a peer answered one build request.
type Outcome int

// Outcomes of a build request at one hop.
const (
	Agreed Outcome = iota
	Declined
	TimedOut
)

// Profiles keeps peer profiles in memory and, when given a Batcher, writes
// changes through it (rarely: the Batcher commits them in batches).
// It is safe for concurrent use.
type Profiles struct {
	batch *store.Batcher // nil: memory only

	mu struct {
		sync.Mutex
		// peers are guarded by mu.
		peers map[data.Hash]*Profile
	}
}

// NewProfiles returns empty profiles writing through batch (nil: none).
func NewProfiles(batch *store.Batcher) *Profiles {
	p := &Profiles{batch: batch}
	p.mu.peers = make(map[data.Hash]*Profile)
	return p
}

// Load reads the profiles stored in s. Entries that do not decode are
// skipped; at most MaxProfiles, the most recently updated, are kept.
func (p *Profiles) Load(s store.Store) error {
	loaded := make(map[data.Hash]Profile)
	err := s.View(func(tx store.Tx) error {
		return tx.Bucket(ProfileBucket).ForEach(func(k, b []byte) error {
			pr, err := unmarshalProfile(b)
			if err == nil && len(k) == data.HashSize {
				loaded[data.Hash(k)] = pr
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("pool: load profiles: %w", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for h, pr := range loaded {
		pr := pr
		p.mu.peers[h] = &pr
	}
	for len(p.mu.peers) > MaxProfiles {
		p.evictLocked()
	}
	return nil
}

// Get returns the profile of h.
func (p *Profiles) Get(h data.Hash) (Profile, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pr, ok := p.mu.peers[h]
	if !ok {
		return Profile{}, false
	}
	return *pr, true
}

// Len returns the number of profiles.
func (p *Profiles) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.mu.peers)
}

// Rank returns the rank of h at now (RankUnknown without a profile).
func (p *Profiles) Rank(h data.Hash, now time.Time) Rank {
	pr, ok := p.Get(h)
	if !ok {
		return RankUnknown
	}
	return pr.Rank(now)
}

// Record counts one build outcome of h at now. The returned error is the
// Batcher's (the update is kept in memory and stays queued).
func (p *Profiles) Record(h data.Hash, o Outcome, now time.Time) error {
	p.mu.Lock()
	pr, ok := p.mu.peers[h]
	if !ok {
		if len(p.mu.peers) >= MaxProfiles {
			p.evictLocked()
		}
		pr = &Profile{}
		p.mu.peers[h] = pr
	}
	switch o {
	case Agreed:
		pr.Agreed = incr(pr.Agreed)
		pr.LastSuccess = now
	case Declined:
		pr.Declined = incr(pr.Declined)
		pr.LastFailure = now
	default:
		pr.TimedOut = incr(pr.TimedOut)
		pr.LastFailure = now
	}
	pr.Updated = now
	enc := pr.marshal()
	p.mu.Unlock()
	if p.batch == nil {
		return nil
	}
	if err := p.batch.Put(ProfileBucket, h[:], enc); err != nil {
		return fmt.Errorf("pool: save profile: %w", err)
	}
	return nil
}

// evictLocked drops the least recently updated profile.
func (p *Profiles) evictLocked() {
	var oldest data.Hash
	var t time.Time
	first := true
	for h, pr := range p.mu.peers {
		if first || pr.Updated.Before(t) {
			oldest, t, first = h, pr.Updated, false
		}
	}
	delete(p.mu.peers, oldest)
	if p.batch != nil {
		// A failed delete leaves a stale entry that Load bounds again.
		_ = p.batch.Delete(ProfileBucket, oldest[:])
	}
}

// incr adds one, saturating.
func incr(v uint32) uint32 {
	if v == ^uint32(0) {
		return v
	}
	return v + 1
}
