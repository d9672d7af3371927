package datagram

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"i2pgate/router/data"
)

// TestExchange wires two Managers through the in-memory network and sends
// datagrams both ways in every format, answering each to the address
// ReadFrom returned.
func TestExchange(t *testing.T) {
	for _, proto := range []uint8{ProtoDatagram, ProtoDatagram2, ProtoDatagram3} {
		t.Run(fmt.Sprint(proto), func(t *testing.T) {
			n := newNetwork()
			a, b := newPeer(t, n, 1, Config{}), newPeer(t, n, 2, Config{})
			ca := listen(t, a.m, ListenConfig{Port: 1000, Proto: proto})
			cb := listen(t, b.m, ListenConfig{Port: 2000, Proto: proto})
			to := Addr{Hash: b.keys.Destination().Hash(), Port: 2000}
			for i := range 3 {
				msg := fmt.Appendf(nil, "ping %d", i)
				if _, err := ca.WriteTo(msg, to); err != nil {
					t.Fatal(err)
				}
				buf := make([]byte, 100)
				nr, from, err := cb.ReadFrom(buf)
				if err != nil {
					t.Fatal(err)
				}
				fa := from.(Addr)
				if !bytes.Equal(buf[:nr], msg) || fa.Hash != a.keys.Destination().Hash() || fa.Port != 1000 || fa.Proto != proto {
					t.Fatalf("b got %q from %+v", buf[:nr], fa)
				}
				if fa.Authenticated() != (proto != ProtoDatagram3) {
					t.Fatalf("authenticated %v for protocol %d", fa.Authenticated(), proto)
				}
				// Answer to what ReadFrom said.
				if _, err := cb.WriteTo(append(msg, " pong"...), from); err != nil {
					t.Fatal(err)
				}
				p, back, err := ca.ReadDatagram()
				if err != nil {
					t.Fatal(err)
				}
				if string(p) != string(msg)+" pong" || back.Hash != b.keys.Destination().Hash() || back.Port != 2000 {
					t.Fatalf("a got %q from %+v", p, back)
				}
			}
			if s := a.m.Stats(); s.Sent != 3 || s.Delivered != 3 || s.Conns != 1 {
				t.Errorf("a stats %+v", s)
			}
		})
	}
}

// TestRawExchange sends raw datagrams: the receiver learns only the
// source port and cannot answer through the address.
func TestRawExchange(t *testing.T) {
	n := newNetwork()
	a, b := newPeer(t, n, 3, Config{}), newPeer(t, n, 4, Config{})
	ca, err := a.m.Listen(7, false)
	if err != nil {
		t.Fatal(err)
	}
	defer ca.Close()
	cb, err := b.m.Listen(9, true)
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Close()
	if _, err := ca.WriteTo([]byte("raw"), Addr{Hash: b.keys.Destination().Hash(), Port: 9}); err != nil {
		t.Fatal(err)
	}
	p, from, err := cb.ReadDatagram()
	if err != nil {
		t.Fatal(err)
	}
	if string(p) != "raw" || !from.Hash.IsZero() || from.Port != 7 || from.Proto != ProtoRaw || from.Authenticated() {
		t.Fatalf("got %q from %+v", p, from)
	}
	if from.String() != ":7" {
		t.Errorf("raw sender String %q, want \":7\"", from.String())
	}
	if _, err := cb.WriteTo([]byte("x"), from); !errors.Is(err, ErrNoAddress) {
		t.Errorf("answer to a raw sender: %v, want ErrNoAddress", err)
	}
	// b's Conn sends repliable datagrams: a learns who b is.
	if _, err := cb.WriteTo([]byte("signed"), Addr{Dest: a.keys.Destination(), Port: 7}); err != nil {
		t.Fatal(err)
	}
	_, from, err = ca.ReadDatagram()
	if err != nil || from.Dest == nil || from.Dest.Hash() != b.keys.Destination().Hash() || from.Proto != ProtoDatagram {
		t.Fatalf("a got from %+v: %v", from, err)
	}
}

