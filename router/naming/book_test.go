package naming

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"i2pgate/router/data"
	"i2pgate/router/store"
)

func mustImport(t *testing.T, b *Book, r io.Reader, source string) Stats {
	t.Helper()
	st, err := b.Import(r, source)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return st
}

func TestImportAndLookup(t *testing.T) {
	b, _, _ := newBook(t)
	k1, k2 := newKey(t, 1), newKey(t, 2)
	st := mustImport(t, b, hostsText(
		"# hosts.txt",
		"",
		"one.i2p="+k1.b64,
		"TWO.i2p="+k2.b64+"#a comment",
		"alias.i2p="+k1.b64,
		"bad name.i2p="+k1.b64,
		"ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p="+k1.b64,
		"short.i2p=AAAA",
		"noequals",
	), "http://reg.i2p/hosts.txt")
	want := Stats{Lines: 9, Added: 3, Invalid: 4}
	if st != want {
		t.Errorf("stats %+v, want %+v", st, want)
	}
	d, err := b.Lookup("One.I2P.")
	if err != nil || d.Hash() != k1.dest.Hash() {
		t.Fatalf("Lookup one.i2p: %v", err)
	}
	h, d, err := b.Resolve("two.i2p")
	if err != nil || h != k2.dest.Hash() || d == nil || d.Hash() != h {
		t.Fatalf("Resolve two.i2p: %v", err)
	}
	if _, err := b.Lookup("three.i2p"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing name: %v", err)
	}
	if _, err := b.Lookup("not a name"); !errors.Is(err, ErrInvalidName) {
		t.Errorf("invalid name: %v", err)
	}
	if c := b.Counts(); c != (Counts{Names: 3}) {
		t.Errorf("counts %+v", c)
	}
	if name, ok := b.ReverseLookup(k1.dest.Hash()); !ok || name != "one.i2p" {
		t.Errorf("ReverseLookup k1 = %q %v, want one.i2p", name, ok)
	}
	if _, ok := b.ReverseLookup(data.Hash{1}); ok {
		t.Error("ReverseLookup of an unknown hash succeeded")
	}
	r, err := b.Get("two.i2p")
	if err != nil || r.Source != "http://reg.i2p/hosts.txt" || r.Local || !r.Added.Equal(testStart) {
		t.Errorf("Get two.i2p = %+v, %v", r, err)
	}
	if !b.Has("one.i2p") || b.Has("three.i2p") || b.Has("proxy.i2p") {
		t.Error("Has is wrong")
	}
}

func TestB32AndB33(t *testing.T) {
	b, _, _ := newBook(t)
	k := newKey(t, 1)
	b32 := data.B32Address(k.dest.Hash())
	h, d, err := b.Resolve(strings.ToUpper(b32))
	if err != nil || h != k.dest.Hash() || d != nil {
		t.Fatalf("Resolve b32 without the book: %v %v", d, err)
	}
	if _, err := b.Lookup(b32); !errors.Is(err, ErrNotFound) {
		t.Errorf("Lookup b32 not in book: %v", err)
	}
	if !b.Has(b32) {
		t.Error("Has(b32) false")
	}
	mustImport(t, b, hostsText("site.i2p="+k.b64), "test")
	if _, d, err = b.Resolve(b32); err != nil || d == nil || d.Hash() != h {
		t.Errorf("Resolve b32 with the book: %v %v", d, err)
	}
	if d, err := b.Lookup(b32); err != nil || d.Hash() != h {
		t.Errorf("Lookup b32 in the book: %v", err)
	}
	b33 := strings.Repeat("a", 56) + ".b32.i2p"
	if _, _, err := b.Resolve(b33); !errors.Is(err, ErrB33Unsupported) {
		t.Errorf("b33: %v", err)
	}
	if ErrB33Unsupported.Error() != "naming: encrypted b33 addresses not supported yet" {
		t.Errorf("b33 error text %q", ErrB33Unsupported)
	}
	if _, _, err := b.Resolve("abc.b32.i2p"); !errors.Is(err, ErrInvalidName) {
		t.Errorf("short b32: %v", err)
	}
	if b.Has("abc.b32.i2p") || b.Has(b33) {
		t.Error("Has accepts an invalid b32 or a b33")
	}
}

