package pool

import (
	"testing"
	"time"

	"i2pgate/router/data"
	"i2pgate/router/store"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)

func TestProfileRank(t *testing.T) {
	tests := []struct {
		name string
		p    Profile
		now  time.Time
		want Rank
	}{
		{"empty", Profile{}, t0, RankUnknown},
		{"recent success", Profile{Agreed: 3, LastSuccess: t0.Add(-time.Minute)}, t0, RankGood},
		{"old success", Profile{Agreed: 3, LastSuccess: t0.Add(-2 * time.Hour)}, t0, RankUnknown},
		{"recent failure", Profile{Agreed: 9, Declined: 1, LastSuccess: t0.Add(-time.Hour), LastFailure: t0.Add(-time.Minute)}, t0, RankFailed},
		{"failure then success", Profile{Agreed: 9, Declined: 1, LastSuccess: t0.Add(-time.Second), LastFailure: t0.Add(-time.Minute)}, t0, RankGood},
		{"failure window over", Profile{Agreed: 9, TimedOut: 1, LastSuccess: t0.Add(-10 * time.Minute), LastFailure: t0.Add(-FailedPeerWindow)}, t0, RankGood},
		{"failure before a clock correction backwards", Profile{Agreed: 9, TimedOut: 1, LastSuccess: t0.Add(-10 * time.Minute), LastFailure: t0.Add(2 * time.Hour)}, t0, RankGood},
		{"failure a moment ahead", Profile{Agreed: 9, TimedOut: 1, LastSuccess: t0.Add(-10 * time.Minute), LastFailure: t0.Add(time.Second)}, t0, RankFailed},
		{"mostly failing", Profile{Agreed: 1, Declined: 3, TimedOut: 2, LastFailure: t0.Add(-time.Hour)}, t0, RankPoor},
	}
	for _, tt := range tests {
		if got := tt.p.Rank(tt.now); got != tt.want {
			t.Errorf("%s: Rank = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestProfileEncoding(t *testing.T) {
	p := Profile{Agreed: 1, Declined: 2, TimedOut: 3, LastSuccess: t0, LastFailure: t0.Add(time.Second), Updated: t0.Add(time.Minute)}
	got, err := unmarshalProfile(p.marshal())
	if err != nil {
		t.Fatal(err)
	}
	if got.Agreed != 1 || got.Declined != 2 || got.TimedOut != 3 ||
		!got.LastSuccess.Equal(p.LastSuccess) || !got.LastFailure.Equal(p.LastFailure) || !got.Updated.Equal(p.Updated) {
		t.Fatalf("round trip: %+v, want %+v", got, p)
	}
	zero, err := unmarshalProfile(Profile{}.marshal())
	if err != nil || !zero.LastSuccess.IsZero() {
		t.Fatalf("zero times: %+v, %v", zero, err)
	}
	for _, bad := range [][]byte{nil, {1}, make([]byte, profileSize), append([]byte{2}, make([]byte, profileSize-1)...)} {
		if _, err := unmarshalProfile(bad); err == nil {
			t.Errorf("unmarshalProfile(% x) accepted", bad)
		}
	}
}

func FuzzUnmarshalProfile(f *testing.F) {
	f.Add(Profile{Agreed: 1, LastSuccess: t0}.marshal())
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := unmarshalProfile(b)
		if err != nil {
			return
		}
		if q, err := unmarshalProfile(p.marshal()); err != nil || q.Agreed != p.Agreed {
			t.Fatalf("re-decode: %+v, %v", q, err)
		}
	})
}

func TestProfilesPersist(t *testing.T) {
	db := store.NewMemory()
	defer db.Close()
	batch := store.NewBatcher(db, &store.BatchOptions{Interval: time.Hour})
	ps := NewProfiles(batch)
	a, b := data.Hash{1}, data.Hash{2}
	for _, o := range []Outcome{Agreed, Agreed, Declined} {
		if err := ps.Record(a, o, t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := ps.Record(b, TimedOut, t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	// Nothing is written before the batch flushes: flash sees few commits.
	if n := countStored(t, db); n != 0 {
		t.Fatalf("%d profiles stored before the flush", n)
	}
	if err := batch.Close(); err != nil {
		t.Fatal(err)
	}
	if n := countStored(t, db); n != 2 {
		t.Fatalf("%d profiles stored, want 2", n)
	}
	// A bad entry is skipped at load.
	if err := db.Update(func(tx store.Tx) error { return tx.Bucket(ProfileBucket).Put([]byte{9}, []byte{1}) }); err != nil {
		t.Fatal(err)
	}
	again := NewProfiles(nil)
	if err := again.Load(db); err != nil {
		t.Fatal(err)
	}
	pa, ok := again.Get(a)
	if !ok || pa.Agreed != 2 || pa.Declined != 1 || !pa.LastFailure.Equal(t0) {
		t.Fatalf("loaded %+v, %t", pa, ok)
	}
	if pb, ok := again.Get(b); !ok || pb.TimedOut != 1 {
		t.Fatalf("loaded %+v, %t", pb, ok)
	}
	if again.Len() != 2 {
		t.Fatalf("Len = %d, want 2", again.Len())
	}
}

func countStored(t *testing.T, db store.Store) int {
	t.Helper()
	n := 0
	if err := db.View(func(tx store.Tx) error { n = tx.Bucket(ProfileBucket).Len(); return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestProfilesBounded(t *testing.T) {
	db := store.NewMemory()
	defer db.Close()
	batch := store.NewBatcher(db, &store.BatchOptions{Interval: time.Hour, MaxPending: 4 * MaxProfiles})
	ps := NewProfiles(batch)
	for i := range MaxProfiles + 10 {
		h := data.Hash{byte(i), byte(i >> 8), 1}
		if err := ps.Record(h, Agreed, t0.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	if ps.Len() != MaxProfiles {
		t.Fatalf("Len = %d, want %d", ps.Len(), MaxProfiles)
	}
	// The oldest were evicted, from memory and from the store.
	if _, ok := ps.Get(data.Hash{0, 0, 1}); ok {
		t.Fatal("oldest profile kept")
	}
	last := MaxProfiles + 9
	if _, ok := ps.Get(data.Hash{byte(last), byte(last >> 8), 1}); !ok {
		t.Fatal("newest profile evicted")
	}
	if err := batch.Close(); err != nil {
		t.Fatal(err)
	}
	if n := countStored(t, db); n != MaxProfiles {
		t.Fatalf("%d stored, want %d", n, MaxProfiles)
	}
}
