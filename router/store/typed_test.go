package store_test

import (
	"errors"
	"testing"

	"i2pgate/router/store"
)

type hash [32]byte

func TestTyped(t *testing.T) {
	forEachImpl(t, func(t *testing.T, s store.Store, reopen func() store.Store) {
		infos := store.NewTyped("routerinfo", store.Hash32Codec[hash](), store.BytesCodec())
		if infos.Name() != "routerinfo" {
			t.Fatalf("Name() = %q", infos.Name())
		}
		h1, h2 := hash{1}, hash{2}
		err := s.Update(func(tx store.Tx) error {
			if err := infos.Put(tx, h2, []byte("ri2")); err != nil {
				return err
			}
			if err := infos.Put(tx, h1, []byte("ri1")); err != nil {
				return err
			}
			return infos.Put(tx, hash{3}, []byte("ri3"))
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Update(func(tx store.Tx) error { return infos.Delete(tx, hash{3}) }); err != nil {
			t.Fatal(err)
		}
		var kept [][]byte
		err = s.View(func(tx store.Tx) error {
			v, ok, err := infos.Get(tx, h1)
			if err != nil || !ok || string(v) != "ri1" {
				t.Errorf("Get(h1) = %q %v %v", v, ok, err)
			}
			if _, ok, err := infos.Get(tx, hash{9}); ok || err != nil {
				t.Errorf("Get(missing) = %v %v", ok, err)
			}
			if n := infos.Len(tx); n != 2 {
				t.Errorf("Len() = %d", n)
			}
			var order []hash
			err = infos.ForEach(tx, func(h hash, ri []byte) error {
				order = append(order, h)
				kept = append(kept, ri)
				return nil
			})
			if len(order) != 2 || order[0] != h1 || order[1] != h2 {
				t.Errorf("ForEach order %x", order)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// Decoded values are copies that outlive the transaction.
		if string(kept[0]) != "ri1" || string(kept[1]) != "ri2" {
			t.Fatalf("kept values %q", kept)
		}
	})
}

func TestTypedDecodeError(t *testing.T) {
	forEachImpl(t, func(t *testing.T, s store.Store, _ func() store.Store) {
		put(t, s, "counters", "short", "x")
		counters := store.NewTyped("counters", store.StringCodec(), store.Uint64Codec())
		err := s.View(func(tx store.Tx) error {
			_, _, err := counters.Get(tx, "short")
			return err
		})
		if !errors.Is(err, store.ErrDecode) {
			t.Fatalf("Get of bad value: %v", err)
		}
		err = s.View(func(tx store.Tx) error {
			return counters.ForEach(tx, func(string, uint64) error { return nil })
		})
		if !errors.Is(err, store.ErrDecode) {
			t.Fatalf("ForEach over bad value: %v", err)
		}
		byHash := store.NewTyped("counters", store.Hash32Codec[hash](), store.BytesCodec())
		err = s.View(func(tx store.Tx) error {
			return byHash.ForEach(tx, func(hash, []byte) error { return nil })
		})
		if !errors.Is(err, store.ErrDecode) {
			t.Fatalf("ForEach over bad key: %v", err)
		}
	})
}

func TestCodecsRoundTrip(t *testing.T) {
	u := store.Uint64Codec()
	for _, v := range []uint64{0, 1, 1 << 32, 1<<64 - 1} {
		b, _ := u.Encode(v)
		got, err := u.Decode(b)
		if err != nil || got != v || len(b) != 8 {
			t.Errorf("uint64 %d: %x -> %d %v", v, b, got, err)
		}
	}
	a, _ := u.Encode(255)
	b, _ := u.Encode(256)
	if string(a) >= string(b) {
		t.Error("uint64 keys do not sort numerically")
	}
	sc := store.StringCodec()
	if b, _ := sc.Encode("x"); string(b) != "x" {
		t.Error("string codec")
	}
	bc := store.BytesCodec()
	src := []byte("abc")
	cp, _ := bc.Decode(src)
	src[0] = 'z'
	if string(cp) != "abc" {
		t.Error("BytesCodec.Decode does not copy")
	}
}
