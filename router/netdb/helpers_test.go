package netdb

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
)

// t0 is the fake clock's start: 2026-11-25 12:00 UTC.
var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// testRouter is a router identity that signs RouterInfos.
type testRouter struct {
	keys   *data.PrivateKeys
	signer data.Signer
	hash   data.Hash
	ri     *data.RouterInfo
}

type riOpts struct {
	floodfill bool
	host      string
	netID     string
	caps      string
}

func newTestRouter(t testing.TB, published time.Time, o riOpts) *testRouter {
	t.Helper()
	keys, err := data.GenerateRouterKeys(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := keys.Signer()
	if err != nil {
		t.Fatal(err)
	}
	r := &testRouter{keys: keys, signer: s, hash: keys.RouterIdentity().Hash()}
	r.ri = r.sign(t, published, o)
	return r
}

var hostSeq struct {
	sync.Mutex
	n int
}

// nextHost returns a distinct public address.
func nextHost() string {
	hostSeq.Lock()
	defer hostSeq.Unlock()
	hostSeq.n++
	return fmt.Sprintf("45.%d.%d.7", hostSeq.n/250, hostSeq.n%250+1)
}

func (r *testRouter) sign(t testing.TB, published time.Time, o riOpts) *data.RouterInfo {
	t.Helper()
	if o.host == "" {
		o.host = nextHost()
	}
	if o.netID == "" {
		o.netID = "2"
	}
	if o.caps == "" {
		o.caps = "XR"
		if o.floodfill {
			o.caps = "XfR"
		}
	}
	var aopts data.Mapping
	must(t, aopts.Set(data.OptionHost, o.host))
	must(t, aopts.Set(data.OptionPort, "12345"))
	must(t, aopts.Set(data.OptionVersion, "2"))
	addr := &data.RouterAddress{Cost: 3, Transport: data.TransportNTCP2, Options: aopts}
	var opts data.Mapping
	must(t, opts.Set(data.OptionCaps, o.caps))
	must(t, opts.Set(data.OptionNetID, o.netID))
	must(t, opts.Set(data.OptionRouterVersion, "0.9.62"))
	ri, err := data.NewRouterInfo(r.keys.RouterIdentity(), published, []*data.RouterAddress{addr}, opts, r.signer)
	if err != nil {
		t.Fatal(err)
	}
	return ri
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// handler is what the fake network delivers to.
type handler interface {
	Handle(from data.Hash, msg i2np.Message) bool
}

// fakeNet is an in-memory message network between NetDBs and recorders.
type fakeNet struct {
	mu    sync.Mutex
	nodes map[data.Hash]handler
}

func newFakeNet() *fakeNet { return &fakeNet{nodes: map[data.Hash]handler{}} }

func (f *fakeNet) add(h data.Hash, n handler) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nodes[h] = n
}

// endpoint is one router's Sender on the fake network.
type endpoint struct {
	net  *fakeNet
	self data.Hash
}

var errNoRoute = errors.New("fakenet: no such router")

func (e endpoint) SendMessage(ctx context.Context, to data.Hash, msg i2np.Message) error {
	e.net.mu.Lock()
	n := e.net.nodes[to]
	e.net.mu.Unlock()
	if n == nil {
		return errNoRoute
	}
	// Messages cross the wire: the receiver gets its own copy.
	msg.Payload = append([]byte(nil), msg.Payload...)
	n.Handle(e.self, msg)
	return nil
}

// recorder is a fake peer that keeps what it receives.
type recorder struct {
	ch chan received
}

type received struct {
	from data.Hash
	msg  i2np.Message
}

func newRecorder() *recorder { return &recorder{ch: make(chan received, 256)} }

func (r *recorder) Handle(from data.Hash, msg i2np.Message) bool {
	r.ch <- received{from: from, msg: msg}
	return true
}

// next waits for a message of type typ, skipping others.
func (r *recorder) next(t testing.TB, typ i2np.Type) received {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case m := <-r.ch:
			if m.msg.Type == typ {
				return m
			}
		case <-deadline:
			t.Fatalf("no %v received", typ)
		}
	}
}

// none checks that no message of type typ arrives within a short while.
func (r *recorder) none(t testing.TB, typ i2np.Type) {
	t.Helper()
	deadline := time.After(100 * time.Millisecond)
	for {
		select {
		case m := <-r.ch:
			if m.msg.Type == typ {
				t.Fatalf("unexpected %v", typ)
			}
		case <-deadline:
			return
		}
	}
}

// waitFor polls cond for up to 5 s of real time.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// node is a NetDB under test with its identity.
type node struct {
	*testRouter
	db *NetDB
}

type nodeOpts struct {
	floodfill bool
	cfg       func(*Config)
}

func newNode(t testing.TB, net *fakeNet, clk *clocktest.Fake, o nodeOpts) *node {
	t.Helper()
	r := newTestRouter(t, clk.Now(), riOpts{floodfill: o.floodfill})
	cfg := Config{
		Self: r.hash, Sender: endpoint{net: net, self: r.hash}, Floodfill: o.floodfill,
		Clock: clk, ReservedRange: true, MinRouters: 2, MinFloodfills: 1,
	}
	if o.cfg != nil {
		o.cfg(&cfg)
	}
	db, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	net.add(r.hash, db)
	return &node{testRouter: r, db: db}
}

// storeMsg builds a DatabaseStore message of ri.
func storeMsg(t testing.TB, ri *data.RouterInfo, token uint32, tunnel uint32, gw data.Hash) i2np.Message {
	t.Helper()
	gz, err := i2np.CompressRouterInfo(ri.Bytes())
	must(t, err)
	ds := i2np.DatabaseStore{Key: ri.Hash(), StoreType: i2np.StoreRouterInfo, ReplyToken: token,
		ReplyTunnelID: tunnel, ReplyGateway: gw, Data: gz}
	m, err := i2np.NewMessage(ds, 1, t0.Add(time.Minute))
	must(t, err)
	return m
}

func message(t testing.TB, p i2np.Payload) i2np.Message {
	t.Helper()
	m, err := i2np.NewMessage(p, 7, t0.Add(time.Minute))
	must(t, err)
	return m
}

func decode[P i2np.Payload](t testing.TB, m i2np.Message) P {
	t.Helper()
	p, err := m.Decode()
	must(t, err)
	v, ok := p.(P)
	if !ok {
		t.Fatalf("got %T", p)
	}
	return v
}

var _ = netip.Addr{}

// randReader is crypto/rand as a value type.
type randReader struct{}

func (randReader) Read(b []byte) (int, error) { return rand.Read(b) }
