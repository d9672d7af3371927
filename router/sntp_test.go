package router

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"testing"
	"time"

	"i2pgate/router/clock"
	"i2pgate/router/netx"
)

// udpLoopback is the router's memnet host, with UDP dials to 127.0.0.1 (the
// fake SNTP server) on the real loopback.
type udpLoopback struct{ netx.Network }

func (u udpLoopback) Dial(ctx context.Context, network, address string) (net.Conn, error) {
	if network != "udp" {
		return u.Network.Dial(ctx, network, address)
	}
	if host, _, err := net.SplitHostPort(address); err != nil || host != "127.0.0.1" {
		return nil, errors.New("test dials UDP to 127.0.0.1 only")
	}
	var d net.Dialer
	return d.DialContext(ctx, network, address)
}

// fakeSNTP answers one SNTP request at a time with a clock off by offset.
func fakeSNTP(t *testing.T, offset time.Duration) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { pc.Close(); <-done })
	go func() {
		defer close(done)
		buf := make([]byte, 512)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if n < 48 {
				continue
			}
			now := time.Now().Add(offset)
			stamp := uint64(now.Unix()+2208988800)<<32 | uint64(now.Nanosecond())<<32/1e9
			var r [48]byte
			r[0], r[1] = 4<<3|4, 2
			copy(r[24:32], buf[40:48])
			binary.BigEndian.PutUint64(r[32:40], stamp)
			binary.BigEndian.PutUint64(r[40:48], stamp)
			_, _ = pc.WriteTo(r[:], from)
		}
	}()
	return pc.LocalAddr().String()
}

// sntp.servers seed the clock at start.
func TestSNTPSeedsClock(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	cfg.Network = udpLoopback{cfg.Network}
	cfg.SNTPServers = []string{fakeSNTP(t, 3*time.Hour)}
	r := startRouter(t, cfg)
	defer r.Close()
	deadline := time.Now().Add(10 * time.Second)
	for r.Status().Clock.Source != clock.SourceSNTP {
		if time.Now().After(deadline) {
			t.Fatalf("clock not seeded by SNTP: %+v", r.Status().Clock)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if d := r.clk.Skew() - 3*time.Hour; d > time.Second || d < -time.Second {
		t.Fatalf("skew %v, want 3h", r.clk.Skew())
	}
}
