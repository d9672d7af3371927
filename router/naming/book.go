package naming

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"

	"i2pgate/router/clock"
	"i2pgate/router/data"
	"i2pgate/router/store"
)

// DefaultMaxNames bounds the address book: the live network's registries
// list some ten thousand names, each about 450 bytes in the store.
const DefaultMaxNames = 50000

// Config configures a Book.
type Config struct {
	// Store holds the book; required. The Book does not close it.
	Store store.Store
	// MaxNames bounds the number of names (default DefaultMaxNames).
	MaxNames int
	// Clock dates new entries (nil: clock.System()).
	Clock clock.Clock
	// Logger receives a line per import (nil: discard).
	Logger *slog.Logger
}

// Book is the address book. It keeps nothing but counters in memory: names,
// destinations and the reverse index live in the store, so its size costs
// flash, not RAM. A Book is safe for concurrent use.
type Book struct {
	st       store.Store
	clock    clock.Clock
	log      *slog.Logger
	maxNames int

	// names and local count the entries; they change after each committed
	// transaction.
	names atomic.Int64
	local atomic.Int64
}

// Counts are the sizes of the book.
type Counts struct {
	Names int // all names
	Local int // names added with AddLocal
}

// Open opens the book kept in cfg.Store, counting its entries.
func Open(cfg Config) (*Book, error) {
	if cfg.Store == nil {
		return nil, errors.New("naming: no store")
	}
	b := &Book{st: cfg.Store, clock: clock.Or(cfg.Clock), log: cfg.Logger, maxNames: cfg.MaxNames}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	b.log = b.log.With("component", "naming")
	if b.maxNames <= 0 {
		b.maxNames = DefaultMaxNames
	}
	var names, local int64
	err := cfg.Store.View(func(tx store.Tx) error {
		return tx.Bucket(bucketNames).ForEach(func(k, v []byte) error {
			names++ // a record that does not decode still holds its name
			r, _, err := decodeRecordHeader(string(k), v)
			if err == nil && r.Local {
				local++
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("naming: open: %w", err)
	}
	b.names.Store(names)
	b.local.Store(local)
	return b, nil
}

// Counts returns the number of names in the book.
func (b *Book) Counts() Counts {
	return Counts{Names: int(b.names.Load()), Local: int(b.local.Load())}
}

// Lookup returns the destination of a name. name is normalized first
// (Normalize). A .b32.i2p name yields the destination when the book holds
// one with that hash, ErrNotFound otherwise (use Resolve for the hash);
// b33 names yield ErrB33Unsupported.
func (b *Book) Lookup(name string) (*data.Destination, error) {
	_, d, err := b.Resolve(name)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, fmt.Errorf("%w: %s has no destination in the book", ErrNotFound, clip(Normalize(name)))
	}
	return d, nil
}

// Resolve returns the destination hash a name stands for. For a name in the
// book it also returns its destination. A .b32.i2p name resolves without
// the book: dest is nil unless the book holds a destination with that hash.
// Errors: ErrInvalidName, ErrNotFound, ErrB33Unsupported.
func (b *Book) Resolve(name string) (data.Hash, *data.Destination, error) {
	name = Normalize(name)
	if IsB32(name) {
		h, err := data.ParseB32Address(name)
		switch {
		case errors.Is(err, data.ErrB33NotSupported):
			return data.Hash{}, nil, ErrB33Unsupported
		case err != nil:
			return data.Hash{}, nil, fmt.Errorf("%w: %q: %w", ErrInvalidName, clip(name), err)
		}
		if _, r, err := b.byHash(h); err == nil {
			return h, r.Dest, nil
		}
		return h, nil, nil
	}
	if err := ValidName(name); err != nil {
		return data.Hash{}, nil, err
	}
	r, err := b.get(name)
	if err != nil {
		return data.Hash{}, nil, err
	}
	return r.Hash, r.Dest, nil
}

// Has reports whether name resolves: a valid .b32.i2p name, or a name in
// the book. It does not decode the destination.
func (b *Book) Has(name string) bool {
	name = Normalize(name)
	if IsB32(name) {
		_, err := data.ParseB32Address(name)
		return err == nil
	}
	if checkNameSyntax(name) != nil {
		return false
	}
	found := false
	_ = b.st.View(func(tx store.Tx) error {
		found = tx.Bucket(bucketNames).Get([]byte(name)) != nil
		return nil
	})
	return found
}

// Get returns the full record of a name in the book.
func (b *Book) Get(name string) (Record, error) {
	name = Normalize(name)
	if err := ValidName(name); err != nil {
		return Record{}, err
	}
	return b.get(name)
}

func (b *Book) get(name string) (Record, error) {
	var r Record
	err := b.st.View(func(tx store.Tx) error {
		v := tx.Bucket(bucketNames).Get([]byte(name))
		if v == nil {
			return fmt.Errorf("%w: %s", ErrNotFound, name)
		}
		var err error
		r, err = decodeRecord(name, v)
		return err
	})
	return r, err
}

// ReverseLookup returns a name of the destination with hash h: a local name
// if there is one, else the first name the book learnt for it.
func (b *Book) ReverseLookup(h data.Hash) (string, bool) {
	name, _, err := b.byHash(h)
	return name, err == nil
}

func (b *Book) byHash(h data.Hash) (string, Record, error) {
	var name string
	var r Record
	err := b.st.View(func(tx store.Tx) error {
		names := decodeNames(tx.Bucket(bucketReverse).Get(h[:]))
		for _, n := range names {
			v := tx.Bucket(bucketNames).Get([]byte(n))
			if v == nil {
				continue
			}
			rec, err := decodeRecord(n, v)
			if err == nil && rec.Hash == h {
				name, r = n, rec
				return nil
			}
		}
		return ErrNotFound
	})
	return name, r, err
}

// AddLocal adds or replaces a name chosen by the user. A local name wins
// over a name from a subscription, which it replaces.
func (b *Book) AddLocal(name string, dest *data.Destination) error {
	name = Normalize(name)
	if err := ValidName(name); err != nil {
		return err
	}
	if dest == nil {
		return fmt.Errorf("naming: add %s: %w: nil destination", name, ErrInvalidDestination)
	}
	rec := Record{Name: name, Hash: dest.Hash(), Dest: dest, Local: true, Source: SourceLocal, Added: b.clock.Now()}
	var d delta
	err := b.st.Update(func(tx store.Tx) error {
		d = delta{}
		old, exists, err := lookupTx(tx, name)
		if err != nil {
			return err
		}
		if !exists && b.names.Load() >= int64(b.maxNames) {
			return fmt.Errorf("naming: add %s: %w: book holds %d names", name, ErrTooLarge, b.maxNames)
		}
		if exists {
			if err := removeTx(tx, old, &d); err != nil {
				return err
			}
		}
		return putTx(tx, &rec, &d)
	})
	if err != nil {
		return fmt.Errorf("naming: add %s: %w", name, err)
	}
	b.apply(d)
	return nil
}

// Remove deletes a name from the book, local or not. A name that came from
// a subscription comes back at the next fetch that lists it.
func (b *Book) Remove(name string) error {
	name = Normalize(name)
	var d delta
	err := b.st.Update(func(tx store.Tx) error {
		d = delta{}
		old, exists, err := lookupTx(tx, name)
		if err != nil {
			return err
		}
		if !exists {
			return fmt.Errorf("%w: %s", ErrNotFound, clip(name))
		}
		return removeTx(tx, old, &d)
	})
	if err != nil {
		return err
	}
	b.apply(d)
	return nil
}

// Search returns up to limit records whose name contains query (case
// insensitive): names starting with it first, each group in name order.
// Dest is nil in the results. An empty query matches every name.
func (b *Book) Search(query string, limit int) ([]Record, error) {
	if limit <= 0 {
		return nil, nil
	}
	query = strings.ToLower(query)
	var prefix, inner []Record
	errStop := errors.New("stop")
	err := b.st.View(func(tx store.Tx) error {
		return tx.Bucket(bucketNames).ForEach(func(k, v []byte) error {
			name := string(k)
			i := strings.Index(name, query)
			if i < 0 || (i > 0 && len(inner) >= limit) {
				return nil
			}
			r, db, err := decodeRecordHeader(name, v)
			if err != nil {
				return nil
			}
			if len(db) >= data.MinIdentitySize {
				r.Hash = data.HashOf(db)
			}
			if i == 0 {
				prefix = append(prefix, r)
				if len(prefix) >= limit {
					return errStop
				}
			} else {
				inner = append(inner, r)
			}
			return nil
		})
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, fmt.Errorf("naming: search: %w", err)
	}
	out := append(prefix, inner...)
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// delta is the change of the counters by one transaction.
type delta struct{ names, local int64 }

func (b *Book) apply(d delta) {
	b.names.Add(d.names)
	b.local.Add(d.local)
}

// lookupTx returns the record under name, without its destination parsed
// beyond the hash.
func lookupTx(tx store.Tx, name string) (Record, bool, error) {
	v := tx.Bucket(bucketNames).Get([]byte(name))
	if v == nil {
		return Record{}, false, nil
	}
	r, db, err := decodeRecordHeader(name, v)
	if err != nil {
		// A record that does not decode is replaced.
		return Record{Name: name}, true, nil
	}
	r.Hash = data.HashOf(db)
	return r, true, nil
}

// putTx stores a new record and indexes it; the name must be absent.
func putTx(tx store.Tx, r *Record, d *delta) error {
	v, err := encodeRecord(r)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bucketNames).Put([]byte(r.Name), v); err != nil {
		return err
	}
	rev := tx.Bucket(bucketReverse)
	names := decodeNames(rev.Get(r.Hash[:]))
	switch {
	case r.Local:
		names = append([]string{r.Name}, names...)
		if len(names) > maxReverseNames {
			names = names[:maxReverseNames]
		}
	case len(names) < maxReverseNames:
		names = append(names, r.Name)
	}
	if err := rev.Put(r.Hash[:], encodeNames(names)); err != nil {
		return err
	}
	d.names++
	if r.Local {
		d.local++
	}
	return nil
}

// removeTx deletes a record found by lookupTx and its reverse entry.
func removeTx(tx store.Tx, r Record, d *delta) error {
	if err := tx.Bucket(bucketNames).Delete([]byte(r.Name)); err != nil {
		return err
	}
	rev := tx.Bucket(bucketReverse)
	names := decodeNames(rev.Get(r.Hash[:]))
	kept := names[:0]
	for _, n := range names {
		if n != r.Name {
			kept = append(kept, n)
		}
	}
	var err error
	if len(kept) == 0 {
		err = rev.Delete(r.Hash[:])
	} else if len(kept) != len(names) {
		err = rev.Put(r.Hash[:], encodeNames(kept))
	}
	if err != nil {
		return err
	}
	d.names--
	if r.Local {
		d.local--
	}
	return nil
}
