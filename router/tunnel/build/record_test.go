package build

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"i2pgate/router/data"
)

func TestShortRequestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		req  ShortRequest
	}{
		{"participant", ShortRequest{Request: Request{ReceiveTunnel: 1, NextTunnel: 2, NextRouter: data.Hash{1, 2, 3},
			RequestTime: 29_000_000, Expiration: 600, NextMessageID: 0xdeadbeef}}},
		{"ibgw options", ShortRequest{Request: Request{ReceiveTunnel: 0xffffffff, NextTunnel: 7, Flags: FlagIBGW,
			Options: mapping(t, "m", "100", "r", "200", "l", "300")}, MoreFlags: 0x0102}},
		{"obep", ShortRequest{Request: Request{ReceiveTunnel: 9, NextTunnel: 10, Flags: FlagOBEP}, LayerEncryption: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.req.Append([]byte{0xaa})
			if err != nil {
				t.Fatal(err)
			}
			if len(b) != 1+ShortRequestSize || b[0] != 0xaa {
				t.Fatalf("append gave %d bytes", len(b))
			}
			got, err := ParseShortRequest(b[1:])
			if err != nil {
				t.Fatal(err)
			}
			if !equalShort(&got, &tc.req) {
				t.Fatalf("round trip: got %+v want %+v", got, tc.req)
			}
			again, _ := got.Append(nil)
			if !bytes.Equal(again, b[1:]) {
				t.Fatal("re-encoding differs")
			}
		})
	}
}

func equalShort(a, b *ShortRequest) bool {
	ao, bo := a.Options, b.Options
	a2, b2 := *a, *b
	a2.Options, b2.Options = data.Mapping{}, data.Mapping{}
	return a2.Request.NextRouter == b2.Request.NextRouter && ao.Equal(bo) &&
		a2.ReceiveTunnel == b2.ReceiveTunnel && a2.NextTunnel == b2.NextTunnel && a2.Flags == b2.Flags &&
		a2.RequestTime == b2.RequestTime && a2.Expiration == b2.Expiration &&
		a2.NextMessageID == b2.NextMessageID && a2.MoreFlags == b2.MoreFlags &&
		a2.LayerEncryption == b2.LayerEncryption
}

// TestShortRequestLayout checks the field offsets against the spec table.
func TestShortRequestLayout(t *testing.T) {
	r := ShortRequest{Request: Request{ReceiveTunnel: 0x01020304, NextTunnel: 0x05060708, NextRouter: data.Hash{0x11},
		Flags: FlagOBEP, RequestTime: 0x0a0b0c0d, Expiration: 600, NextMessageID: 0x21222324}, LayerEncryption: 0}
	b, err := r.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		off  int
		want []byte
	}{
		{0, []byte{1, 2, 3, 4}}, {4, []byte{5, 6, 7, 8}}, {8, []byte{0x11, 0}}, {40, []byte{0x40, 0, 0, 0}},
		{44, []byte{0x0a, 0x0b, 0x0c, 0x0d}}, {48, []byte{0, 0, 2, 0x58}}, {52, []byte{0x21, 0x22, 0x23, 0x24}},
		{56, []byte{0, 0, 0}},
	}
	for _, c := range checks {
		if !bytes.Equal(b[c.off:c.off+len(c.want)], c.want) {
			t.Errorf("offset %d: % x, want % x", c.off, b[c.off:c.off+len(c.want)], c.want)
		}
	}
	if got := r.Time(); !got.Equal(time.Unix(0x0a0b0c0d*60, 0)) {
		t.Errorf("Time = %v", got)
	}
	if got := r.ExpiresAt().Sub(r.Time()); got != 10*time.Minute {
		t.Errorf("expiration = %v", got)
	}
}

