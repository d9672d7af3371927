package i2np

import (
	"encoding/binary"
	"hash/maphash"
	"sync"
	"time"
)

// DupFilter sizing.
const (
	// DupFilterCapacity is the default number of distinct messages per
	// DupSlice that the buckets of a new DupFilter record (each bucket is
	// sized for twice that, see dupBucket.set). A bucket started while the
	// rate is higher is made larger, up to dupMaxGrowth times; a full
	// bucket records nothing more, so a burst beyond it leaves some
	// replays undetected instead of refusing fresh messages.
	// 4096 per 30 s is about 136 messages a second, for 160 KiB.
	DupFilterCapacity = 4096
	// MaxDupFilterCapacity bounds the capacity of one bucket.
	MaxDupFilterCapacity = 1 << 20
	// DupSlice is the time width of one bucket of a DupFilter.
	DupSlice = 30 * time.Second

	// dupBuckets covers the whole acceptance window of a message (from
	// MaxFutureExpiration ahead to ClockSkew after its expiration) plus
	// the slice in progress and one spare.
	dupBuckets      = int((MaxFutureExpiration+ClockSkew)/DupSlice) + 2
	dupBitsPerEntry = 16
	dupProbes       = 8
	// dupMaxGrowth bounds how much larger than the capacity a bucket is
	// made for a higher rate.
	dupMaxGrowth = 32
)

// DupFilter remembers message IDs, or caller-chosen keys such as tunnel
// message IVs, until their expiration has passed by ClockSkew, and reports
// replays within that window. It is a ring of Bloom filters, one per
// DupSlice of forget time (as Java I2P's decaying Bloom filter, but keyed
// by each message's own expiration). Each bucket is sized when it starts
// for twice the most entries offered to a live bucket (at least the
// capacity, at most dupMaxGrowth times it) and stops recording once it
// holds half of that, so the false-positive rate stays low however fast
// messages come: a fresh message is reported as seen
// with a probability of about 5e-6 per live bucket, and a replay within
// the window goes unnoticed only when its bucket was full. Memory follows
// the rate: about dupBuckets * 2 bytes per entry of a bucket's size. It is
// safe for concurrent use; time is passed in by the caller.
type DupFilter struct {
	seed    maphash.Seed
	minBits uint32 // bits of a bucket for the capacity; a power of two
	maxBits uint32

	mu      sync.Mutex // guards buckets and the counters
	buckets [dupBuckets]dupBucket
	full    uint64 // entries not recorded because their bucket was full
}

// dupBucket is a Bloom filter of the entries forgotten in one slice.
type dupBucket struct {
	slice int64 // slice number of its forget times, valid when used
	used  bool
	mask  uint32 // bits - 1
	count int    // entries recorded
	// offered counts the entries that were to be recorded, full or not:
	// the rate the next bucket is sized for.
	offered int
	words   []uint64
}

// NewDupFilter returns an empty filter whose buckets record at least
// capacity messages per DupSlice; capacity <= 0 means DupFilterCapacity,
// and values above MaxDupFilterCapacity are reduced to it.
func NewDupFilter(capacity int) *DupFilter {
	if capacity <= 0 {
		capacity = DupFilterCapacity
	}
	capacity = min(capacity, MaxDupFilterCapacity)
	return &DupFilter{seed: maphash.MakeSeed(), minBits: bitsFor(2 * capacity),
		maxBits: bitsFor(2 * min(capacity*dupMaxGrowth, MaxDupFilterCapacity))}
}

// bitsFor is the power of two of bits that holds n entries.
func bitsFor(n int) uint32 {
	bits := uint32(64)
	for bits < uint32(n*dupBitsPerEntry) {
		bits <<= 1
	}
	return bits
}

// Unrecorded reports how many entries were not recorded because their
// bucket was full (replays of them go unnoticed).
func (f *DupFilter) Unrecorded() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.full
}

// Duplicate records message id with its expiration and reports whether it
// was recorded before and is still remembered. A message whose expiration
// is outside the acceptance window (Message.Expired at now) is reported as
// a duplicate: it cannot be remembered and must be dropped anyway.
func (f *DupFilter) Duplicate(id uint32, expiration, now time.Time) bool {
	return f.check(f.idHash(id), expiration, now)
}

