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
	// DupSlice that a DupFilter holds at its nominal false-positive rate
	// (about 6e-4 per live bucket); beyond it the rate rises, memory does
	// not. 4096 per 30 s is about 136 messages a second, for 80 KiB.
	DupFilterCapacity = 4096
	// MaxDupFilterCapacity bounds the capacity NewDupFilter accepts.
	MaxDupFilterCapacity = 1 << 20
	// DupSlice is the time width of one bucket of a DupFilter.
	DupSlice = 30 * time.Second

	// dupBuckets covers the whole acceptance window of a message (from
	// MaxFutureExpiration ahead to ClockSkew after its expiration) plus
	// the slice in progress and one spare.
	dupBuckets      = int((MaxFutureExpiration+ClockSkew)/DupSlice) + 2
	dupBitsPerEntry = 16
	dupProbes       = 8
)

// DupFilter remembers message IDs, or caller-chosen keys such as tunnel
// message IVs, until their expiration has passed by ClockSkew, and reports
// replays within that window. It is a ring of Bloom filters, one per
// DupSlice of forget time (as Java I2P's decaying Bloom filter, but keyed
// by each message's own expiration), so its memory is fixed by the
// capacity: about dupBuckets * capacity * 2 bytes, allocated as buckets are
// first used. False positives are possible (a fresh message reported as
// seen), false negatives within the window are not. It is safe for
// concurrent use; time is passed in by the caller.
type DupFilter struct {
	seed maphash.Seed
	mask uint32 // bits per bucket - 1; bits is a power of two

	mu      sync.Mutex // guards buckets
	buckets [dupBuckets]dupBucket
}

// dupBucket is a Bloom filter of the entries forgotten in one slice.
type dupBucket struct {
	slice int64 // slice number of its forget times, valid when used
	used  bool
	words []uint64
}

// NewDupFilter returns an empty filter sized for capacity messages per
// DupSlice; capacity <= 0 means DupFilterCapacity, and values above
// MaxDupFilterCapacity are reduced to it.
func NewDupFilter(capacity int) *DupFilter {
	if capacity <= 0 {
		capacity = DupFilterCapacity
	}
	capacity = min(capacity, MaxDupFilterCapacity)
	bits := uint32(64)
	for bits < uint32(capacity*dupBitsPerEntry) {
		bits <<= 1
	}
	return &DupFilter{seed: maphash.MakeSeed(), mask: bits - 1}
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
	f.bucketLocked(slice, cur).set(h, f.mask)
	return seen
}

// containsLocked tests h against every bucket whose slice is not over.
func (f *DupFilter) containsLocked(h uint64, cur int64) bool {
	for i := range f.buckets {
		b := &f.buckets[i]
		if b.used && b.slice >= cur && b.test(h, f.mask) {
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
	if b.words == nil {
		b.words = make([]uint64, (uint64(f.mask)+1)/64)
	} else {
		clear(b.words)
	}
	b.slice, b.used = slice, true
	return b
}

// probes derives the bit indexes of h by double hashing.
func probes(h uint64) (h1, h2 uint32) { return uint32(h), uint32(h>>32) | 1 }

func (b *dupBucket) test(h uint64, mask uint32) bool {
	h1, h2 := probes(h)
	for i := uint32(0); i < dupProbes; i++ {
		idx := (h1 + i*h2) & mask
		if b.words[idx/64]&(1<<(idx%64)) == 0 {
			return false
		}
	}
	return true
}

func (b *dupBucket) set(h uint64, mask uint32) {
	h1, h2 := probes(h)
	for i := uint32(0); i < dupProbes; i++ {
		idx := (h1 + i*h2) & mask
		b.words[idx/64] |= 1 << (idx % 64)
	}
}

// floorDiv divides rounding toward negative infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
