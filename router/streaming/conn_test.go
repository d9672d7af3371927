package streaming

import (
	"bytes"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"i2pgate/router/data"
)

func TestConnectEcho(t *testing.T) {
	a, b, _ := pair(t, nil)
	client, server := connect(t, a, b, 80)
	if got, want := client.RemoteAddr().String(), data.B32Address(b.dest.Hash())+":80"; got != want {
		t.Errorf("client remote %s, want %s", got, want)
	}
	if got := server.RemoteAddr().(Addr); got.Hash != a.dest.Hash() {
		t.Errorf("server remote %v", got)
	}
	if got := server.LocalAddr().(Addr); got.Hash != b.dest.Hash() || got.Port != 80 {
		t.Errorf("server local %v", got)
	}
	if !strings.HasSuffix(client.LocalAddr().String(), ".b32.i2p:0") || client.LocalAddr().Network() != "i2p" {
		t.Errorf("client local %v", client.LocalAddr())
	}
	go func() {
		io.Copy(server, server)
		server.Close()
	}()
	msg := bytes.Repeat([]byte("hello i2p "), 1000)
	go func() {
		client.Write(msg)
		client.CloseWrite()
	}()
	got, err := readAll(client)
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("echo: %d bytes, %v", len(got), err)
	}
	client.Close()
	eventually(t, "connections to finish", func() bool {
		return a.m.Stats().Conns == 0 && b.m.Stats().Conns == 0
	})
	if st := b.m.Stats(); st.PacketsDropped != 0 {
		t.Errorf("server dropped %d packets", st.PacketsDropped)
	}
}

// A receiver whose data stopped arriving before the peer's CLOSE sends its
// ACK again, at growing intervals, a bounded number of times.
func TestReceiverProbes(t *testing.T) {
	a, b, l, clk := fakePair(t, nil)
	client, server := connect(t, a, b, 80)
	defer client.Close()
	defer server.Close()
	if _, err := server.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	got := make(chan error, 1)
	go func() {
		_, err := io.ReadFull(client, buf)
		got <- err
	}()
	var readErr error
	read := false
	advance(l, clk, 100*time.Millisecond, 10*time.Second, func() bool {
		select {
		case readErr = <-got:
			read = true
		case <-time.After(time.Millisecond): // let the reader run
		}
		return read
	})
	if !read || readErr != nil {
		t.Fatalf("read: %t %v", read, readErr)
	}
	// From now on nothing of the server's reaches the client; count the
	// client's plain ACKs.
	var acks atomic.Int64
	l.setFilter(func(f frame) bool {
		if f.from.Hash() == b.dest.Hash() {
			return false
		}
		if p, err := decodeFrame(f); err == nil && p.IsPlainACK() {
			acks.Add(1)
		}
		return true
	})
	// The delayed ACK of the data goes first; then only probes.
	advance(l, clk, 100*time.Millisecond, time.Second, func() bool { return false })
	acks.Store(0)
	waited := time.Second + advance(l, clk, 500*time.Millisecond, 5*time.Minute, func() bool { return acks.Load() > 0 })
	if acks.Load() == 0 {
		t.Fatal("no probe ACK after the data stopped")
	}
	if waited < MinProbeDelay {
		t.Fatalf("probe after %v, before MinProbeDelay", waited)
	}
	advance(l, clk, time.Second, 30*time.Minute, func() bool { return false })
	if n := acks.Load(); n > MaxProbes+2 {
		t.Fatalf("%d probe ACKs, want at most about %d", n, MaxProbes)
	}
}
