package garlic

import (
	"io"
	"sync"
	"time"

	"i2pgate/router/clock"
	"i2pgate/router/i2np"
)

// ReplyTable sizing defaults.
const (
	// DefaultReplyTTL is how long a reply key waits for its answer. Our
	// lookups give up well before; the slack covers slow tunnels.
	DefaultReplyTTL = 2 * time.Minute
	// DefaultMaxReplies bounds the outstanding reply keys (about 100
	// bytes each). When full, the oldest is dropped.
	DefaultMaxReplies = 512
	// MaxRepliesLimit bounds what ReplyTableConfig.Max may ask for.
	MaxRepliesLimit = 1 << 16
)

// ReplyTableConfig configures a ReplyTable; the zero value gives the
// defaults.
type ReplyTableConfig struct {
	// Clock is the time source; nil means clock.System().
	Clock clock.Clock
	// TTL is how long a key stays; <= 0 means DefaultReplyTTL.
	TTL time.Duration
	// Max bounds the entries; <= 0 means DefaultMaxReplies, values above
	// MaxRepliesLimit are reduced to it.
	Max int
}

// ReplyTable keeps the one-time reply keys of our outstanding ECIES
// DatabaseLookups, by tag, until they are used or expire. Its size is
// bounded: entries sit in a ring in insertion order, which is also
// expiration order, so expiry and eviction cost O(1). It starts no
// goroutine and is safe for concurrent use.
type ReplyTable struct {
	clock clock.Clock
	ttl   time.Duration
	max   int

	// mu guards the fields below.
	mu    sync.Mutex
	byTag map[i2np.RatchetTag]replyEntry
	ring  []ringEntry // capacity max; live between head and head+n
	head  int
	n     int
	seq   uint64
}

type replyEntry struct {
	key     [KeySize]byte
	expires time.Time
	seq     uint64
}

// ringEntry names a map entry; it is stale once the map holds another
// seq for the tag, or none.
type ringEntry struct {
	tag i2np.RatchetTag
	seq uint64
}

// NewReplyTable returns an empty table.
func NewReplyTable(cfg ReplyTableConfig) *ReplyTable {
	t := &ReplyTable{clock: clock.Or(cfg.Clock), ttl: cfg.TTL, max: cfg.Max}
	if t.ttl <= 0 {
		t.ttl = DefaultReplyTTL
	}
	if t.max <= 0 {
		t.max = DefaultMaxReplies
	}
	t.max = min(t.max, MaxRepliesLimit)
	t.byTag = make(map[i2np.RatchetTag]replyEntry)
	return t
}

// New draws a fresh ReplyKey from rand (nil means crypto/rand) and adds it.
func (t *ReplyTable) New(rand io.Reader) (ReplyKey, error) {
	k, err := NewReplyKey(rand)
	if err != nil {
		return ReplyKey{}, err
	}
	t.Add(k)
	return k, nil
}

// Add remembers k until TTL from now, replacing any key with the same tag
// and dropping the oldest entry when the table is full.
func (t *ReplyTable) Add(k ReplyKey) {
	now := t.clock.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.expireLocked(now)
	if t.n == t.max {
		if len(t.byTag) < t.n {
			t.compactLocked()
		} else {
			t.popLocked()
		}
	}
	if t.ring == nil {
		t.ring = make([]ringEntry, t.max)
	}
	t.seq++
	t.byTag[k.Tag] = replyEntry{key: k.Key, expires: now.Add(t.ttl), seq: t.seq}
	t.ring[(t.head+t.n)%t.max] = ringEntry{tag: k.Tag, seq: t.seq}
	t.n++
}

// Get returns the unexpired key for tag without removing it.
func (t *ReplyTable) Get(tag i2np.RatchetTag) (ReplyKey, bool) {
	now := t.clock.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.byTag[tag]
	if !ok || now.After(e.expires) {
		return ReplyKey{}, false
	}
	return ReplyKey{Key: e.key, Tag: tag}, true
}

// Remove forgets tag; a key is good for one reply.
func (t *ReplyTable) Remove(tag i2np.RatchetTag) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.byTag, tag)
}

// Len returns the number of keys held, expired ones included until the
// next Add.
func (t *ReplyTable) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.byTag)
}

// expireLocked pops stale and expired entries from the front of the ring.
func (t *ReplyTable) expireLocked(now time.Time) {
	for t.n > 0 {
		r := t.ring[t.head]
		e, ok := t.byTag[r.tag]
		if ok && e.seq == r.seq && !now.After(e.expires) {
			return
		}
		t.popLocked()
	}
}

// popLocked drops the oldest ring entry and its key if still live.
func (t *ReplyTable) popLocked() {
	r := t.ring[t.head]
	if e, ok := t.byTag[r.tag]; ok && e.seq == r.seq {
		delete(t.byTag, r.tag)
	}
	t.ring[t.head] = ringEntry{}
	t.head = (t.head + 1) % t.max
	t.n--
}

// compactLocked squeezes stale entries out of the ring, keeping order.
func (t *ReplyTable) compactLocked() {
	live := make([]ringEntry, 0, len(t.byTag))
	for i := range t.n {
		r := t.ring[(t.head+i)%t.max]
		if e, ok := t.byTag[r.tag]; ok && e.seq == r.seq {
			live = append(live, r)
		}
	}
	clear(t.ring)
	copy(t.ring, live)
	t.head, t.n = 0, len(live)
}
