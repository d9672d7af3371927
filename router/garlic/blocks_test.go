package garlic

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"i2pgate/router/data"
	"i2pgate/router/i2np"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testHash(seed byte) data.Hash {
	var h data.Hash
	for i := range h {
		h[i] = seed + byte(i)
	}
	return h
}

// blockVectors are encodings written by hand from ecies.rst "5) Payload"
// and i2np.rst "Garlic Clove Delivery Instructions".
var blockVectors = []struct {
	name  string
	block Block
	wire  string
}{
	{"datetime", DateTime{Seconds: 0x5f5e1000}, "00 0004 5f5e1000"},
	{"termination", Termination{Reason: 1, Data: []byte{0xaa}}, "04 0002 01 aa"},
	{"termination bare", Termination{Reason: 0, Data: []byte{}}, "04 0001 00"},
	{"options", Options{TagLength: 8, Timeout: 600, SenderWindow: 0x10, ReceiverWindow: 0x20,
		TxMin: 1, TxMax: 2, RxMin: 3, RxMax: 4, TxDummy: 5, RxDummy: 6, TxDelay: 7, RxDelay: 8, More: []byte{}},
		"05 0015 00 00 08 0258 0010 0020 01 02 03 04 0005 0006 0007 0008"},
	{"message numbers", MessageNumbers{PN: 0x1234}, "06 0002 1234"},
	{"next key id only", NextKey{RequestReverse: true, KeyID: 3}, "07 0003 04 0003"},
	{"next key", NextKey{HasKey: true, Reverse: true, KeyID: 0x7fff, Key: [32]byte{31: 0xee}},
		"07 0023 03 7fff" + strings.Repeat("00", 31) + "ee"},
	{"ack", Ack{Acks: []AckEntry{{1, 2}, {0xffff, 0x8000}}}, "08 0008 0001 0002 ffff 8000"},
	{"ack request", AckRequest{}, "09 0001 00"},
	{"padding", Padding{Size: 3}, "fe 0003 000000"},
	{"padding empty", Padding{}, "fe 0000"},
	{"clove local", Clove{Message: i2np.Message{Type: i2np.TypeDeliveryStatus, ID: 0x01020304,
		Expiration: time.Unix(0x60000000, 0).UTC(), Payload: []byte{0xde, 0xad}}},
		"0b 000c 00 0a 01020304 60000000 dead"},
	{"clove router", Clove{Delivery: Delivery{Type: DeliveryRouter, Hash: testHash(0x40)},
		Message: i2np.Message{Type: i2np.TypeDatabaseStore, ID: 7, Expiration: time.Unix(1, 0).UTC(), Payload: []byte{}}},
		"0b 002a 40" + hashHex(0x40) + "01 00000007 00000001"},
	{"clove tunnel", Clove{Delivery: Delivery{Type: DeliveryTunnel, Hash: testHash(1), TunnelID: 0xcafe},
		Message: i2np.Message{Type: i2np.TypeData, ID: 9, Expiration: time.Unix(2, 0).UTC(), Payload: []byte{1}}},
		"0b 002f 60" + hashHex(1) + "0000cafe 14 00000009 00000002 01"},
	{"clove destination", Clove{Delivery: Delivery{Type: DeliveryDestination, Hash: testHash(9)},
		Message: i2np.Message{Type: i2np.TypeData, ID: 1, Expiration: time.Unix(3, 0).UTC(), Payload: []byte{}}},
		"0b 002a 20" + hashHex(9) + "14 00000001 00000003"},
}

func TestBlockVectors(t *testing.T) {
	for _, tc := range blockVectors {
		t.Run(tc.name, func(t *testing.T) {
			want := unhex(t, tc.wire)
			got, err := AppendBlock(nil, tc.block)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("encoded\n%x\nwant\n%x", got, want)
			}
			if BlockLen(tc.block) != len(want) {
				t.Errorf("BlockLen = %d, want %d", BlockLen(tc.block), len(want))
			}
			blocks, err := ParseBlocks(want)
			if err != nil {
				t.Fatal(err)
			}
			if len(blocks) != 1 || !reflect.DeepEqual(blocks[0], tc.block) {
				t.Fatalf("parsed %#v, want %#v", blocks, tc.block)
			}
		})
	}
}

