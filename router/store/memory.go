package store

import (
	"slices"
	"sync"
)

// Memory is a Store kept in RAM with the same semantics as DB: sorted
// buckets, all-or-nothing Update, concurrent View. Data is lost at Close.
type Memory struct {
	// mu guards buckets and closed. Update holds it exclusively for the
	// whole transaction, View shares it.
	mu struct {
		sync.RWMutex
		buckets map[string]map[string][]byte
		closed  bool
	}
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-memory Store.
func NewMemory() *Memory {
	m := &Memory{}
	m.mu.buckets = make(map[string]map[string][]byte)
	return m
}

// View implements Store.
func (m *Memory) View(fn func(Tx) error) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.mu.closed {
		return ErrClosed
	}
	return fn(&memTx{m: m})
}

// Update implements Store. Writes go to an overlay that is applied only
// when fn returns nil.
func (m *Memory) Update(fn func(Tx) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mu.closed {
		return ErrClosed
	}
	tx := &memTx{m: m, writable: true, overlay: make(map[string]*memOverlay)}
	if err := fn(tx); err != nil {
		return err
	}
	m.commitLocked(tx)
	return nil
}

// Close drops the data; it is idempotent.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mu.closed = true
	m.mu.buckets = nil
	return nil
}

func (m *Memory) commitLocked(tx *memTx) {
	for name, ov := range tx.overlay {
		if ov.dropped {
			delete(m.mu.buckets, name)
		}
		if len(ov.writes) == 0 {
			continue
		}
		b := m.mu.buckets[name]
		if b == nil {
			b = make(map[string][]byte, len(ov.writes))
			m.mu.buckets[name] = b
		}
		for k, w := range ov.writes {
			if w.deleted {
				delete(b, k)
			} else {
				b[k] = w.value
			}
		}
	}
}

// memOverlay is the pending state of one bucket in an Update.
type memOverlay struct {
	dropped bool // DeleteBucket was called: the committed keys are gone
	writes  map[string]memWrite
}

type memWrite struct {
	value   []byte
	deleted bool
}

// memTx reads through its overlay (writable transactions only) to the
// committed buckets; the Memory lock is held by View or Update meanwhile.
type memTx struct {
	m        *Memory
	writable bool
	overlay  map[string]*memOverlay
}

func (t *memTx) Writable() bool { return t.writable }

func (t *memTx) Bucket(name string) Bucket { return &memBucket{tx: t, name: name} }

func (t *memTx) DeleteBucket(name string) error {
	if err := checkBucketName(name); err != nil {
		return err
	}
	if !t.writable {
		return ErrReadOnly
	}
	t.overlay[name] = &memOverlay{dropped: true, writes: make(map[string]memWrite)}
	return nil
}

type memBucket struct {
	tx   *memTx
	name string
}

// get returns the value of key as seen by the transaction.
func (b *memBucket) get(key string) ([]byte, bool) {
	if ov := b.tx.overlay[b.name]; ov != nil {
		if w, ok := ov.writes[key]; ok {
			return w.value, !w.deleted
		}
		if ov.dropped {
			return nil, false
		}
	}
	v, ok := b.tx.m.mu.buckets[b.name][key]
	return v, ok
}

func (b *memBucket) Get(key []byte) []byte {
	v, _ := b.get(string(key))
	return v
}

func (b *memBucket) Put(key, value []byte) error {
	if err := checkBucketName(b.name); err != nil {
		return err
	}
	if err := checkPut(b.tx.writable, key, value); err != nil {
		return err
	}
	b.write(string(key), memWrite{value: append([]byte{}, value...)})
	return nil
}

func (b *memBucket) Delete(key []byte) error {
	if !b.tx.writable {
		return ErrReadOnly
	}
	if len(key) == 0 || b.name == "" {
		return nil
	}
	b.write(string(key), memWrite{deleted: true})
	return nil
}

func (b *memBucket) write(key string, w memWrite) {
	ov := b.tx.overlay[b.name]
	if ov == nil {
		ov = &memOverlay{writes: make(map[string]memWrite)}
		b.tx.overlay[b.name] = ov
	}
	ov.writes[key] = w
}

// keys returns the keys visible to the transaction, sorted.
func (b *memBucket) keys() []string {
	ov := b.tx.overlay[b.name]
	var keys []string
	if ov == nil || !ov.dropped {
		for k := range b.tx.m.mu.buckets[b.name] {
			keys = append(keys, k)
		}
	}
	if ov != nil {
		for k, w := range ov.writes {
			if !w.deleted {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	// Drop committed keys deleted in this transaction.
	return slices.DeleteFunc(keys, func(k string) bool {
		_, ok := b.get(k)
		return !ok
	})
}

func (b *memBucket) ForEach(fn func(key, value []byte) error) error {
	for _, k := range b.keys() {
		v, _ := b.get(k)
		if err := fn([]byte(k), v); err != nil {
			return err
		}
	}
	return nil
}

func (b *memBucket) Len() int { return len(b.keys()) }
