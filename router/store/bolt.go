package store

import (
	"errors"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// DefaultLockTimeout is how long Open waits for the file lock held by
// another process before failing with ErrLocked.
const DefaultLockTimeout = time.Second

// fileMode is the permission of a new database file: router keys and peer
// data are private.
const fileMode = 0o600

// Options tunes Open. A nil *Options means the defaults.
type Options struct {
	// LockTimeout bounds the wait for another process's lock
	// (default DefaultLockTimeout).
	LockTimeout time.Duration
	// ReadOnly opens the file with a shared lock; Update fails.
	ReadOnly bool
	// NoSync skips fsync after each commit: faster and gentler on flash, but
	// a power loss can lose or corrupt recent commits. Keep it false unless
	// the data can be rebuilt.
	NoSync bool
}

// DB is a Store in a bbolt file. Its settings suit small flash devices: no
// freelist written on each commit (rebuilt by a scan at open instead) and
// the hashmap freelist.
type DB struct {
	db *bolt.DB

	// closing guards Close, which must be idempotent.
	closing struct {
		sync.Mutex
		done bool
		err  error
	}
}

var _ Store = (*DB)(nil)

// Open opens or creates the database file at path.
func Open(path string, opts *Options) (*DB, error) {
	o := Options{LockTimeout: DefaultLockTimeout}
	if opts != nil {
		o = *opts
		if o.LockTimeout <= 0 {
			o.LockTimeout = DefaultLockTimeout
		}
	}
	bdb, err := bolt.Open(path, fileMode, &bolt.Options{
		Timeout:        o.LockTimeout,
		NoFreelistSync: true,
		FreelistType:   bolt.FreelistMapType,
		ReadOnly:       o.ReadOnly,
		NoSync:         o.NoSync,
	})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s", ErrLocked, path)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return &DB{db: bdb}, nil
}

// Path returns the database file's path.
func (d *DB) Path() string { return d.db.Path() }

// View implements Store.
func (d *DB) View(fn func(Tx) error) error {
	var fnErr error
	err := d.db.View(func(btx *bolt.Tx) error {
		fnErr = fn(&boltTx{tx: btx})
		return fnErr
	})
	return boltResult(err, fnErr)
}

// Update implements Store.
func (d *DB) Update(fn func(Tx) error) error {
	var fnErr error
	err := d.db.Update(func(btx *bolt.Tx) error {
		fnErr = fn(&boltTx{tx: btx})
		return fnErr
	})
	return boltResult(err, fnErr)
}

// boltResult returns fn's own error unchanged and translates bbolt's.
func boltResult(err, fnErr error) error {
	switch {
	case err == nil:
		return nil
	case fnErr != nil && errors.Is(err, fnErr):
		return fnErr
	case errors.Is(err, berrors.ErrDatabaseNotOpen):
		return ErrClosed
	case errors.Is(err, berrors.ErrTxNotWritable), errors.Is(err, berrors.ErrDatabaseReadOnly):
		return ErrReadOnly
	}
	return fmt.Errorf("store: %w", err)
}

// Close closes the file; later calls return the first call's result.
func (d *DB) Close() error {
	d.closing.Lock()
	defer d.closing.Unlock()
	if !d.closing.done {
		d.closing.done = true
		if err := d.db.Close(); err != nil {
			d.closing.err = fmt.Errorf("store: close: %w", err)
		}
	}
	return d.closing.err
}

type boltTx struct{ tx *bolt.Tx }

func (t *boltTx) Writable() bool { return t.tx.Writable() }

func (t *boltTx) Bucket(name string) Bucket { return &boltBucket{tx: t.tx, name: name} }

func (t *boltTx) DeleteBucket(name string) error {
	if err := checkBucketName(name); err != nil {
		return err
	}
	if !t.tx.Writable() {
		return ErrReadOnly
	}
	err := t.tx.DeleteBucket([]byte(name))
	if err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
		return fmt.Errorf("store: delete bucket %q: %w", name, err)
	}
	return nil
}

// boltBucket looks the bbolt bucket up at each call (bbolt caches it), so
// that reading a missing bucket is not an error, writing creates it, and the
// handle follows DeleteBucket.
type boltBucket struct {
	tx   *bolt.Tx
	name string
}

func (b *boltBucket) lookup() *bolt.Bucket {
	if b.name == "" {
		return nil
	}
	return b.tx.Bucket([]byte(b.name))
}

func (b *boltBucket) Get(key []byte) []byte {
	bb := b.lookup()
	if bb == nil || len(key) == 0 {
		return nil
	}
	return bb.Get(key)
}

func (b *boltBucket) Put(key, value []byte) error {
	if err := checkBucketName(b.name); err != nil {
		return err
	}
	if err := checkPut(b.tx.Writable(), key, value); err != nil {
		return err
	}
	bb := b.lookup()
	if bb == nil {
		var err error
		bb, err = b.tx.CreateBucketIfNotExists([]byte(b.name))
		if err != nil {
			return fmt.Errorf("store: create bucket %q: %w", b.name, err)
		}
	}
	if value == nil {
		value = []byte{}
	}
	if err := bb.Put(key, value); err != nil {
		return fmt.Errorf("store: put in %q: %w", b.name, err)
	}
	return nil
}

func (b *boltBucket) Delete(key []byte) error {
	if !b.tx.Writable() {
		return ErrReadOnly
	}
	bb := b.lookup()
	if bb == nil || len(key) == 0 {
		return nil
	}
	if err := bb.Delete(key); err != nil {
		return fmt.Errorf("store: delete in %q: %w", b.name, err)
	}
	return nil
}

func (b *boltBucket) ForEach(fn func(key, value []byte) error) error {
	bb := b.lookup()
	if bb == nil {
		return nil
	}
	c := bb.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if v == nil {
			continue // a nested bucket; this package never makes one
		}
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

func (b *boltBucket) Len() int {
	bb := b.lookup()
	if bb == nil {
		return 0
	}
	n := 0
	c := bb.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if v != nil {
			n++
		}
	}
	return n
}
