package store_test

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"i2pgate/router/store"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// impls opens each implementation fresh for a test; reopen returns a Store
// over the same data where the implementation persists it (nil for Memory).
type impl struct {
	name string
	open func(t *testing.T) (s store.Store, reopen func() store.Store)
}

var impls = []impl{
	{"bolt", func(t *testing.T) (store.Store, func() store.Store) {
		path := filepath.Join(t.TempDir(), "test.db")
		db, err := store.Open(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db, func() store.Store {
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			db2, err := store.Open(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db2.Close() })
			return db2
		}
	}},
	{"memory", func(t *testing.T) (store.Store, func() store.Store) {
		m := store.NewMemory()
		t.Cleanup(func() { m.Close() })
		return m, nil
	}},
}

// forEachImpl runs test against both implementations.
func forEachImpl(t *testing.T, test func(t *testing.T, s store.Store, reopen func() store.Store)) {
	for _, im := range impls {
		t.Run(im.name, func(t *testing.T) {
			s, reopen := im.open(t)
			test(t, s, reopen)
		})
	}
}

func put(t *testing.T, s store.Store, bucket string, kv ...string) {
	t.Helper()
	err := s.Update(func(tx store.Tx) error {
		b := tx.Bucket(bucket)
		for i := 0; i+1 < len(kv); i += 2 {
			if err := b.Put([]byte(kv[i]), []byte(kv[i+1])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// dump returns the bucket as "k=v," pairs in iteration order.
func dump(t *testing.T, s store.Store, bucket string) string {
	t.Helper()
	var out bytes.Buffer
	err := s.View(func(tx store.Tx) error {
		b := tx.Bucket(bucket)
		n := 0
		err := b.ForEach(func(k, v []byte) error {
			n++
			fmt.Fprintf(&out, "%s=%s,", k, v)
			return nil
		})
		if n != b.Len() {
			return fmt.Errorf("Len() = %d, ForEach saw %d", b.Len(), n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestOperations(t *testing.T) {
	type op struct {
		kind, bucket, key, value string
		wantErr                  error
	}
	tests := []struct {
		name string
		ops  []op
		want map[string]string // bucket -> dump
	}{
		{"put get order", []op{
			{"put", "a", "b", "2", nil}, {"put", "a", "a", "1", nil}, {"put", "a", "c", "3", nil},
		}, map[string]string{"a": "a=1,b=2,c=3,", "missing": ""}},
		{"overwrite and delete", []op{
			{"put", "a", "k", "old", nil}, {"put", "a", "k", "new", nil},
			{"put", "a", "x", "1", nil}, {"delete", "a", "x", "", nil}, {"delete", "a", "never", "", nil},
		}, map[string]string{"a": "k=new,"}},
		{"buckets are separate", []op{
			{"put", "a", "k", "1", nil}, {"put", "b", "k", "2", nil},
		}, map[string]string{"a": "k=1,", "b": "k=2,"}},
		{"delete bucket", []op{
			{"put", "a", "k", "1", nil}, {"put", "b", "k", "2", nil}, {"dropbucket", "a", "", "", nil},
			{"dropbucket", "nope", "", "", nil},
		}, map[string]string{"a": "", "b": "k=2,"}},
		{"empty value", []op{{"put", "a", "k", "", nil}}, map[string]string{"a": "k=,"}},
		{"bad arguments", []op{
			{"put", "a", "", "v", store.ErrKeyRequired},
			{"put", "", "k", "v", store.ErrBucketName},
			{"put", "a", string(make([]byte, store.MaxKeySize+1)), "v", store.ErrKeyTooLarge},
			{"dropbucket", "", "", "", store.ErrBucketName},
		}, map[string]string{"a": ""}},
		{"binary keys sort bytewise", []op{
			{"put", "a", "\xff", "3", nil}, {"put", "a", "\x00\x01", "2", nil}, {"put", "a", "\x00", "1", nil},
		}, map[string]string{"a": "\x00=1,\x00\x01=2,\xff=3,"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			forEachImpl(t, func(t *testing.T, s store.Store, reopen func() store.Store) {
				for i, o := range tc.ops {
					err := s.Update(func(tx store.Tx) error {
						b := tx.Bucket(o.bucket)
						switch o.kind {
						case "put":
							return b.Put([]byte(o.key), []byte(o.value))
						case "delete":
							return b.Delete([]byte(o.key))
						default:
							return tx.DeleteBucket(o.bucket)
						}
					})
					if !errors.Is(err, o.wantErr) {
						t.Fatalf("op %d %v: err %v, want %v", i, o, err, o.wantErr)
					}
				}
				check := func(s store.Store) {
					for bucket, want := range tc.want {
						if got := dump(t, s, bucket); got != want {
							t.Errorf("bucket %q = %q, want %q", bucket, got, want)
						}
					}
				}
				check(s)
				if reopen != nil {
					check(reopen())
				}
			})
		})
	}
}

func TestGet(t *testing.T) {
	forEachImpl(t, func(t *testing.T, s store.Store, _ func() store.Store) {
		put(t, s, "a", "k", "v", "e", "")
		err := s.View(func(tx store.Tx) error {
			b := tx.Bucket("a")
			if got := b.Get([]byte("k")); string(got) != "v" {
				t.Errorf("Get(k) = %q", got)
			}
			if got := b.Get([]byte("e")); got == nil || len(got) != 0 {
				t.Errorf("Get(e) = %#v, want empty non-nil", got)
			}
			if got := b.Get([]byte("missing")); got != nil {
				t.Errorf("Get(missing) = %q", got)
			}
			if got := b.Get(nil); got != nil {
				t.Errorf("Get(nil) = %q", got)
			}
			if got := tx.Bucket("nobucket").Get([]byte("k")); got != nil {
				t.Errorf("Get in missing bucket = %q", got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestUpdateAllOrNothing(t *testing.T) {
	forEachImpl(t, func(t *testing.T, s store.Store, reopen func() store.Store) {
		put(t, s, "a", "keep", "1", "gone", "2")
		boom := errors.New("boom")
		err := s.Update(func(tx store.Tx) error {
			b := tx.Bucket("a")
			if err := b.Put([]byte("keep"), []byte("changed")); err != nil {
				return err
			}
			if err := b.Delete([]byte("gone")); err != nil {
				return err
			}
			if err := tx.Bucket("new").Put([]byte("x"), []byte("y")); err != nil {
				return err
			}
			// The transaction sees its own writes.
			if got := string(b.Get([]byte("keep"))); got != "changed" {
				t.Errorf("own write not visible: %q", got)
			}
			if b.Get([]byte("gone")) != nil || b.Len() != 1 {
				t.Errorf("own delete not visible")
			}
			if err := tx.DeleteBucket("a"); err != nil {
				return err
			}
			if b.Len() != 0 || tx.Bucket("a").Get([]byte("keep")) != nil {
				t.Errorf("own bucket delete not visible")
			}
			return fmt.Errorf("wrapped: %w", boom)
		})
		if !errors.Is(err, boom) || err.Error() != "wrapped: boom" {
			t.Fatalf("Update returned %v, want fn's error unchanged", err)
		}
		for i := range 2 {
			st := s
			if i == 1 {
				st = reopenOrSelf(s, reopen)
			}
			if got := dump(t, st, "a"); got != "gone=2,keep=1," {
				t.Fatalf("after failed Update: %q", got)
			}
			if got := dump(t, st, "new"); got != "" {
				t.Fatalf("bucket from failed Update: %q", got)
			}
		}
	})
}

func reopenOrSelf(s store.Store, reopen func() store.Store) store.Store {
	if reopen == nil {
		return s
	}
	return reopen()
}

func TestViewIsReadOnly(t *testing.T) {
	forEachImpl(t, func(t *testing.T, s store.Store, _ func() store.Store) {
		put(t, s, "a", "k", "v")
		err := s.View(func(tx store.Tx) error {
			if tx.Writable() {
				t.Error("View tx is writable")
			}
			b := tx.Bucket("a")
			if err := b.Put([]byte("k"), []byte("x")); !errors.Is(err, store.ErrReadOnly) {
				t.Errorf("Put in View: %v", err)
			}
			if err := b.Delete([]byte("k")); !errors.Is(err, store.ErrReadOnly) {
				t.Errorf("Delete in View: %v", err)
			}
			if err := tx.DeleteBucket("a"); !errors.Is(err, store.ErrReadOnly) {
				t.Errorf("DeleteBucket in View: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestForEachStops(t *testing.T) {
	forEachImpl(t, func(t *testing.T, s store.Store, _ func() store.Store) {
		put(t, s, "a", "1", "a", "2", "b", "3", "c")
		stop := errors.New("stop")
		n := 0
		err := s.View(func(tx store.Tx) error {
			return tx.Bucket("a").ForEach(func(k, v []byte) error {
				n++
				if string(k) == "2" {
					return stop
				}
				return nil
			})
		})
		if !errors.Is(err, stop) || n != 2 {
			t.Fatalf("err %v after %d calls", err, n)
		}
	})
}

func TestCloseIdempotent(t *testing.T) {
	forEachImpl(t, func(t *testing.T, s store.Store, _ func() store.Store) {
		for range 2 {
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.View(func(store.Tx) error { return nil }); !errors.Is(err, store.ErrClosed) {
			t.Fatalf("View after Close: %v", err)
		}
		if err := s.Update(func(store.Tx) error { return nil }); !errors.Is(err, store.ErrClosed) {
			t.Fatalf("Update after Close: %v", err)
		}
	})
}

func TestConcurrent(t *testing.T) {
	forEachImpl(t, func(t *testing.T, s store.Store, _ func() store.Store) {
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Add(2)
			go func() {
				defer wg.Done()
				for i := range 25 {
					err := s.Update(func(tx store.Tx) error {
						return tx.Bucket("c").Put(fmt.Appendf(nil, "%d-%02d", g, i), []byte("v"))
					})
					if err != nil {
						t.Error(err)
						return
					}
				}
			}()
			go func() {
				defer wg.Done()
				for range 25 {
					_ = s.View(func(tx store.Tx) error { tx.Bucket("c").Len(); return nil })
				}
			}()
		}
		wg.Wait()
		err := s.View(func(tx store.Tx) error {
			if n := tx.Bucket("c").Len(); n != 100 {
				return fmt.Errorf("Len() = %d, want 100", n)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
