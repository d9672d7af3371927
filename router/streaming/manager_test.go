package streaming

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"i2pgate/router/data"
)

// TestHalfClose: the client sends a request and CloseWrite; the server
// reads to EOF, then answers on its still open side.
func TestHalfClose(t *testing.T) {
	a, b, _ := pair(t, nil)
	client, server := connect(t, a, b, 80)
	req := []byte("GET / HTTP/1.0\r\n\r\n")
	resp := bytes.Repeat([]byte("response "), 3000)
	done := make(chan error, 1)
	go func() {
		got, err := readAll(server)
		if err != nil || !bytes.Equal(got, req) {
			done <- fmt.Errorf("server read %q, %v", got, err)
			return
		}
		if _, err := server.Write(resp); err != nil {
			done <- err
			return
		}
		done <- server.Close()
	}()
	if _, err := client.Write(req); err != nil {
		t.Fatal(err)
	}
	if err := client.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Write([]byte("more")); !errors.Is(err, ErrClosed) {
		t.Fatalf("write after CloseWrite: %v", err)
	}
	got, err := readAll(client)
	if err != nil || !bytes.Equal(got, resp) {
		t.Fatalf("client read %d bytes, %v", len(got), err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Both CLOSEs are ACKed: the connections stop counting without Close.
	eventually(t, "TIME_WAIT", func() bool { return a.m.Stats().Conns == 0 && b.m.Stats().Conns == 0 })
	client.Close()
}

func TestRefused(t *testing.T) {
	a, b, _ := pair(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := a.m.Dial(ctx, b.dest, 81); !errors.Is(err, ErrRefused) {
		t.Fatalf("dial without a listener: %v", err)
	}
	if st := b.m.Stats(); st.Refused != 1 || st.Conns != 0 {
		t.Fatalf("server stats %+v", st)
	}
	// A listener on port 0 takes every port.
	ln, err := b.m.Listen(0)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if _, err := b.m.Listen(0); !errors.Is(err, ErrPortInUse) {
		t.Fatalf("second listener: %v", err)
	}
	c, err := a.m.Dial(ctx, b.dest, 81)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ln.AcceptConn()
	if err != nil || s.LocalAddr().(Addr).Port != 81 {
		t.Fatalf("accept: %v", err)
	}
	c.Close()
	s.Close()
}

// TestReset: closing a Manager resets its connections; the peer's Read and
// Write fail with ErrReset.
func TestReset(t *testing.T) {
	a, b, _ := pair(t, nil)
	client, server := connect(t, a, b, 80)
	readErr := make(chan error, 1)
	go func() {
		_, err := io.ReadAll(client)
		readErr <- err
	}()
	b.m.Close()
	if err := <-readErr; !errors.Is(err, ErrReset) {
		t.Fatalf("client read: %v", err)
	}
	if _, err := client.Write([]byte("x")); !errors.Is(err, ErrReset) {
		t.Fatalf("client write: %v", err)
	}
	if _, err := server.Read(make([]byte, 1)); !errors.Is(err, ErrClosed) {
		t.Fatalf("server read after Manager.Close: %v", err)
	}
	if _, err := b.m.Dial(context.Background(), a.dest, 1); !errors.Is(err, ErrClosed) {
		t.Fatalf("dial after Close: %v", err)
	}
	if _, err := b.m.Listen(5); !errors.Is(err, ErrClosed) {
		t.Fatalf("listen after Close: %v", err)
	}
	eventually(t, "client to drop the connection", func() bool { return a.m.Stats().Conns == 0 })
}

// TestDataAfterClose: data arriving after Close resets the connection.
func TestDataAfterClose(t *testing.T) {
	a, b, _ := pair(t, nil)
	client, server := connect(t, a, b, 80)
	server.Close()
	_, err := client.Write(make([]byte, 100))
	for i := 0; err == nil && i < 1000; i++ {
		time.Sleep(time.Millisecond)
		_, err = client.Write(make([]byte, 100))
	}
	if !errors.Is(err, ErrReset) {
		t.Fatalf("writing to a closed peer: %v", err)
	}
}

func TestListenerClose(t *testing.T) {
	a, b, _ := pair(t, nil)
	ln, err := b.m.Listen(80)
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.m.Dial(context.Background(), b.dest, 80)
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan error, 1)
	go func() {
		_, err := ln.Accept()
		accepted <- err
	}()
	<-accepted
	go func() {
		_, err := ln.Accept()
		accepted <- err
	}()
	ln.Close()
	if err := <-accepted; !errors.Is(err, ErrClosed) {
		t.Fatalf("accept after close: %v", err)
	}
	if ln.Addr().String() != data.B32Address(b.dest.Hash())+":80" {
		t.Fatalf("listener addr %v", ln.Addr())
	}
	c.Close()
	// Unaccepted connections are reset when the listener closes.
	ln2, _ := b.m.Listen(81)
	c2, err := a.m.Dial(context.Background(), b.dest, 81)
	if err != nil {
		t.Fatal(err)
	}
	ln2.Close()
	if _, err := c2.Read(make([]byte, 1)); !errors.Is(err, ErrReset) {
		t.Fatalf("read on a connection its listener dropped: %v", err)
	}
}

func TestLimits(t *testing.T) {
	a, b, _ := pair(t, func(c *Config) { c.MaxConnsPerPeer = 2; c.MaxConns = 3 })
	c := a.add(t, 3, nil) // a third node, also limited
	_ = c
	ln, err := b.m.Listen(80)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				io.Copy(io.Discard, c)
				c.Close()
			}()
		}
	}()
	ctx := context.Background()
	var conns []*Conn
	for range 2 {
		cn, err := a.m.Dial(ctx, b.dest, 80)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, cn)
	}
	// The dialer's own per-peer limit.
	if _, err := a.m.Dial(ctx, b.dest, 80); !errors.Is(err, ErrLimit) {
		t.Fatalf("third dial from a: %v", err)
	}
	// The listener's limits: 2 per peer, 3 in all.
	d := a.add(t, 4, func(c *Config) { c.MaxConnsPerPeer = 8 })
	for i := range 2 {
		cn, err := d.m.Dial(ctx, b.dest, 80)
		if i == 0 && err != nil {
			t.Fatal(err)
		}
		if i == 1 && !errors.Is(err, ErrRefused) {
			t.Fatalf("dial over the server's global limit: %v", err)
		}
		if cn != nil {
			conns = append(conns, cn)
		}
	}
	// Closing frees a slot once the close completes.
	conns[0].Close()
	eventually(t, "a slot to free", func() bool { return b.m.Stats().Conns < 3 })
	cn, err := d.m.Dial(ctx, b.dest, 80)
	if err != nil {
		t.Fatalf("dial after a close: %v", err)
	}
	conns = append(conns, cn)
	for _, cn := range conns {
		cn.Close()
	}
}

