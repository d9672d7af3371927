package ratchet

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"i2pgate/router/garlic"
)

// nextKeys returns the NextKey blocks of d.
func nextKeys(d Decrypted) []garlic.NextKey {
	var out []garlic.NextKey
	for _, b := range d.Blocks {
		if nk, ok := b.(garlic.NextKey); ok {
			out = append(out, nk)
		}
	}
	return out
}

// TestNextKeyThreshold checks that the first NextKey goes out in the
// message with tag index DefaultRatchetAfter+1, as i2pd's
// NewExistingSessionMessage does (index >= 8192 after sending).
func TestNextKeyThreshold(t *testing.T) {
	a, b, _ := newPair(t, nil)
	establish(t, a, b) // Alice's ES index 1 (0 is skipped)
	for {
		d := exchange(t, a, b, "x", garlic.ExistingSession)
		i := primary(a, b).send.nextTag - 1 // the index just sent
		if nks := nextKeys(d); len(nks) > 0 {
			if i != DefaultRatchetAfter+1 {
				t.Fatalf("first NextKey at index %d", i)
			}
			nk := nks[0]
			if nk.Reverse || !nk.HasKey || !nk.RequestReverse || nk.KeyID != 0 {
				t.Fatalf("first forward key %+v", nk)
			}
			break
		}
		if i > DefaultRatchetAfter+1 {
			t.Fatal("no NextKey")
		}
	}
	// Repeated until the reverse key comes back.
	d := exchange(t, a, b, "y", garlic.ExistingSession)
	if len(nextKeys(d)) != 1 {
		t.Fatal("forward key not repeated")
	}
	d = exchange(t, b, a, "reverse", garlic.ExistingSession)
	if nks := nextKeys(d); len(nks) != 1 || !nks[0].Reverse || !nks[0].HasKey || nks[0].KeyID != 0 {
		t.Fatalf("reverse %+v", nks)
	}
	d = exchange(t, a, b, "z", garlic.ExistingSession)
	if len(nextKeys(d)) != 0 {
		t.Fatal("forward key still sent after the reverse key")
	}
	if s := primary(a, b); s.send.id != 1 || s.send.nextTag != 2 {
		t.Fatalf("Alice sends on tag set %d index %d", s.send.id, s.send.nextTag)
	}
}

// TestKeyIDProgression follows the table of ecies.rst "DH RATCHET MESSAGE
// FLOW": which side makes a new key for each tag set, and the key IDs on
// the wire.
func TestKeyIDProgression(t *testing.T) {
	const after = 6
	a, b, _ := newPair(t, func(c *Config) { c.RatchetAfter = after })
	establish(t, a, b)
	type want struct {
		fwdKey, fwdRequest bool
		fwdID              uint16
		revKey             bool
		revID              uint16
	}
	table := []want{
		{true, true, 0, true, 0},   // tag set 1: both new keys #0
		{true, false, 1, false, 0}, // 2: sender's new #1, receiver's old #0
		{false, true, 1, true, 1},  // 3: sender's old #1, receiver's new #1
		{true, false, 2, false, 1}, // 4
		{false, true, 2, true, 2},  // 5
	}
	for id, w := range table {
		var fwd garlic.NextKey
		for range 2 * after {
			d := exchange(t, a, b, "x", garlic.ExistingSession)
			if nks := nextKeys(d); len(nks) == 1 {
				fwd = nks[0]
				break
			}
		}
		if fwd.HasKey != w.fwdKey || fwd.RequestReverse != w.fwdRequest || fwd.KeyID != w.fwdID || fwd.Reverse {
			t.Fatalf("tag set %d: forward %+v, want %+v", id+1, fwd, w)
		}
		d := exchange(t, b, a, "reverse", garlic.ExistingSession)
		nks := nextKeys(d)
		if len(nks) != 1 || !nks[0].Reverse || nks[0].HasKey != w.revKey || nks[0].KeyID != w.revID {
			t.Fatalf("tag set %d: reverse %+v, want %+v", id+1, nks, w)
		}
		exchange(t, a, b, "on the new tag set", garlic.ExistingSession)
		if s := primary(a, b); int(s.send.id) != id+1 {
			t.Fatalf("Alice sends on tag set %d, want %d", s.send.id, id+1)
		}
		if s := primary(b, a); s.current == nil || int(s.current.id) != id+1 {
			t.Fatalf("Bob receives on tag set %+v, want %d", s.current, id+1)
		}
	}
}

// TestDHRatchetLongRun sends more than three tag sets' worth of messages
// each way with i2pd's threshold: the DH ratchet turns in both directions
// and the session keeps working.
func TestDHRatchetLongRun(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	a, b, clk := newPair(t, nil)
	establish(t, a, b)
	n := 3*DefaultRatchetAfter + 100
	for i := range n {
		s := fmt.Sprint(i)
		open(t, b, seal(t, a, b, s, SealOptions{}).Body, s)
		open(t, a, seal(t, b, a, s, SealOptions{}).Body, s)
		if i%2000 == 0 {
			clk.Advance(10 * time.Second)
			a.m.Tick()
			b.m.Tick()
		}
	}
	for _, p := range [][2]*peer{{a, b}, {b, a}} {
		s := primary(p[0], p[1])
		if s.send.id != 3 {
			t.Errorf("%s sends on tag set %d after %d messages", p[0].name, s.send.id, n)
		}
		checkInvariants(t, p[0])
		if st := p[0].m.Stats(); st.Tags > DefaultMaxTagsPerSession {
			t.Errorf("%s holds %d tags", p[0].name, st.Tags)
		}
	}
}

// TestDHRatchetLossyLink turns the ratchet many times over a link that
// drops and reorders messages within the look-ahead, both ways.
func TestDHRatchetLossyLink(t *testing.T) {
	a, b, clk := newPair(t, func(c *Config) { c.RatchetAfter = 40 })
	establish(t, a, b)
	rng := rand.New(rand.NewPCG(1, 2))
	sent, delivered := 0, 0
	for round := range 400 {
		for _, dir := range [][2]*peer{{a, b}, {b, a}} {
			p, q := dir[0], dir[1]
			var batch []Sealed
			var texts []string
			for i := range 1 + rng.IntN(12) {
				s := fmt.Sprintf("%d.%d", round, i)
				batch = append(batch, seal(t, p, q, s, SealOptions{}))
				texts = append(texts, s)
				sent++
			}
			order := rng.Perm(len(batch))
			for _, i := range order {
				if rng.IntN(10) == 0 {
					continue // lost
				}
				open(t, q, batch[i].Body, texts[i])
				delivered++
			}
		}
		if round%50 == 0 {
			clk.Advance(5 * time.Second)
			a.m.Tick()
			b.m.Tick()
			checkInvariants(t, a)
			checkInvariants(t, b)
		}
	}
	for _, p := range [][2]*peer{{a, b}, {b, a}} {
		if s := primary(p[0], p[1]); s == nil || s.send.id < 20 {
			t.Errorf("%s: ratchet turned too few times: %+v", p[0].name, s.send)
		}
	}
	t.Logf("%d sent, %d delivered", sent, delivered)
}

// TestGapBeyondLookAhead loses more messages in a row than the look-ahead:
// the next one is found by extending the last tag set, as i2pd does.
func TestGapBeyondLookAhead(t *testing.T) {
	a, b, _ := newPair(t, nil)
	establish(t, a, b)
	for range LookAheadMin + 10 {
		seal(t, a, b, "lost", SealOptions{})
	}
	exchange(t, a, b, "found", garlic.ExistingSession)
	exchange(t, a, b, "next", garlic.ExistingSession)
	checkInvariants(t, b)
}
