package memnet_test

import (
	"errors"
	"net"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	"i2pgate/router/netx/memnet"
)

func listenUDP(t *testing.T, n *memnet.Network, ip, addr string) net.PacketConn {
	t.Helper()
	pc, err := n.Host(ip).ListenPacket(ctx, "udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc
}

// recvUDP reads one datagram or fails after timeout.
func recvUDP(t *testing.T, pc net.PacketConn, timeout time.Duration) ([]byte, net.Addr, error) {
	t.Helper()
	pc.SetReadDeadline(time.Now().Add(timeout))
	buf := make([]byte, 2048)
	n, from, err := pc.ReadFrom(buf)
	return buf[:n], from, err
}

func TestUDPDelivery(t *testing.T) {
	n := memnet.New(memnet.Options{})
	defer n.Close()
	a := listenUDP(t, n, "198.18.0.1", ":0")
	b := listenUDP(t, n, "198.18.0.2", "198.18.0.2:9000")
	if b.LocalAddr().String() != "198.18.0.2:9000" {
		t.Fatalf("LocalAddr %v", b.LocalAddr())
	}
	if _, ok := a.LocalAddr().(*net.UDPAddr); !ok {
		t.Fatalf("LocalAddr is %T", a.LocalAddr())
	}
	if _, err := a.WriteTo([]byte("hello"), b.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	got, from, err := recvUDP(t, b, time.Second)
	if err != nil || string(got) != "hello" || from.String() != a.LocalAddr().String() {
		t.Fatalf("got %q from %v: %v", got, from, err)
	}
	if _, ok := from.(*net.UDPAddr); !ok {
		t.Fatalf("from is %T", from)
	}
	// A short buffer truncates the datagram.
	a.WriteTo([]byte("0123456789"), b.LocalAddr())
	b.SetReadDeadline(time.Now().Add(time.Second))
	buf := make([]byte, 4)
	if k, _, err := b.ReadFrom(buf); k != 4 || err != nil || string(buf) != "0123" {
		t.Fatalf("truncated read %d %q %v", k, buf, err)
	}
	// Datagrams to nowhere vanish, as with UDP.
	if _, err := a.WriteTo([]byte("x"), &net.UDPAddr{IP: net.IPv4(198, 18, 0, 2), Port: 1}); err != nil {
		t.Fatal(err)
	}
	if st := n.Stats(); st.NoListener != 1 || st.Delivered != 2 || st.Sent != 3 {
		t.Fatalf("stats %+v", st)
	}
	if _, err := a.WriteTo(make([]byte, 70000), b.LocalAddr()); !errors.Is(err, syscall.EMSGSIZE) {
		t.Fatalf("oversized WriteTo: %v", err)
	}
	_, _, err = recvUDP(t, b, 10*time.Millisecond)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past deadline: %v", err)
	}
	if _, err := listenUDP(t, n, "198.18.0.3", ":7").WriteTo(nil, nil); err == nil {
		t.Fatal("WriteTo nil address succeeded")
	}
	if _, err := n.Host("198.18.0.2").ListenPacket(ctx, "udp", ":9000"); !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("second bind: %v", err)
	}
	b.Close()
	if _, _, err := b.ReadFrom(buf); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("read after Close: %v", err)
	}
	if _, err := b.WriteTo([]byte("x"), a.LocalAddr()); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("write after Close: %v", err)
	}
}

// lossRun sends count datagrams over a lossy link and returns the stats.
func lossRun(t *testing.T, seed uint64, loss float64, count int) memnet.Stats {
	n := memnet.New(memnet.Options{Seed: seed, Link: memnet.LinkOptions{Loss: loss}, UDPQueue: count})
	defer n.Close()
	a := listenUDP(t, n, "198.18.0.1", ":1")
	b := listenUDP(t, n, "198.18.0.2", ":2")
	for range count {
		a.WriteTo([]byte("x"), b.LocalAddr())
	}
	return n.Stats()
}

