package streaming

import (
	"context"
	"io"
	"runtime"
	"testing"
)

// BenchmarkThroughput moves data over one connection on a lossless,
// instant in-memory link (I2CP framing included).
func BenchmarkThroughput(b *testing.B) {
	a, s, l := pair(b, func(c *Config) { c.SendBuffer, c.ReceiveBuffer = 256<<10, 256<<10 })
	client, server := connect(b, a, s, 80)
	done := make(chan int64)
	go func() {
		n, _ := io.Copy(io.Discard, server)
		done <- n
	}()
	buf := make([]byte, 64<<10)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := client.Write(buf); err != nil {
			b.Fatal(err)
		}
	}
	client.Close()
	if n := <-done; n != int64(b.N*len(buf)) {
		b.Fatalf("received %d bytes of %d", n, b.N*len(buf))
	}
	server.Close()
	st, rs := a.m.Stats(), s.m.Stats()
	b.Logf("N=%d sent %d resent %d senderr %d; receiver dropped %d; link overflow %d", b.N, st.PacketsSent, st.PacketsResent, st.SendErrors, rs.PacketsDropped, l.overflow.Load())
}

// BenchmarkIdleConnMemory measures the heap held per idle connection
// (each side's Conn, its share of the Manager tables and the timers).
// Run with -benchtime=1x.
func BenchmarkIdleConnMemory(b *testing.B) {
	const n = 200
	for range b.N {
		a, s, l := pair(b, func(c *Config) { c.MaxConns, c.MaxConnsPerPeer = n, n })
		ln, err := s.m.Listen(80)
		if err != nil {
			b.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		conns := make([]*Conn, 0, 2*n)
		for range n {
			c, err := a.m.Dial(context.Background(), s.dest, 80)
			if err != nil {
				b.Fatal(err)
			}
			sc, err := ln.AcceptConn()
			if err != nil {
				b.Fatal(err)
			}
			conns = append(conns, c, sc)
		}
		l.settle()
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(2*n), "B/conn")
		for _, c := range conns {
			c.Close()
		}
		ln.Close()
	}
}
