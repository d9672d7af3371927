package tunnel

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"i2pgate/router/data"
)

func testHash(b byte) data.Hash {
	var h data.Hash
	for i := range h {
		h[i] = b + byte(i)
	}
	return h
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.NewReplacer(" ", "", "\n", "", "\t", "").Replace(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// hashHex is testHash(0x10) in hex.
const hashHex = "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"

func TestInstructionsVectors(t *testing.T) {
	tests := []struct {
		name string
		hex  string
		in   Instructions
	}{
		{"local whole", "00 0123", Instructions{Size: 0x123}},
		{"local first fragment", "08 deadbeef 03e4",
			Instructions{Fragmented: true, MessageID: 0xdeadbeef, Size: 996}},
		{"tunnel whole", "20 00000457" + hashHex + "0010",
			Instructions{Delivery: ToTunnel(testHash(0x10), 0x457), Size: 16}},
		{"tunnel first fragment", "28 00000457" + hashHex + "01020304 03c0",
			Instructions{Delivery: ToTunnel(testHash(0x10), 0x457), Fragmented: true, MessageID: 0x01020304, Size: 960}},
		{"router whole", "40" + hashHex + "0001",
			Instructions{Delivery: ToRouter(testHash(0x10)), Size: 1}},
		{"router first fragment", "48" + hashHex + "ffffffff 0000",
			Instructions{Delivery: ToRouter(testHash(0x10)), Fragmented: true, MessageID: 0xffffffff}},
		{"follow-on 1", "82 01020304 03e4",
			Instructions{FollowOn: true, Number: 1, MessageID: 0x01020304, Size: 996}},
		{"follow-on 63 last", "ff 01020304 0007",
			Instructions{FollowOn: true, Number: 63, Last: true, MessageID: 0x01020304, Size: 7}},
		{"follow-on 5 last", "8b 00000001 0100",
			Instructions{FollowOn: true, Number: 5, Last: true, MessageID: 1, Size: 256}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := unhex(t, tc.hex)
			got, n, err := ParseInstructions(append(b, 0xaa, 0xbb))
			if err != nil {
				t.Fatal(err)
			}
			if n != len(b) || got != tc.in || tc.in.Len() != len(b) {
				t.Fatalf("parse = %+v, %d; want %+v, %d (Len %d)", got, n, tc.in, len(b), tc.in.Len())
			}
			enc, err := tc.in.Append([]byte{0x55})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(enc[1:], b) {
				t.Fatalf("append = %x, want %x", enc[1:], b)
			}
		})
	}
}

func TestInstructionsReservedBitsIgnored(t *testing.T) {
	in, n, err := ParseInstructions(unhex(t, "03 0005"))
	if err != nil || n != 3 || in != (Instructions{Size: 5}) {
		t.Fatalf("got %+v %d %v", in, n, err)
	}
}

func TestInstructionsErrors(t *testing.T) {
	tests := []struct {
		name string
		hex  string
		want error
	}{
		{"empty", "", ErrTruncated},
		{"local no size", "00 01", ErrTruncated},
		{"fragmented no id", "08 0102 03", ErrTruncated},
		{"tunnel short hash", "20 00000001" + hashHex[:62], ErrTruncated},
		{"router no size", "40" + hashHex, ErrTruncated},
		{"type 3", "60" + hashHex + "0001", ErrInvalid},
		{"delay flag", "10 00 0001", ErrInvalid},
		{"extended options", "04 00 0001", ErrInvalid},
		{"follow-on short", "82 010203", ErrTruncated},
		{"follow-on number 0", "80 01020304 0001", ErrInvalid},
		{"follow-on number 0 last", "81 01020304 0001", ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParseInstructions(unhex(t, tc.hex))
			if !errors.Is(err, tc.want) || !strings.HasPrefix(err.Error(), "tunnel: ") {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestInstructionsAppendErrors(t *testing.T) {
	for _, in := range []Instructions{
		{FollowOn: true, Number: 0},
		{FollowOn: true, Number: 64},
		{Delivery: Delivery{Type: 3}},
	} {
		if _, err := in.Append(nil); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: err = %v", in, err)
		}
	}
}

func TestDeliveryTypeString(t *testing.T) {
	for typ, want := range map[DeliveryType]string{
		DeliveryLocal: "LOCAL", DeliveryTunnel: "TUNNEL", DeliveryRouter: "ROUTER", 3: "DeliveryType(3)",
	} {
		if typ.String() != want {
			t.Errorf("%d: %q", typ, typ.String())
		}
	}
}

func FuzzInstructions(f *testing.F) {
	f.Add(unhex(f, "00 0123"))
	f.Add(unhex(f, "28 00000457"+hashHex+"01020304 03c0"))
	f.Add(unhex(f, "48"+hashHex+"ffffffff 0000"))
	f.Add(unhex(f, "ff 01020304 0007"))
	f.Add([]byte{0x60})
	f.Fuzz(func(t *testing.T, b []byte) {
		in, n, err := ParseInstructions(b)
		if err != nil {
			return
		}
		if n > len(b) || n != in.Len() {
			t.Fatalf("consumed %d of %d, Len %d", n, len(b), in.Len())
		}
		enc, err := in.Append(nil)
		if err != nil {
			t.Fatal(err)
		}
		again, m, err := ParseInstructions(enc)
		if err != nil || m != len(enc) || again != in {
			t.Fatalf("round trip: %+v -> %x -> %+v (%v)", in, enc, again, err)
		}
		// The encoding matches the input except for the ignored reserved bits.
		if enc[0] != b[0]&^0x03 && !in.FollowOn || !bytes.Equal(enc[1:], b[1:n]) {
			t.Fatalf("encoding %x differs from input %x", enc, b[:n])
		}
	})
}