func TestPorts(t *testing.T) {
	n := newNetwork()
	a, b := newPeer(t, n, 5, Config{}), newPeer(t, n, 6, Config{})
	sender := listen(t, a.m, ListenConfig{Port: 1, Proto: ProtoRaw})
	exact := listen(t, b.m, ListenConfig{Port: 53})
	send := func(port uint16) {
		t.Helper()
		if _, err := sender.WriteTo(fmt.Append(nil, port), Addr{Hash: b.keys.Destination().Hash(), Port: port}); err != nil {
			t.Fatal(err)
		}
	}
	send(54) // nobody listens, no wildcard yet
	if s := b.m.Stats(); s.NoListener != 1 || s.Delivered != 0 {
		t.Fatalf("stats %+v", s)
	}
	any := listen(t, b.m, ListenConfig{Port: 0})
	send(53)
	send(54)
	send(0)
	if p, _, err := exact.ReadDatagram(); err != nil || string(p) != "53" {
		t.Fatalf("port 53 got %q, %v", p, err)
	}
	for _, want := range []string{"54", "0"} {
		if p, _, err := any.ReadDatagram(); err != nil || string(p) != want {
			t.Fatalf("wildcard got %q, %v; want %s", p, err, want)
		}
	}
	if _, err := b.m.Listen(53, true); !errors.Is(err, ErrPortInUse) {
		t.Errorf("second Listen on 53: %v", err)
	}
	exact.Close()
	send(53) // now the wildcard's
	if p, _, err := any.ReadDatagram(); err != nil || string(p) != "53" {
		t.Fatalf("after close, wildcard got %q, %v", p, err)
	}
	again, err := b.m.Listen(53, true) // the port is free again
	if err != nil {
		t.Fatal(err)
	}
	again.Close()
}

