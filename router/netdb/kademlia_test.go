package netdb

import (
	"encoding/hex"
	"testing"
	"time"

	"i2pgate/router/data"
)

func hashHex(t *testing.T, s string) data.Hash {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != data.HashSize {
		t.Fatalf("bad hex %q", s)
	}
	return data.Hash(b)
}

func TestRoutingKey(t *testing.T) {
	var seq, ones data.Hash
	for i := range seq {
		seq[i] = byte(i)
		ones[i] = 0xff
	}
	tests := []struct {
		key  data.Hash
		at   time.Time
		want string // SHA-256(key || "yyyyMMdd"), computed independently
	}{
		{seq, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), "07645a6f86219235b5c92ad0e07533289b56617dc1e3a2b13fb5ebc0bd52fce8"},
		{seq, time.Date(2026, 11, 25, 23, 59, 59, 0, time.UTC), "07645a6f86219235b5c92ad0e07533289b56617dc1e3a2b13fb5ebc0bd52fce8"},
		// 2026-11-26 01:00 in UTC+3 is still the 25th in UTC.
		{seq, time.Date(2026, 11, 26, 1, 0, 0, 0, time.FixedZone("x", 3*3600)), "07645a6f86219235b5c92ad0e07533289b56617dc1e3a2b13fb5ebc0bd52fce8"},
		{ones, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), "6da35fb29a6834feeebdc4fa8e3b00b23ee46543bbbaa7053f50ae10228ab1ca"},
	}
	for _, tt := range tests {
		if got := RoutingKey(tt.key, tt.at); got != hashHex(t, tt.want) {
			t.Errorf("RoutingKey(%x, %v) = %x, want %s", tt.key[:4], tt.at, got, tt.want)
		}
	}
	// Rotation at UTC midnight.
	a := RoutingKey(seq, time.Date(2026, 11, 25, 23, 59, 59, 0, time.UTC))
	b := RoutingKey(seq, time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	if a == b {
		t.Error("routing key did not change at midnight")
	}
}

func TestClosest(t *testing.T) {
	h := func(b0, b1 byte) data.Hash { var x data.Hash; x[0], x[1] = b0, b1; return x }
	target := h(0x80, 0x00)
	cands := []data.Hash{h(0x00, 0x01), h(0x81, 0x00), h(0x80, 0x02), h(0xff, 0xff), h(0x80, 0x00)}
	tests := []struct {
		n    int
		want []data.Hash
	}{
		{0, nil},
		{1, []data.Hash{h(0x80, 0x00)}},
		{3, []data.Hash{h(0x80, 0x00), h(0x80, 0x02), h(0x81, 0x00)}},
		{10, []data.Hash{h(0x80, 0x00), h(0x80, 0x02), h(0x81, 0x00), h(0xff, 0xff), h(0x00, 0x01)}},
	}
	for _, tt := range tests {
		got := Closest(target, cands, tt.n)
		if len(got) != len(tt.want) {
			t.Fatalf("n=%d: got %d", tt.n, len(got))
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("n=%d [%d] = %x, want %x", tt.n, i, got[i][:2], tt.want[i][:2])
			}
		}
	}
	if cands[0] != h(0x00, 0x01) {
		t.Error("Closest reordered its input")
	}
	if !Closer(target, h(0x80, 0x01), h(0x80, 0x02)) || Closer(target, h(0x80, 0x02), h(0x80, 0x02)) {
		t.Error("Closer wrong")
	}
}
