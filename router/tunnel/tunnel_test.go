package tunnel

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/i2np"
)

// testSizes covers a few packed small messages and fragmented ones.
var testSizes = []int{0, 10, 500, 984, 985, 3000, 16 << 10}

func TestOutboundTunnel(t *testing.T) {
	for hops := 0; hops <= 3; hops++ {
		t.Run(fmt.Sprintf("%d hops", hops), func(t *testing.T) {
			r := testRand(uint64(hops))
			layers := testLayers(t, r, hops)
			gw := NewOutboundGateway(layers, r)
			to := ToTunnel(testHash(7), 1234)
			var sent []i2np.Message
			var bodies []Body
			for i, size := range testSizes {
				m := testMessage(r, uint32(100+i), size)
				sent = append(sent, m)
				var err error
				if bodies, err = gw.Put(bodies, m, to); err != nil {
					t.Fatal(err)
				}
			}
			bodies, err := gw.Flush(bodies)
			if err != nil {
				t.Fatal(err)
			}
			// Hops 1..n-1 are participants, hop n the outbound endpoint.
			var ep *OutboundEndpoint
			var parts []*Participant
			if hops == 0 {
				ep = NewOutboundEndpoint(nil, nil)
			} else {
				for _, l := range layers[:hops-1] {
					parts = append(parts, NewParticipant(l, Hop{TunnelID: 1}, i2np.NewDupFilter(0)))
				}
				ep = NewOutboundEndpoint(layers[hops-1], &Config{Filter: i2np.NewDupFilter(0)})
			}
			var got []Received
			for i := range bodies {
				seen := [][]byte{append([]byte(nil), bodies[i][:]...)}
				for _, p := range parts {
					if _, err := p.Process(&bodies[i], testStart); err != nil {
						t.Fatal(err)
					}
					seen = append(seen, append([]byte(nil), bodies[i][:]...))
				}
				if got, err = ep.Handle(got, &bodies[i]); err != nil {
					t.Fatal(err)
				}
				seen = append(seen, bodies[i][:])
				checkAllDifferent(t, seen, hops)
			}
			checkReceived(t, got, sent, to)
			if s := ep.Stats(); s.Incomplete != 0 || s.IncompleteBytes != 0 || s.Delivered != uint64(len(sent)) {
				t.Fatalf("stats %+v", s)
			}
		})
	}
}

func TestInboundTunnel(t *testing.T) {
	for hops := 1; hops <= 3; hops++ {
		t.Run(fmt.Sprintf("%d hops", hops), func(t *testing.T) {
			r := testRand(uint64(10 + hops))
			layers := testLayers(t, r, hops)
			gw := NewInboundGateway(layers[0], Hop{Router: testHash(1), TunnelID: 5}, r)
			if gw.Next() != (Hop{Router: testHash(1), TunnelID: 5}) {
				t.Fatal("next hop")
			}
			var sent []i2np.Message
			var bodies []Body
			for i, size := range testSizes {
				m := testMessage(r, uint32(200+i), size)
				sent = append(sent, m)
				var err error
				if bodies, err = gw.Put(bodies, m); err != nil {
					t.Fatal(err)
				}
			}
			bodies, err := gw.Flush(bodies)
			if err != nil {
				t.Fatal(err)
			}
			filter := i2np.NewDupFilter(0)
			var parts []*Participant
			for _, l := range layers[1:] {
				parts = append(parts, NewParticipant(l, Hop{TunnelID: 9}, filter))
			}
			ep := NewInboundEndpoint(layers, &Config{Filter: i2np.NewDupFilter(0)})
			var got []Received
			for i := range bodies {
				seen := [][]byte{append([]byte(nil), bodies[i][:]...)}
				for _, p := range parts {
					if next, err := p.Process(&bodies[i], testStart); err != nil || next.TunnelID != 9 {
						t.Fatal(next, err)
					}
					seen = append(seen, append([]byte(nil), bodies[i][:]...))
				}
				if got, err = ep.Handle(got, &bodies[i]); err != nil {
					t.Fatal(err)
				}
				seen = append(seen, bodies[i][:])
				checkAllDifferent(t, seen, hops)
			}
			checkReceived(t, got, sent, Local())
		})
	}
}

