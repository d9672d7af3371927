package ratchet

import (
	"errors"
	"math/rand/v2"
	"testing"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/crypto"
	"i2pgate/router/garlic"
)

// detPeer is a peer whose keys and ephemeral keys come from a seeded
// generator, so that a fuzz iteration can rebuild the same state.
func detPeer(t testing.TB, name string, seed uint64, clk *clocktest.Fake) *peer {
	t.Helper()
	rng := rand.NewChaCha8([32]byte{byte(seed)})
	key, err := crypto.GenerateX25519(rng)
	if err != nil {
		t.Fatal(err)
	}
	return &peer{name: name, key: key, m: NewManager(Config{Static: key, Clock: clk, Rand: rng})}
}

// fuzzStage builds, deterministically, Alice and Bob with the handshake
// advanced to stage (0: nothing, 1: NS read by Bob, 2: NSR read by Alice,
// 3: ES both ways) and returns the next message of each kind: an NS, an
// NSR and an ES (each nil if the stage has none).
func fuzzStage(t testing.TB, stage int) (a, b *peer, next [3][]byte) {
	clk := clocktest.New(testStart)
	a, b = detPeer(t, "alice", 1, clk), detPeer(t, "bob", 2, clk)
	step := func(p, q *peer) []byte {
		body, err := p.m.Encrypt(&q.key.Public, blocks("fuzz"))
		if err != nil {
			t.Fatal(err)
		}
		return body
	}
	deliver := func(q *peer, body []byte) {
		if _, err := q.m.Decrypt(body); err != nil {
			t.Fatal(err)
		}
	}
	if stage >= 1 {
		deliver(b, step(a, b))
	}
	if stage >= 2 {
		deliver(a, step(b, a))
	}
	if stage >= 3 {
		deliver(b, step(a, b))
		deliver(a, step(b, a))
	}
	switch stage {
	case 0:
		next[0] = step(a, b)
	case 1:
		next[1] = step(b, a)
	default:
		next[2] = step(a, b)
	}
	return a, b, next
}

// checkDecrypted fails if an accepted message breaks the ordering rules.
func checkDecrypted(t *testing.T, d Decrypted, err error) {
	if err != nil {
		return
	}
	if err := garlic.CheckOrder(d.Kind, d.Blocks); err != nil {
		t.Fatalf("accepted %v breaks the rules: %v", d.Kind, err)
	}
}

// FuzzDecryptNS feeds arbitrary data to Bob, who expects nothing but New
// Sessions.
func FuzzDecryptNS(f *testing.F) {
	_, _, next := fuzzStage(f, 0)
	f.Add(next[0])
	f.Add(next[0][:MinNSSize])
	f.Add(make([]byte, MinNSSize))
	f.Fuzz(func(t *testing.T, body []byte) {
		clk := clocktest.New(testStart)
		b := detPeer(t, "bob", 2, clk)
		defer b.m.Close()
		d, err := b.m.Decrypt(body)
		checkDecrypted(t, d, err)
		if err == nil && d.Kind != garlic.NewSession {
			t.Fatalf("read as %v", d.Kind)
		}
		checkInvariants(t, b)
	})
}

// FuzzDecryptNSR feeds arbitrary data to Alice waiting for a reply.
func FuzzDecryptNSR(f *testing.F) {
	_, _, next := fuzzStage(f, 1)
	f.Add(next[1])
	f.Add(next[1][:MinNSRSize])
	f.Fuzz(func(t *testing.T, body []byte) {
		a, b, _ := fuzzStage(t, 1)
		defer a.m.Close()
		defer b.m.Close()
		d, err := a.m.Decrypt(body)
		checkDecrypted(t, d, err)
		checkInvariants(t, a)
	})
}

// FuzzDecryptES feeds arbitrary data to Bob in an established session.
func FuzzDecryptES(f *testing.F) {
	_, _, next := fuzzStage(f, 3)
	f.Add(next[2])
	f.Add(next[2][:MinESSize])
	f.Fuzz(func(t *testing.T, body []byte) {
		a, b, _ := fuzzStage(t, 3)
		defer a.m.Close()
		defer b.m.Close()
		d, err := b.m.Decrypt(body)
		checkDecrypted(t, d, err)
		checkInvariants(t, b)
	})
}

