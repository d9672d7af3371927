package store_test

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"i2pgate/router/store"
)

// countingStore counts Update calls and can be made to fail.
type countingStore struct {
	store.Store
	updates atomic.Int32
	fail    atomic.Bool
}

var errDiskFull = errors.New("disk full")

func (c *countingStore) Update(fn func(store.Tx) error) error {
	c.updates.Add(1)
	if c.fail.Load() {
		return errDiskFull
	}
	return c.Store.Update(fn)
}

func TestBatcherCoalesces(t *testing.T) {
	forEachImpl(t, func(t *testing.T, s store.Store, reopen func() store.Store) {
		cs := &countingStore{Store: s}
		b := store.NewBatcher(cs, &store.BatchOptions{Interval: time.Hour, MaxPending: 100})
		for range 10 {
			if err := b.Put("p", []byte("k"), []byte("v")); err != nil {
				t.Fatal(err)
			}
		}
		b.Put("p", []byte("gone"), []byte("x"))
		b.Delete("p", []byte("gone"))
		if b.Pending() != 2 {
			t.Fatalf("Pending() = %d, want 2", b.Pending())
		}
		if v, del, ok := b.Lookup("p", []byte("k")); !ok || del || string(v) != "v" {
			t.Fatalf("Lookup(k) = %q %v %v", v, del, ok)
		}
		if _, del, ok := b.Lookup("p", []byte("gone")); !ok || !del {
			t.Fatal("Lookup(gone) not a pending delete")
		}
		if got := dump(t, s, "p"); got != "" {
			t.Fatalf("written before flush: %q", got)
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		if err := b.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		if n := cs.updates.Load(); n != 1 {
			t.Fatalf("%d transactions, want 1", n)
		}
		if err := b.Put("p", []byte("k"), nil); !errors.Is(err, store.ErrClosed) {
			t.Fatalf("Put after Close: %v", err)
		}
		st := reopenOrSelf(s, reopen)
		if got := dump(t, st, "p"); got != "k=v," {
			t.Fatalf("after Close: %q", got)
		}
	})
}

func TestBatcherMaxPending(t *testing.T) {
	m := store.NewMemory()
	cs := &countingStore{Store: m}
	b := store.NewBatcher(cs, &store.BatchOptions{Interval: time.Hour, MaxPending: 4})
	defer b.Close()
	for _, k := range []string{"a", "b", "c"} {
		b.Put("p", []byte(k), []byte("1"))
	}
	if cs.updates.Load() != 0 {
		t.Fatal("flushed early")
	}
	b.Put("p", []byte("d"), []byte("1"))
	if cs.updates.Load() != 1 || b.Pending() != 0 {
		t.Fatalf("updates %d pending %d after MaxPending", cs.updates.Load(), b.Pending())
	}
	if got := dump(t, m, "p"); got != "a=1,b=1,c=1,d=1," {
		t.Fatalf("got %q", got)
	}
}

func TestBatcherInterval(t *testing.T) {
	m := store.NewMemory()
	errs := make(chan error, 4)
	cs := &countingStore{Store: m}
	b := store.NewBatcher(cs, &store.BatchOptions{
		Interval: 10 * time.Millisecond,
		OnError: func(err error) {
			select {
			case errs <- err:
			default: // retries fail too until the disk is back
			}
		},
	})
	defer b.Close()
	b.Put("p", []byte("k"), []byte("1"))
	waitFor(t, func() bool { return b.Pending() == 0 })
	if got := dump(t, m, "p"); got != "k=1," {
		t.Fatalf("after interval: %q", got)
	}

	// A failing flush keeps the writes and reports the error; newer writes
	// of the same key win when it is retried.
	cs.fail.Store(true)
	b.Put("p", []byte("k"), []byte("2"))
	if err := <-errs; !errors.Is(err, errDiskFull) {
		t.Fatalf("OnError got %v", err)
	}
	b.Put("p", []byte("k"), []byte("3"))
	if err := b.Flush(); !errors.Is(err, errDiskFull) {
		t.Fatalf("Flush: %v", err)
	}
	if v, _, ok := b.Lookup("p", []byte("k")); !ok || string(v) != "3" {
		t.Fatalf("pending after failure %q %v", v, ok)
	}
	cs.fail.Store(false)
	waitFor(t, func() bool { return b.Pending() == 0 })
	if got := dump(t, m, "p"); got != "k=3," {
		t.Fatalf("after retry: %q", got)
	}
}

func TestBatcherRejectsBadArguments(t *testing.T) {
	b := store.NewBatcher(store.NewMemory(), nil)
	defer b.Close()
	if err := b.Put("", []byte("k"), nil); !errors.Is(err, store.ErrBucketName) {
		t.Fatal(err)
	}
	if err := b.Put("p", nil, nil); !errors.Is(err, store.ErrKeyRequired) {
		t.Fatal(err)
	}
	if err := b.Delete("p", nil); !errors.Is(err, store.ErrKeyRequired) {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 5s")
		}
		time.Sleep(time.Millisecond)
	}
}