func TestParseBlocksSequence(t *testing.T) {
	var all []Block
	var wire []byte
	for _, tc := range blockVectors {
		all = append(all, tc.block)
		wire = append(wire, unhex(t, tc.wire)...)
		// Unknown and reserved types are skipped.
		wire = append(wire, 0x0a, 0x00, 0x02, 0xff, 0xff, 0xe0, 0x00, 0x00)
	}
	got, err := ParseBlocks(wire)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, all) {
		t.Fatalf("parsed %d blocks, want %d", len(got), len(all))
	}
	enc, err := AppendBlocks([]byte{0x55}, all)
	if err != nil {
		t.Fatal(err)
	}
	if BlocksLen(all) != len(enc)-1 {
		t.Errorf("BlocksLen = %d, want %d", BlocksLen(all), len(enc)-1)
	}
	if got, _ := ParseBlocks(enc[1:]); !reflect.DeepEqual(got, all) {
		t.Errorf("round trip differs")
	}
	if blocks, err := ParseBlocks(nil); err != nil || len(blocks) != 0 {
		t.Errorf("empty payload: %v, %v", blocks, err)
	}
}

func TestParseBlocksErrors(t *testing.T) {
	tests := []struct {
		name string
		wire string
		want error
	}{
		{"short header", "00 00", ErrTruncated},
		{"size beyond input", "fe 0005 0000", ErrTruncated},
		{"datetime short", "00 0003 000000", ErrInvalid},
		{"datetime long", "00 0005 0000000000", ErrInvalid},
		{"termination empty", "04 0000", ErrInvalid},
		{"options short", "05 0014" + strings.Repeat("00", 20), ErrInvalid},
		{"message numbers", "06 0003 000000", ErrInvalid},
		{"next key flag says key", "07 0003 01 0000", ErrInvalid},
		{"next key flag says none", "07 0023 00 0000" + strings.Repeat("00", 32), ErrInvalid},
		{"next key short", "07 0002 0000", ErrInvalid},
		{"ack empty", "08 0000", ErrInvalid},
		{"ack ragged", "08 0005 0000000000", ErrInvalid},
		{"ack request long", "09 0002 0000", ErrInvalid},
		{"clove empty", "0b 0000", ErrTruncated},
		{"clove no header", "0b 0005 00 0a000000", i2np.ErrTruncated},
		{"clove router short", "0b 0010 40" + strings.Repeat("00", 15), ErrTruncated},
		{"clove encrypted", "0b 000a 80 0a 00000000 00000000", ErrInvalid},
		{"clove delay", "0b 000a 10 0a 00000000 00000000", ErrInvalid},
		{"clove tunnel zero", "0b 002e 60" + strings.Repeat("00", 36) + "0a 00000000 00000000", ErrInvalid},
		{"bad block after good", "fe 0000 00 0001 00", ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseBlocks(unhex(t, tc.wire))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "garlic: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestAppendBlockErrors(t *testing.T) {
	tests := []struct {
		name  string
		block Block
		want  error
	}{
		{"ack empty", Ack{}, ErrInvalid},
		{"key id", NextKey{KeyID: MaxKeyID + 1}, ErrInvalid},
		{"reverse and request", NextKey{Reverse: true, RequestReverse: true}, ErrInvalid},
		{"padding negative", Padding{Size: -1}, ErrTooLarge},
		{"padding huge", Padding{Size: MaxBlockDataSize + 1}, ErrTooLarge},
		{"delivery type", Clove{Delivery: Delivery{Type: 4}}, ErrInvalid},
		{"tunnel id zero", Clove{Delivery: Delivery{Type: DeliveryTunnel}}, ErrInvalid},
		{"expiration", Clove{Message: i2np.Message{Expiration: time.Unix(-1, 0)}}, i2np.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prefix := []byte{1, 2}
			out, err := AppendBlock(prefix, tc.block)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if !bytes.Equal(out, prefix) {
				t.Errorf("dst changed on error: %x", out)
			}
			if _, err := AppendBlocks(prefix, []Block{DateTime{}, tc.block}); !errors.Is(err, tc.want) {
				t.Errorf("AppendBlocks err = %v", err)
			}
		})
	}
}

func TestDateTime(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 600, time.UTC)
	d := NewDateTime(now)
	if !d.Time().Equal(now.Truncate(time.Second)) {
		t.Errorf("Time() = %v", d.Time())
	}
	if NewDateTime(time.Unix(-5, 0)).Seconds != 0 {
		t.Error("pre-epoch time not clamped to 0")
	}
}