// TestGarbage: random data of every small length, every truncation and
// every single-bit flip of valid messages are refused without panicking,
// and the valid messages still open afterwards.
func TestGarbage(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	a, b, _ := newPair(t, nil)
	for n := range 300 {
		body := make([]byte, n)
		for i := range body {
			body[i] = byte(rng.Uint32())
		}
		if _, err := b.m.Decrypt(body); !errors.Is(err, garlic.ErrDecrypt) {
			t.Fatalf("%d random bytes: %v", n, err)
		}
	}
	// reprTop is the byte of an Elligator2 representative whose two top
	// bits are random and ignored (ecies.rst "2a) Elligator2"); flipping
	// them leaves the same message.
	mangle := func(q *peer, body []byte, what string, reprTop int) {
		t.Helper()
		for n := range len(body) {
			if _, err := q.m.Decrypt(body[:n]); err == nil {
				t.Fatalf("%s truncated to %d bytes accepted", what, n)
			}
		}
		for i := range len(body) * 8 {
			if i/8 == reprTop && i%8 >= 6 {
				continue
			}
			c := append([]byte(nil), body...)
			c[i/8] ^= 1 << (i % 8)
			if _, err := q.m.Decrypt(c); err == nil {
				t.Fatalf("%s with bit %d flipped accepted", what, i)
			}
		}
	}
	ns := seal(t, a, b, "ns", SealOptions{}).Body
	mangle(b, ns, "NS", crypto.ElligatorSize-1)
	open(t, b, ns, "ns")
	nsr := seal(t, b, a, "nsr", SealOptions{}).Body
	mangle(a, nsr, "NSR", TagSize+crypto.ElligatorSize-1)
	open(t, a, nsr, "nsr")
	es := seal(t, a, b, "es", SealOptions{}).Body
	mangle(b, es, "ES", -1)
	open(t, b, es, "es")
	exchange(t, b, a, "still", garlic.ExistingSession)
	checkInvariants(t, a)
	checkInvariants(t, b)
}

// rawPayload appends raw as the plaintext payload.
func rawPayload(raw []byte) payloadFunc {
	return func(dst []byte) ([]byte, error) { return append(dst, raw...), nil }
}

// seedPayloads are plaintext payloads for the payload fuzz targets.
func seedPayloads(f *testing.F, kind garlic.Kind) {
	var bs []garlic.Block
	if kind == garlic.NewSession {
		bs = append(bs, garlic.NewDateTime(testStart))
	}
	bs = append(bs, blocks("fuzz")...)
	if kind == garlic.ExistingSession {
		bs = append(bs, garlic.AckRequest{}, garlic.Ack{Acks: []garlic.AckEntry{{TagSetID: 0, N: 1}}},
			garlic.NextKey{HasKey: true, RequestReverse: true, KeyID: 0, Key: [32]byte{9}},
			garlic.NextKey{Reverse: true, KeyID: 0}, garlic.Termination{Reason: 1})
	}
	bs = append(bs, garlic.Padding{Size: 3})
	enc, err := garlic.AppendBlocks(nil, bs)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(enc)
	f.Add([]byte{})
	f.Add([]byte{byte(garlic.BlockNextKey), 0, 3, 0, 0, 0})
}

// FuzzPayloadNS encrypts arbitrary plaintext as a valid New Session to
// Bob: the protocol logic after decryption must cope with any payload.
func FuzzPayloadNS(f *testing.F) {
	seedPayloads(f, garlic.NewSession)
	f.Fuzz(func(t *testing.T, raw []byte) {
		clk := clocktest.New(testStart)
		a, b := detPeer(t, "alice", 1, clk), detPeer(t, "bob", 2, clk)
		defer a.m.Close()
		defer b.m.Close()
		body, _, err := appendNS(nil, a.m.rand, &b.key.Public, &a.key, rawPayload(raw))
		if err != nil {
			t.Fatal(err)
		}
		d, err := b.m.Decrypt(body)
		checkDecrypted(t, d, err)
		checkInvariants(t, b)
	})
}

// FuzzPayloadNSR encrypts arbitrary plaintext as a valid New Session
// Reply to Alice.
func FuzzPayloadNSR(f *testing.F) {
	seedPayloads(f, garlic.NewSessionReply)
	f.Fuzz(func(t *testing.T, raw []byte) {
		a, b, _ := fuzzStage(t, 1)
		defer a.m.Close()
		defer b.m.Close()
		if _, err := b.m.Encrypt(&a.key.Public, nil); err != nil { // Bob's first NSR, lost
			t.Fatal(err)
		}
		s := primary(b, a)
		tag, _ := s.nsrOut.tag()
		body, _, err := appendNSR(nil, s.hs, tag, &s.eph, &s.ephRepr, &s.aepk, &s.remote, rawPayload(raw))
		if err != nil {
			t.Fatal(err)
		}
		d, err := a.m.Decrypt(body)
		checkDecrypted(t, d, err)
		checkInvariants(t, a)
	})
}

// FuzzPayloadES encrypts arbitrary plaintext as a valid Existing Session
// message to Bob, then lets the session go on.
func FuzzPayloadES(f *testing.F) {
	seedPayloads(f, garlic.ExistingSession)
	f.Fuzz(func(t *testing.T, raw []byte) {
		a, b, _ := fuzzStage(t, 3)
		defer a.m.Close()
		defer b.m.Close()
		s := primary(a, b)
		tag, idx := s.send.tag()
		key := s.send.key()
		body, err := appendES(nil, tag, idx, &key, rawPayload(raw))
		if err != nil {
			t.Fatal(err)
		}
		d, err := b.m.Decrypt(body)
		checkDecrypted(t, d, err)
		checkInvariants(t, b)
		// Whatever it said, both sides can still talk.
		for range 3 {
			for _, dir := range [][2]*peer{{b, a}, {a, b}} {
				out, err := dir[0].m.Encrypt(&dir[1].key.Public, blocks("on"))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := dir[1].m.Decrypt(out); err != nil && !d.Terminated {
					t.Fatalf("%s -> %s after the fuzzed message: %v", dir[0].name, dir[1].name, err)
				}
			}
		}
		checkInvariants(t, a)
		checkInvariants(t, b)
	})
}