// DuplicateKey is Duplicate for a caller-chosen key (for tunnel messages an
// 8- or 16-byte value); keys never collide with ids by construction.
func (f *DupFilter) DuplicateKey(key []byte, expiration, now time.Time) bool {
	return f.check(f.keyHash(key), expiration, now)
}

func (f *DupFilter) idHash(id uint32) uint64 {
	var b [5]byte
	b[0] = 0 // domain: message ids
	binary.BigEndian.PutUint32(b[1:], id)
	return maphash.Bytes(f.seed, b[:])
}

func (f *DupFilter) keyHash(key []byte) uint64 {
	var h maphash.Hash
	h.SetSeed(f.seed)
	h.WriteByte(1) // domain: keys
	h.Write(key)
	return h.Sum64()
}

func (f *DupFilter) check(h uint64, expiration, now time.Time) bool {
	if (Message{Expiration: expiration}).Expired(now) {
		return true
	}
	sliceMs := DupSlice.Milliseconds()
	cur := floorDiv(now.UnixMilli(), sliceMs)
	slice := floorDiv(expiration.Add(ClockSkew).UnixMilli(), sliceMs)

	f.mu.Lock()
	defer f.mu.Unlock()
	seen := f.containsLocked(h, cur)
	if b := f.bucketLocked(slice, cur); !seen && !b.set(h) {
		f.full++
	}
	return seen
}

// containsLocked tests h against every bucket whose slice is not over.
func (f *DupFilter) containsLocked(h uint64, cur int64) bool {
	for i := range f.buckets {
		b := &f.buckets[i]
		if b.used && b.slice >= cur && b.test(h) {
			return true
		}
	}
	return false
}

// bucketLocked returns the bucket for forget slice, recycling the ring
// entry if it holds a slice that is over.
func (f *DupFilter) bucketLocked(slice, cur int64) *dupBucket {
	n := int64(dupBuckets)
	b := &f.buckets[((slice%n)+n)%n]
	if b.used && b.slice >= cur {
		// Live: the same slice, or (after the clock went back) a later
		// one; keeping the later tag only remembers entries longer.
		b.slice = max(b.slice, slice)
		return b
	}
	bits := f.sizeLocked(cur)
	if len(b.words) != int(bits/64) {
		b.words = make([]uint64, bits/64)
	} else {
		clear(b.words)
	}
	b.slice, b.used, b.mask, b.count, b.offered = slice, true, bits-1, 0, 0
	return b
}

// sizeLocked is the number of bits for a new bucket: room for twice the
// most entries offered to a live bucket, within [minBits, maxBits].
func (f *DupFilter) sizeLocked(cur int64) uint32 {
	most := 0
	for i := range f.buckets {
		if b := &f.buckets[i]; b.used && b.slice >= cur {
			most = max(most, b.offered)
		}
	}
	return min(max(bitsFor(2*most), f.minBits), f.maxBits)
}

// probes derives the bit indexes of h by double hashing.
func probes(h uint64) (h1, h2 uint32) { return uint32(h), uint32(h>>32) | 1 }

func (b *dupBucket) test(h uint64) bool {
	h1, h2 := probes(h)
	for i := uint32(0); i < dupProbes; i++ {
		idx := (h1 + i*h2) & b.mask
		if b.words[idx/64]&(1<<(idx%64)) == 0 {
			return false
		}
	}
	return true
}

// set records h unless the bucket is full; it reports whether h was
// recorded. A bucket is full at half the entries its size is made for
// (dupBitsPerEntry each), where a fresh entry tests positive with a
// probability of about 5e-6 instead of 6e-4: with i2pd 2.45.1 as the
// sender, a lost streaming packet costs seconds.
func (b *dupBucket) set(h uint64) bool {
	b.offered++
	if b.count >= int(b.mask/(2*dupBitsPerEntry))+1 {
		return false
	}
	b.count++
	h1, h2 := probes(h)
	for i := uint32(0); i < dupProbes; i++ {
		idx := (h1 + i*h2) & b.mask
		b.words[idx/64] |= 1 << (idx % 64)
	}
	return true
}

// floorDiv divides rounding toward negative infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