func TestFirstNameWins(t *testing.T) {
	b, _, _ := newBook(t)
	k1, k2 := newKey(t, 1), newKey(t, 2)
	mustImport(t, b, hostsText("site.i2p="+k1.b64), "http://a.i2p/hosts.txt")
	st := mustImport(t, b, hostsText("site.i2p="+k2.b64, "other.i2p="+k2.b64), "http://b.i2p/hosts.txt")
	if st.Added != 1 || st.Known != 1 {
		t.Errorf("stats %+v", st)
	}
	if d, _ := b.Lookup("site.i2p"); d.Hash() != k1.dest.Hash() {
		t.Error("a later subscription replaced a name")
	}
	// Even a correctly signed line does not replace an existing name.
	signed := signLine(t, Line{Name: "site.i2p", Dest: k2.b64}, k2)
	st = mustImport(t, b, hostsText(signed.String()), "http://b.i2p/hosts.txt")
	if st.Known != 1 || st.Added != 0 {
		t.Errorf("signed stats %+v", st)
	}
	// The same name twice in one stream: the first wins too.
	st = mustImport(t, b, hostsText("dup.i2p="+k2.b64, "dup.i2p="+k1.b64), "c")
	if st.Added != 1 || st.Known != 1 {
		t.Errorf("dup stats %+v", st)
	}
	if d, _ := b.Lookup("dup.i2p"); d.Hash() != k2.dest.Hash() {
		t.Error("second line of a stream won")
	}
}

