package ntcp2

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"i2pgate/router/i2np"
	"i2pgate/router/transport"
)

func TestBlocksRoundTrip(t *testing.T) {
	m := i2np.Message{Type: i2np.TypeDeliveryStatus, ID: 0xdeadbeef, Expiration: time.Unix(1700000000, 0), Payload: []byte{1, 2, 3, 4}}
	var p []byte
	p = AppendDateTime(p, 1700000001)
	p, _ = AppendOptions(p, PaddingOptions{TMin: 1, TMax: 2, RMin: 3, RMax: 4, TDummy: 5, RDummy: 6, TDelay: 7, RDelay: 8, More: []byte{9}})
	p, _ = AppendRouterInfo(p, []byte("routerinfo"), true)
	p, _ = AppendI2NP(p, m)
	p = append(p, 200, 0, 2, 0xaa, 0xbb) // unknown block type
	p, _ = AppendTermination(p, Termination{FramesReceived: 42, Reason: transport.ReasonIdleTimeout, Extra: []byte("bye")})
	p = AppendPadding(p, 7)

	blocks, err := ParseBlocks(p)
	if err != nil {
		t.Fatal(err)
	}
	types := []BlockType{BlockDateTime, BlockOptions, BlockRouterInfo, BlockI2NP, 200, BlockTermination, BlockPadding}
	if len(blocks) != len(types) {
		t.Fatalf("%d blocks", len(blocks))
	}
	for i, b := range blocks {
		if b.Type != types[i] {
			t.Errorf("block %d type %d, want %d", i, b.Type, types[i])
		}
	}
	if ts, err := blocks[0].DateTime(); err != nil || ts != 1700000001 {
		t.Errorf("datetime %d %v", ts, err)
	}
	if o, err := blocks[1].Options(); err != nil || o.TMin != 1 || o.RDelay != 8 || !bytes.Equal(o.More, []byte{9}) {
		t.Errorf("options %+v %v", o, err)
	}
	if ri, flood, err := blocks[2].RouterInfo(); err != nil || !flood || string(ri) != "routerinfo" {
		t.Errorf("routerinfo %q %v %v", ri, flood, err)
	}
	if got, err := blocks[3].I2NP(); err != nil || got.ID != m.ID || got.Type != m.Type || !bytes.Equal(got.Payload, m.Payload) || !got.Expiration.Equal(m.Expiration) {
		t.Errorf("i2np %+v %v", got, err)
	}
	if tm, err := blocks[5].Termination(); err != nil || tm.FramesReceived != 42 || tm.Reason != transport.ReasonIdleTimeout || string(tm.Extra) != "bye" {
		t.Errorf("termination %+v %v", tm, err)
	}
	if len(blocks[6].Data) != 7 {
		t.Errorf("padding %d", len(blocks[6].Data))
	}
}

func TestBlocksGolden(t *testing.T) {
	// Hand-assembled per ntcp2.rst: DateTime 0x65000000, I2NP type 10 id 1
	// exp 2 with a 1-byte body, Termination (frames 3, reason 2), Padding 2.
	tests := []struct {
		name string
		hex  []byte
		err  bool
	}{
		{"datetime", []byte{0, 0, 4, 0x65, 0, 0, 0}, false},
		{"i2np", []byte{3, 0, 10, 10, 0, 0, 0, 1, 0, 0, 0, 2, 0xff}, false},
		{"termination+padding", []byte{4, 0, 9, 0, 0, 0, 0, 0, 0, 0, 3, 2, 254, 0, 2, 0, 0}, false},
		{"empty", nil, false},
		{"truncated header", []byte{3, 0}, true},
		{"size beyond frame", []byte{3, 0, 20, 1}, true},
		{"short datetime", []byte{0, 0, 3, 1, 2, 3}, true},
		{"short i2np", []byte{3, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0}, true},
		{"short termination", []byte{4, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0}, true},
		{"short options", []byte{1, 0, 1, 0}, true},
		{"padding not last", []byte{254, 0, 0, 0, 0, 4, 0, 0, 0, 0}, true},
		{"two paddings", []byte{254, 0, 0, 254, 0, 0}, true},
		{"block after termination", []byte{4, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0}, true},
		{"empty routerinfo", []byte{2, 0, 1, 0}, true},
	}
	for _, tc := range tests {
		_, err := ParseBlocks(tc.hex)
		if (err != nil) != tc.err || (err != nil && !errors.Is(err, ErrBlock)) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestFrameRoundTrip(t *testing.T) {
	var k Keys
	for i := range k.SendKey {
		k.SendKey[i] = byte(i)
	}
	copy(k.SendSipKeys[:], "0123456789abcdefghijklmn")
	s := newSealer(&k.SendKey, &k.SendSipKeys)
	o := newOpener(&k.SendKey, &k.SendSipKeys)
	for _, n := range []int{0, 1, 1000, MaxPayloadSize} {
		p := bytes.Repeat([]byte{byte(n)}, n)
		f, err := s.seal(nil, p)
		if err != nil {
			t.Fatal(err)
		}
		l, err := o.length([LengthSize]byte(f[:LengthSize]))
		if err != nil || l != n+MACSize {
			t.Fatalf("length %d %v, want %d", l, err, n+MACSize)
		}
		got, err := o.open(nil, f[LengthSize:])
		if err != nil || !bytes.Equal(got, p) {
			t.Fatalf("open %d: %v", n, err)
		}
	}
	if _, err := s.seal(nil, make([]byte, MaxPayloadSize+1)); !errors.Is(err, ErrFrame) {
		t.Errorf("oversized payload: %v", err)
	}
	f, _ := s.seal(nil, []byte("x"))
	f[len(f)-1] ^= 1
	o.length([LengthSize]byte(f[:LengthSize]))
	if _, err := o.open(nil, f[LengthSize:]); !errors.Is(err, ErrFrame) {
		t.Errorf("bad MAC: %v", err)
	}
	if o.received() != 4 {
		t.Errorf("received %d", o.received())
	}
}

func TestOptionsRoundTrip(t *testing.T) {
	r := RequestOptions{NetID: 99, Version: 2, PadLen: 0x1234, M3P2Len: 0x5678, Timestamp: 0x9abcdef0}
	b := r.Append(nil)
	want := []byte{99, 2, 0x12, 0x34, 0x56, 0x78, 0, 0, 0x9a, 0xbc, 0xde, 0xf0, 0, 0, 0, 0}
	if !bytes.Equal(b, want) {
		t.Errorf("request options %x", b)
	}
	if got, err := ParseRequestOptions(b); err != nil || got != r {
		t.Errorf("parsed %+v %v", got, err)
	}
	c := CreatedOptions{PadLen: 7, Timestamp: 0x01020304}
	b = c.Append(nil)
	if !bytes.Equal(b, []byte{0, 0, 0, 7, 0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0}) {
		t.Errorf("created options %x", b)
	}
	if got, err := ParseCreatedOptions(b); err != nil || got != c {
		t.Errorf("parsed %+v %v", got, err)
	}
	if _, err := ParseRequestOptions(b[:15]); !errors.Is(err, ErrTruncated) {
		t.Error(err)
	}
	if _, err := ParseCreatedOptions(nil); !errors.Is(err, ErrTruncated) {
		t.Error(err)
	}
	// Timestamps across the 32-bit wrap.
	local := time.Unix(1<<32-10, 0)
	if d := TimestampSkew(5, local); d != 15*time.Second {
		t.Errorf("wrap skew %v", d)
	}
}
