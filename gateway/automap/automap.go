// Package automap gives .i2p names addresses on the LAN: each name gets a
// virtual IPv4 address from a configured range (automap.network, default
// 10.192.0.0/10) and, when an IPv6 ULA range is configured
// (automap.network6), an IPv6 address at the same offset. The resolver
// hands these addresses out and the transparent proxy maps a connection's
// destination address back to the name.
//
// A name keeps its address while it is in use and across restarts (through
// Persist). The network address, the first address (reserved for the
// gateway itself) and the IPv4 broadcast address are never handed out. The
// table is bounded; when it is full, the mapping used least recently is
// reclaimed, never one held by Acquire. Addresses are chosen by a hash of
// the name, probing onwards on collision, so a name tends to get the same
// address on every gateway.
//
// It leaves to others whether a name exists (the resolver asks the address
// book first), the storage behind Persist (cmd/i2pgate backs it with the
// router's store) and routing the range to the gateway.
package automap

import (
	"container/list"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"time"
)

const (
	// DefaultNetwork is the IPv4 range of automap.network.
	DefaultNetwork = "10.192.0.0/10"
	// DefaultMaxEntries bounds the table: each mapping costs about 200
	// bytes of RAM.
	DefaultMaxEntries = 4096
	// MaxNameLen is the longest name, that of a DNS name.
	MaxNameLen = 253
	// touchSaveInterval is how stale the persisted last use of a mapping
	// may get before Touch saves it again, to spare flash.
	touchSaveInterval = time.Hour
	// reservedLow counts the addresses at the start of a range that are
	// never handed out: the network address and the gateway's own.
	reservedLow = 2
	// maxSlots bounds the slots of a range so that they fit in a uint32.
	maxSlots = 1<<32 - 1
)

// Errors returned by Map.
var (
	ErrFull        = errors.New("automap: every address is in use")
	ErrInvalidName = errors.New("automap: invalid name")
)

// Entry is one mapping, as persisted and as listed by Entries.
type Entry struct {
	Name    string
	IP      netip.Addr // IPv4
	IP6     netip.Addr // zero when no IPv6 range is configured
	LastUse time.Time
}

// Persist stores the mappings. Save and Delete are called with the table's
// lock held, so they should be quick (cmd/i2pgate batches them).
type Persist interface {
	Load() ([]Entry, error)
	Save(Entry) error
	Delete(name string) error
}

// Config configures a Table.
type Config struct {
	// Network is the IPv4 range (default DefaultNetwork); at most /30.
	Network string
	// Network6 is the IPv6 range; empty means no IPv6 addresses.
	Network6 string
	// MaxEntries bounds the table (default DefaultMaxEntries, never more
	// than the range holds).
	MaxEntries int
	// Persist keeps the mappings across restarts; nil keeps them in RAM only.
	Persist Persist
	// Now is the clock (nil: time.Now); Logger gets persistence failures
	// (nil: discard).
	Now    func() time.Time
	Logger *slog.Logger
}

// Table maps names to virtual addresses and back. It is safe for concurrent
// use; every operation is O(1) except reclaiming, which skips the mappings
// held by Acquire.
type Table struct {
	v4, v6  netip.Prefix
	slots   uint32 // addresses usable in both ranges
	max     int
	persist Persist
	now     func() time.Time
	log     *slog.Logger

	// mu guards the indexes and the LRU list of entries.
	mu struct {
		sync.Mutex
		byName map[string]*entry
		bySlot map[uint32]*entry
		lru    list.List // of *entry, most recently used first
	}
}

type entry struct {
	name    string
	slot    uint32
	lastUse time.Time
	saved   time.Time // LastUse last persisted
	refs    int
	elem    *list.Element
}

