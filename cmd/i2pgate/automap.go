package main

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"time"

	"i2pgate/gateway/automap"
	"i2pgate/router/store"
)

// automapBucket holds the automap table: name -> 16-byte IPv4-in-v6, 16-byte
// IPv6 (zero: none), 8-byte last use in Unix seconds.
const automapBucket = "automap"

const automapRecord = 16 + 16 + 8

// automapFlushInterval is how long a changed mapping waits to be committed.
const automapFlushInterval = 5 * time.Minute

// automapPersist keeps the automap table in the router's database through a
// Batcher, so a busy resolver writes the flash in few transactions: at most
// one per automapFlushInterval (each costs some 30 KB of flash writes; every
// mapping in use is re-saved hourly) and one at Close. A crash loses at most
// the last interval's new mappings and last-use times.
type automapPersist struct {
	db    store.Store
	batch *store.Batcher
}

var _ automap.Persist = (*automapPersist)(nil)

func newAutomapPersist(db store.Store) *automapPersist {
	return &automapPersist{db: db, batch: store.NewBatcher(db, &store.BatchOptions{Interval: automapFlushInterval})}
}

func (p *automapPersist) Load() ([]automap.Entry, error) {
	if err := p.batch.Flush(); err != nil {
		return nil, err
	}
	var out []automap.Entry
	err := p.db.View(func(tx store.Tx) error {
		return tx.Bucket(automapBucket).ForEach(func(k, v []byte) error {
			if len(v) != automapRecord {
				return nil // a damaged record is dropped, the name remapped
			}
			e := automap.Entry{Name: string(k)}
			e.IP = netip.AddrFrom16([16]byte(v[:16])).Unmap()
			if ip6 := netip.AddrFrom16([16]byte(v[16:32])); !ip6.IsUnspecified() {
				e.IP6 = ip6
			}
			e.LastUse = time.Unix(int64(binary.BigEndian.Uint64(v[32:])), 0)
			out = append(out, e)
			return nil
		})
	})
	return out, err
}

func (p *automapPersist) Save(e automap.Entry) error {
	if e.Name == "" {
		return errors.New("automap: entry without a name")
	}
	v := make([]byte, automapRecord)
	a := e.IP.As16()
	copy(v, a[:])
	if e.IP6.IsValid() {
		b := e.IP6.As16()
		copy(v[16:], b[:])
	}
	binary.BigEndian.PutUint64(v[32:], uint64(e.LastUse.Unix()))
	return p.batch.Put(automapBucket, []byte(e.Name), v)
}

func (p *automapPersist) Delete(name string) error {
	return p.batch.Delete(automapBucket, []byte(name))
}

func (p *automapPersist) Close() error { return p.batch.Close() }
