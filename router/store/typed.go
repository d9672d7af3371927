package store

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrDecode marks a stored key or value that its codec cannot decode.
var ErrDecode = errors.New("store: cannot decode")

// Codec converts T to and from bytes. Decode must copy what it keeps: the
// input is only valid during the transaction.
type Codec[T any] struct {
	Encode func(T) ([]byte, error)
	Decode func([]byte) (T, error)
}

// Typed is a bucket with typed keys and values:
//
//	infos := store.NewTyped("routerinfo", store.Hash32Codec[[32]byte](), store.BytesCodec())
//	err := db.View(func(tx store.Tx) error {
//		return infos.ForEach(tx, func(h [32]byte, ri []byte) error { ... })
//	})
type Typed[K, V any] struct {
	name  string
	key   Codec[K]
	value Codec[V]
}

// NewTyped returns a typed view of bucket name.
func NewTyped[K, V any](name string, key Codec[K], value Codec[V]) Typed[K, V] {
	return Typed[K, V]{name: name, key: key, value: value}
}

// Name returns the bucket name.
func (t Typed[K, V]) Name() string { return t.name }

// Get returns the value under k; ok is false when there is none.
func (t Typed[K, V]) Get(tx Tx, k K) (v V, ok bool, err error) {
	kb, err := t.key.Encode(k)
	if err != nil {
		return v, false, fmt.Errorf("store: %s: encode key: %w", t.name, err)
	}
	raw := tx.Bucket(t.name).Get(kb)
	if raw == nil {
		return v, false, nil
	}
	v, err = t.value.Decode(raw)
	if err != nil {
		return v, false, fmt.Errorf("%w: %s: value of key %x: %w", ErrDecode, t.name, kb, err)
	}
	return v, true, nil
}

// Put stores v under k.
func (t Typed[K, V]) Put(tx Tx, k K, v V) error {
	kb, err := t.key.Encode(k)
	if err != nil {
		return fmt.Errorf("store: %s: encode key: %w", t.name, err)
	}
	vb, err := t.value.Encode(v)
	if err != nil {
		return fmt.Errorf("store: %s: encode value: %w", t.name, err)
	}
	return tx.Bucket(t.name).Put(kb, vb)
}

// Delete removes k.
func (t Typed[K, V]) Delete(tx Tx, k K) error {
	kb, err := t.key.Encode(k)
	if err != nil {
		return fmt.Errorf("store: %s: encode key: %w", t.name, err)
	}
	return tx.Bucket(t.name).Delete(kb)
}

// ForEach calls fn for every entry in key byte order. An entry that does
// not decode stops the walk with an error wrapping ErrDecode; callers that
// prefer to skip bad entries use a BytesCodec and decode in fn.
func (t Typed[K, V]) ForEach(tx Tx, fn func(K, V) error) error {
	return tx.Bucket(t.name).ForEach(func(kb, vb []byte) error {
		k, err := t.key.Decode(kb)
		if err != nil {
			return fmt.Errorf("%w: %s: key %x: %w", ErrDecode, t.name, kb, err)
		}
		v, err := t.value.Decode(vb)
		if err != nil {
			return fmt.Errorf("%w: %s: value of key %x: %w", ErrDecode, t.name, kb, err)
		}
		return fn(k, v)
	})
}

// Len returns the number of entries.
func (t Typed[K, V]) Len(tx Tx) int { return tx.Bucket(t.name).Len() }

// BytesCodec stores byte slices as they are; Decode copies.
func BytesCodec() Codec[[]byte] {
	return Codec[[]byte]{
		Encode: func(b []byte) ([]byte, error) { return b, nil },
		Decode: func(b []byte) ([]byte, error) { return append([]byte{}, b...), nil },
	}
}

// StringCodec stores strings as their bytes.
func StringCodec() Codec[string] {
	return Codec[string]{
		Encode: func(s string) ([]byte, error) { return []byte(s), nil },
		Decode: func(b []byte) (string, error) { return string(b), nil },
	}
}

// Uint64Codec stores integers as 8 big-endian bytes, so keys sort
// numerically.
func Uint64Codec() Codec[uint64] {
	return Codec[uint64]{
		Encode: func(v uint64) ([]byte, error) { return binary.BigEndian.AppendUint64(nil, v), nil },
		Decode: func(b []byte) (uint64, error) {
			if len(b) != 8 {
				return 0, fmt.Errorf("store: uint64 of %d bytes", len(b))
			}
			return binary.BigEndian.Uint64(b), nil
		},
	}
}

// Hash32Codec stores 32-byte arrays such as SHA-256 router hashes, for
// any type defined as [32]byte: store.Hash32Codec[data.Hash]().
func Hash32Codec[T ~[32]byte]() Codec[T] {
	return Codec[T]{
		Encode: func(h T) ([]byte, error) { return h[:], nil },
		Decode: func(b []byte) (h T, err error) {
			if len(b) != len(h) {
				return h, fmt.Errorf("store: hash of %d bytes, want %d", len(b), len(h))
			}
			copy(h[:], b)
			return h, nil
		},
	}
}
