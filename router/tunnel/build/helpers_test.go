package build

import (
	"crypto/sha256"
	"math/rand/v2"
	"testing"

	"i2pgate/router/crypto"
	"i2pgate/router/data"
)

// testRand returns a deterministic random source.
func testRand(seed uint64) *rand.ChaCha8 {
	var s [32]byte
	s[0] = byte(seed)
	s[1] = byte(seed >> 8)
	return rand.NewChaCha8(s)
}

// testRouter is a simulated hop: its identity and the Peer the creator
// sees.
type testRouter struct {
	id   *Identity
	peer Peer
}

func testRouters(t testing.TB, n int, short bool, seed uint64) []testRouter {
	t.Helper()
	rnd := testRand(seed)
	out := make([]testRouter, n)
	for i := range out {
		kp, err := crypto.GenerateX25519(rnd)
		if err != nil {
			t.Fatal(err)
		}
		hash := data.Hash(sha256.Sum256(append([]byte("router"), kp.Public[:]...)))
		out[i] = testRouter{
			id:   NewIdentity(hash, kp.Private),
			peer: Peer{Hash: hash, Key: kp.Public, Short: short},
		}
	}
	return out
}

func mapping(t testing.TB, kv ...string) data.Mapping {
	t.Helper()
	var m data.Mapping
	for i := 0; i+1 < len(kv); i += 2 {
		if err := m.Set(kv[i], kv[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	return m
}