// a.add adds another node to the link a is on.
func (n *node) add(t *testing.T, seed byte, mod func(*Config)) *node {
	return n.m.s.Sender.(*endpoint).l.add(t, seed, mod)
}

func TestManyStreams(t *testing.T) {
	const streams, size = 32, 48 << 10
	a, b, _ := pair(t, func(c *Config) { c.MaxConnsPerPeer, c.AcceptBacklog = streams, streams })
	ln, err := b.m.Listen(7)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				io.Copy(c, c)
				c.Close()
			}()
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, streams)
	for i := range streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := a.m.Dial(context.Background(), b.dest, 7)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			msg := randBytes(uint64(i), size)
			go func() {
				c.Write(msg)
				c.CloseWrite()
			}()
			got, err := readAll(c)
			if err != nil || !bytes.Equal(got, msg) {
				errs <- fmt.Errorf("stream %d: %d bytes, %v", i, len(got), err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func randBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 99))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestPing(t *testing.T) {
	a, b, _ := pair(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := a.m.Ping(ctx, b.dest, 0); err != nil {
		t.Fatalf("ping: %v", err)
	}
	c := a.add(t, 3, func(c *Config) { c.IgnorePings = true })
	short, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	if _, err := a.m.Ping(short, c.dest, 0); !errors.Is(err, ErrTimeout) {
		t.Fatalf("ping to a silent node: %v", err)
	}
}

// TestBackPressure: a reader that does not read makes the writer block
// with both buffers full; reading everything then gets all data in order.
func TestBackPressure(t *testing.T) {
	const size = 400 << 10
	a, b, _ := pair(t, func(c *Config) { c.SendBuffer = MinBuffer; c.ReceiveBuffer = 2 * MinBuffer })
	client, server := connect(t, a, b, 80)
	msg := randBytes(5, size)
	wrote := make(chan error, 1)
	go func() {
		_, err := client.Write(msg)
		client.Close()
		wrote <- err
	}()
	eventually(t, "the receive buffer to fill", func() bool {
		server.mu.Lock()
		defer server.mu.Unlock()
		return server.mu.recv.bytes >= MinBuffer
	})
	server.mu.Lock()
	held := server.mu.recv.bytes + server.mu.recv.oooBytes
	server.mu.Unlock()
	if held > 2*2*MinBuffer {
		t.Fatalf("receiver holds %d bytes, limit %d", held, 2*MinBuffer)
	}
	select {
	case err := <-wrote:
		t.Fatalf("write of %d bytes finished into full buffers: %v", size, err)
	default:
	}
	got, err := readAll(server)
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("read %d bytes, %v", len(got), err)
	}
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	server.Close()
}

// TestLossyTransfer moves 20 MB over a link that drops and duplicates 1%
// of the packets and reorders 5%, and checks the SHA-256 at the end.
func TestLossyTransfer(t *testing.T) {
	size := 20 << 20
	if testing.Short() {
		size = 2 << 20
	}
	a, b, l := pair(t, func(c *Config) { c.SendBuffer, c.ReceiveBuffer = 128<<10, 128<<10 })
	l.drop, l.dup, l.reorder = 0.01, 0.01, 0.05
	client, server := connect(t, a, b, 80)
	want := sha256.New()
	go func() {
		r := rand.New(rand.NewPCG(7, 7))
		buf := make([]byte, 32<<10)
		for sent := 0; sent < size; sent += len(buf) {
			for i := range buf {
				buf[i] = byte(r.Uint32())
			}
			want.Write(buf)
			if _, err := client.Write(buf); err != nil {
				t.Error(err)
				return
			}
		}
		client.Close()
	}()
	got := sha256.New()
	n, err := io.Copy(got, server)
	if err != nil || n != int64(size) {
		t.Fatalf("received %d bytes, %v", n, err)
	}
	if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Fatal("SHA-256 differs")
	}
	server.Close()
	st := a.m.Stats()
	t.Logf("sent %d packets, %d resent; link lost %d; receiver dropped %d", st.PacketsSent, st.PacketsResent, l.lost.Load(), b.m.Stats().PacketsDropped)
}
