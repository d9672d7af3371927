package noise

import (
	"bytes"
	"fmt"
	"testing"

	fnoise "github.com/flynn/noise"
)

// party is one side of a handshake: ours or flynn/noise's.
type party interface {
	write(payload []byte) ([]byte, error)
	read(msg []byte) ([]byte, error)
	hash() []byte
	ciphers() (send, recv func(pt []byte) []byte, open func(ct []byte) ([]byte, error))
}

type ourParty struct{ hs *HandshakeState }

func (p *ourParty) write(payload []byte) ([]byte, error) { return p.hs.WriteMessage(nil, payload) }
func (p *ourParty) read(msg []byte) ([]byte, error)      { return p.hs.ReadMessage(nil, msg) }
func (p *ourParty) hash() []byte                         { h := p.hs.Hash(); return h[:] }
func (p *ourParty) ciphers() (func([]byte) []byte, func([]byte) []byte, func([]byte) ([]byte, error)) {
	send, recv, err := p.hs.Split()
	if err != nil {
		panic(err)
	}
	k1, k2, _ := p.hs.SplitKeys()
	enc := func(k [KeySize]byte) func([]byte) []byte {
		return func(pt []byte) []byte {
			out, _ := NewCipherState(k).Encrypt(nil, []byte("ad"), pt)
			return out
		}
	}
	// Split is oriented by role: send must be k1 for the initiator.
	mine := k1
	if !p.hs.initiator {
		mine = k2
	}
	if got, _ := send.Encrypt(nil, []byte("ad"), []byte("x")); !bytes.Equal(got, enc(mine)([]byte("x"))) {
		panic("Split is not oriented by role")
	}
	return enc(k1), enc(k2), func(ct []byte) ([]byte, error) { return recv.Decrypt(nil, []byte("ad"), ct) }
}

type flynnParty struct {
	hs        *fnoise.HandshakeState
	initiator bool
	cs1, cs2  *fnoise.CipherState
}

func (p *flynnParty) write(payload []byte) ([]byte, error) {
	out, c1, c2, err := p.hs.WriteMessage(nil, payload)
	if c1 != nil {
		p.cs1, p.cs2 = c1, c2
	}
	return out, err
}

func (p *flynnParty) read(msg []byte) ([]byte, error) {
	out, c1, c2, err := p.hs.ReadMessage(nil, msg)
	if c1 != nil {
		p.cs1, p.cs2 = c1, c2
	}
	return out, err
}

func (p *flynnParty) hash() []byte { return p.hs.ChannelBinding() }

func (p *flynnParty) ciphers() (func([]byte) []byte, func([]byte) []byte, func([]byte) ([]byte, error)) {
	enc := func(cs *fnoise.CipherState) func([]byte) []byte {
		return func(pt []byte) []byte {
			out, _ := fnoise.UnsafeNewCipherState(Suite(), cs.UnsafeKey(), 0).Encrypt(nil, []byte("ad"), pt)
			return out
		}
	}
	recv := p.cs2
	if !p.initiator {
		recv = p.cs1
	}
	return enc(p.cs1), enc(p.cs2), func(ct []byte) ([]byte, error) { return recv.Decrypt(nil, []byte("ad"), ct) }
}

// keys is the fixed key material of one test handshake.
type keys struct {
	iStatic, rStatic KeyPair
	iEph, rEph       []byte // 32 random bytes each, fed to the key generators
}

func testKeys(t testing.TB, seed byte) keys {
	t.Helper()
	gen := func(b byte) KeyPair {
		kp, err := GenerateKeyPair(bytes.NewReader(bytes.Repeat([]byte{b}, 32)))
		if err != nil {
			t.Fatal(err)
		}
		return kp
	}
	return keys{
		iStatic: gen(seed), rStatic: gen(seed + 1),
		iEph: bytes.Repeat([]byte{seed + 2}, 32), rEph: bytes.Repeat([]byte{seed + 3}, 32),
	}
}

func flynnPattern(p Pattern, name string) fnoise.HandshakePattern {
	var hp fnoise.HandshakePattern
	switch p {
	case PatternN:
		hp = fnoise.HandshakeN
	case PatternXK:
		hp = fnoise.HandshakeXK
	case PatternIK:
		hp = fnoise.HandshakeIK
	}
	if name != "" {
		hp.Name = name
	}
	return hp
}

