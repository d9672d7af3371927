// Package store is the router's persistent key/value storage: named buckets
// of byte keys and values, read and written in transactions. It is the only
// package that imports go.etcd.io/bbolt. DB keeps the data in a bbolt file,
// Memory keeps it in RAM with the same semantics (tests and
// storage.mode = "ram"). Typed puts a codec on a bucket, and Batcher gathers
// write-rarely updates so that flash storage sees few, large commits.
//
// It leaves to others what goes into the buckets and how it is encoded:
// netdb, peer profiles, naming and the gateway each own their bucket names
// and codecs.
package store

import (
	"errors"
	"fmt"
)

// Store is a transactional set of named buckets. View runs fn in a
// read-only transaction; Update runs fn in a read-write transaction that is
// committed when fn returns nil and rolled back, all of it, when fn returns
// an error (which Update returns unchanged). Transactions must not be nested
// or used after fn returns. Any number of View calls may run at once; Update
// calls are serialised.
type Store interface {
	View(fn func(Tx) error) error
	Update(fn func(Tx) error) error
	Close() error
}

// Tx is a transaction. Bucket never fails: a bucket that does not exist
// reads as empty and is created by its first Put.
type Tx interface {
	// Bucket returns a handle on the named bucket, valid during the
	// transaction.
	Bucket(name string) Bucket
	// DeleteBucket removes a bucket and all its keys; deleting a bucket that
	// does not exist is not an error.
	DeleteBucket(name string) error
	// Writable reports whether this is an Update transaction.
	Writable() bool
}

// Bucket is a sorted map from byte keys to byte values inside a transaction.
// Slices returned by Get and passed to ForEach are valid only until the
// transaction ends and must not be modified; copy them to keep them. Put and
// Delete copy their arguments.
type Bucket interface {
	// Get returns the value stored under key, or nil when there is none.
	Get(key []byte) []byte
	// Put stores value under key. The key must be 1..MaxKeySize bytes.
	Put(key, value []byte) error
	// Delete removes key; deleting a missing key is not an error.
	Delete(key []byte) error
	// ForEach calls fn for each key in ascending byte order and stops at the
	// first error, which it returns. fn must not modify the bucket.
	ForEach(fn func(key, value []byte) error) error
	// Len returns the number of keys; it walks the bucket.
	Len() int
}

// Limits on keys and values, those of bbolt, enforced by both
// implementations.
const (
	MaxKeySize   = 32768
	MaxValueSize = 1<<31 - 2
)

// Errors returned by both implementations.
var (
	ErrClosed        = errors.New("store: database is closed")
	ErrLocked        = errors.New("store: database is locked by another process")
	ErrReadOnly      = errors.New("store: transaction is read-only")
	ErrBucketName    = errors.New("store: bucket name required")
	ErrKeyRequired   = errors.New("store: key required")
	ErrKeyTooLarge   = errors.New("store: key too large")
	ErrValueTooLarge = errors.New("store: value too large")
)

// checkPut validates a Put's arguments the same way for both
// implementations.
func checkPut(writable bool, key, value []byte) error {
	switch {
	case !writable:
		return ErrReadOnly
	case len(key) == 0:
		return ErrKeyRequired
	case len(key) > MaxKeySize:
		return ErrKeyTooLarge
	case int64(len(value)) > MaxValueSize:
		return ErrValueTooLarge
	}
	return nil
}

func checkBucketName(name string) error {
	if name == "" {
		return ErrBucketName
	}
	if len(name) > MaxKeySize {
		return fmt.Errorf("store: bucket name: %w", ErrKeyTooLarge)
	}
	return nil
}