func TestLongRequestRoundTrip(t *testing.T) {
	r := LongRequest{Request: Request{ReceiveTunnel: 3, NextTunnel: 4, NextRouter: data.Hash{9}, Flags: FlagIBGW,
		RequestTime: 5, Expiration: 600, NextMessageID: 6, Options: mapping(t, "r", "50")},
		MoreFlags: [3]byte{0, 0, 1}}
	for i := range r.LayerKey {
		r.LayerKey[i], r.IVKey[i], r.ReplyKey[i] = byte(i), byte(i+1), byte(i+2)
	}
	r.ReplyIV = [16]byte{0xf0, 0xf1}
	b, err := r.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != LongRequestSize || b[40] != 0 || b[72] != 1 || b[104] != 2 || b[136] != 0xf0 || b[152] != 0x80 {
		t.Fatalf("layout: % x", b[:170])
	}
	got, err := ParseLongRequest(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.LayerKey != r.LayerKey || got.IVKey != r.IVKey || got.ReplyKey != r.ReplyKey || got.ReplyIV != r.ReplyIV ||
		got.MoreFlags != r.MoreFlags || got.NextMessageID != 6 || !got.Options.Equal(r.Options) || got.Flags != FlagIBGW {
		t.Fatalf("round trip: %+v", got)
	}
}

func TestReplyRoundTrip(t *testing.T) {
	for _, size := range []int{ShortReplySize, LongReplySize} {
		r := Reply{Status: StatusBandwidth, Options: mapping(t, "b", "1000")}
		var b []byte
		var err error
		if size == ShortReplySize {
			b, err = r.AppendShort(nil)
		} else {
			b, err = r.AppendLong(nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(b) != size || b[size-1] != 30 {
			t.Fatalf("size %d: len %d last %d", size, len(b), b[len(b)-1])
		}
		var got Reply
		if size == ShortReplySize {
			got, err = ParseShortReply(b)
		} else {
			got, err = ParseLongReply(b)
		}
		if err != nil || got.Status != StatusBandwidth || !got.Options.Equal(r.Options) || got.Accepted() {
			t.Fatalf("size %d: %+v %v", size, got, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	valid, _ := (&ShortRequest{Request: Request{ReceiveTunnel: 1, NextTunnel: 1}}).Append(nil)
	mod := func(f func(b []byte)) []byte {
		b := bytes.Clone(valid)
		f(b)
		return b
	}
	bigOpts := func(b []byte) { b[56], b[57] = 0, 97 } // 99 bytes > 98
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"short by one", valid[:ShortRequestSize-1]},
		{"long by one", append(bytes.Clone(valid), 0)},
		{"zero receive tunnel", mod(func(b []byte) { copy(b, []byte{0, 0, 0, 0}) })},
		{"zero next tunnel", mod(func(b []byte) { copy(b[4:], []byte{0, 0, 0, 0}) })},
		{"both flags", mod(func(b []byte) { b[40] = 0xc0 })},
		{"options too big", mod(bigOpts)},
		{"options beyond record", mod(func(b []byte) { b[56], b[57] = 0xff, 0xff })},
		{"options garbage", mod(func(b []byte) { b[56], b[57], b[58] = 0, 3, 'x' })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseShortRequest(tc.in); err == nil {
				t.Fatal("no error")
			}
		})
	}
	if _, err := ParseLongRequest(valid); !errors.Is(err, ErrInvalid) {
		t.Errorf("long request of short size: %v", err)
	}
	if _, err := ParseShortReply(make([]byte, ShortReplySize-1)); !errors.Is(err, ErrInvalid) {
		t.Errorf("short reply: %v", err)
	}
	bad := make([]byte, LongReplySize)
	bad[0], bad[1] = 0x01, 0xff // 513 bytes of options
	if _, err := ParseLongReply(bad); !errors.Is(err, ErrInvalid) {
		t.Errorf("long reply options: %v", err)
	}
}

func TestAppendErrors(t *testing.T) {
	big := data.Mapping{}
	for _, k := range []string{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "c"} {
		if err := big.Set(k, "0123456789"); err != nil {
			t.Fatal(err)
		}
	}
	r := ShortRequest{Request: Request{ReceiveTunnel: 1, NextTunnel: 1, Options: big}}
	if _, err := r.Append(nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("options too big: %v", err)
	}
	r.Options = data.Mapping{}
	r.ReceiveTunnel = 0
	if _, err := r.Append(nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("zero tunnel: %v", err)
	}
	lr := LongRequest{Request: Request{ReceiveTunnel: 1, NextTunnel: 1, Flags: FlagIBGW | FlagOBEP}}
	if _, err := lr.Append(nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("both flags: %v", err)
	}
}