func TestAuthenticatedOnly(t *testing.T) {
	n := newNetwork()
	a, b := newPeer(t, n, 7, Config{}), newPeer(t, n, 8, Config{})
	strict := listen(t, b.m, ListenConfig{Port: 5, AuthenticatedOnly: true})
	to := Addr{Hash: b.keys.Destination().Hash(), Port: 5}
	for i, proto := range []uint8{ProtoRaw, ProtoDatagram3, ProtoDatagram, ProtoDatagram2} {
		c := listen(t, a.m, ListenConfig{Port: uint16(10 + i), Proto: proto})
		if _, err := c.WriteTo([]byte{proto}, to); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []uint8{ProtoDatagram, ProtoDatagram2} {
		p, from, err := strict.ReadDatagram()
		if err != nil || p[0] != want || !from.Authenticated() {
			t.Fatalf("got %v from %+v (%v), want protocol %d", p, from, err, want)
		}
	}
	if s := b.m.Stats(); s.Unauthenticated != 2 || s.Delivered != 2 {
		t.Errorf("stats %+v", s)
	}
}

func TestQueueOverflow(t *testing.T) {
	n := newNetwork()
	a := newPeer(t, n, 9, Config{})
	b := newPeer(t, n, 10, Config{QueueSize: 3, QueueBytes: 250})
	c := listen(t, a.m, ListenConfig{Port: 1})
	r := listen(t, b.m, ListenConfig{Port: 2})
	to := Addr{Hash: b.keys.Destination().Hash(), Port: 2}
	send := func(size int) {
		t.Helper()
		if _, err := c.WriteTo(bytes.Repeat([]byte{byte(size)}, size), to); err != nil {
			t.Fatal(err)
		}
	}
	// By count: three fit, the fourth is dropped.
	for range 4 {
		send(10)
	}
	if r.Drops() != 1 || b.m.Stats().QueueFull != 1 {
		t.Fatalf("drops %d, stats %+v", r.Drops(), b.m.Stats())
	}
	for range 3 {
		if p, _, err := r.ReadDatagram(); err != nil || len(p) != 10 {
			t.Fatalf("read %d bytes: %v", len(p), err)
		}
	}
	// By bytes: 200 + 100 > 250, but an empty queue takes even 300.
	send(200)
	send(100)
	send(40)
	if r.Drops() != 2 {
		t.Fatalf("drops %d after byte bound", r.Drops())
	}
	for _, want := range []int{200, 40} {
		if p, _, err := r.ReadDatagram(); err != nil || len(p) != want {
			t.Fatalf("read %d bytes, want %d: %v", len(p), want, err)
		}
	}
	send(300)
	if p, _, err := r.ReadDatagram(); err != nil || len(p) != 300 {
		t.Fatalf("oversized datagram on an empty queue: %d bytes, %v", len(p), err)
	}
	if s := b.m.Stats(); s.Received != 8 || s.Delivered != 6 || s.QueueFull != 2 {
		t.Errorf("stats %+v", s)
	}
}

// TestHandlePayloadDrops feeds HandlePayload what the router might pass:
// garbage, unknown protocols, forged signatures. Nothing is queued,
// everything counted, nothing panics.
func TestHandlePayloadDrops(t *testing.T) {
	n := newNetwork()
	a, b := newPeer(t, n, 11, Config{}), newPeer(t, n, 12, Config{})
	c := listen(t, b.m, ListenConfig{Port: 0})
	good, err := BuildRepliable(testSigner(t, a.keys), a.keys.Destination(), []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	forged := bytes.Clone(good)
	forged[len(forged)-1] ^= 1
	d2other, err := BuildDatagram2(testSigner(t, a.keys), a.keys.Destination().Hash(), &Datagram2{From: a.keys.Destination()})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		proto uint8
		b     []byte
	}{
		{ProtoDatagram, nil},
		{ProtoDatagram, []byte{1, 2, 3}},
		{ProtoDatagram, forged},
		{ProtoDatagram, good[:len(good)-2]},
		{ProtoDatagram2, good},
		{ProtoDatagram2, d2other}, // signed for another target
		{ProtoDatagram3, []byte{1}},
		{ProtoDatagram3, make([]byte, 40)}, // zero sender
		{ProtoRaw, make([]byte, MaxSize+1)},
		{6, good},
		{0, good},
		{255, nil},
	}
	for _, tc := range cases {
		b.m.HandlePayload(tc.proto, 1, 2, tc.b)
	}
	if s := b.m.Stats(); s.Invalid != uint64(len(cases)) || s.Delivered != 0 {
		t.Fatalf("stats %+v", s)
	}
	b.m.HandlePayload(ProtoDatagram, 1, 2, good)
	b.m.HandlePayload(ProtoRaw, 1, 2, nil) // an empty raw datagram is a datagram
	for _, want := range []string{"x", ""} {
		p, _, err := c.ReadDatagram()
		if err != nil || string(p) != want {
			t.Fatalf("got %q, %v; want %q", p, err, want)
		}
	}
}

// TestHandlePayloadCopies checks that the queued payload does not alias
// the router's buffer.
func TestHandlePayloadCopies(t *testing.T) {
	n := newNetwork()
	b := newPeer(t, n, 13, Config{})
	c := listen(t, b.m, ListenConfig{Port: 0})
	buf := []byte("original")
	b.m.HandlePayload(ProtoRaw, 0, 0, buf)
	copy(buf, "XXXXXXXX")
	if p, _, err := c.ReadDatagram(); err != nil || string(p) != "original" {
		t.Fatalf("got %q, %v", p, err)
	}
}

func TestManagerClose(t *testing.T) {
	n := newNetwork()
	b := newPeer(t, n, 14, Config{})
	c1 := listen(t, b.m, ListenConfig{Port: 1})
	c2 := listen(t, b.m, ListenConfig{Port: 2})
	done := make(chan error)
	go func() {
		_, _, err := c1.ReadFrom(make([]byte, 10))
		done <- err
	}()
	if err := b.m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Fatalf("blocked ReadFrom after Close: %v", err)
	}
	if _, _, err := c2.ReadFrom(nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("ReadFrom on closed conn: %v", err)
	}
	if _, err := c2.WriteTo([]byte("x"), Addr{Hash: data.Hash{1}}); !errors.Is(err, ErrClosed) {
		t.Fatalf("WriteTo on closed conn: %v", err)
	}
	if _, err := b.m.Listen(3, false); !errors.Is(err, ErrClosed) {
		t.Fatalf("Listen after Close: %v", err)
	}
	b.m.HandlePayload(ProtoRaw, 0, 1, []byte("late"))
	if s := b.m.Stats(); s.Conns != 0 || s.NoListener != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestConfig(t *testing.T) {
	k, other := testKeys(t, 15), testKeys(t, 16)
	n := newNetwork()
	if _, err := New(Config{Local: k.Destination()}); err == nil {
		t.Error("no Sender accepted")
	}
	if _, err := New(Config{Sender: n}); err == nil {
		t.Error("no Local accepted")
	}
	if _, err := New(Config{Local: k.Destination(), Sender: n, Signer: testSigner(t, other)}); !errors.Is(err, data.ErrKeyMismatch) {
		t.Errorf("foreign Signer: %v", err)
	}
	// Without a Signer only unsigned formats can be sent.
	m, err := New(Config{Local: k.Destination(), Sender: n})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, proto := range []uint8{ProtoDatagram, ProtoDatagram2} {
		if _, err := m.ListenWith(ListenConfig{Port: 1, Proto: proto}); !errors.Is(err, ErrInvalid) {
			t.Errorf("protocol %d without Signer: %v", proto, err)
		}
	}
	if _, err := m.ListenWith(ListenConfig{Port: 1, Proto: 6}); !errors.Is(err, ErrInvalid) {
		t.Errorf("protocol 6: %v", err)
	}
	for _, proto := range []uint8{ProtoRaw, ProtoDatagram3} {
		c, err := m.ListenWith(ListenConfig{Port: 1, Proto: proto})
		if err != nil {
			t.Fatalf("protocol %d without Signer: %v", proto, err)
		}
		c.Close()
	}
}

// TestOfflineKeys: a destination with offline keys sends Datagram2 signed
// by its transient key and cannot send Datagram1.
func TestOfflineKeys(t *testing.T) {
	n := newNetwork()
	k, transient, _ := offlineKeys(t, 17, time.Now().Add(time.Hour))
	off, err := data.NewOfflineSignature(time.Now().Add(time.Hour), transient.Public(), testSigner(t, k))
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(Config{Local: k.Destination(), Signer: transient, Offline: off, Sender: n})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	n.attach(k.Destination().Hash(), m)
	if _, err := m.Listen(1, true); !errors.Is(err, ErrOffline) {
		t.Fatalf("Datagram1 from offline keys: %v", err)
	}
	if _, err := New(Config{Local: k.Destination(), Signer: testSigner(t, k), Offline: off, Sender: n}); !errors.Is(err, data.ErrKeyMismatch) {
		t.Fatalf("long-term Signer with Offline: %v", err)
	}
	c := listen(t, m, ListenConfig{Port: 1, Proto: ProtoDatagram2})
	b := newPeer(t, n, 18, Config{})
	r := listen(t, b.m, ListenConfig{Port: 2})
	if _, err := c.WriteTo([]byte("offline"), Addr{Hash: b.keys.Destination().Hash(), Port: 2}); err != nil {
		t.Fatal(err)
	}
	p, from, err := r.ReadDatagram()
	if err != nil || string(p) != "offline" || from.Hash != k.Destination().Hash() || !from.Authenticated() {
		t.Fatalf("got %q from %+v: %v", p, from, err)
	}
	if want := len(k.Destination().Bytes()) + 2 + 6 + 32 + 64 + 64; c.MaxPayload() != DefaultMaxSize-want {
		t.Errorf("MaxPayload %d, want %d", c.MaxPayload(), DefaultMaxSize-want)
	}
}

func TestSendErrors(t *testing.T) {
	k := testKeys(t, 19)
	fail := senderFunc(func(data.Hash, uint8, uint16, uint16, []byte) error { return errors.New("queue full") })
	m, err := New(Config{Local: k.Destination(), Signer: testSigner(t, k), Sender: fail, MaxSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	c := listen(t, m, ListenConfig{Port: 1})
	to := Addr{Hash: data.Hash{1}, Port: 2}
	if _, err := c.WriteTo([]byte("x"), to); err == nil || errors.Is(err, ErrTooLarge) {
		t.Fatalf("failing Sender: %v", err)
	}
	max := c.MaxPayload()
	if max != 1000-k.Destination().Len()-64 {
		t.Fatalf("MaxPayload %d", max)
	}
	if _, err := c.WriteTo(make([]byte, max+1), to); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over MaxSize: %v", err)
	}
	if s := m.Stats(); s.SendErrors != 1 || s.Sent != 0 {
		t.Fatalf("stats %+v", s)
	}
}

type senderFunc func(to data.Hash, proto uint8, srcPort, dstPort uint16, datagram []byte) error

func (f senderFunc) SendDatagram(to data.Hash, proto uint8, srcPort, dstPort uint16, datagram []byte) error {
	return f(to, proto, srcPort, dstPort, datagram)
}

// TestSenderKeepsDatagram checks that WriteTo hands the Sender a slice it
// may keep: the caller reusing its buffer does not change it.
func TestSenderKeepsDatagram(t *testing.T) {
	k := testKeys(t, 20)
	var kept [][]byte
	keep := senderFunc(func(_ data.Hash, _ uint8, _, _ uint16, dg []byte) error {
		kept = append(kept, dg)
		return nil
	})
	m, err := New(Config{Local: k.Destination(), Signer: testSigner(t, k), Sender: keep})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	buf := []byte("first")
	for _, proto := range []uint8{ProtoRaw, ProtoDatagram3} {
		c := listen(t, m, ListenConfig{Port: uint16(proto), Proto: proto})
		if _, err := c.WriteTo(buf, Addr{Hash: data.Hash{1}}); err != nil {
			t.Fatal(err)
		}
	}
	copy(buf, "XXXXX")
	for _, dg := range kept {
		if !bytes.HasSuffix(dg, []byte("first")) {
			t.Fatalf("kept datagram changed: %q", dg)
		}
	}
}

// TestConcurrent runs senders, readers and HandlePayload callers at once
// (for the race detector) and checks nothing is lost that was queued.
func TestConcurrent(t *testing.T) {
	n := newNetwork()
	a := newPeer(t, n, 21, Config{})
	b := newPeer(t, n, 22, Config{QueueSize: 1 << 12, QueueBytes: 1 << 20})
	r := listen(t, b.m, ListenConfig{Port: 9})
	const senders, each = 4, 50
	var wg sync.WaitGroup
	for i := range senders {
		c := listen(t, a.m, ListenConfig{Port: uint16(100 + i), Proto: []uint8{ProtoDatagram, ProtoRaw, ProtoDatagram2, ProtoDatagram3}[i]})
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range each {
				if _, err := c.WriteTo(fmt.Append(nil, j), Addr{Hash: b.keys.Destination().Hash(), Port: 9}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	// The readers close r when the last datagram is read; a lost one
	// leaves them waiting and the test failing on its timeout.
	var read atomic.Int64
	done := make(chan struct{}, 2)
	for range 2 {
		go func() {
			defer func() { done <- struct{}{} }()
			for {
				if _, _, err := r.ReadDatagram(); err != nil {
					return
				}
				if read.Add(1) == senders*each {
					r.Close()
				}
			}
		}()
	}
	wg.Wait()
	if s := b.m.Stats(); s.Delivered != senders*each || s.QueueFull != 0 {
		t.Errorf("stats %+v", s)
	}
	for range 2 {
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("read %d of %d datagrams", read.Load(), senders*each)
		}
	}
}