func newOurs(t *testing.T, p Pattern, initiator bool, k keys, protocol string, prologue []byte) party {
	t.Helper()
	cfg := Config{Pattern: p, Initiator: initiator, Prologue: prologue, ProtocolName: protocol}
	if initiator {
		cfg.PeerStatic = &k.rStatic.Public
		cfg.Rand = bytes.NewReader(k.iEph)
		if p.initiatorHasStatic() {
			cfg.Static = &k.iStatic
		}
	} else {
		cfg.Static = &k.rStatic
		cfg.Rand = bytes.NewReader(k.rEph)
	}
	hs, err := NewHandshakeState(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &ourParty{hs}
}

func newFlynn(t *testing.T, p Pattern, initiator bool, k keys, patternName string, prologue []byte) party {
	t.Helper()
	dk := func(kp KeyPair) fnoise.DHKey {
		return fnoise.DHKey{Private: append([]byte(nil), kp.Private[:]...), Public: append([]byte(nil), kp.Public[:]...)}
	}
	cfg := fnoise.Config{CipherSuite: Suite(), Pattern: flynnPattern(p, patternName), Initiator: initiator, Prologue: prologue}
	if initiator {
		cfg.PeerStatic = k.rStatic.Public[:]
		cfg.Random = bytes.NewReader(k.iEph)
		if p.initiatorHasStatic() {
			cfg.StaticKeypair = dk(k.iStatic)
		}
	} else {
		cfg.StaticKeypair = dk(k.rStatic)
		cfg.Random = bytes.NewReader(k.rEph)
	}
	hs, err := fnoise.NewHandshakeState(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &flynnParty{hs: hs, initiator: initiator}
}

// transcript runs a handshake and records every message and the results.
type transcript struct {
	msgs         [][]byte
	payloads     [][]byte
	iHash, rHash []byte
	iToR, rToI   []byte // a fixed plaintext encrypted with each direction's key
}

func run(t *testing.T, p Pattern, ini, resp party) transcript {
	t.Helper()
	var tr transcript
	n := len(p.messages())
	for i := range n {
		w, r := ini, resp
		if i%2 == 1 {
			w, r = resp, ini
		}
		payload := []byte(fmt.Sprintf("payload %d", i))
		msg, err := w.write(payload)
		if err != nil {
			t.Fatalf("message %d write: %v", i+1, err)
		}
		got, err := r.read(msg)
		if err != nil {
			t.Fatalf("message %d read: %v", i+1, err)
		}
		if !bytes.Equal(got, payload) {
			t.Fatalf("message %d payload %q, want %q", i+1, got, payload)
		}
		tr.msgs = append(tr.msgs, msg)
		tr.payloads = append(tr.payloads, got)
	}
	tr.iHash, tr.rHash = ini.hash(), resp.hash()
	pt := []byte("data phase")
	i1, i2, iOpen := ini.ciphers()
	r1, r2, rOpen := resp.ciphers()
	tr.iToR, tr.rToI = i1(pt), i2(pt)
	if !bytes.Equal(tr.iToR, r1(pt)) || !bytes.Equal(tr.rToI, r2(pt)) {
		t.Fatal("the two sides split different keys")
	}
	// Each side's receiving cipher opens what the other side's key sealed.
	if got, err := rOpen(tr.iToR); err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("responder cannot open initiator data: %v", err)
	}
	if got, err := iOpen(tr.rToI); err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("initiator cannot open responder data: %v", err)
	}
	return tr
}

func sameTranscript(t *testing.T, what string, got, want transcript) {
	t.Helper()
	if len(got.msgs) != len(want.msgs) {
		t.Fatalf("%s: %d messages, want %d", what, len(got.msgs), len(want.msgs))
	}
	for i := range got.msgs {
		if !bytes.Equal(got.msgs[i], want.msgs[i]) {
			t.Errorf("%s: message %d differs:\n got %x\nwant %x", what, i+1, got.msgs[i], want.msgs[i])
		}
	}
	if !bytes.Equal(got.iHash, want.iHash) || !bytes.Equal(got.rHash, want.rHash) || !bytes.Equal(got.iHash, got.rHash) {
		t.Errorf("%s: handshake hashes differ: %x / %x, want %x", what, got.iHash, got.rHash, want.iHash)
	}
	if !bytes.Equal(got.iToR, want.iToR) || !bytes.Equal(got.rToI, want.rToI) {
		t.Errorf("%s: split keys differ", what)
	}
}

// TestEquivalenceWithFlynn runs N, XK and IK with this package and with
// flynn/noise's HandshakeState on the same keys, prologue and payloads:
// flynn against flynn is the reference transcript, and ours against
// flynn (both roles) and ours against ours must reproduce it exactly.
// It also runs I2P's modified protocol names, which flynn produces when
// the pattern name carries the modifiers.
func TestEquivalenceWithFlynn(t *testing.T) {
	cases := []struct {
		pattern   Pattern
		protocol  string // ours; "" is the standard name
		flynnName string // flynn's pattern name giving the same protocol name
		prologue  []byte
	}{
		{PatternN, "", "", nil},
		{PatternN, "", "", []byte("prologue")},
		{PatternXK, "", "", nil},
		{PatternXK, "", "", []byte("some prologue")},
		{PatternIK, "", "", nil},
		{PatternIK, "", "", []byte("p")},
		{PatternXK, ProtocolNTCP2, "XKaesobfse+hs2+hs3", nil},
		{PatternXK, ProtocolSSU2, "XKchaobfse+hs1+hs2+hs3", nil},
		{PatternIK, ProtocolRatchet, "IKelg2+hs2", nil},
		{PatternN, ProtocolN, "N", nil},
	}
	for i, tc := range cases {
		name := fmt.Sprintf("%s/%q/prologue=%q", tc.pattern, tc.protocol, tc.prologue)
		t.Run(name, func(t *testing.T) {
			k := testKeys(t, byte(10*i+1))
			p := tc.pattern
			ref := run(t, p, newFlynn(t, p, true, k, tc.flynnName, tc.prologue), newFlynn(t, p, false, k, tc.flynnName, tc.prologue))
			oursInit := run(t, p, newOurs(t, p, true, k, tc.protocol, tc.prologue), newFlynn(t, p, false, k, tc.flynnName, tc.prologue))
			sameTranscript(t, "ours initiator vs flynn responder", oursInit, ref)
			oursResp := run(t, p, newFlynn(t, p, true, k, tc.flynnName, tc.prologue), newOurs(t, p, false, k, tc.protocol, tc.prologue))
			sameTranscript(t, "flynn initiator vs ours responder", oursResp, ref)
			both := run(t, p, newOurs(t, p, true, k, tc.protocol, tc.prologue), newOurs(t, p, false, k, tc.protocol, tc.prologue))
			sameTranscript(t, "ours vs ours", both, ref)
		})
	}
}
