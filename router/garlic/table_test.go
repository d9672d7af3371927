package garlic

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/i2np"
)

func tagN(n int) ReplyKey {
	var k ReplyKey
	k.Tag = i2np.RatchetTag{byte(n >> 8), byte(n)}
	k.Key[0] = byte(n)
	return k
}

func TestReplyTableExpiry(t *testing.T) {
	clk := clocktest.New(time.Unix(1e9, 0))
	tab := NewReplyTable(ReplyTableConfig{Clock: clk, TTL: time.Minute})
	tab.Add(tagN(1))
	clk.Advance(30 * time.Second)
	tab.Add(tagN(2))
	if k, ok := tab.Get(tagN(1).Tag); !ok || k != tagN(1) {
		t.Fatalf("Get(1) = %v, %v", k, ok)
	}
	clk.Advance(31 * time.Second)
	if _, ok := tab.Get(tagN(1).Tag); ok {
		t.Error("expired key returned")
	}
	if _, ok := tab.Get(tagN(2).Tag); !ok {
		t.Error("live key missing")
	}
	tab.Add(tagN(3)) // purges 1
	if tab.Len() != 2 {
		t.Errorf("Len = %d, want 2", tab.Len())
	}
	tab.Remove(tagN(2).Tag)
	if _, ok := tab.Get(tagN(2).Tag); ok || tab.Len() != 1 {
		t.Error("Remove did not remove")
	}
	clk.Advance(2 * time.Minute)
	tab.Add(tagN(4))
	if tab.Len() != 1 {
		t.Errorf("Len = %d after expiry, want 1", tab.Len())
	}
}

func TestReplyTableBounded(t *testing.T) {
	clk := clocktest.New(time.Unix(1e9, 0))
	const max = 8
	tab := NewReplyTable(ReplyTableConfig{Clock: clk, Max: max})
	for i := range 3 * max {
		tab.Add(tagN(i))
		if tab.Len() > max {
			t.Fatalf("Len = %d after %d adds", tab.Len(), i+1)
		}
	}
	for i := range 3 * max {
		_, ok := tab.Get(tagN(i).Tag)
		if want := i >= 2*max; ok != want {
			t.Errorf("tag %d present = %v, want %v (oldest evicted)", i, ok, want)
		}
	}
	// Removed entries leave stale ring slots; a full ring compacts instead
	// of evicting live keys.
	for i := 2 * max; i < 3*max-1; i++ {
		tab.Remove(tagN(i).Tag)
	}
	for i := 100; i < 100+max-1; i++ {
		tab.Add(tagN(i))
	}
	if _, ok := tab.Get(tagN(3*max - 1).Tag); !ok {
		t.Error("live key evicted while stale slots existed")
	}
	if tab.Len() != max {
		t.Errorf("Len = %d, want %d", tab.Len(), max)
	}
	// Re-adding a tag replaces its key.
	k := tagN(100)
	k.Key[1] = 0xff
	tab.Add(k)
	if got, _ := tab.Get(k.Tag); got != k {
		t.Errorf("replaced key = %v", got)
	}
}

func TestReplyTableDefaults(t *testing.T) {
	tab := NewReplyTable(ReplyTableConfig{Max: MaxRepliesLimit + 1})
	if tab.max != MaxRepliesLimit || tab.ttl != DefaultReplyTTL {
		t.Errorf("max %d ttl %v", tab.max, tab.ttl)
	}
	tab = NewReplyTable(ReplyTableConfig{})
	if tab.max != DefaultMaxReplies {
		t.Errorf("max %d", tab.max)
	}
	k, err := tab.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := tab.Get(k.Tag); !ok || got != k {
		t.Error("New did not add")
	}
	if _, err := tab.New(bytes.NewReader(nil)); err == nil {
		t.Error("empty rand accepted")
	}
}

func TestReplyTableConcurrent(t *testing.T) {
	tab := NewReplyTable(ReplyTableConfig{Max: 64})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 500 {
				k := tagN(g*1000 + i)
				tab.Add(k)
				tab.Get(k.Tag)
				if i%3 == 0 {
					tab.Remove(k.Tag)
				}
			}
		})
	}
	wg.Wait()
	if tab.Len() > 64 {
		t.Errorf("Len = %d", tab.Len())
	}
}
