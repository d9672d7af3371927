package tunnel

import (
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"testing"
	"time"

	"i2pgate/router/i2np"
)

// bodiesFor fragments one message in a fresh gateway.
func bodiesFor(t testing.TB, seed uint64, m i2np.Message, to Delivery) []Body {
	t.Helper()
	gw := NewGateway(testRand(seed))
	bodies, err := gw.Put(nil, m, to)
	if err != nil {
		t.Fatal(err)
	}
	if bodies, err = gw.Flush(bodies); err != nil {
		t.Fatal(err)
	}
	return bodies
}

func TestFragmentationSizes(t *testing.T) {
	const (
		localWhole  = MaxPayloadSize - 3 - i2np.HeaderSize  // 984
		tunnelWhole = MaxPayloadSize - 39 - i2np.HeaderSize // 948
		twoBodies   = 2*MaxFollowOnFragmentSize - i2np.HeaderSize
		maxPayload  = MaxMessageSize - i2np.HeaderSize
	)
	tests := []struct {
		size   int
		to     Delivery
		bodies int
	}{
		{0, Local(), 1},
		{1, ToRouter(testHash(1)), 1},
		{localWhole, Local(), 1},
		{localWhole + 1, Local(), 2},
		{tunnelWhole, ToTunnel(testHash(2), 9), 1},
		{tunnelWhole + 1, ToTunnel(testHash(2), 9), 2},
		{twoBodies, Local(), 2},
		{twoBodies + 1, Local(), 3},
		{4096, ToRouter(testHash(3)), 5},
		{16 << 10, Local(), 17},
		{maxPayload, Local(), 63},
		{maxPayload, ToTunnel(testHash(4), 1), 63},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d %s", tc.size, tc.to.Type), func(t *testing.T) {
			r := testRand(uint64(tc.size))
			m := testMessage(r, 77, tc.size)
			bodies := bodiesFor(t, 1, m, tc.to)
			if len(bodies) != tc.bodies {
				t.Fatalf("%d bodies, want %d", len(bodies), tc.bodies)
			}
			ep, _ := newFakeEndpoint(Config{})
			var got []Received
			for i := range bodies {
				var err error
				if got, err = ep.Handle(got, &bodies[i]); err != nil {
					t.Fatal(err)
				}
			}
			checkReceived(t, got, []i2np.Message{m}, tc.to)
		})
	}
}

func TestGatewayTooLarge(t *testing.T) {
	r := testRand(1)
	gw := NewGateway(r)
	if _, err := gw.Put(nil, testMessage(r, 1, MaxMessageSize-i2np.HeaderSize+1), Local()); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v", err)
	}
	if _, err := gw.Put(nil, testMessage(r, 1, 10), Delivery{Type: 3}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v", err)
	}
	if b, err := gw.Flush(nil); len(b) != 0 || err != nil {
		t.Fatalf("flush after errors: %d bodies, %v", len(b), err)
	}
}

func TestFragmentLoss(t *testing.T) {
	for _, size := range []int{1500, 16 << 10, MaxMessageSize - i2np.HeaderSize} {
		bodies := bodiesFor(t, 2, testMessage(testRand(3), 5, size), Local())
		for _, lost := range []int{0, 1, len(bodies) / 2, len(bodies) - 1} {
			t.Run(fmt.Sprintf("%d lose %d", size, lost), func(t *testing.T) {
				ep, clk := newFakeEndpoint(Config{})
				var got []Received
				for i := range bodies {
					if i == lost {
						continue
					}
					b := bodies[i]
					got, _ = ep.Handle(got, &b)
				}
				s := ep.Stats()
				if len(got) != 0 || s.Incomplete != 1 || s.IncompleteBytes < size-MaxFollowOnFragmentSize {
					t.Fatalf("delivered %d, stats %+v", len(got), s)
				}
				clk.Advance(DefaultIncompleteTimeout)
				ep.Expire()
				if ep.Stats().Incomplete != 1 {
					t.Fatal("expired too early")
				}
				clk.Advance(time.Millisecond)
				ep.Expire()
				if s := ep.Stats(); s.Incomplete != 0 || s.IncompleteBytes != 0 || s.Expired != 1 {
					t.Fatalf("after timeout: %+v", s)
				}
				// A late fragment starts over and is reclaimed again.
				b := bodies[lost]
				ep.Handle(nil, &b)
				clk.Advance(DefaultIncompleteTimeout + time.Second)
				other := bodiesFor(t, 4, testMessage(testRand(4), 6, 10), Local())
				if got, _ := ep.Handle(nil, &other[0]); len(got) != 1 {
					t.Fatal("small message not delivered")
				}
				if s := ep.Stats(); s.Incomplete != 0 || s.IncompleteBytes != 0 {
					t.Fatalf("late fragment not reclaimed: %+v", s)
				}
			})
		}
	}
}

