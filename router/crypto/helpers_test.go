package crypto

import (
	"encoding/hex"
	"strings"
	"testing"
)

// unhex decodes hex, ignoring spaces and newlines, and fails the test on
// bad input.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	s = strings.Join(strings.Fields(s), "")
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func unhex32(t testing.TB, s string) [32]byte {
	t.Helper()
	var a [32]byte
	b := unhex(t, s)
	if len(b) != 32 {
		t.Fatalf("want 32 bytes, got %d", len(b))
	}
	copy(a[:], b)
	return a
}

// countingReader yields 0, 1, 2, ... forever (deterministic "randomness").
type countingReader struct{ next byte }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.next
		r.next++
	}
	return len(p), nil
}
