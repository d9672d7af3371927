package ntcp2

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/transport"
)

// pair is an Alice and a Bob ready to handshake.
type pair struct {
	alice, bob *testRouter
	ini        *Initiator
	resp       *Responder
}

type pairOpts struct {
	aliceNetID, bobNetID uint8
	aliceClock, bobClock *clocktest.Fake
	aliceRI              []byte
	replay               *ReplayCache
	seed                 uint64
}

var testEpoch = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func newPair(t testing.TB, o pairOpts) *pair {
	t.Helper()
	if o.aliceNetID == 0 {
		o.aliceNetID = testNetID
	}
	if o.bobNetID == 0 {
		o.bobNetID = testNetID
	}
	if o.aliceClock == nil {
		o.aliceClock = clocktest.New(testEpoch)
	}
	if o.bobClock == nil {
		o.bobClock = clocktest.New(testEpoch)
	}
	p := &pair{
		alice: newTestRouter(t, o.seed*2+1, routerOpts{published: testEpoch.Add(-time.Minute)}),
		bob:   newTestRouter(t, o.seed*2+2, routerOpts{published: testEpoch.Add(-time.Minute)}),
	}
	ri := o.aliceRI
	if ri == nil {
		ri = p.alice.ri.Bytes()
	}
	var err error
	p.ini, err = NewInitiator(InitiatorConfig{
		NetID: o.aliceNetID, Static: p.alice.static, RouterInfo: ri,
		PeerHash: p.bob.hash, PeerStatic: p.bob.static.Public, PeerIV: p.bob.iv,
		Clock: o.aliceClock, Rand: seeded(o.seed*2 + 100),
	})
	if err != nil {
		t.Fatal(err)
	}
	p.resp, err = NewResponder(ResponderConfig{
		NetID: o.bobNetID, Static: p.bob.static, RouterHash: p.bob.hash, IV: p.bob.iv,
		Clock: o.bobClock, Rand: seeded(o.seed*2 + 101), Replay: o.replay,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// tamper may modify a message in flight: stage 1, 2 or 3.
type tamper func(stage int, msg []byte) []byte

// run performs the handshake over byte slices, as the transport does.
func (p *pair) run(tm tamper) (*Confirmed, error) {
	if tm == nil {
		tm = func(_ int, m []byte) []byte { return m }
	}
	m1, err := p.ini.CreateSessionRequest()
	if err != nil {
		return nil, err
	}
	m1 = tm(1, m1)
	if len(m1) < SessionRequestSize {
		return nil, ErrSize
	}
	pad, err := p.resp.ConsumeSessionRequest(m1[:SessionRequestSize])
	if err != nil {
		return nil, err
	}
	if len(m1) != SessionRequestSize+pad {
		return nil, ErrSize
	}
	if err := p.resp.ConsumePadding(m1[SessionRequestSize:]); err != nil {
		return nil, err
	}
	m2, err := p.resp.CreateSessionCreated()
	if err != nil {
		return nil, err
	}
	m2 = tm(2, m2)
	if len(m2) < SessionCreatedSize {
		return nil, ErrSize
	}
	pad, err = p.ini.ConsumeSessionCreated(m2[:SessionCreatedSize])
	if err != nil {
		return nil, err
	}
	if len(m2) != SessionCreatedSize+pad {
		return nil, ErrSize
	}
	if err := p.ini.ConsumePadding(m2[SessionCreatedSize:]); err != nil {
		return nil, err
	}
	m3, err := p.ini.CreateSessionConfirmed()
	if err != nil {
		return nil, err
	}
	m3 = tm(3, m3)
	if len(m3) < ConfirmedPart1Size {
		return nil, ErrSize
	}
	return p.resp.ConsumeSessionConfirmed(m3[:ConfirmedPart1Size], m3[ConfirmedPart1Size:])
}

func TestHandshake(t *testing.T) {
	for seed := range uint64(8) {
		p := newPair(t, pairOpts{seed: seed})
		c, err := p.run(nil)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if c.RouterInfo.Hash() != p.alice.hash || c.Flood {
			t.Errorf("seed %d: confirmed %v flood %v", seed, c.RouterInfo.Hash(), c.Flood)
		}
		ka, err := p.ini.Keys()
		if err != nil {
			t.Fatal(err)
		}
		kb, err := p.resp.Keys()
		if err != nil {
			t.Fatal(err)
		}
		if ka.SendKey != kb.RecvKey || ka.RecvKey != kb.SendKey || ka.SendSipKeys != kb.RecvSipKeys || ka.RecvSipKeys != kb.SendSipKeys {
			t.Errorf("seed %d: keys do not cross", seed)
		}
		if ka.SendKey == ka.RecvKey || ka.SendSipKeys == ka.RecvSipKeys {
			t.Errorf("seed %d: directions share keys", seed)
		}
		if !p.ini.PeerTime().Equal(testEpoch) || !p.resp.PeerTime().Equal(testEpoch) {
			t.Errorf("seed %d: peer times %v %v", seed, p.ini.PeerTime(), p.resp.PeerTime())
		}
	}
}

// TestMessageSizes checks the sizes i2pd 2.45.1 enforces: messages 1 and 2
// at most 287 bytes, message 3 of exactly 48 + m3p2len bytes.
func TestMessageSizes(t *testing.T) {
	for seed := range uint64(16) {
		p := newPair(t, pairOpts{seed: seed})
		_, err := p.run(func(stage int, m []byte) []byte {
			switch stage {
			case 1, 2:
				if len(m) > 287 || len(m) < 64 {
					t.Errorf("message %d of %d bytes", stage, len(m))
				}
			case 3:
				if len(m) != ConfirmedPart1Size+p.ini.M3P2Len() {
					t.Errorf("message 3 of %d bytes, m3p2len %d", len(m), p.ini.M3P2Len())
				}
			}
			return m
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestDataPhaseKDF checks the data phase keys against the KDF of ntcp2.rst
// written out step by step with HMAC-SHA256.
func TestDataPhaseKDF(t *testing.T) {
	mac := func(key []byte, parts ...[]byte) []byte {
		m := hmac.New(sha256.New, key)
		for _, p := range parts {
			m.Write(p)
		}
		return m.Sum(nil)
	}
	var ck, h [32]byte
	for i := range ck {
		ck[i], h[i] = byte(i), byte(0xff-i)
	}
	temp := mac(ck[:])
	kab := mac(temp, []byte{1})
	kba := mac(temp, kab, []byte{2})
	askMaster := mac(temp, []byte("ask"), []byte{1})
	temp = mac(askMaster, h[:], []byte("siphash"))
	sipMaster := mac(temp, []byte{1})
	temp = mac(sipMaster)
	sipab := mac(temp, []byte{1})
	sipba := mac(temp, sipab, []byte{2})

	a := dataPhaseKeys(ck, h, true)
	b := dataPhaseKeys(ck, h, false)
	checks := []struct {
		name      string
		got, want []byte
	}{
		{"alice send", a.SendKey[:], kab}, {"alice recv", a.RecvKey[:], kba},
		{"alice send sip", a.SendSipKeys[:], sipab[:24]}, {"alice recv sip", a.RecvSipKeys[:], sipba[:24]},
		{"bob send", b.SendKey[:], kba}, {"bob recv", b.RecvKey[:], kab},
		{"bob send sip", b.SendSipKeys[:], sipba[:24]}, {"bob recv sip", b.RecvSipKeys[:], sipab[:24]},
	}
	for _, c := range checks {
		if !bytes.Equal(c.got, c.want) {
			t.Errorf("%s: %x, want %x", c.name, c.got, c.want)
		}
	}
}

func TestHandshakeRejects(t *testing.T) {
	late := clocktest.New(testEpoch.Add(2 * time.Minute))
	early := clocktest.New(testEpoch.Add(-61 * time.Second))
	tests := []struct {
		name   string
		o      pairOpts
		want   error
		reason transport.Reason
	}{
		{"wrong netid", pairOpts{aliceNetID: 2}, ErrNetID, transport.ReasonMessage1Error},
		{"alice late", pairOpts{aliceClock: late}, ErrClockSkew, transport.ReasonClockSkew},
		{"alice early", pairOpts{aliceClock: early}, ErrClockSkew, transport.ReasonClockSkew},
		{"bob late", pairOpts{bobClock: clocktest.New(testEpoch.Add(90 * time.Second))}, ErrClockSkew, transport.ReasonClockSkew},
	}
	for _, tc := range tests {
		p := newPair(t, tc.o)
		_, err := p.run(nil)
		if !errors.Is(err, tc.want) || ReasonOf(err, 255) != tc.reason {
			t.Errorf("%s: %v (reason %v), want %v", tc.name, err, ReasonOf(err, 255), tc.want)
		}
	}
	// Within the allowed skew both ways.
	for _, d := range []time.Duration{59 * time.Second, -59 * time.Second} {
		p := newPair(t, pairOpts{aliceClock: clocktest.New(testEpoch.Add(d))})
		if _, err := p.run(nil); err != nil {
			t.Errorf("skew %v: %v", d, err)
		}
	}
}

func TestRequestOptionChecks(t *testing.T) {
	r := &Responder{}
	r.netID = testNetID
	tests := []struct {
		o    RequestOptions
		want error
	}{
		{RequestOptions{NetID: testNetID, Version: 2, M3P2Len: 100}, nil},
		{RequestOptions{NetID: 0, Version: 2, M3P2Len: 100}, nil},
		{RequestOptions{NetID: 2, Version: 2, M3P2Len: 100}, ErrNetID},
		{RequestOptions{NetID: testNetID, Version: 1, M3P2Len: 100}, ErrVersion},
		{RequestOptions{NetID: testNetID, Version: 3, M3P2Len: 100}, ErrVersion},
		{RequestOptions{NetID: testNetID, Version: 2, M3P2Len: MinM3P2Size - 1}, ErrSize},
		{RequestOptions{NetID: testNetID, Version: 2, M3P2Len: MaxM3P2Size + 1}, ErrSize},
		{RequestOptions{NetID: testNetID, Version: 2, M3P2Len: 100, PadLen: MaxHandshakePadding + 1}, ErrSize},
	}
	for _, tc := range tests {
		err := r.checkRequest(tc.o)
		if (tc.want == nil) != (err == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("%+v: %v, want %v", tc.o, err, tc.want)
		}
	}
}

func TestReplay(t *testing.T) {
	cache := NewReplayCache(4)
	p := newPair(t, pairOpts{replay: cache})
	m1, err := p.ini.CreateSessionRequest()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.resp.ConsumeSessionRequest(m1[:SessionRequestSize]); err != nil {
		t.Fatal(err)
	}
	// The same message 1 to a second responder of the same router.
	q := newPair(t, pairOpts{replay: cache})
	if _, err := q.resp.ConsumeSessionRequest(m1[:SessionRequestSize]); !errors.Is(err, ErrReplay) {
		t.Errorf("replayed message 1: %v", err)
	}
}

func TestReplayCache(t *testing.T) {
	c := NewReplayCache(2)
	k := func(b byte) [32]byte { return [32]byte{b} }
	now := testEpoch
	if c.Seen(k(1), now) || !c.Seen(k(1), now.Add(time.Second)) {
		t.Error("duplicate not seen")
	}
	if c.Seen(k(1), now.Add(ReplayLifetime+2*time.Second)) {
		t.Error("expired entry still seen")
	}
	c.Seen(k(2), now)
	c.Seen(k(3), now) // evicts the oldest
	if c.Len() != 2 {
		t.Errorf("len %d", c.Len())
	}
	if c.Seen(k(1), now.Add(3*time.Minute)) {
		t.Error("evicted key seen")
	}
}

// TestTamper flips every byte of every message, one at a time: the
// handshake must fail cleanly, at the latest when the next message is read.
func TestTamper(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	lengths := map[int]int{}
	p := newPair(t, pairOpts{seed: 3})
	if _, err := p.run(func(stage int, m []byte) []byte { lengths[stage] = len(m); return m }); err != nil {
		t.Fatal(err)
	}
	for stage := 1; stage <= 3; stage++ {
		for pos := range lengths[stage] {
			p := newPair(t, pairOpts{seed: 3})
			_, err := p.run(func(s int, m []byte) []byte {
				if s == stage {
					m[pos] ^= 0x40
				}
				return m
			})
			if err == nil {
				t.Fatalf("message %d byte %d: tampering not detected", stage, pos)
			}
		}
	}
}

func TestTruncated(t *testing.T) {
	p := newPair(t, pairOpts{})
	if _, err := p.resp.ConsumeSessionRequest(make([]byte, SessionRequestSize-1)); !errors.Is(err, ErrSize) {
		t.Errorf("short message 1: %v", err)
	}
	p = newPair(t, pairOpts{})
	m1, _ := p.ini.CreateSessionRequest()
	if _, err := p.ini.ConsumeSessionCreated(m1[:SessionCreatedSize-1]); !errors.Is(err, ErrSize) {
		t.Errorf("short message 2: %v", err)
	}
	for _, cut := range []int{1, 16, 100} {
		p = newPair(t, pairOpts{})
		_, err := p.run(func(s int, m []byte) []byte {
			if s == 3 {
				return m[:len(m)-cut]
			}
			return m
		})
		if !errors.Is(err, ErrSize) {
			t.Errorf("message 3 cut by %d: %v", cut, err)
		}
	}
}

func TestOrder(t *testing.T) {
	p := newPair(t, pairOpts{})
	if _, err := p.ini.CreateSessionConfirmed(); !errors.Is(err, ErrOrder) {
		t.Error(err)
	}
	if _, err := p.resp.CreateSessionCreated(); !errors.Is(err, ErrOrder) {
		t.Error(err)
	}
	if _, err := p.ini.Keys(); !errors.Is(err, ErrOrder) {
		t.Error(err)
	}
	if _, err := p.resp.ConsumeSessionConfirmed(nil, nil); !errors.Is(err, ErrOrder) {
		t.Error(err)
	}
	if _, err := p.ini.CreateSessionRequest(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.ini.CreateSessionRequest(); !errors.Is(err, ErrOrder) {
		t.Error(err)
	}
}

func TestPeerRouterInfoChecks(t *testing.T) {
	other := [32]byte{9}
	alice := newTestRouter(t, 1, routerOpts{}) // same seed as newPair's Alice
	tests := []struct {
		name   string
		ri     func() []byte
		reason transport.Reason
	}{
		{"wrong s", func() []byte {
			return alice.buildRI(t, routerOpts{published: testEpoch, static: &other}).Bytes()
		}, transport.ReasonBadStaticKey},
		{"too old", func() []byte {
			return alice.buildRI(t, routerOpts{published: testEpoch.Add(-91 * time.Minute)}).Bytes()
		}, transport.ReasonMessage3Error},
		{"future", func() []byte {
			return alice.buildRI(t, routerOpts{published: testEpoch.Add(10 * time.Minute)}).Bytes()
		}, transport.ReasonMessage3Error},
		{"wrong netId", func() []byte {
			return alice.buildRI(t, routerOpts{published: testEpoch, netID: 2}).Bytes()
		}, transport.ReasonMessage3Error},
		{"bad signature", func() []byte {
			b := bytes.Clone(alice.buildRI(t, routerOpts{published: testEpoch}).Bytes())
			b[len(b)-1] ^= 1
			return b
		}, transport.ReasonBadRISignature},
		{"garbage", func() []byte { return []byte("not a router info") }, transport.ReasonMessage3Error},
	}
	for _, tc := range tests {
		p := newPair(t, pairOpts{aliceRI: tc.ri()})
		_, err := p.run(nil)
		if !errors.Is(err, ErrPeerRI) || ReasonOf(err, 255) != tc.reason {
			t.Errorf("%s: %v (reason %v), want %v", tc.name, err, ReasonOf(err, 255), tc.reason)
		}
		if _, kerr := p.resp.Keys(); kerr != nil {
			t.Errorf("%s: keys unavailable after authenticated message 3", tc.name)
		}
	}
}