func TestFragmentReorder(t *testing.T) {
	r := testRand(5)
	m := testMessage(r, 9, 20000)
	bodies := bodiesFor(t, 6, m, ToRouter(testHash(5)))
	orders := map[string]func(n int) []int{
		"reverse": func(n int) []int {
			o := make([]int, n)
			for i := range o {
				o[i] = n - 1 - i
			}
			return o
		},
		"shuffle": func(n int) []int { return mrand.New(r).Perm(n) },
		"last first": func(n int) []int {
			o := []int{n - 1}
			for i := 0; i < n-1; i++ {
				o = append(o, i)
			}
			return o
		},
	}
	for name, order := range orders {
		t.Run(name, func(t *testing.T) {
			ep, _ := newFakeEndpoint(Config{})
			var got []Received
			for _, i := range order(len(bodies)) {
				b := bodies[i]
				got, _ = ep.Handle(got, &b)
			}
			checkReceived(t, got, []i2np.Message{m}, ToRouter(testHash(5)))
			if s := ep.Stats(); s.Incomplete != 0 || s.IncompleteBytes != 0 {
				t.Fatalf("stats %+v", s)
			}
		})
	}
}

func TestManySmallMessagesPacked(t *testing.T) {
	r := testRand(7)
	gw := NewGateway(r)
	var sent []i2np.Message
	var bodies []Body
	to := ToTunnel(testHash(6), 42)
	for i := range 100 {
		m := testMessage(r, uint32(i), 20)
		sent = append(sent, m)
		var err error
		if bodies, err = gw.Put(bodies, m, to); err != nil {
			t.Fatal(err)
		}
	}
	bodies, _ = gw.Flush(bodies)
	// 39 + 36 bytes each: 13 per body.
	if want := (100 + 12) / 13; len(bodies) != want {
		t.Fatalf("%d bodies, want %d", len(bodies), want)
	}
	ep, _ := newFakeEndpoint(Config{})
	var got []Received
	for i := range bodies {
		got, _ = ep.Handle(got, &bodies[i])
	}
	checkReceived(t, got, sent, to)
}

// TestPackingAroundFragments mixes small and large messages so that
// first fragments start in partly filled bodies and small messages follow
// last fragments in the same body.
func TestPackingAroundFragments(t *testing.T) {
	r := testRand(8)
	gw := NewGateway(r)
	var sent []i2np.Message
	var bodies []Body
	for i, size := range []int{100, 5000, 30, 900, 2500, 10, 10, 62000, 1, 984} {
		m := testMessage(r, uint32(1000+i), size)
		sent = append(sent, m)
		var err error
		if bodies, err = gw.Put(bodies, m, Local()); err != nil {
			t.Fatal(err)
		}
	}
	bodies, _ = gw.Flush(bodies)
	ep, _ := newFakeEndpoint(Config{})
	var got []Received
	for i := range bodies {
		var err error
		if got, err = ep.Handle(got, &bodies[i]); err != nil {
			t.Fatal(err)
		}
	}
	checkReceived(t, got, sent, Local())
}

func TestIncompleteFlood(t *testing.T) {
	r := testRand(9)
	cfg := Config{MaxIncomplete: 8, MaxIncompleteBytes: 16 << 10}
	ep, _ := newFakeEndpoint(cfg)
	for i := range 500 {
		// First fragments of distinct messages that never complete.
		p := frag(t, Instructions{Fragmented: true, MessageID: uint32(i)}, make([]byte, 900+i%90))
		ep.Handle(nil, rawBody(t, r, p))
		s := ep.Stats()
		if s.Incomplete > cfg.MaxIncomplete || s.IncompleteBytes > cfg.MaxIncompleteBytes {
			t.Fatalf("after %d: %+v", i, s)
		}
	}
	if s := ep.Stats(); s.Evicted < 490 {
		t.Fatalf("stats %+v", s)
	}
	// A message fragmented across the flood still gets through.
	m := testMessage(r, 1<<30, 3000)
	var got []Received
	for _, b := range bodiesFor(t, 10, m, Local()) {
		got, _ = ep.Handle(got, &b)
	}
	checkReceived(t, got, []i2np.Message{m}, Local())
	// One message larger than the byte budget is dropped.
	big := testMessage(r, 1<<29, 20000)
	got = got[:0]
	for _, b := range bodiesFor(t, 11, big, Local()) {
		got, _ = ep.Handle(got, &b)
	}
	if s := ep.Stats(); len(got) != 0 || s.IncompleteBytes > cfg.MaxIncompleteBytes {
		t.Fatalf("oversized: delivered %d, %+v", len(got), s)
	}
}

