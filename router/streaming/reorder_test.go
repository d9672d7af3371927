package streaming

import (
	"bytes"
	"io"
	"slices"
	"testing"
)

func TestAckRange(t *testing.T) {
	many := make([]uint32, 0, 400)
	for s := uint32(12); s < 812; s += 2 { // gaps at 10, 11, 13, 15, ...
		many = append(many, s)
	}
	for _, tc := range []struct {
		name      string
		next      uint32
		seqs      []uint32
		through   uint32
		nacks     []uint32
		wantNACKs int
	}{
		{name: "one gap", next: 5, seqs: []uint32{6, 7}, through: 7, nacks: []uint32{5}},
		{name: "two gaps", next: 5, seqs: []uint32{7, 9}, through: 9, nacks: []uint32{5, 6, 8}},
		{name: "wide gap", next: 1, seqs: []uint32{4}, through: 4, nacks: []uint32{1, 2, 3}},
		{name: "too many gaps", next: 10, seqs: many, through: 518, wantNACKs: MaxNACKs}, // the 256th gap is 519
	} {
		t.Run(tc.name, func(t *testing.T) {
			through, nacks := ackRange(tc.next, tc.seqs)
			if through != tc.through {
				t.Errorf("ackThrough %d, want %d", through, tc.through)
			}
			if tc.nacks != nil && !slices.Equal(nacks, tc.nacks) {
				t.Errorf("NACKs %v, want %v", nacks, tc.nacks)
			}
			if tc.wantNACKs != 0 && len(nacks) != tc.wantNACKs {
				t.Errorf("%d NACKs, want %d", len(nacks), tc.wantNACKs)
			}
			// Every packet through ackThrough not NACKed was received.
			for s := tc.next; s <= through; s++ {
				if !slices.Contains(nacks, s) && !slices.Contains(tc.seqs, s) {
					t.Fatalf("%d acknowledged but not received", s)
				}
			}
		})
	}
}

// A sender that resends a lost packet only on its timeout (i2pd 2.45.1)
// goes on sending past it: what arrives after the hole is kept up to the
// out-of-order buffer, well past the receive buffer, and read in order
// once the hole is filled; the budget is given back.
func TestReorderBeyondReceiveBuffer(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ooo     int
		dropped bool
	}{
		{name: "kept", ooo: 256 << 10},
		{name: "out-of-order buffer full", ooo: MinBuffer, dropped: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b, l, _ := fakePair(t, func(c *Config) {
				c.ReceiveBuffer, c.OutOfOrderBuffer = MinBuffer, tc.ooo
			})
			ln, err := b.m.Listen(80)
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			const peerID, packets, size = 0x01020304, 100, 1000
			b.m.HandlePacket(0, 80, i2pdSyn(t, a.keys, b.dest.Hash(), peerID, true, nil))
			c, err := ln.AcceptConn()
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			body := func(seq uint32) []byte { return bytes.Repeat([]byte{byte(seq)}, size) }
			send := func(seq uint32) {
				p, err := (&Packet{SendStreamID: c.localID, ReceiveStreamID: peerID, Seq: seq, Payload: body(seq)}).Append(nil, nil)
				if err != nil {
					t.Fatal(err)
				}
				b.m.HandlePacket(0, 80, p)
			}
			for seq := uint32(2); seq <= packets; seq++ {
				send(seq)
			}
			dropped := b.m.stats.droppedFull.Load()
			if tc.dropped != (dropped > 0) {
				t.Fatalf("%d packets dropped for lack of room", dropped)
			}
			send(1)
			if tc.dropped {
				c.Close()
				l.settle()
				if n := b.m.oooBudget.inUse(); n != 0 {
					t.Fatalf("%d out-of-order bytes still taken after Close", n)
				}
				return
			}
			want := make([]byte, 0, packets*size)
			for seq := uint32(1); seq <= packets; seq++ {
				want = append(want, body(seq)...)
			}
			got := make([]byte, len(want))
			if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, want) {
				t.Fatalf("read %d bytes in order: %v", len(got), err)
			}
			if n := b.m.oooBudget.inUse(); n != 0 {
				t.Fatalf("%d out-of-order bytes still taken", n)
			}
			l.settle()
		})
	}
}

// The budget bounds the out-of-order bytes of all connections together.
func TestBudget(t *testing.T) {
	b := &budget{limit: 10}
	if !b.take(6) || b.take(5) || !b.take(4) || b.inUse() != 10 {
		t.Fatalf("take: in use %d", b.inUse())
	}
	b.release(10)
	if b.inUse() != 0 || !b.take(10) {
		t.Fatal("release")
	}
	var none *budget
	if !none.take(1 << 30) {
		t.Fatal("nil budget refused")
	}
}