func TestUDPLoss(t *testing.T) {
	const count = 4000
	for _, loss := range []float64{0, 0.1, 0.5, 1} {
		st := lossRun(t, 7, loss, count)
		rate := float64(st.Lost) / count
		if rate < loss-0.04 || rate > loss+0.04 || st.Lost+st.Delivered != count {
			t.Errorf("loss %.2f: lost %d delivered %d of %d", loss, st.Lost, st.Delivered, count)
		}
	}
	if x, y := lossRun(t, 42, 0.3, 500), lossRun(t, 42, 0.3, 500); x != y {
		t.Errorf("same seed, different runs: %+v %+v", x, y)
	}
}

func TestUDPLatencyAndReorder(t *testing.T) {
	n := memnet.New(memnet.Options{Seed: 1})
	defer n.Close()
	n.SetPath("198.18.0.1", "198.18.0.2", memnet.LinkOptions{Latency: 20 * time.Millisecond, Jitter: 20 * time.Millisecond})
	a := listenUDP(t, n, "198.18.0.1", ":1")
	b := listenUDP(t, n, "198.18.0.2", ":2")
	start := time.Now()
	const count = 30
	for i := range count {
		a.WriteTo([]byte{byte(i)}, b.LocalAddr())
	}
	var order []int
	for range count {
		got, _, err := recvUDP(t, b, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if len(order) == 0 && time.Since(start) < 20*time.Millisecond {
			t.Fatalf("first datagram after %v, want >= 20ms", time.Since(start))
		}
		order = append(order, int(got[0]))
	}
	if slices.IsSorted(order) {
		t.Fatalf("jitter did not reorder: %v", order)
	}
	// The reverse path has no override: immediate.
	b.WriteTo([]byte("back"), a.LocalAddr())
	if _, _, err := recvUDP(t, a, 10*time.Millisecond); err != nil {
		t.Fatalf("reverse path: %v", err)
	}
}

func TestUDPMTU(t *testing.T) {
	n := memnet.New(memnet.Options{Link: memnet.LinkOptions{MTU: 1500}})
	defer n.Close()
	a := listenUDP(t, n, "198.18.0.1", ":1")
	b := listenUDP(t, n, "198.18.0.2", ":2")
	a.WriteTo(make([]byte, 1473), b.LocalAddr()) // 1473 + 28 > 1500: dropped
	a.WriteTo(make([]byte, 1472), b.LocalAddr())
	got, _, err := recvUDP(t, b, time.Second)
	if err != nil || len(got) != 1472 {
		t.Fatalf("got %d bytes: %v", len(got), err)
	}
	if st := n.Stats(); st.MTUDropped != 1 || st.Delivered != 1 {
		t.Fatalf("stats %+v", st)
	}
	a6 := listenUDP(t, n, "2001:db8::1", ":1")
	b6 := listenUDP(t, n, "2001:db8::2", ":2")
	a6.WriteTo(make([]byte, 1453), b6.LocalAddr()) // IPv6 header is 40 bytes
	if st := n.Stats(); st.MTUDropped != 2 {
		t.Fatalf("IPv6 MTU: stats %+v", st)
	}
}

func TestUDPBandwidth(t *testing.T) {
	n := memnet.New(memnet.Options{Link: memnet.LinkOptions{Bandwidth: 100_000}})
	defer n.Close()
	a := listenUDP(t, n, "198.18.0.1", ":1")
	b := listenUDP(t, n, "198.18.0.2", ":2")
	start := time.Now()
	for range 5 {
		a.WriteTo(make([]byte, 1000), b.LocalAddr()) // 10 ms each
	}
	for range 5 {
		if _, _, err := recvUDP(t, b, time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 45*time.Millisecond {
		t.Fatalf("5 kB at 100 kB/s took %v", d)
	}
}

func TestQueueFull(t *testing.T) {
	n := memnet.New(memnet.Options{UDPQueue: 4})
	defer n.Close()
	a := listenUDP(t, n, "198.18.0.1", ":1")
	b := listenUDP(t, n, "198.18.0.2", ":2")
	for range 6 {
		a.WriteTo([]byte("x"), b.LocalAddr())
	}
	if st := n.Stats(); st.Delivered != 4 || st.QueueDropped != 2 {
		t.Fatalf("stats %+v", st)
	}
}
