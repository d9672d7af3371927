package automap

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeNow is a manual clock.
type fakeNow struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeNow() *fakeNow { return &fakeNow{t: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)} }

func (f *fakeNow) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeNow) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
}

func newTable(t *testing.T, cfg Config) *Table {
	t.Helper()
	tb, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func mustMap(t *testing.T, tb *Table, name string) (netip.Addr, netip.Addr) {
	t.Helper()
	v4, v6, err := tb.Map(name)
	if err != nil {
		t.Fatalf("Map(%s): %v", name, err)
	}
	return v4, v6
}

func TestDefaultRange(t *testing.T) {
	tb := newTable(t, Config{})
	net := netip.MustParsePrefix(DefaultNetwork)
	v4, v6 := mustMap(t, tb, "Example.I2P.")
	if !net.Contains(v4) || v6.IsValid() {
		t.Fatalf("Map = %v %v", v4, v6)
	}
	again, _ := mustMap(t, tb, "example.i2p")
	if again != v4 {
		t.Errorf("second Map %v, want %v", again, v4)
	}
	if name, ok := tb.Reverse(v4); !ok || name != "example.i2p" {
		t.Errorf("Reverse(%v) = %q %v", v4, name, ok)
	}
	if name, ok := tb.Reverse(netip.AddrFrom16(v4.As16())); !ok || name != "example.i2p" {
		t.Errorf("Reverse of the v4-mapped address = %q %v", name, ok)
	}
	if l4, _, ok := tb.Lookup("EXAMPLE.i2p"); !ok || l4 != v4 {
		t.Errorf("Lookup = %v %v", l4, ok)
	}
	if _, _, ok := tb.Lookup("other.i2p"); ok {
		t.Error("Lookup of an unmapped name succeeded")
	}
	for _, ip := range []string{"10.192.0.0", "10.192.0.1", "10.255.255.255", "192.168.1.1", "fd00::1"} {
		if _, ok := tb.Reverse(netip.MustParseAddr(ip)); ok {
			t.Errorf("Reverse(%s) succeeded", ip)
		}
	}
	if tb.Cap() != DefaultMaxEntries || tb.Len() != 1 {
		t.Errorf("Cap %d Len %d", tb.Cap(), tb.Len())
	}
}

func TestInvalid(t *testing.T) {
	for _, cfg := range []Config{
		{Network: "10.0.0.0/31"},
		{Network: "10.0.0.0"},
		{Network: "fd00::/64"},
		{Network6: "10.0.0.0/8"},
		{Network6: "fd00::/127"},
		{Network6: "::ffff:10.0.0.0/104"},
		{Network6: "junk"},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
	tb := newTable(t, Config{})
	for _, name := range []string{"", ".", "a b.i2p", "tab\t.i2p", strings.Repeat("a", MaxNameLen+1), "ex\u00e4mple.i2p"} {
		if _, _, err := tb.Map(name); !errors.Is(err, ErrInvalidName) {
			t.Errorf("Map(%q) = %v", name, err)
		}
		if tb.Touch(name) || tb.Remove(name) {
			t.Errorf("Touch/Remove(%q) succeeded", name)
		}
	}
}

// TestSmallRange exhausts a /29: 8 addresses, minus the network address,
// the gateway's and the broadcast address, leave 5.
func TestSmallRange(t *testing.T) {
	now := newFakeNow()
	tb := newTable(t, Config{Network: "192.168.50.0/29", Now: now.Now})
	if tb.Cap() != 5 {
		t.Fatalf("Cap = %d, want 5", tb.Cap())
	}
	ips := map[string]netip.Addr{}
	seen := map[netip.Addr]bool{}
	for i := range 5 {
		name := fmt.Sprintf("n%d.i2p", i)
		v4, _ := mustMap(t, tb, name)
		now.Advance(time.Second)
		if seen[v4] {
			t.Fatalf("%v handed out twice", v4)
		}
		seen[v4] = true
		ips[name] = v4
		if last := v4.As4()[3]; last < 2 || last > 6 {
			t.Fatalf("%s got %v, outside .2-.6", name, v4)
		}
	}
	// n0 is the least recently used; touching it makes n1 the oldest.
	if !tb.Touch("n0.i2p") {
		t.Fatal("Touch failed")
	}
	now.Advance(time.Second)
	// n1 and n2 are held by connections.
	for _, n := range []string{"n1.i2p", "n2.i2p"} {
		if name, ok := tb.Acquire(ips[n]); !ok || name != n {
			t.Fatalf("Acquire(%v) = %q %v", ips[n], name, ok)
		}
	}
	now.Advance(time.Second)
	want := []string{"n3.i2p", "n4.i2p", "n0.i2p"} // reclaim order
	for i, victim := range want {
		name := fmt.Sprintf("new%d.i2p", i)
		v4, _ := mustMap(t, tb, name)
		now.Advance(time.Second)
		if v4 != ips[victim] {
			t.Errorf("%s got %v, want %s's %v", name, v4, victim, ips[victim])
		}
		if _, _, ok := tb.Lookup(victim); ok {
			t.Errorf("%s still mapped", victim)
		}
	}
	// Now everything left is either new (unheld) — reclaim those — or held.
	for i := range 3 {
		mustMap(t, tb, fmt.Sprintf("newer%d.i2p", i))
		now.Advance(time.Second)
	}
	for _, n := range []string{"n1.i2p", "n2.i2p"} {
		if _, _, ok := tb.Lookup(n); !ok {
			t.Errorf("held mapping %s was reclaimed", n)
		}
	}
	// Hold everything: the table is full.
	for _, e := range tb.Entries() {
		if !strings.HasPrefix(e.Name, "n") || e.Name[1] == 'e' {
			tb.Acquire(e.IP)
		}
	}
	if _, _, err := tb.Map("one-more.i2p"); !errors.Is(err, ErrFull) {
		t.Fatalf("Map into a full table: %v", err)
	}
	if tb.Remove("n1.i2p") {
		t.Error("Remove of a held mapping succeeded")
	}
	tb.Release(ips["n1.i2p"])
	if v4, _ := mustMap(t, tb, "one-more.i2p"); v4 != ips["n1.i2p"] {
		t.Errorf("after Release got %v, want n1's %v", v4, ips["n1.i2p"])
	}
	if tb.Len() != 5 {
		t.Errorf("Len = %d", tb.Len())
	}
}

func TestCollision(t *testing.T) {
	tb := newTable(t, Config{Network: "10.0.0.0/29"})
	// Find two names that hash to the same slot.
	first := "a0.i2p"
	var second string
	for i := 1; ; i++ {
		n := fmt.Sprintf("a%d.i2p", i)
		if hashSlot(n, tb.slots) == hashSlot(first, tb.slots) {
			second = n
			break
		}
	}
	a, _ := mustMap(t, tb, first)
	b, _ := mustMap(t, tb, second)
	if a == b {
		t.Fatalf("%s and %s share %v", first, second, a)
	}
	if n, _ := tb.Reverse(b); n != second {
		t.Errorf("Reverse(%v) = %s", b, n)
	}
}

func TestIPv6(t *testing.T) {
	tb := newTable(t, Config{Network6: "fd50:4932:5061::/48"})
	v4, v6 := mustMap(t, tb, "six.i2p")
	if !v6.Is6() || !netip.MustParsePrefix("fd50:4932:5061::/48").Contains(v6) {
		t.Fatalf("v6 = %v", v6)
	}
	// Same offset in both ranges.
	a4, n4 := v4.As4(), netip.MustParseAddr("10.192.0.0").As4()
	off := uint64(a4[1]-n4[1])<<16 | uint64(a4[2])<<8 | uint64(a4[3])
	a6 := v6.As16()
	got := uint64(a6[13])<<16 | uint64(a6[14])<<8 | uint64(a6[15])
	if off != got || a6[8]|a6[9]|a6[10]|a6[11]|a6[12] != 0 {
		t.Errorf("offsets differ: v4 %v v6 %v", v4, v6)
	}
	if n, ok := tb.Reverse(v6); !ok || n != "six.i2p" {
		t.Errorf("Reverse(%v) = %q %v", v6, n, ok)
	}
	for _, ip := range []string{"fd50:4932:5061::", "fd50:4932:5061::1", "fd50:4932:5062::2", "fd50:4932:5061:1::2"} {
		if _, ok := tb.Reverse(netip.MustParseAddr(ip)); ok {
			t.Errorf("Reverse(%s) succeeded", ip)
		}
	}
	// A small IPv6 range bounds the table too: a /126 has 4 addresses, 2 usable.
	small := newTable(t, Config{Network6: "fd00::/126"})
	if small.Cap() != 2 {
		t.Errorf("Cap with a /126 = %d", small.Cap())
	}
	_, s6 := mustMap(t, small, "x.i2p")
	if s6 != netip.MustParseAddr("fd00::2") && s6 != netip.MustParseAddr("fd00::3") {
		t.Errorf("v6 in /126 = %v", s6)
	}
}

func TestPersistRestart(t *testing.T) {
	now := newFakeNow()
	p := &MemoryPersist{}
	cfg := Config{Network: "172.16.0.0/29", Network6: "fd50:4932:5061::/48", Persist: p, Now: now.Now}
	tb := newTable(t, cfg)
	want := map[string]Entry{}
	for i := range 4 {
		name := fmt.Sprintf("s%d.i2p", i)
		v4, v6 := mustMap(t, tb, name)
		want[name] = Entry{Name: name, IP: v4, IP6: v6}
		now.Advance(time.Minute)
	}
	if p.Len() != 4 {
		t.Fatalf("persisted %d", p.Len())
	}
	tb.Touch("s0.i2p") // in memory only: saved at most once an hour
	restarted := newTable(t, cfg)
	if restarted.Len() != 4 {
		t.Fatalf("reloaded %d", restarted.Len())
	}
	for name, e := range want {
		v4, v6, ok := restarted.Lookup(name)
		if !ok || v4 != e.IP || v6 != e.IP6 {
			t.Errorf("%s after restart: %v %v, want %v %v", name, v4, v6, e.IP, e.IP6)
		}
		if n, _ := restarted.Reverse(e.IP); n != name {
			t.Errorf("Reverse(%v) after restart = %s", e.IP, n)
		}
	}
	// The order of use survives: s0 (its touch was not saved) is reclaimed
	// first, after the one free address is taken.
	mustMap(t, restarted, "fill.i2p")
	v4, _ := mustMap(t, restarted, "evict.i2p")
	if v4 != want["s0.i2p"].IP {
		t.Errorf("evicted %v, want s0's %v", v4, want["s0.i2p"].IP)
	}
	// A touch an hour later is saved.
	now.Advance(2 * time.Hour)
	restarted.Touch("s1.i2p")
	loaded, _ := p.Load()
	for _, e := range loaded {
		if e.Name == "s1.i2p" && !e.LastUse.Equal(now.Now()) {
			t.Errorf("touch not saved: %v", e.LastUse)
		}
		if e.Name == "s0.i2p" {
			t.Error("reclaimed mapping still persisted")
		}
	}
	// Another network: the old mappings are dropped from the store.
	moved := newTable(t, Config{Network: "10.0.0.0/24", Persist: p, Now: now.Now})
	if moved.Len() != 0 || p.Len() != 0 {
		t.Errorf("after a network change: %d mapped, %d persisted", moved.Len(), p.Len())
	}
}

func TestLoadChecks(t *testing.T) {
	p := &MemoryPersist{}
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, e := range []Entry{
		{Name: "a.i2p", IP: netip.MustParseAddr("10.0.0.2"), LastUse: t0.Add(3)},
		{Name: "b.i2p", IP: netip.MustParseAddr("10.0.0.2"), LastUse: t0.Add(2)}, // same address as a
		{Name: "c.i2p", IP: netip.MustParseAddr("10.0.0.1"), LastUse: t0},        // the gateway's
		{Name: "d.i2p", IP: netip.MustParseAddr("10.0.0.7"), LastUse: t0},        // broadcast
		{Name: "bad name", IP: netip.MustParseAddr("10.0.0.3"), LastUse: t0},
		{Name: "e.i2p", IP: netip.MustParseAddr("10.0.0.4"), LastUse: t0.Add(1)},
		{Name: "f.i2p", IP: netip.MustParseAddr("10.0.0.5"), LastUse: t0}, // over MaxEntries
	} {
		p.Save(e)
	}
	tb := newTable(t, Config{Network: "10.0.0.0/29", Persist: p, MaxEntries: 2})
	got := tb.Entries()
	if len(got) != 2 || got[0].Name != "a.i2p" || got[1].Name != "e.i2p" {
		t.Errorf("loaded %+v", got)
	}
	if p.Len() != 2 {
		t.Errorf("%d entries left in Persist", p.Len())
	}
}

type failingPersist struct{ MemoryPersist }

func (*failingPersist) Load() ([]Entry, error) { return nil, errors.New("disk gone") }

func TestLoadError(t *testing.T) {
	if _, err := New(Config{Persist: &failingPersist{}}); err == nil {
		t.Error("New ignored a Load error")
	}
}

func TestConcurrent(t *testing.T) {
	tb := newTable(t, Config{Network: "10.1.0.0/26", Network6: "fd00::/64", Persist: &MemoryPersist{}})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				name := fmt.Sprintf("h%d.i2p", (g*7+i)%90)
				v4, v6, err := tb.Map(name)
				if err != nil {
					continue
				}
				if got, ok := tb.Acquire(v4); ok {
					tb.Reverse(v6)
					tb.Release(v4)
					_ = got
				}
				tb.TouchIP(v6)
			}
		}()
	}
	wg.Wait()
	if tb.Len() > tb.Cap() {
		t.Errorf("Len %d > Cap %d", tb.Len(), tb.Cap())
	}
	seen := map[netip.Addr]string{}
	for _, e := range tb.Entries() {
		if other, dup := seen[e.IP]; dup {
			t.Errorf("%v shared by %s and %s", e.IP, e.Name, other)
		}
		seen[e.IP] = e.Name
		if n, _ := tb.Reverse(e.IP); n != e.Name {
			t.Errorf("index mismatch for %s", e.Name)
		}
	}
}

func BenchmarkMap(b *testing.B) {
	tb, _ := New(Config{})
	names := make([]string, 1024)
	for i := range names {
		names[i] = fmt.Sprintf("site%d.i2p", i)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		tb.Map(names[i%len(names)])
	}
}
