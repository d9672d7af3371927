package streaming

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"i2pgate/router/clock"
	"i2pgate/router/clock/clocktest"
	"i2pgate/router/data"
	"i2pgate/router/i2cp"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testEpoch is the start of fake clocks.
var testEpoch = time.Unix(1700000000, 0)

// seededReader is a deterministic io.Reader for keys and stream IDs.
type seededReader struct{ r *rand.ChaCha8 }

func newSeeded(seed byte) *seededReader {
	var s [32]byte
	s[0] = seed
	return &seededReader{rand.NewChaCha8(s)}
}

func (s *seededReader) Read(b []byte) (int, error) { return s.r.Read(b) }

// testKeys returns deterministic X25519/Ed25519 destination keys.
func testKeys(t testing.TB, seed byte) *data.PrivateKeys {
	t.Helper()
	k, err := data.GenerateDestinationKeys(newSeeded(seed), data.CryptoX25519)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testSigner(t testing.TB, k *data.PrivateKeys) data.Signer {
	t.Helper()
	s, err := k.Signer()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// link is an in-memory network between Managers. It frames packets as
// I2CP payloads (compressing SYNs, as i2pd) and can drop, duplicate,
// reorder and delay them, driven by a seeded rand. One goroutine delivers
// in order of submission, so delivery never recurses into the sender.
type link struct {
	clock                clock.Clock
	drop, dup, reorder   float64
	delay                time.Duration
	queue                chan frame
	done                 chan struct{}
	wg                   sync.WaitGroup
	sent, lost, overflow atomic.Int64
	busy                 counter // frames submitted and not yet handled
	submitted            counter // frames ever submitted

	// mu guards the fields below.
	mu struct {
		sync.Mutex
		rnd    *rand.Rand
		peers  map[data.Hash]*Manager
		filter func(f frame) bool // false drops
	}
}

type frame struct {
	from, to *data.Destination
	payload  []byte // I2CP payload
}

func newLink(clk clock.Clock, seed uint64) *link {
	l := &link{clock: clk, queue: make(chan frame, 8192), done: make(chan struct{})}
	l.mu.rnd = rand.New(rand.NewPCG(seed, seed+1))
	l.mu.peers = make(map[data.Hash]*Manager)
	l.wg.Add(1)
	go l.run()
	return l
}

func (l *link) close() {
	close(l.done)
	l.wg.Wait()
}

// advance moves a fake clock forward in steps, letting the link settle
// after each, until done reports true or max has passed; it returns the
// time advanced.
func advance(l *link, clk *clocktest.Fake, step, max time.Duration, done func() bool) time.Duration {
	var total time.Duration
	l.settle()
	for !done() && total < max {
		clk.Advance(step)
		total += step
		l.settle()
	}
	return total
}

func (l *link) setFilter(f func(frame) bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.mu.filter = f
}

// endpoint is the Sender of one Manager on the link.
type endpoint struct {
	l    *link
	from *data.Destination
}

func (e *endpoint) SendPacket(to *data.Destination, srcPort, dstPort uint16, packet []byte) error {
	p, err := Parse(packet)
	syn := err == nil && p.Has(FlagSynchronize)
	b, err := i2cp.EncodePayload(i2cp.ProtoStreaming, srcPort, dstPort, packet, syn)
	if err != nil {
		return err
	}
	e.l.sent.Add(1)
	e.l.busy.Add(1)
	e.l.submitted.Add(1)
	select {
	case e.l.queue <- frame{from: e.from, to: to, payload: b}:
		return nil
	default:
		e.l.busy.Done()
		e.l.overflow.Add(1)
		return errors.New("link: queue full")
	}
}

func (l *link) run() {
	defer l.wg.Done()
	var held *frame
	for {
		var f frame
		select {
		case f = <-l.queue:
		case <-l.done:
			return
		default:
			if held != nil { // nothing to swap with: let it go
				l.deliver(*held)
				held = nil
				continue
			}
			select {
			case f = <-l.queue:
			case <-l.done:
				return
			}
		}
		l.mu.Lock()
		filter := l.mu.filter
		dropIt := l.mu.rnd.Float64() < l.drop
		dupIt := l.mu.rnd.Float64() < l.dup
		holdIt := l.mu.rnd.Float64() < l.reorder
		l.mu.Unlock()
		if dropIt || (filter != nil && !filter(f)) {
			l.lost.Add(1)
			l.busy.Done()
			continue
		}
		if holdIt && held == nil {
			held = &f
			continue
		}
		if dupIt {
			l.busy.Add(1)
			l.deliver(f)
		}
		l.deliver(f)
		if held != nil {
			l.deliver(*held)
			held = nil
		}
	}
}

// deliver hands f over, now or after the link's delay.
func (l *link) deliver(f frame) {
	defer l.busy.Done()
	if l.delay > 0 {
		l.clock.AfterFunc(l.delay, func() { l.handle(f) })
		return
	}
	l.handle(f)
}

// settle waits until every frame sent so far has been handled (or, with
// a delay, scheduled), including the frames their handling sent.
func (l *link) settle() { l.busy.Wait() }

// counter is a WaitGroup that may go back up after reaching zero while
// someone waits.
type counter struct {
	mu   sync.Mutex
	n    int
	zero *sync.Cond
}

func (c *counter) Add(d int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.zero == nil {
		c.zero = sync.NewCond(&c.mu)
	}
	c.n += d
	c.zero.Broadcast()
}

func (c *counter) Done() { c.Add(-1) }

// WaitFor waits until the count reaches n.
func (c *counter) WaitFor(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.zero == nil {
		c.zero = sync.NewCond(&c.mu)
	}
	for c.n < n {
		c.zero.Wait()
	}
}

func (c *counter) Wait() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.n > 0 {
		c.zero.Wait()
	}
}

// decodeFrame parses the streaming packet in a frame.
func decodeFrame(f frame) (*Packet, error) {
	p, err := i2cp.DecodePayload(f.payload)
	if err != nil {
		return nil, err
	}
	return Parse(p.Data)
}

func (l *link) handle(f frame) {
	p, err := i2cp.DecodePayload(f.payload)
	if err != nil || p.Proto != i2cp.ProtoStreaming {
		panic("link: bad I2CP payload")
	}
	if os.Getenv("STREAMING_TRACE") != "" {
		q, _ := Parse(p.Data)
		fmt.Fprintf(os.Stderr, "%s -> %s: snd=%d rcv=%d seq=%d ack=%d nacks=%v flags=%#x len=%d\n",
			f.from.Hash().String()[:4], f.to.Hash().String()[:4], q.SendStreamID, q.ReceiveStreamID, q.Seq, q.AckThrough, q.NACKs, q.Flags, len(q.Payload))
	}
	l.mu.Lock()
	m := l.mu.peers[f.to.Hash()]
	l.mu.Unlock()
	if m != nil {
		m.HandlePacket(p.SrcPort, p.DstPort, p.Data)
	}
}

// node is a Manager on a link.
type node struct {
	m    *Manager
	keys *data.PrivateKeys
	dest *data.Destination
}

func (l *link) add(t testing.TB, seed byte, mod func(*Config)) *node {
	t.Helper()
	keys := testKeys(t, seed)
	cfg := Config{
		Local:  keys.Destination(),
		Signer: testSigner(t, keys),
		Sender: &endpoint{l: l, from: keys.Destination()},
		Clock:  l.clock,
		Rand:   newSeeded(seed + 100),
	}
	if mod != nil {
		mod(&cfg)
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	l.mu.Lock()
	l.mu.peers[keys.Destination().Hash()] = m
	l.mu.Unlock()
	t.Cleanup(func() { m.Close() })
	return &node{m: m, keys: keys, dest: keys.Destination()}
}

// pair returns two nodes on a lossless, instant link with the real clock.
func pair(t testing.TB, mod func(*Config)) (a, b *node, l *link) {
	t.Helper()
	l = newLink(clock.System(), 1)
	t.Cleanup(l.close)
	return l.add(t, 1, mod), l.add(t, 2, mod), l
}

// fakePair is pair on a fake clock.
func fakePair(t testing.TB, mod func(*Config)) (a, b *node, l *link, clk *clocktest.Fake) {
	t.Helper()
	clk = clocktest.New(testEpoch)
	l = newLink(clk, 1)
	t.Cleanup(l.close)
	return l.add(t, 1, mod), l.add(t, 2, mod), l, clk
}

// connect dials b from a on port and accepts it.
func connect(t testing.TB, a, b *node, port uint16) (client, server *Conn) {
	t.Helper()
	ln, err := b.m.Listen(port)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	accepted := make(chan *Conn, 1)
	go func() {
		c, err := ln.AcceptConn()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client, err = a.m.Dial(ctx, b.dest, port)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	return client, server
}

// eventually polls cond with real sleeps until it holds or a deadline
// passes; for state that settles through goroutines of the link.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// readAll reads until EOF or error.
func readAll(c io.Reader) ([]byte, error) {
	var buf bytes.Buffer
	_, err := buf.ReadFrom(c)
	return buf.Bytes(), err
}

// established counts the connections in the open state.
func (m *Manager) established() int {
	m.mu.Lock()
	conns := make([]*Conn, 0, len(m.mu.conns))
	for _, c := range m.mu.conns {
		conns = append(conns, c)
	}
	m.mu.Unlock()
	n := 0
	for _, c := range conns {
		c.mu.Lock()
		if c.mu.state == stateOpen {
			n++
		}
		c.mu.Unlock()
	}
	return n
}

// quiet waits until no connection of m is handing packets to the Sender
// from another goroutine (a Dial's, say), so that a fake-clock test sees
// every packet its Advance causes before it goes on.
func quiet(t testing.TB, m *Manager) {
	t.Helper()
	eventually(t, "senders to finish", func() bool {
		m.mu.Lock()
		conns := make([]*Conn, 0, len(m.mu.conns))
		for _, c := range m.mu.conns {
			conns = append(conns, c)
		}
		m.mu.Unlock()
		for _, c := range conns {
			c.mu.Lock()
			busy := c.mu.sending
			c.mu.Unlock()
			if busy {
				return false
			}
		}
		return true
	})
}