// New builds a Table and loads the persisted mappings that still fit the
// configured ranges; the others are deleted from Persist.
func New(cfg Config) (*Table, error) {
	t := &Table{persist: cfg.Persist, now: cfg.Now, log: cfg.Logger}
	if t.now == nil {
		t.now = time.Now
	}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	t.log = t.log.With("component", "automap")
	if cfg.Network == "" {
		cfg.Network = DefaultNetwork
	}
	var err error
	if t.v4, err = netip.ParsePrefix(cfg.Network); err != nil || !t.v4.Addr().Is4() || t.v4.Bits() > 30 {
		return nil, fmt.Errorf("automap: network %q: want an IPv4 prefix of /30 or wider", cfg.Network)
	}
	t.v4 = t.v4.Masked()
	t.slots = uint32(min(uint64(1)<<(32-t.v4.Bits())-reservedLow-1, maxSlots))
	if cfg.Network6 != "" {
		if t.v6, err = netip.ParsePrefix(cfg.Network6); err != nil || !t.v6.Addr().Is6() || t.v6.Addr().Is4In6() || t.v6.Bits() > 126 {
			return nil, fmt.Errorf("automap: network6 %q: want an IPv6 prefix of /126 or wider", cfg.Network6)
		}
		t.v6 = t.v6.Masked()
		if host := 128 - t.v6.Bits(); host < 32 {
			t.slots = uint32(min(uint64(t.slots), uint64(1)<<host-reservedLow))
		}
	}
	t.max = cfg.MaxEntries
	if t.max <= 0 {
		t.max = DefaultMaxEntries
	}
	if uint64(t.max) > uint64(t.slots) {
		t.max = int(t.slots)
	}
	t.mu.byName = make(map[string]*entry)
	t.mu.bySlot = make(map[uint32]*entry)
	if err := t.load(); err != nil {
		return nil, err
	}
	return t, nil
}

// normalize lower-cases a name and drops the DNS root dot.
func normalize(name string) (string, error) {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	if name == "" || len(name) > MaxNameLen {
		return "", fmt.Errorf("%w: length %d", ErrInvalidName, len(name))
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c >= 0x7f {
			return "", fmt.Errorf("%w: control, space or non-ASCII byte", ErrInvalidName)
		}
	}
	return name, nil
}

// Map returns the addresses of name, giving it new ones if it has none, and
// marks it used. v6 is the zero Addr when no IPv6 range is configured.
func (t *Table) Map(name string) (v4, v6 netip.Addr, err error) {
	name, err = normalize(name)
	if err != nil {
		return netip.Addr{}, netip.Addr{}, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.mu.byName[name]; e != nil {
		t.touchLocked(e)
		return t.addr4(e.slot), t.addr6(e.slot), nil
	}
	if len(t.mu.byName) >= t.max && !t.reclaimLocked() {
		return netip.Addr{}, netip.Addr{}, ErrFull
	}
	slot := t.freeSlotLocked(hashSlot(name, t.slots))
	now := t.now()
	e := &entry{name: name, slot: slot, lastUse: now, saved: now}
	t.insertLocked(e, true)
	t.saveLocked(e)
	return t.addr4(slot), t.addr6(slot), nil
}

// Lookup returns the addresses of name without mapping it or marking it used.
func (t *Table) Lookup(name string) (v4, v6 netip.Addr, ok bool) {
	name, err := normalize(name)
	if err != nil {
		return netip.Addr{}, netip.Addr{}, false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.mu.byName[name]
	if e == nil {
		return netip.Addr{}, netip.Addr{}, false
	}
	return t.addr4(e.slot), t.addr6(e.slot), true
}

// Reverse returns the name mapped to ip (IPv4, IPv4-mapped IPv6 or IPv6).
// It does not mark the mapping used.
func (t *Table) Reverse(ip netip.Addr) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.entryLocked(ip)
	if e == nil {
		return "", false
	}
	return e.name, true
}

// Touch marks the mapping of name used, so that it is reclaimed last.
func (t *Table) Touch(name string) bool {
	name, err := normalize(name)
	if err != nil {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.mu.byName[name]
	if e == nil {
		return false
	}
	t.touchLocked(e)
	return true
}

// TouchIP marks the mapping of ip used.
func (t *Table) TouchIP(ip netip.Addr) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.entryLocked(ip)
	if e == nil {
		return false
	}
	t.touchLocked(e)
	return true
}

// Acquire returns the name mapped to ip and holds the mapping: it is not
// reclaimed until a Release for each Acquire. Use it for the lifetime of a
// connection to the address.
func (t *Table) Acquire(ip netip.Addr) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.entryLocked(ip)
	if e == nil {
		return "", false
	}
	e.refs++
	t.touchLocked(e)
	return e.name, true
}

// Release ends one Acquire of ip's mapping and marks it used.
func (t *Table) Release(ip netip.Addr) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.entryLocked(ip); e != nil {
		if e.refs > 0 {
			e.refs--
		}
		t.touchLocked(e)
	}
}

