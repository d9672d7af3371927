package tunnel

import (
	"encoding/binary"
	"errors"
	"runtime"
	"testing"

	"i2pgate/router/crypto"
	"i2pgate/router/i2np"
)

func BenchmarkParticipant(b *testing.B) {
	for _, tc := range []struct {
		name   string
		filter *i2np.DupFilter
	}{{"filter", i2np.NewDupFilter(0)}, {"nofilter", nil}} {
		b.Run(tc.name, func(b *testing.B) {
			r := testRand(50)
			p := NewParticipant(testLayers(b, r, 1)[0], Hop{TunnelID: 1}, tc.filter)
			var body Body
			r.Read(body[:])
			b.SetBytes(BodySize)
			b.ReportAllocs()
			i, dups := uint64(0), 0
			for b.Loop() {
				i++
				if tc.filter != nil && i%i2np.DupFilterCapacity == 0 {
					// Keep the filter at its nominal load, as at ~136
					// bodies/s, so that false positives stay rare.
					b.StopTimer()
					p.filter = i2np.NewDupFilter(0)
					b.StartTimer()
				}
				binary.BigEndian.PutUint64(body[:8], i) // a fresh IV each time
				if _, err := p.Process(&body, testStart); errors.Is(err, ErrDuplicate) {
					dups++ // a Bloom filter false positive
				} else if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(dups)/float64(i), "falsepos/op")
		})
	}
}

func BenchmarkGateway16K(b *testing.B) {
	for _, hops := range []int{0, 3} {
		b.Run(map[int]string{0: "plain", 3: "outbound3"}[hops], func(b *testing.B) {
			r := testRand(51)
			gw := NewOutboundGateway(testLayers(b, r, hops), r)
			m := testMessage(r, 1, 16<<10)
			bodies := make([]Body, 0, 32)
			b.SetBytes(int64(len(m.Payload)))
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if bodies, err = gw.Put(bodies[:0], m, Local()); err != nil {
					b.Fatal(err)
				}
				if bodies, err = gw.Flush(bodies); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEndpoint16K(b *testing.B) {
	r := testRand(52)
	m := testMessage(r, 1, 16<<10)
	bodies := bodiesFor(b, 53, m, Local())
	ep := NewOutboundEndpoint(nil, nil)
	got := make([]Received, 0, 1)
	work := make([]Body, len(bodies))
	b.SetBytes(int64(len(m.Payload)))
	b.ReportAllocs()
	for b.Loop() {
		copy(work, bodies)
		got = got[:0]
		for i := range work {
			got, _ = ep.Handle(got, &work[i])
		}
		if len(got) != 1 {
			b.Fatal("not delivered")
		}
	}
}

// participantBytes measures the heap held by n idle participants, each
// with its own layer keys (AES schedules included).
func participantBytes(tb testing.TB, n int) float64 {
	r := testRand(54)
	keys := make([][2][crypto.AESKeySize]byte, n)
	for i := range keys {
		r.Read(keys[i][0][:])
		r.Read(keys[i][1][:])
	}
	filter := i2np.NewDupFilter(0)
	parts := make([]*Participant, n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range parts {
		parts[i] = NewParticipant(crypto.NewTunnelLayer(&keys[i][0], &keys[i][1]), Hop{TunnelID: uint32(i)}, filter)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(parts)
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
}

func TestParticipantMemory(t *testing.T) {
	per := participantBytes(t, 1000)
	t.Logf("%.0f bytes per idle participant", per)
	if per > 2048 {
		t.Fatalf("%.0f bytes per idle participant, want < 2048", per)
	}
}

func BenchmarkParticipantMemory(b *testing.B) {
	for b.Loop() {
		b.ReportMetric(participantBytes(b, 1000), "B/participant")
	}
}

func TestParticipantDoesNotAllocate(t *testing.T) {
	r := testRand(55)
	p := NewParticipant(testLayers(t, r, 1)[0], Hop{}, i2np.NewDupFilter(0))
	var body Body
	i := uint64(0)
	allocs := testing.AllocsPerRun(100, func() {
		i++
		binary.BigEndian.PutUint64(body[:8], i)
		p.Process(&body, testStart)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per Process", allocs)
	}
}
