package i2np

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"i2pgate/router/data"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rep returns n copies of byte c, as hex, for building vectors.
func rep(c byte, n int) string {
	return strings.Repeat(hex.EncodeToString([]byte{c}), n)
}

// hash returns a Hash filled with c.
func hash(c byte) data.Hash {
	var h data.Hash
	for i := range h {
		h[i] = c
	}
	return h
}

// filled returns n bytes of value c.
func filled(c byte, n int) []byte { return bytes.Repeat([]byte{c}, n) }

// testTime is a fixed instant with whole seconds: 1714564800 s.
var testTime = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// mustAppend encodes p or fails the test.
func mustAppend(t testing.TB, p Payload) []byte {
	t.Helper()
	b, err := p.Append(nil)
	if err != nil {
		t.Fatalf("%v Append: %v", p.Type(), err)
	}
	return b
}

// wantErr checks that err wraps target (or is nil when target is nil).
func wantErr(t testing.TB, err, target error) {
	t.Helper()
	if target == nil {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if !errors.Is(err, target) {
		t.Fatalf("error %v, want %v", err, target)
	}
	if !strings.HasPrefix(err.Error(), "i2np: ") {
		t.Fatalf("error %q lacks the package prefix", err)
	}
}
