package noise

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

func newPair(t testing.TB, p Pattern, k keys, ini, resp Config) (*HandshakeState, *HandshakeState) {
	t.Helper()
	ini.Pattern, ini.Initiator, ini.PeerStatic = p, true, &k.rStatic.Public
	if p.initiatorHasStatic() {
		ini.Static = &k.iStatic
	}
	if ini.Rand == nil {
		ini.Rand = bytes.NewReader(k.iEph)
	}
	resp.Pattern, resp.Static = p, &k.rStatic
	if resp.Rand == nil {
		resp.Rand = bytes.NewReader(k.rEph)
	}
	a, err := NewHandshakeState(ini)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewHandshakeState(resp)
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

func TestConfigValidation(t *testing.T) {
	k := testKeys(t, 1)
	tests := []struct {
		name string
		cfg  Config
	}{
		{"unknown pattern", Config{Pattern: 0, Static: &k.rStatic}},
		{"responder without static", Config{Pattern: PatternN}},
		{"XK initiator without static", Config{Pattern: PatternXK, Initiator: true, PeerStatic: &k.rStatic.Public}},
		{"IK initiator without static", Config{Pattern: PatternIK, Initiator: true, PeerStatic: &k.rStatic.Public}},
		{"N initiator without peer static", Config{Pattern: PatternN, Initiator: true}},
	}
	for _, tc := range tests {
		if _, err := NewHandshakeState(tc.cfg); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	if _, err := NewHandshakeState(Config{Pattern: PatternN, Initiator: true, PeerStatic: &k.rStatic.Public}); err != nil {
		t.Errorf("N initiator without static: %v", err)
	}
}

func TestOrderErrors(t *testing.T) {
	k := testKeys(t, 2)
	a, b := newPair(t, PatternXK, k, Config{}, Config{})
	if _, err := b.WriteMessage(nil, nil); err == nil {
		t.Error("responder wrote first")
	}
	if _, err := a.ReadMessage(nil, make([]byte, 64)); err == nil {
		t.Error("initiator read first")
	}
	if _, _, err := a.Split(); err == nil {
		t.Error("split before completion")
	}
	if _, _, err := a.SplitKeys(); err == nil {
		t.Error("split keys before completion")
	}
	for i := range 3 {
		w, r := a, b
		if i == 1 {
			w, r = b, a
		}
		msg, err := w.WriteMessage(nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.ReadMessage(nil, msg); err != nil {
			t.Fatal(err)
		}
	}
	if !a.Complete() || !b.Complete() || a.MessageIndex() != 3 {
		t.Fatal("not complete after 3 messages")
	}
	if _, err := a.WriteMessage(nil, nil); err == nil {
		t.Error("write after completion")
	}
	if _, err := b.ReadMessage(nil, nil); err == nil {
		t.Error("read after completion")
	}
	if rs, ok := b.PeerStatic(); !ok || rs != k.iStatic.Public {
		t.Error("responder did not learn the initiator's static key")
	}
	if re, ok := a.PeerEphemeral(); !ok || re != b.LocalEphemeral().Public {
		t.Error("initiator did not learn the responder's ephemeral key")
	}
}

// A corrupted or truncated message is rejected without changing the
// state, and the genuine message is still accepted afterwards.
func TestReadRollback(t *testing.T) {
	for _, p := range []Pattern{PatternN, PatternXK, PatternIK} {
		t.Run(p.String(), func(t *testing.T) {
			k := testKeys(t, 3)
			a, b := newPair(t, p, k, Config{}, Config{})
			for i := range p.messages() {
				w, r := a, b
				if i%2 == 1 {
					w, r = b, a
				}
				msg, err := w.WriteMessage(nil, []byte("payload"))
				if err != nil {
					t.Fatal(err)
				}
				before := *r
				bads := [][]byte{nil, msg[:31], msg[:len(msg)-1]}
				for j := range msg {
					if j%7 == 0 {
						bad := append([]byte(nil), msg...)
						bad[j] ^= 1
						bads = append(bads, bad)
					}
				}
				for _, bad := range bads {
					if _, err := r.ReadMessage(nil, bad); err == nil {
						t.Fatalf("message %d: bad message of %d bytes accepted", i+1, len(bad))
					}
					if r.Hash() != before.Hash() || r.MessageIndex() != before.MessageIndex() || r.hasRS != before.hasRS {
						t.Fatalf("message %d: failed read changed the state", i+1)
					}
				}
				if _, err := r.ReadMessage(nil, msg); err != nil {
					t.Fatalf("message %d: genuine message rejected after bad ones: %v", i+1, err)
				}
			}
		})
	}
}

func TestLowOrderEphemeralRejected(t *testing.T) {
	k := testKeys(t, 4)
	_, b := newPair(t, PatternN, k, Config{}, Config{})
	msg := make([]byte, DHSize+TagSize) // all-zero "ephemeral key"
	if _, err := b.ReadMessage(nil, msg); err == nil {
		t.Fatal("low-order ephemeral key accepted")
	}
}

// xorEncoder obfuscates keys by XOR with a pad, and rejects the first
// reject keys it sees (to exercise regeneration, as Elligator2 needs).
type xorEncoder struct {
	pad      [DHSize]byte
	reject   int
	rejected int
}

func (x *xorEncoder) EncodeEphemeral(dst []byte, pub *[DHSize]byte) ([]byte, error) {
	if x.rejected < x.reject {
		x.rejected++
		return nil, fmt.Errorf("key %d: %w", x.rejected, ErrEphemeralNotEncodable)
	}
	for i := range pub {
		dst = append(dst, pub[i]^x.pad[i])
	}
	return dst, nil
}

func (x *xorEncoder) DecodeEphemeral(wire *[DHSize]byte) ([DHSize]byte, error) {
	var out [DHSize]byte
	for i := range wire {
		out[i] = wire[i] ^ x.pad[i]
	}
	return out, nil
}

// With an encoder the wire carries the encoded key while h covers the
// plain key: the transcript equals the plain one except for the key bytes.
func TestEphemeralEncoder(t *testing.T) {
	for _, p := range []Pattern{PatternN, PatternXK, PatternIK} {
		t.Run(p.String(), func(t *testing.T) {
			k := testKeys(t, 5)
			plainA, plainB := newPair(t, p, k, Config{}, Config{})
			enc := &xorEncoder{pad: [DHSize]byte{0xde, 0xad, 0xbe, 0xef}}
			encA, encB := newPair(t, p, k, Config{Encoder: enc}, Config{Encoder: enc})
			for i, toks := range p.messages() {
				pw, pr, ew, er := plainA, plainB, encA, encB
				if i%2 == 1 {
					pw, pr, ew, er = plainB, plainA, encB, encA
				}
				pm, _ := pw.WriteMessage(nil, []byte("x"))
				em, err := ew.WriteMessage(nil, []byte("x"))
				if err != nil {
					t.Fatal(err)
				}
				keyLen := 0
				if toks[0] == tokE {
					keyLen = DHSize
					if bytes.Equal(pm[:keyLen], em[:keyLen]) {
						t.Fatalf("message %d: key not encoded", i+1)
					}
				}
				if !bytes.Equal(pm[keyLen:], em[keyLen:]) {
					t.Fatalf("message %d: encoded transcript differs beyond the key", i+1)
				}
				if _, err := pr.ReadMessage(nil, pm); err != nil {
					t.Fatal(err)
				}
				if _, err := er.ReadMessage(nil, em); err != nil {
					t.Fatal(err)
				}
			}
			if encA.Hash() != plainA.Hash() {
				t.Error("handshake hash depends on the encoding")
			}
		})
	}
}

func TestEphemeralRegeneration(t *testing.T) {
	k := testKeys(t, 6)
	always := &xorEncoder{reject: 1 << 20}
	a, err := NewHandshakeState(Config{Pattern: PatternN, Initiator: true, PeerStatic: &k.rStatic.Public, Encoder: always})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.WriteMessage(nil, nil); !errors.Is(err, ErrEphemeralNotEncodable) {
		t.Fatalf("always-rejected keys: err = %v", err)
	}
	if always.rejected != maxEphemeralTries {
		t.Errorf("%d attempts, want %d", always.rejected, maxEphemeralTries)
	}
	if a.MessageIndex() != 0 {
		t.Error("failed write advanced the handshake")
	}

	twice := &xorEncoder{reject: 2}
	rng := &stepReader{}
	b, err := NewHandshakeState(Config{Pattern: PatternN, Initiator: true, PeerStatic: &k.rStatic.Public, Rand: rng, Encoder: twice})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.WriteMessage(nil, nil); err != nil || twice.rejected != 2 {
		t.Fatalf("regeneration: err = %v after %d rejections", err, twice.rejected)
	}
	if got := b.LocalEphemeral().Private[0]; got != 3 {
		t.Errorf("kept the key from read %d, want the third", got)
	}

	// A preset ephemeral key that the encoder rejects is an error, not
	// silently replaced.
	preset := k.iStatic
	c, err := NewHandshakeState(Config{Pattern: PatternN, Initiator: true, PeerStatic: &k.rStatic.Public, Ephemeral: &preset, Rand: rng, Encoder: &xorEncoder{reject: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WriteMessage(nil, nil); !errors.Is(err, ErrEphemeralNotEncodable) {
		t.Fatalf("rejected preset key: err = %v", err)
	}
	// The failed write was rolled back, preset included: the retry uses it.
	c.encoder = &xorEncoder{}
	if _, err := c.WriteMessage(nil, nil); err != nil || c.LocalEphemeral() != preset {
		t.Fatalf("retry: err = %v, preset used = %v", err, c.LocalEphemeral() == preset)
	}
}

// stepReader fills each read with its call number: 1, 2, 3, ...
type stepReader struct{ calls int }

func (r *stepReader) Read(p []byte) (int, error) {
	r.calls++
	for i := range p {
		p[i] = byte(r.calls)
	}
	return len(p), nil
}

// NTCP2-style flow: MixHash of message padding between messages (hs2,
// hs3) keeps both sides in step, and a mismatch breaks the next message.
func TestMixHashBetweenMessages(t *testing.T) {
	k := testKeys(t, 7)
	a, b := newPair(t, PatternXK, k, Config{ProtocolName: ProtocolNTCP2}, Config{ProtocolName: ProtocolNTCP2})
	m1, _ := a.WriteMessage(nil, make([]byte, 16))
	if _, err := b.ReadMessage(nil, m1); err != nil {
		t.Fatal(err)
	}
	a.MixHash([]byte("padding 1"))
	b.MixHash([]byte("padding 1"))
	m2, _ := b.WriteMessage(nil, make([]byte, 16))
	if _, err := a.ReadMessage(nil, m2); err != nil {
		t.Fatal(err)
	}
	a.MixHash([]byte("padding 2"))
	b.MixHash([]byte("padding X"))
	m3, _ := a.WriteMessage(nil, []byte("router info"))
	if _, err := b.ReadMessage(nil, m3); err == nil {
		t.Fatal("message 3 accepted despite different hs3 data")
	}
}

func FuzzReadMessage(f *testing.F) {
	seedKeys := func() keys {
		gen := func(b byte) KeyPair {
			kp, _ := GenerateKeyPair(bytes.NewReader(bytes.Repeat([]byte{b}, 32)))
			return kp
		}
		return keys{iStatic: gen(1), rStatic: gen(2), iEph: bytes.Repeat([]byte{3}, 32), rEph: bytes.Repeat([]byte{4}, 32)}
	}
	k := seedKeys()
	a, _ := newPair(f, PatternIK, k, Config{}, Config{})
	good, _ := a.WriteMessage(nil, []byte("hello"))
	f.Add(uint8(PatternIK), good)
	f.Add(uint8(PatternXK), good[:48])
	f.Add(uint8(PatternN), []byte{})
	f.Fuzz(func(t *testing.T, pat uint8, msg []byte) {
		p := Pattern(pat%3 + 1)
		_, b := newPair(t, p, k, Config{}, Config{})
		before := b.Hash()
		if _, err := b.ReadMessage(nil, msg); err != nil && b.Hash() != before {
			t.Fatal("failed read changed the state")
		}
	})
}

func BenchmarkHandshakeXK(b *testing.B) {
	k := testKeys(b, 8)
	b.ReportAllocs()
	for b.Loop() {
		ini, err := NewHandshakeState(Config{Pattern: PatternXK, Initiator: true, ProtocolName: ProtocolNTCP2, Static: &k.iStatic, PeerStatic: &k.rStatic.Public})
		if err != nil {
			b.Fatal(err)
		}
		resp, _ := NewHandshakeState(Config{Pattern: PatternXK, ProtocolName: ProtocolNTCP2, Static: &k.rStatic})
		for i := range 3 {
			w, r := ini, resp
			if i == 1 {
				w, r = resp, ini
			}
			msg, err := w.WriteMessage(nil, make([]byte, 16))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := r.ReadMessage(nil, msg); err != nil {
				b.Fatal(err)
			}
		}
		if _, _, err := ini.Split(); err != nil {
			b.Fatal(err)
		}
	}
}
