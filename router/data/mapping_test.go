package data

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseMapping(t *testing.T) {
	tests := []struct {
		name string
		hex  string
		keys []string
		vals []string
		err  error
		rest int
	}{
		{name: "empty", hex: "0000", keys: []string{}},
		{name: "one", hex: "0007 01 61 3d 02 62 63 3b", keys: []string{"a"}, vals: []string{"bc"}},
		{name: "empty key and value", hex: "0004 00 3d 00 3b", keys: []string{""}, vals: []string{""}},
		{name: "sorted", hex: "000c 01 61 3d 01 31 3b 01 62 3d 01 32 3b", keys: []string{"a", "b"}, vals: []string{"1", "2"}},
		{name: "unsorted input", hex: "000c 01 62 3d 01 32 3b 01 61 3d 01 31 3b", keys: []string{"a", "b"}, vals: []string{"1", "2"}},
		{name: "rest kept", hex: "0000 ff ff", keys: []string{}, rest: 2},
		{name: "= and ; inside strings", hex: "0007 01 3d 3d 02 3b 3d 3b", keys: []string{"="}, vals: []string{";="}},
		{name: "duplicate", hex: "000c 01 61 3d 01 31 3b 01 61 3d 01 32 3b", err: ErrDuplicateKey},
		{name: "no size", hex: "00", err: ErrTruncated},
		{name: "size beyond input", hex: "0008 01 61 3d 02 62 63 3b", err: ErrTruncated},
		{name: "string beyond size", hex: "0004 05 61 3d 00 3b", err: ErrTruncated},
		{name: "missing ;", hex: "0007 01 61 3d 02 62 63", err: ErrTruncated},
		{name: "bad separator", hex: "0007 01 61 3a 02 62 63 3b", err: ErrInvalid},
		{name: "bad terminator", hex: "0007 01 61 3d 02 62 63 2c", err: ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, rest, err := ParseMapping(mustHex(t, tc.hex))
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rest) != tc.rest {
				t.Errorf("rest = %d bytes, want %d", len(rest), tc.rest)
			}
			if got := m.Keys(); strings.Join(got, ",") != strings.Join(tc.keys, ",") || m.Len() != len(tc.keys) {
				t.Errorf("keys = %q, want %q", got, tc.keys)
			}
			for i, k := range tc.keys {
				if v, ok := m.Get(k); !ok || v != tc.vals[i] {
					t.Errorf("Get(%q) = %q, %v", k, v, ok)
				}
			}
		})
	}
}

func TestMappingWriteSorted(t *testing.T) {
	var m Mapping
	for _, kv := range [][2]string{{"router.version", "0.9.57"}, {"caps", "XfR"}, {"netId", "2"}, {"caps", "LR"}} {
		if err := m.Set(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	got, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	want := mustHex(t, `002c
		04 63617073 3d 02 4c52 3b
		05 6e65744964 3d 01 32 3b
		0e 726f757465722e76657273696f6e 3d 06 302e392e3537 3b`)
	if !bytes.Equal(got, want) {
		t.Fatalf("Bytes = %x\nwant    %x", got, want)
	}
	back, _, err := ParseMapping(got)
	if err != nil || !back.Equal(m) {
		t.Fatalf("round trip: %v %v", back, err)
	}
	m.Delete("caps")
	m.Delete("absent")
	if _, ok := m.Get("caps"); ok || m.Len() != 2 {
		t.Error("Delete failed")
	}
	if err := m.Set(strings.Repeat("k", 256), "v"); !errors.Is(err, ErrInvalid) {
		t.Errorf("long key: %v", err)
	}
	c := m.Clone()
	_ = c.Set("x", "y")
	if _, ok := m.Get("x"); ok {
		t.Error("Clone shares storage")
	}
}

func TestMappingTooLarge(t *testing.T) {
	var m Mapping
	v := strings.Repeat("v", 255)
	for i := 0; i < 260; i++ {
		_ = m.Set(strings.Repeat("k", i%255)+string(rune('a'+i/255)), v)
	}
	if _, err := m.Bytes(); !errors.Is(err, ErrInvalid) {
		t.Errorf("oversized mapping: %v", err)
	}
}

func TestInteger(t *testing.T) {
	tests := []struct {
		hex  string
		want uint64
	}{
		{"00", 0}, {"ff", 255}, {"0102", 0x102}, {"ffffffffffffffff", 1<<64 - 1},
	}
	for _, tc := range tests {
		b := mustHex(t, tc.hex)
		got, err := ParseInteger(b)
		if err != nil || got != tc.want {
			t.Errorf("ParseInteger(%s) = %d, %v", tc.hex, got, err)
		}
		enc, err := AppendInteger(nil, tc.want, len(b))
		if err != nil || !bytes.Equal(enc, b) {
			t.Errorf("AppendInteger(%d) = %x, %v", tc.want, enc, err)
		}
	}
	for _, n := range []int{0, 9} {
		if _, err := ParseInteger(make([]byte, n)); err == nil {
			t.Errorf("ParseInteger of %d bytes succeeded", n)
		}
	}
	if _, err := AppendInteger(nil, 256, 1); err == nil {
		t.Error("AppendInteger overflow accepted")
	}
}

func TestString(t *testing.T) {
	enc, err := AppendString(nil, "NTCP2")
	if err != nil || !bytes.Equal(enc, mustHex(t, "054e54435032")) {
		t.Fatalf("AppendString = %x, %v", enc, err)
	}
	s, rest, err := ParseString(append(enc, 7))
	if err != nil || s != "NTCP2" || len(rest) != 1 {
		t.Errorf("ParseString = %q %x %v", s, rest, err)
	}
	if _, _, err := ParseString(mustHex(t, "0561")); !errors.Is(err, ErrTruncated) {
		t.Errorf("truncated string: %v", err)
	}
	if _, err := AppendString(nil, strings.Repeat("x", 256)); err == nil {
		t.Error("256-byte string accepted")
	}
}

func TestDate(t *testing.T) {
	d := Date(1714564800123) // beyond 32 bits
	if got := d.Time(); !got.Equal(time.UnixMilli(1714564800123)) {
		t.Errorf("Time = %v", got)
	}
	if DateOf(d.Time()) != d {
		t.Error("DateOf round trip")
	}
	if DateOf(time.Unix(-5, 0)) != 0 {
		t.Error("negative time not clamped")
	}
	if Date(1<<64 - 1).Time().IsZero() {
		t.Error("huge date")
	}
}