// checkAllDifferent checks that a body looked different after each hop
// (only plaintext at the end may equal the unencrypted form).
func checkAllDifferent(t *testing.T, seen [][]byte, hops int) {
	t.Helper()
	if hops == 0 {
		return
	}
	for i := range seen {
		for j := i + 1; j < len(seen); j++ {
			if bytes.Equal(seen[i], seen[j]) {
				t.Fatalf("body identical at hop %d and %d", i, j)
			}
		}
	}
}

func TestDuplicateBodyRejected(t *testing.T) {
	r := testRand(30)
	layers := testLayers(t, r, 2)
	filter := i2np.NewDupFilter(0)
	p := NewParticipant(layers[0], Hop{TunnelID: 3}, filter)
	gw := NewOutboundGateway(layers, r)
	bodies, _ := gw.Put(nil, testMessage(r, 1, 100), Local())
	bodies, _ = gw.Flush(bodies)
	orig := bodies[0]
	b := orig
	if _, err := p.Process(&b, testStart); err != nil {
		t.Fatal(err)
	}
	replay := orig
	if _, err := p.Process(&replay, testStart.Add(time.Minute)); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("replay: err = %v", err)
	}
	if replay != orig {
		t.Fatal("replayed body was modified")
	}
	// The same IV with another first block is a different body.
	other := orig
	other[ivSize] ^= 1
	if _, err := p.Process(&other, testStart); err != nil {
		t.Fatalf("other first block: %v", err)
	}
	// Swapping IV and first block does not evade the filter.
	swapped := orig
	copy(swapped[:ivSize], orig[ivSize:2*ivSize])
	copy(swapped[ivSize:2*ivSize], orig[:ivSize])
	if _, err := p.Process(&swapped, testStart); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("swapped: err = %v", err)
	}
	// The endpoint filters too.
	ep := NewOutboundEndpoint(layers[1], &Config{Filter: i2np.NewDupFilter(0)})
	c := b
	if _, err := ep.Handle(nil, &b); err != nil {
		t.Fatal(err)
	}
	if _, err := ep.Handle(nil, &c); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("endpoint replay: err = %v", err)
	}
	if s := ep.Stats(); s.Replayed != 1 || s.Bodies != 2 {
		t.Fatalf("stats %+v", s)
	}
}

func TestChecksumCorruption(t *testing.T) {
	r := testRand(31)
	for _, off := range []int{0, 5, checksumOffset, checksumOffset + 3, BodySize - 60, BodySize - 1} {
		gw := NewGateway(r)
		bodies, _ := gw.Put(nil, testMessage(r, 1, 100), Local())
		bodies, _ = gw.Flush(bodies)
		b := bodies[0]
		b[off] ^= 0x40
		ep := NewOutboundEndpoint(nil, nil)
		got, err := ep.Handle(nil, &b)
		if len(got) != 0 || err == nil {
			t.Fatalf("offset %d: delivered %d, err %v", off, len(got), err)
		}
		if s := ep.Stats(); s.BadChecksum+s.Malformed != 1 {
			t.Fatalf("offset %d: stats %+v", off, s)
		}
	}
	// Through an encrypted hop a flipped bit garbles the covered bytes.
	layers := testLayers(t, r, 1)
	gw := NewInboundGateway(layers[0], Hop{}, r)
	bodies, _ := gw.Put(nil, testMessage(r, 1, 100))
	bodies, _ = gw.Flush(bodies)
	bodies[0][BodySize-50] ^= 1
	ep := NewInboundEndpoint(layers, nil)
	if got, err := ep.Handle(nil, &bodies[0]); len(got) != 0 || !errors.Is(err, ErrChecksum) && !errors.Is(err, ErrInvalid) {
		t.Fatalf("delivered %d, err %v", len(got), err)
	}
}

func newFakeEndpoint(cfg Config) (*OutboundEndpoint, *clocktest.Fake) {
	clk := clocktest.New(testStart)
	cfg.Clock = clk
	return NewOutboundEndpoint(nil, &cfg), clk
}