// Remove drops the mapping of name, unless it is held by Acquire.
func (t *Table) Remove(name string) bool {
	name, err := normalize(name)
	if err != nil {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.mu.byName[name]
	if e == nil || e.refs > 0 {
		return false
	}
	t.removeLocked(e)
	return true
}

// Len returns the number of mappings.
func (t *Table) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.mu.byName)
}

// Cap returns the most mappings the table holds.
func (t *Table) Cap() int { return t.max }

// Entries lists the mappings, most recently used first.
func (t *Table) Entries() []Entry {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]Entry, 0, len(t.mu.byName))
	for el := t.mu.lru.Front(); el != nil; el = el.Next() {
		out = append(out, t.entryOf(el.Value.(*entry)))
	}
	return out
}

func (t *Table) entryOf(e *entry) Entry {
	return Entry{Name: e.name, IP: t.addr4(e.slot), IP6: t.addr6(e.slot), LastUse: e.lastUse}
}

func (t *Table) touchLocked(e *entry) {
	e.lastUse = t.now()
	t.mu.lru.MoveToFront(e.elem)
	if e.lastUse.Sub(e.saved) >= touchSaveInterval {
		e.saved = e.lastUse
		t.saveLocked(e)
	}
}

func (t *Table) insertLocked(e *entry, front bool) {
	t.mu.byName[e.name] = e
	t.mu.bySlot[e.slot] = e
	if front {
		e.elem = t.mu.lru.PushFront(e)
	} else {
		e.elem = t.mu.lru.PushBack(e)
	}
}

func (t *Table) removeLocked(e *entry) {
	delete(t.mu.byName, e.name)
	delete(t.mu.bySlot, e.slot)
	t.mu.lru.Remove(e.elem)
	if t.persist != nil {
		if err := t.persist.Delete(e.name); err != nil {
			t.log.Warn("delete mapping", "err", err)
		}
	}
}

func (t *Table) saveLocked(e *entry) {
	if t.persist == nil {
		return
	}
	if err := t.persist.Save(t.entryOf(e)); err != nil {
		t.log.Warn("save mapping", "err", err)
	}
}

// reclaimLocked drops the least recently used mapping not held by Acquire.
func (t *Table) reclaimLocked() bool {
	for el := t.mu.lru.Back(); el != nil; el = el.Prev() {
		if e := el.Value.(*entry); e.refs == 0 {
			t.removeLocked(e)
			return true
		}
	}
	return false
}

// freeSlotLocked returns the first free slot from start on, wrapping; the
// caller made sure one is free.
func (t *Table) freeSlotLocked(start uint32) uint32 {
	s := start
	for {
		if _, used := t.mu.bySlot[s]; !used {
			return s
		}
		s++
		if s >= t.slots {
			s = 0
		}
	}
}

func hashSlot(name string, slots uint32) uint32 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return uint32(h.Sum64() % uint64(slots))
}

func (t *Table) entryLocked(ip netip.Addr) *entry {
	slot, ok := t.slotOf(ip)
	if !ok {
		return nil
	}
	return t.mu.bySlot[slot]
}

// load reads the persisted mappings, most recently used first, keeping those
// that fit the ranges and the bound.
func (t *Table) load() error {
	if t.persist == nil {
		return nil
	}
	entries, err := t.persist.Load()
	if err != nil {
		return fmt.Errorf("automap: load: %w", err)
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].LastUse.After(entries[j].LastUse) })
	var drop []string
	for _, pe := range entries {
		name, err := normalize(pe.Name)
		slot, ok := t.slotOf(pe.IP)
		_, dupName := t.mu.byName[name]
		_, dupSlot := t.mu.bySlot[slot]
		if err != nil || !ok || !pe.IP.Is4() || dupName || dupSlot || len(t.mu.byName) >= t.max {
			if !dupName {
				drop = append(drop, pe.Name)
			}
			continue
		}
		t.insertLocked(&entry{name: name, slot: slot, lastUse: pe.LastUse, saved: pe.LastUse}, false)
	}
	for _, name := range drop {
		if _, kept := t.mu.byName[name]; kept {
			continue
		}
		if err := t.persist.Delete(name); err != nil {
			return fmt.Errorf("automap: load: %w", err)
		}
	}
	return nil
}
