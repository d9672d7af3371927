package ratchet

import (
	"runtime"
	"testing"
	"time"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/garlic"
	"i2pgate/router/i2np"
)

func benchBlocks(size int) []garlic.Block {
	return []garlic.Block{garlic.Clove{
		Delivery: garlic.Delivery{Type: garlic.DeliveryLocal},
		Message:  i2np.Message{Type: i2np.TypeData, ID: 1, Expiration: testStart, Payload: make([]byte, size)},
	}, garlic.Padding{Size: 0}}
}

// BenchmarkExistingSession1K is one ES message with a 1 KiB clove sealed
// by Alice and opened by Bob, ratchet included (every 1000 messages Bob
// answers, so that NextKey exchanges complete).
func BenchmarkExistingSession1K(b *testing.B) {
	alice, bob, _ := newPair(b, nil)
	establish(b, alice, bob)
	msg := benchBlocks(1024)
	b.SetBytes(1024)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		body, err := alice.m.Encrypt(&bob.key.Public, msg)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := bob.m.Decrypt(body); err != nil {
			b.Fatal(err)
		}
		if i++; i%1000 == 0 {
			body, err := bob.m.Encrypt(&alice.key.Public, nil)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := alice.m.Decrypt(body); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkHandshake is NS, NSR and the first ES each way between two
// fresh Managers: four X25519 key generations (two with Elligator2) and
// eight DH.
func BenchmarkHandshake(b *testing.B) {
	clk := clocktest.New(testStart)
	alice := newPeer(b, "alice", clk, nil)
	bob := newPeer(b, "bob", clk, nil)
	b.ReportAllocs()
	for b.Loop() {
		establish(b, alice, bob)
		alice.m.Remove(&bob.key.Public)
		bob.m.Remove(&alice.key.Public)
		clk.Advance(time.Second) // new DateTime, not a replay
	}
}

// BenchmarkIdleSessionMemory reports the heap held per idle established
// session, averaged over the two sides (Alice's and Bob's), once the NSR
// tag sets have expired.
func BenchmarkIdleSessionMemory(b *testing.B) {
	const n = 200
	for b.Loop() {
		clk := clocktest.New(testStart)
		alice := newPeer(b, "alice", clk, func(c *Config) { c.MaxSessions = n })
		bobs := make([]*peer, n)
		for i := range bobs {
			bobs[i] = newPeer(b, "bob", clk, nil)
		}
		before := heapInUse()
		for _, bob := range bobs {
			establish(b, alice, bob)
		}
		clk.Advance(PreviousTagSetTimeout + time.Second)
		alice.m.Tick()
		for _, bob := range bobs {
			bob.m.Tick()
		}
		after := heapInUse()
		b.ReportMetric(float64(after-before)/(2*n), "B/session")
		if st := alice.m.Stats(); st.Sessions != n {
			b.Fatalf("stats %+v", st)
		}
		runtime.KeepAlive(bobs)
		runtime.KeepAlive(alice)
	}
}

func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}
