package store

import (
	"fmt"
	"sync"
	"time"
)

// Defaults for BatchOptions: one commit per half minute at most, unless
// many updates pile up. That suits data written now and then; data that
// changes all the time should use a longer Interval. Each commit of a DB
// costs the device about 20-40 KB of writes however small it is (the
// changed 4 KB pages, the branch pages above them and the meta page, each
// synced), so a router that is to write under 1 MB an hour can afford a few
// dozen commits an hour in all.
const (
	DefaultBatchInterval   = 30 * time.Second
	DefaultBatchMaxPending = 256
)

// BatchOptions tunes a Batcher. A nil *BatchOptions or a zero field means
// the default.
type BatchOptions struct {
	// Interval is the longest a write waits before it is committed.
	Interval time.Duration
	// MaxPending is how many distinct pending keys make Put or Delete
	// flush at once.
	MaxPending int
	// OnError receives the error of a flush started by the interval timer;
	// the writes stay pending and are retried at the next flush. nil drops
	// the error.
	OnError func(error)
}

// Batcher collects puts and deletes of write-rarely data in memory and
// commits them in one Update every Interval, or as soon as MaxPending keys
// are pending, and on Flush and Close. Repeated writes of a key between
// flushes cost one write. It does not own the Store: Close flushes but
// leaves the Store open. A Batcher is safe for concurrent use and starts no
// goroutine while nothing is pending.
type Batcher struct {
	store      Store
	interval   time.Duration
	maxPending int
	onError    func(error)

	flushing sync.Mutex     // serialises flushes, so batches commit in order
	timers   sync.WaitGroup // interval timer callbacks not yet finished

	// mu guards the pending writes, the timer and closed.
	mu struct {
		sync.Mutex
		pending map[batchKey]memWrite
		timer   *time.Timer // armed while writes are pending
		closed  bool
	}
}

type batchKey struct{ bucket, key string }

// NewBatcher returns a Batcher writing to s.
func NewBatcher(s Store, opts *BatchOptions) *Batcher {
	b := &Batcher{store: s, interval: DefaultBatchInterval, maxPending: DefaultBatchMaxPending}
	if opts != nil {
		if opts.Interval > 0 {
			b.interval = opts.Interval
		}
		if opts.MaxPending > 0 {
			b.maxPending = opts.MaxPending
		}
		b.onError = opts.OnError
	}
	b.mu.pending = make(map[batchKey]memWrite)
	return b
}

// Put queues value under key in bucket; it copies both. It returns the
// error of the flush it triggers, if any; the write stays queued then.
func (b *Batcher) Put(bucket string, key, value []byte) error {
	if err := checkBucketName(bucket); err != nil {
		return err
	}
	if err := checkPut(true, key, value); err != nil {
		return err
	}
	return b.queue(batchKey{bucket, string(key)}, memWrite{value: append([]byte{}, value...)})
}

// Delete queues the removal of key from bucket.
func (b *Batcher) Delete(bucket string, key []byte) error {
	if err := checkBucketName(bucket); err != nil {
		return err
	}
	if len(key) == 0 {
		return ErrKeyRequired
	}
	return b.queue(batchKey{bucket, string(key)}, memWrite{deleted: true})
}

// Lookup reports a pending write of key: its value, or deleted when a
// delete is pending; ok is false when nothing is pending for key, and the
// Store holds the current value.
func (b *Batcher) Lookup(bucket string, key []byte) (value []byte, deleted, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	w, ok := b.mu.pending[batchKey{bucket, string(key)}]
	return w.value, w.deleted, ok
}

// Pending returns the number of keys waiting to be written.
func (b *Batcher) Pending() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.mu.pending)
}

func (b *Batcher) queue(k batchKey, w memWrite) error {
	b.mu.Lock()
	if b.mu.closed {
		b.mu.Unlock()
		return ErrClosed
	}
	b.mu.pending[k] = w
	b.armLocked()
	n := len(b.mu.pending)
	b.mu.Unlock()
	if n >= b.maxPending {
		return b.Flush()
	}
	return nil
}

// armLocked starts the interval timer if it is not running.
func (b *Batcher) armLocked() {
	if b.mu.timer != nil || b.mu.closed {
		return
	}
	b.timers.Add(1)
	b.mu.timer = time.AfterFunc(b.interval, b.timerFlush)
}

func (b *Batcher) timerFlush() {
	defer b.timers.Done()
	b.mu.Lock()
	b.mu.timer = nil
	b.mu.Unlock()
	if err := b.Flush(); err != nil && b.onError != nil {
		b.onError(err)
	}
}

// Flush commits all pending writes in one transaction. On failure they stay
// pending, behind any newer write of the same key.
func (b *Batcher) Flush() error {
	b.flushing.Lock()
	defer b.flushing.Unlock()
	b.mu.Lock()
	batch := b.mu.pending
	b.mu.pending = make(map[batchKey]memWrite)
	if t := b.mu.timer; t != nil && t.Stop() {
		b.mu.timer = nil
		b.timers.Done()
	}
	b.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	err := b.store.Update(func(tx Tx) error {
		for k, w := range batch {
			bk := tx.Bucket(k.bucket)
			var err error
			if w.deleted {
				err = bk.Delete([]byte(k.key))
			} else {
				err = bk.Put([]byte(k.key), w.value)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		return nil
	}
	b.mu.Lock()
	for k, w := range batch {
		if _, newer := b.mu.pending[k]; !newer {
			b.mu.pending[k] = w
		}
	}
	b.armLocked()
	b.mu.Unlock()
	return fmt.Errorf("store: batch flush: %w", err)
}

// Close stops the timer, waits for a flush it started and flushes what is
// pending. Later calls return nil; writes after Close return ErrClosed.
func (b *Batcher) Close() error {
	b.mu.Lock()
	if b.mu.closed {
		b.mu.Unlock()
		return nil
	}
	b.mu.closed = true
	if t := b.mu.timer; t != nil && t.Stop() {
		b.mu.timer = nil
		b.timers.Done()
	}
	b.mu.Unlock()
	b.timers.Wait()
	return b.Flush()
}
