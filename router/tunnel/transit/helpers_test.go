package transit

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/crypto"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/tunnel/build"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var testNow = time.Date(2026, 11, 25, 12, 34, 56, 0, time.UTC)

// testRouter is a router simulated by the test, or the identity of ours.
type testRouter struct {
	id   *build.Identity
	peer build.Peer
}

func newRouter(t testing.TB) testRouter {
	t.Helper()
	var h data.Hash
	var k crypto.X25519PrivateKey
	crand.Read(h[:])
	crand.Read(k[:])
	id := build.NewIdentity(h, k)
	return testRouter{id: id, peer: build.Peer{Hash: h, Key: id.Key.Public, Short: true}}
}

func (r testRouter) long() build.Peer {
	p := r.peer
	p.Short = false
	return p
}

// sent is one message our Manager handed to the Sender.
type sent struct {
	to  data.Hash
	msg i2np.Message
}

// fakeSender captures sent messages; fail makes SendMessage fail.
type fakeSender struct {
	ch   chan sent
	mu   sync.Mutex
	fail bool
}

func newSender() *fakeSender { return &fakeSender{ch: make(chan sent, 1024)} }

func (s *fakeSender) SendMessage(ctx context.Context, to data.Hash, msg i2np.Message) error {
	s.mu.Lock()
	fail := s.fail
	s.mu.Unlock()
	if fail {
		return context.DeadlineExceeded
	}
	// Keep a copy, as a transport would have encoded it.
	msg.Payload = bytes.Clone(msg.Payload)
	select {
	case s.ch <- sent{to, msg}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *fakeSender) next(t testing.TB) sent {
	t.Helper()
	select {
	case m := <-s.ch:
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("nothing sent")
	}
	return sent{}
}

func (s *fakeSender) none(t testing.TB) {
	t.Helper()
	select {
	case m := <-s.ch:
		t.Fatalf("unexpected message %v to %x", m.msg.Type, m.to[:4])
	case <-time.After(50 * time.Millisecond):
	}
}

// fakeWrap stands for router garlic: it prefixes the inner message with
// the key and tag so that the test can check them.
func fakeWrap(key [32]byte, tag [build.GarlicTagSize]byte, msg i2np.Message) (i2np.Message, error) {
	b := append(tag[:], key[:]...)
	b, err := msg.AppendStandard(b)
	if err != nil {
		return i2np.Message{}, err
	}
	return i2np.NewMessage(i2np.Garlic{Data: b}, 7, msg.Expiration)
}

func unwrap(t testing.TB, m i2np.Message) (key [32]byte, tag [build.GarlicTagSize]byte, inner i2np.Message) {
	t.Helper()
	if m.Type != i2np.TypeGarlic {
		t.Fatalf("wrapped reply is %v", m.Type)
	}
	g, err := i2np.ParseGarlic(m.Payload)
	if err != nil || len(g.Data) < 40 {
		t.Fatalf("garlic %v", err)
	}
	copy(tag[:], g.Data)
	copy(key[:], g.Data[8:])
	inner, rest, err := i2np.ParseStandard(g.Data[40:])
	if err != nil || len(rest) != 0 {
		t.Fatalf("inner %v", err)
	}
	return key, tag, inner
}

// env is a Manager under test with its fake clock, sender and identity.
type env struct {
	m      *Manager
	self   testRouter
	clk    *clocktest.Fake
	sender *fakeSender
	local  chan i2np.Message
}

func newEnv(t testing.TB, tweak func(*Config)) *env {
	t.Helper()
	e := &env{
		self:   newRouter(t),
		clk:    clocktest.New(testNow),
		sender: newSender(),
		local:  make(chan i2np.Message, 64),
	}
	cfg := Config{
		Identity:  e.self.id,
		Sender:    e.sender,
		WrapReply: fakeWrap,
		Local: func(m i2np.Message) {
			select {
			case e.local <- m:
			default:
			}
		},
		Clock: e.clk,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	e.m = m
	return e
}

// msgOf wraps a build payload as the router hands it to us.
func (e *env) msgOf(t testing.TB, p i2np.Payload, id uint32) i2np.Message {
	t.Helper()
	m, err := i2np.NewMessage(p, id, e.clk.Now().Add(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// decode parses a captured message's payload.
func decode(t testing.TB, m i2np.Message) i2np.Payload {
	t.Helper()
	p, err := m.Decode()
	if err != nil {
		t.Fatalf("decode %v: %v", m.Type, err)
	}
	return p
}

// hopReply opens msg as simulated router r and answers with status.
func hopReply(t testing.TB, r testRouter, p i2np.Payload, status build.Status) (i2np.Payload, *build.Request, build.Keys) {
	t.Helper()
	switch m := p.(type) {
	case i2np.ShortTunnelBuild:
		h, err := build.OpenShort(r.id, m)
		if err != nil {
			t.Fatal(err)
		}
		out, err := h.Reply(status, data.Mapping{})
		if err != nil {
			t.Fatal(err)
		}
		return out, &h.Request.Request, h.Keys
	case i2np.VariableTunnelBuild:
		h, err := build.OpenLong(r.id, m)
		if err != nil {
			t.Fatal(err)
		}
		out, err := h.Reply(status, data.Mapping{})
		if err != nil {
			t.Fatal(err)
		}
		return out, &h.Request.Request, h.Keys
	}
	t.Fatalf("hop got %T", p)
	return nil, nil, build.Keys{}
}

func layerOf(k build.Keys) *crypto.TunnelLayer { return crypto.NewTunnelLayer(&k.Layer, &k.IV) }

func layersOf(p *build.Pending) []*crypto.TunnelLayer {
	var ls []*crypto.TunnelLayer
	for _, h := range p.Hops {
		ls = append(ls, layerOf(h.Keys))
	}
	return ls
}

func testMessage(t testing.TB, n int, id uint32) i2np.Message {
	t.Helper()
	b := make([]byte, n)
	crand.Read(b)
	m, err := i2np.NewMessage(i2np.Data{Data: b}, id, testNow.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func e0clock() *clocktest.Fake { return clocktest.New(testNow) }