func TestLocalNames(t *testing.T) {
	b, _, _ := newBook(t)
	k1, k2 := newKey(t, 1), newKey(t, 2)
	mustImport(t, b, hostsText("site.i2p="+k1.b64, "keep.i2p="+k1.b64), "sub")
	if err := b.AddLocal("Site.i2p", k2.dest); err != nil {
		t.Fatal(err)
	}
	if d, _ := b.Lookup("site.i2p"); d.Hash() != k2.dest.Hash() {
		t.Error("local name did not replace the subscription's")
	}
	if c := b.Counts(); c != (Counts{Names: 2, Local: 1}) {
		t.Errorf("counts %+v", c)
	}
	st := mustImport(t, b, hostsText("site.i2p="+k1.b64), "sub")
	if st.Known != 1 {
		t.Errorf("stats %+v", st)
	}
	if r, _ := b.Get("site.i2p"); !r.Local || r.Source != SourceLocal || r.Hash != k2.dest.Hash() {
		t.Errorf("local record %+v", r)
	}
	if name, _ := b.ReverseLookup(k1.dest.Hash()); name != "keep.i2p" {
		t.Errorf("reverse k1 = %q after its name moved", name)
	}
	if name, _ := b.ReverseLookup(k2.dest.Hash()); name != "site.i2p" {
		t.Errorf("reverse k2 = %q", name)
	}
	// A local alias comes first in the reverse index.
	if err := b.AddLocal("mine.i2p", k1.dest); err != nil {
		t.Fatal(err)
	}
	if name, _ := b.ReverseLookup(k1.dest.Hash()); name != "mine.i2p" {
		t.Errorf("reverse k1 = %q, want the local mine.i2p", name)
	}
	if err := b.AddLocal("router.i2p", k1.dest); !errors.Is(err, ErrInvalidName) {
		t.Errorf("reserved local name: %v", err)
	}
	if err := b.AddLocal("x.i2p", nil); err == nil {
		t.Error("nil destination accepted")
	}
	if err := b.Remove("site.i2p"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Lookup("site.i2p"); !errors.Is(err, ErrNotFound) {
		t.Errorf("removed name: %v", err)
	}
	if _, ok := b.ReverseLookup(k2.dest.Hash()); ok {
		t.Error("reverse entry survived Remove")
	}
	if err := b.Remove("site.i2p"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Remove: %v", err)
	}
	if c := b.Counts(); c != (Counts{Names: 2, Local: 1}) {
		t.Errorf("counts after remove %+v", c)
	}
}

func TestReopenKeepsBook(t *testing.T) {
	b, st, clk := newBook(t)
	k := newKey(t, 1)
	mustImport(t, b, hostsText("a.i2p="+k.b64, "b.i2p="+k.b64), "sub")
	if err := b.AddLocal("c.i2p", k.dest); err != nil {
		t.Fatal(err)
	}
	b2, err := Open(Config{Store: st, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	if c := b2.Counts(); c != (Counts{Names: 3, Local: 1}) {
		t.Errorf("counts after reopen %+v", c)
	}
	if d, err := b2.Lookup("b.i2p"); err != nil || d.Hash() != k.dest.Hash() {
		t.Errorf("lookup after reopen: %v", err)
	}
}

func TestOpenNeedsStore(t *testing.T) {
	if _, err := Open(Config{}); err == nil {
		t.Error("Open without a store succeeded")
	}
}

func TestSearch(t *testing.T) {
	b, _, _ := newBook(t)
	k := newKey(t, 1)
	var lines []string
	for _, n := range []string{"forum.i2p", "zzz.i2p", "myforum.i2p", "forums.i2p", "wiki.i2p", "a.forum.i2p"} {
		lines = append(lines, n+"="+k.b64)
	}
	mustImport(t, b, hostsText(lines...), "sub")
	names := func(rs []Record) string {
		var s []string
		for _, r := range rs {
			s = append(s, r.Name)
			if r.Hash != k.dest.Hash() || r.Dest != nil {
				t.Errorf("search record %+v", r)
			}
		}
		return strings.Join(s, ",")
	}
	for _, tt := range []struct {
		q     string
		limit int
		want  string
	}{
		{"FORUM", 10, "forum.i2p,forums.i2p,a.forum.i2p,myforum.i2p"},
		{"forum", 2, "forum.i2p,forums.i2p"},
		{"forum", 3, "forum.i2p,forums.i2p,a.forum.i2p"},
		{"", 2, "a.forum.i2p,forum.i2p"},
		{"nothing", 5, ""},
		{"wiki", 0, ""},
	} {
		rs, err := b.Search(tt.q, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		if got := names(rs); got != tt.want {
			t.Errorf("Search(%q, %d) = %s, want %s", tt.q, tt.limit, got, tt.want)
		}
	}
}

func TestMaxNames(t *testing.T) {
	st := store.NewMemory()
	defer st.Close()
	b, err := Open(Config{Store: st, MaxNames: 2})
	if err != nil {
		t.Fatal(err)
	}
	k := newKey(t, 1)
	stats := mustImport(t, b, hostsText("a.i2p="+k.b64, "b.i2p="+k.b64, "c.i2p="+k.b64), "sub")
	if stats.Added != 2 || stats.Full != 1 {
		t.Errorf("stats %+v", stats)
	}
	if err := b.AddLocal("d.i2p", k.dest); !errors.Is(err, ErrTooLarge) {
		t.Errorf("AddLocal into a full book: %v", err)
	}
	if err := b.AddLocal("a.i2p", k.dest); err != nil {
		t.Errorf("AddLocal replacing in a full book: %v", err)
	}
}

func TestImportLimits(t *testing.T) {
	b, _, _ := newBook(t)
	k := newKey(t, 1)
	long := "long.i2p=" + k.b64 + "#" + strings.Repeat("x", MaxLineLen)
	st := mustImport(t, b, strings.NewReader(long+"\nok.i2p="+k.b64), "sub")
	if st.Added != 1 || st.Invalid != 1 || st.Lines != 2 {
		t.Errorf("stats %+v", st)
	}
	if _, err := b.Lookup("long.i2p"); !errors.Is(err, ErrNotFound) {
		t.Errorf("over-long line imported: %v", err)
	}
	many := strings.NewReader(strings.Repeat("# c\n", MaxImportLines+5))
	if _, err := b.Import(many, "sub"); !errors.Is(err, ErrTooLarge) {
		t.Errorf("too many lines: %v", err)
	}
}

// errAfter yields its data, then an error: a connection that breaks.
type errAfter struct {
	r   io.Reader
	err error
}

func (e *errAfter) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		return n, e.err
	}
	return n, err
}

func TestImportCutShort(t *testing.T) {
	b, _, _ := newBook(t)
	k := newKey(t, 1)
	// The second line breaks off after its destination, before its "#!"
	// part: it must not be added as a plain line.
	in := "a.i2p=" + k.b64 + "\nsub.a.i2p=" + k.b64
	broken := errors.New("connection reset")
	st, err := b.Import(&errAfter{r: strings.NewReader(in), err: broken}, "sub")
	if !errors.Is(err, broken) {
		t.Fatalf("err %v", err)
	}
	if st.Added != 1 {
		t.Errorf("stats %+v", st)
	}
	if b.Has("sub.a.i2p") {
		t.Error("line cut short was imported")
	}
}

func TestImportChunks(t *testing.T) {
	b, _, _ := newBook(t)
	k := newKey(t, 1)
	var sb strings.Builder
	const n = importChunk*2 + 7
	for i := range n {
		fmt.Fprintf(&sb, "host%d.i2p=%s\n", i, k.b64)
	}
	st := mustImport(t, b, strings.NewReader(sb.String()), "sub")
	if st.Added != n || b.Counts().Names != n {
		t.Errorf("stats %+v counts %+v", st, b.Counts())
	}
	if _, err := b.Lookup(fmt.Sprintf("host%d.i2p", n-1)); err != nil {
		t.Error(err)
	}
	// The reverse index keeps a bounded list per destination.
	if name, ok := b.ReverseLookup(k.dest.Hash()); !ok || name != "host0.i2p" {
		t.Errorf("reverse %q %v", name, ok)
	}
}

func TestCorruptRecord(t *testing.T) {
	b, st, clk := newBook(t)
	k := newKey(t, 1)
	if err := st.Update(func(tx store.Tx) error {
		return tx.Bucket(bucketNames).Put([]byte("broken.i2p"), []byte{9, 9, 9})
	}); err != nil {
		t.Fatal(err)
	}
	b, err := Open(Config{Store: st, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	if c := b.Counts(); c.Names != 1 {
		t.Errorf("counts %+v", c)
	}
	if _, err := b.Lookup("broken.i2p"); !errors.Is(err, store.ErrDecode) {
		t.Errorf("Lookup of a corrupt record: %v", err)
	}
	// The name is still taken for subscriptions, and a local name replaces it.
	if st := mustImport(t, b, hostsText("broken.i2p="+k.b64), "sub"); st.Known != 1 {
		t.Errorf("import over a corrupt record: %+v", st)
	}
	if err := b.AddLocal("broken.i2p", k.dest); err != nil {
		t.Fatal(err)
	}
	if c := b.Counts(); c != (Counts{Names: 1, Local: 1}) {
		t.Errorf("counts after replacing %+v", c)
	}
}

// FuzzDecodeStored checks that stored records and subscription states that
// were damaged on flash decode without panicking, and that subscription
// states round-trip.
func FuzzDecodeStored(f *testing.F) {
	k := newKey(f, 1)
	rec, err := encodeRecord(&Record{Name: "a.i2p", Dest: k.dest, Source: "sub", Added: testStart})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(rec)
	f.Add(encodeSubState(&SubStatus{URL: "u", LastFetch: testStart, Result: ResultOK, Added: 3, ETag: `"x"`}))
	f.Add(encodeNames([]string{"a.i2p", "b.i2p"}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := decodeRecord("a.i2p", b); err == nil {
			again, err := encodeRecord(&r)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := decodeRecord("a.i2p", again); err != nil {
				t.Fatalf("re-encoded record does not decode: %v", err)
			}
		}
		decodeNames(b)
		s, err := decodeSubState("u", b)
		if err != nil {
			return
		}
		again, err := decodeSubState("u", encodeSubState(&s))
		if err != nil || !sameStatus(again, s) {
			t.Fatalf("subscription state round trip: %+v != %+v (%v)", again, s, err)
		}
	})
}
