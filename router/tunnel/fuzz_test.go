package tunnel

import (
	"testing"

	"i2pgate/router/i2np"
)

// FuzzEndpointBody feeds arbitrary 1024-byte bodies to an inbound endpoint
// (decrypt with two layers, then reassemble) and to a plaintext endpoint.
func FuzzEndpointBody(f *testing.F) {
	r := testRand(40)
	for _, b := range bodiesFor(f, 41, testMessage(r, 1, 1500), Local()) {
		f.Add(b[:])
	}
	f.Add(make([]byte, BodySize))
	f.Add([]byte{1, 2, 3})
	layers := testLayers(f, r, 2)
	f.Fuzz(func(t *testing.T, in []byte) {
		var b Body
		copy(b[:], in)
		c := b
		cfg := Config{MaxIncomplete: 4, MaxIncompleteBytes: 8 << 10}
		ib := NewInboundEndpoint(layers, &cfg)
		got, _ := ib.Handle(nil, &b)
		checkBounds(t, ib.Stats(), cfg, len(got))
		ob, _ := newFakeEndpoint(cfg)
		got, _ = ob.Handle(nil, &c)
		checkBounds(t, ob.Stats(), cfg, len(got))
	})
}

// FuzzEndpointPayload seals arbitrary instructions and fragments into
// bodies with valid checksums (up to MaxPayloadSize bytes each, split at
// the byte the input starts with) so that reassembly sees them all.
func FuzzEndpointPayload(f *testing.F) {
	r := testRand(42)
	m := encodeStd(f, testMessage(r, 3, 100))
	first := frag(f, Instructions{Fragmented: true, MessageID: 3}, m[:50])
	follow := frag(f, Instructions{FollowOn: true, Number: 1, Last: true, MessageID: 3}, m[50:])
	f.Add(append(append([]byte{byte(len(first))}, first...), follow...))
	f.Add(append([]byte{0}, frag(f, Instructions{}, m)...))
	f.Add([]byte{7, 0x82, 0, 0, 0, 3, 0, 0, 0xff, 0, 0, 0, 3, 0, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		split, rest := int(in[0]), in[1:]
		if split == 0 {
			split = MaxPayloadSize
		}
		cfg := Config{MaxIncomplete: 4, MaxIncompleteBytes: 8 << 10}
		ep, clk := newFakeEndpoint(cfg)
		rr := testRand(43)
		delivered := 0
		for len(rest) > 0 {
			n := min(split, len(rest), MaxPayloadSize)
			got, _ := ep.Handle(nil, rawBody(t, rr, rest[:n]))
			for _, g := range got {
				if g.Message.StandardLen() > MaxMessageSize || g.Delivery.Type > DeliveryRouter {
					t.Fatalf("bad delivery %+v", g.Delivery)
				}
				if _, _, err := i2np.ParseStandard(encodeStd(t, g.Message)); err != nil {
					t.Fatal(err)
				}
			}
			delivered += len(got)
			checkBounds(t, ep.Stats(), cfg, delivered)
			rest = rest[n:]
		}
		clk.Advance(DefaultIncompleteTimeout + 1)
		ep.Expire()
		if s := ep.Stats(); s.Incomplete != 0 || s.IncompleteBytes != 0 {
			t.Fatalf("not reclaimed: %+v", s)
		}
	})
}

func checkBounds(t *testing.T, s Stats, cfg Config, delivered int) {
	t.Helper()
	if s.Incomplete > cfg.MaxIncomplete || s.IncompleteBytes > cfg.MaxIncompleteBytes || s.Incomplete < 0 || s.IncompleteBytes < 0 {
		t.Fatalf("bounds exceeded: %+v", s)
	}
	if s.Delivered != uint64(delivered) {
		t.Fatalf("delivered %d, counted %d", delivered, s.Delivered)
	}
	if s.Incomplete == 0 && s.IncompleteBytes != 0 {
		t.Fatalf("bytes without messages: %+v", s)
	}
}
