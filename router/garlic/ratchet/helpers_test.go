package ratchet

import (
	"strings"
	"testing"
	"time"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/crypto"
	"i2pgate/router/garlic"
	"i2pgate/router/i2np"
)

var testStart = time.Unix(1700000000, 0)

// peer is one side of a test: a Manager and its static key.
type peer struct {
	name string
	m    *Manager
	key  crypto.X25519KeyPair
}

func newPeer(t testing.TB, name string, clk *clocktest.Fake, tweak func(*Config)) *peer {
	t.Helper()
	key, err := crypto.GenerateX25519(nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Static: key, Clock: clk}
	if tweak != nil {
		tweak(&cfg)
	}
	p := &peer{name: name, m: NewManager(cfg), key: key}
	t.Cleanup(func() { p.m.Close() })
	return p
}

func newPair(t testing.TB, tweak func(*Config)) (a, b *peer, clk *clocktest.Fake) {
	t.Helper()
	clk = clocktest.New(testStart)
	return newPeer(t, "alice", clk, tweak), newPeer(t, "bob", clk, tweak), clk
}

// blocks is one Data clove carrying text.
func blocks(text string) []garlic.Block {
	return []garlic.Block{garlic.Clove{
		Delivery: garlic.Delivery{Type: garlic.DeliveryLocal},
		Message:  i2np.Message{Type: i2np.TypeData, ID: 7, Expiration: testStart.Add(time.Minute), Payload: []byte(text)},
	}}
}

// text joins the clove payloads of d.
func text(d Decrypted) string {
	var parts []string
	for _, c := range d.Cloves() {
		parts = append(parts, string(c.Message.Payload))
	}
	return strings.Join(parts, "|")
}

// seal makes a message from p to q.
func seal(t testing.TB, p, q *peer, s string, opts SealOptions) Sealed {
	t.Helper()
	out, err := p.m.Seal(&q.key.Public, blocks(s), opts)
	if err != nil {
		t.Fatalf("%s seals %q: %v", p.name, s, err)
	}
	return out
}

// open delivers body to q and checks that it carries s.
func open(t testing.TB, q *peer, body []byte, s string) Decrypted {
	t.Helper()
	d, err := q.m.Decrypt(body)
	if err != nil {
		t.Fatalf("%s decrypts %q: %v", q.name, s, err)
	}
	if got := text(d); got != s {
		t.Fatalf("%s got %q, want %q", q.name, got, s)
	}
	return d
}

// exchange sends s from p to q and returns what q decrypted, checking the
// kind of message.
func exchange(t testing.TB, p, q *peer, s string, kind garlic.Kind) Decrypted {
	t.Helper()
	out := seal(t, p, q, s, SealOptions{})
	if out.Kind != kind {
		t.Fatalf("%s -> %s %q: %v, want %v", p.name, q.name, s, out.Kind, kind)
	}
	d := open(t, q, out.Body, s)
	if d.Kind != kind {
		t.Fatalf("%s decrypted %v, want %v", q.name, d.Kind, kind)
	}
	return d
}

// establish runs NS, NSR, ES, ES between a and b.
func establish(t testing.TB, a, b *peer) {
	t.Helper()
	exchange(t, a, b, "ns", garlic.NewSession)
	exchange(t, b, a, "nsr", garlic.NewSessionReply)
	exchange(t, a, b, "es-ab", garlic.ExistingSession)
	exchange(t, b, a, "es-ba", garlic.ExistingSession)
}

// primary returns p's session with q (test-only peek).
func primary(p, q *peer) *session {
	p.m.mu.Lock()
	defer p.m.mu.Unlock()
	return p.m.mu.byRemote[q.key.Public]
}

// checkInvariants verifies the Manager's bookkeeping: every table entry
// points into a live window of a counted session, and the counts agree.
func checkInvariants(t testing.TB, p *peer) {
	t.Helper()
	m := p.m
	m.mu.Lock()
	defer m.mu.Unlock()
	total := 0
	for s := range m.mu.all {
		live := 0
		for _, ts := range s.recv {
			if ts.sess != s {
				t.Fatalf("%s: tag set of another session", p.name)
			}
			n := 0
			for i, sl := range ts.window {
				if !sl.live {
					continue
				}
				n++
				ref, ok := m.mu.tags[sl.tag]
				if !ok || ref.ts != ts || int(ref.idx) != ts.base+i {
					t.Fatalf("%s: live tag %d not in the table", p.name, ts.base+i)
				}
			}
			if n != ts.live {
				t.Fatalf("%s: tag set counts %d live tags, has %d", p.name, ts.live, n)
			}
			if len(ts.window) > m.lim.maxPerTagSet {
				t.Fatalf("%s: window %d over %d", p.name, len(ts.window), m.lim.maxPerTagSet)
			}
			for j := range ts.skipped {
				if j < ts.base || j >= ts.nextKey {
					t.Fatalf("%s: skipped key %d outside [%d, %d)", p.name, j, ts.base, ts.nextKey)
				}
			}
			live += n
		}
		if live != s.live {
			t.Fatalf("%s: session counts %d live tags, has %d", p.name, s.live, live)
		}
		if s.live > m.lim.maxPerSession {
			t.Fatalf("%s: session has %d tags, cap %d", p.name, s.live, m.lim.maxPerSession)
		}
		if s.primary != (m.mu.byRemote[s.remote] == s) {
			t.Fatalf("%s: primary flag disagrees with byRemote", p.name)
		}
		total += live
	}
	if total != len(m.mu.tags) {
		t.Fatalf("%s: %d tags in sessions, %d in the table", p.name, total, len(m.mu.tags))
	}
	for _, s := range m.mu.byRemote {
		if _, ok := m.mu.all[s]; !ok {
			t.Fatalf("%s: primary session not counted", p.name)
		}
	}
	if len(m.mu.all) > m.lim.maxSessions {
		t.Fatalf("%s: %d sessions, cap %d", p.name, len(m.mu.all), m.lim.maxSessions)
	}
}