func TestCheckOrder(t *testing.T) {
	dt, cl, op, pad := DateTime{}, Clove{}, Options{}, Padding{}
	term, nk, ack := Termination{}, NextKey{}, Ack{}
	tests := []struct {
		name   string
		kind   Kind
		blocks []Block
		ok     bool
	}{
		{"ns minimal", NewSession, []Block{dt}, true},
		{"ns typical", NewSession, []Block{dt, cl, op, cl, pad}, true},
		{"ns empty", NewSession, nil, false},
		{"ns no datetime", NewSession, []Block{cl, pad}, false},
		{"ns datetime late", NewSession, []Block{dt, cl, dt}, false},
		{"ns padding not last", NewSession, []Block{dt, pad, cl}, false},
		{"ns two paddings", NewSession, []Block{dt, pad, pad}, false},
		{"ns termination", NewSession, []Block{dt, term}, false},
		{"ns ack", NewSession, []Block{dt, ack}, false},
		{"nsr empty", NewSessionReply, nil, true},
		{"nsr typical", NewSessionReply, []Block{dt, cl, pad}, true},
		{"nsr next key", NewSessionReply, []Block{nk}, false},
		{"es empty", ExistingSession, nil, true},
		{"es everything", ExistingSession, []Block{cl, nk, ack, AckRequest{}, MessageNumbers{}, nk, term, pad}, true},
		{"es termination last", ExistingSession, []Block{cl, term}, true},
		{"es termination early", ExistingSession, []Block{term, cl}, false},
		{"es three next keys", ExistingSession, []Block{nk, nk, nk}, false},
		{"es padding first", ExistingSession, []Block{pad, cl}, false},
		{"bad kind", Kind(9), []Block{dt}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckOrder(tc.kind, tc.blocks)
			if (err == nil) != tc.ok {
				t.Fatalf("CheckOrder = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrOrder) && !errors.Is(err, ErrInvalid) {
				t.Errorf("unexpected error class: %v", err)
			}
		})
	}
}

func TestCloves(t *testing.T) {
	a := Clove{Message: i2np.Message{ID: 1}}
	b := Clove{Message: i2np.Message{ID: 2}}
	got := Cloves([]Block{DateTime{}, a, Padding{}, b})
	if len(got) != 2 || got[0].Message.ID != 1 || got[1].Message.ID != 2 {
		t.Fatalf("Cloves = %+v", got)
	}
	for _, k := range []DeliveryType{DeliveryLocal, DeliveryDestination, DeliveryRouter, DeliveryTunnel, 7} {
		if k.String() == "" {
			t.Errorf("empty name for %d", k)
		}
	}
	for _, k := range []Kind{NewSession, NewSessionReply, ExistingSession, 0} {
		if k.String() == "" {
			t.Errorf("empty name for %d", k)
		}
	}
}

func hashHex(seed byte) string {
	h := testHash(seed)
	return hex.EncodeToString(h[:])
}
