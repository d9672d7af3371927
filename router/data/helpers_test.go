package data

import (
	"encoding/hex"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// testRand returns a deterministic reader for reproducible keys.
func testRand(seed byte) io.Reader {
	var s [32]byte
	s[0] = seed
	return rand.NewChaCha8(s)
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testKeys(t testing.TB, seed byte, crypto CryptoType) *PrivateKeys {
	t.Helper()
	k, err := GenerateDestinationKeys(testRand(seed), crypto)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testSigner(t testing.TB, k *PrivateKeys) *Ed25519Signer {
	t.Helper()
	s, err := k.Signer()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// testTime is a fixed instant with whole seconds.
var testTime = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