// TestFragmentSequences feeds hand-made fragment sequences, one body each.
func TestFragmentSequences(t *testing.T) {
	r := testRand(12)
	m := encodeStd(t, testMessage(r, 3, 100)) // 116 bytes
	first := func(d []byte) []byte { return frag(t, Instructions{Fragmented: true, MessageID: 3}, d) }
	follow := func(n uint8, last bool, d []byte) []byte {
		return frag(t, Instructions{FollowOn: true, Number: n, Last: last, MessageID: 3}, d)
	}
	fill := make([]byte, MaxFollowOnFragmentSize)
	tests := []struct {
		name      string
		bodies    [][]byte
		delivered int
		check     func(Stats) bool
	}{
		{"in order", [][]byte{first(m[:50]), follow(1, false, m[50:60]), follow(2, true, m[60:])}, 1, nil},
		{"follow-ons first", [][]byte{follow(2, true, m[60:]), follow(1, false, m[50:60]), first(m[:50])}, 1, nil},
		{"one body", [][]byte{append(append(first(m[:50]), follow(1, false, m[50:60])...), follow(2, true, m[60:])...)}, 1, nil},
		{"zero-size fragments", [][]byte{first(nil), follow(1, false, m), follow(2, true, nil)}, 1, nil},
		{"duplicate fragment", [][]byte{first(m[:50]), first(m[:50]), follow(1, true, m[50:])}, 1,
			func(s Stats) bool { return s.Duplicates == 1 }},
		{"two last fragments", [][]byte{follow(2, true, m[60:]), follow(3, true, nil), first(m[:50]), follow(1, false, m[50:60])}, 0,
			func(s Stats) bool { return s.Malformed == 1 && s.Incomplete == 1 }},
		{"fragment after last", [][]byte{follow(1, true, m[50:]), follow(2, false, nil)}, 0,
			func(s Stats) bool { return s.Malformed == 1 && s.Incomplete == 0 }},
		{"last before later fragment", [][]byte{follow(3, false, nil), follow(2, true, nil)}, 0,
			func(s Stats) bool { return s.Malformed == 1 && s.Incomplete == 0 }},
		{"reassembled garbage", [][]byte{first(m[:50]), follow(1, true, m[51:])}, 0,
			func(s Stats) bool { return s.Malformed == 1 && s.Incomplete == 0 }},
		{"unfragmented garbage", [][]byte{frag(t, Instructions{}, m[1:])}, 0,
			func(s Stats) bool { return s.Malformed == 1 }},
		{"size beyond body", [][]byte{append(follow(1, true, nil)[:5], 0x00, 0x10)}, 0,
			func(s Stats) bool { return s.Malformed == 1 }},
		{"padding only", [][]byte{nil}, 0, func(s Stats) bool { return s.Bodies == 1 && s.Malformed == 0 }},
		{"too large", func() [][]byte {
			bs := [][]byte{first(fill)}
			for n := uint8(1); n <= MaxFragmentNumber; n++ {
				bs = append(bs, follow(n, n == MaxFragmentNumber, fill))
			}
			return bs
		}(), 0, func(s Stats) bool { return s.TooLarge == 1 && s.Incomplete <= 1 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ep, _ := newFakeEndpoint(Config{})
			var got []Received
			for _, p := range tc.bodies {
				got, _ = ep.Handle(got, rawBody(t, r, p))
			}
			s := ep.Stats()
			if len(got) != tc.delivered || tc.check != nil && !tc.check(s) {
				t.Fatalf("delivered %d, stats %+v", len(got), s)
			}
			if tc.delivered == 1 && (s.Incomplete != 0 || s.IncompleteBytes != 0) {
				t.Fatalf("not reclaimed: %+v", s)
			}
		})
	}
}

// TestSharedBudget: endpoints sharing a budget never hold more than it
// together; an endpoint whose share is taken drops what does not fit, and
// Release gives the bytes back.
func TestSharedBudget(t *testing.T) {
	r := testRand(13)
	shared := NewBudget(8 << 10)
	cfg := Config{MaxIncomplete: 8, MaxIncompleteBytes: 64 << 10, Shared: shared}
	a, _ := newFakeEndpoint(cfg)
	b, _ := newFakeEndpoint(cfg)
	for i := range 20 {
		p := frag(t, Instructions{Fragmented: true, MessageID: uint32(i)}, make([]byte, 900))
		a.Handle(nil, rawBody(t, r, p))
		if shared.Used() > shared.Max() {
			t.Fatalf("after %d: %d bytes used of %d", i, shared.Used(), shared.Max())
		}
	}
	if got, want := int64(a.Stats().IncompleteBytes), shared.Used(); got != want || got == 0 {
		t.Fatalf("a holds %d bytes, budget charged %d", got, want)
	}
	// b cannot start a message while a holds the whole budget...
	p := frag(t, Instructions{Fragmented: true, MessageID: 99}, make([]byte, 900))
	b.Handle(nil, rawBody(t, r, p))
	if s := b.Stats(); shared.Used()+900+fragmentCost+partialCost <= shared.Max() || s.Incomplete != 0 || s.Evicted == 0 {
		t.Fatalf("b %+v with %d of %d used", s, shared.Used(), shared.Max())
	}
	// ...until a releases it; then a whole fragmented message gets through b.
	a.Release()
	if shared.Used() != 0 || a.Stats().Incomplete != 0 {
		t.Fatalf("after release: %d used, %+v", shared.Used(), a.Stats())
	}
	m := testMessage(r, 1<<30, 3000)
	var got []Received
	for _, body := range bodiesFor(t, 14, m, Local()) {
		got, _ = b.Handle(got, &body)
	}
	checkReceived(t, got, []i2np.Message{m}, Local())
	if shared.Used() != 0 {
		t.Fatalf("%d bytes still charged after delivery", shared.Used())
	}
}
