package sntp

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// loopback dials UDP on the real loopback only.
type loopback struct{}

func (loopback) Dial(ctx context.Context, network, address string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(address)
	if err != nil || host != "127.0.0.1" {
		return nil, errors.New("test dials 127.0.0.1 only")
	}
	var d net.Dialer
	return d.DialContext(ctx, network, address)
}

// fakeServer answers SNTP requests on 127.0.0.1 with a clock off by offset;
// mod may change each reply.
type fakeServer struct {
	pc     net.PacketConn
	offset time.Duration
	mod    func(reply []byte)
	wg     sync.WaitGroup
}

func newFakeServer(t *testing.T, offset time.Duration, mod func([]byte)) *fakeServer {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fakeServer{pc: pc, offset: offset, mod: mod}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(func() { _ = pc.Close(); s.wg.Wait() })
	return s
}

func (s *fakeServer) addr() string { return s.pc.LocalAddr().String() }

func (s *fakeServer) serve() {
	defer s.wg.Done()
	buf := make([]byte, 512)
	for {
		n, from, err := s.pc.ReadFrom(buf)
		if err != nil {
			return
		}
		if n < PacketSize {
			continue
		}
		rx := time.Now().Add(s.offset)
		var r [PacketSize]byte
		r[0] = 4<<3 | 4
		r[1] = 2
		copy(r[12:16], "TEST")
		copy(r[24:32], buf[40:48]) // originate = the client's transmit
		binary.BigEndian.PutUint64(r[32:40], ntpStamp(rx))
		binary.BigEndian.PutUint64(r[40:48], ntpStamp(time.Now().Add(s.offset)))
		if s.mod != nil {
			s.mod(r[:])
		}
		_, _ = s.pc.WriteTo(r[:], from)
	}
}

func near(got, want time.Duration) bool {
	d := got - want
	return d < 200*time.Millisecond && d > -200*time.Millisecond
}

func TestQuery(t *testing.T) {
	s := newFakeServer(t, 2*time.Hour, nil)
	r, err := Query(context.Background(), Config{Network: loopback{}}, s.addr())
	if err != nil {
		t.Fatal(err)
	}
	if !near(r.Offset, 2*time.Hour) || r.Delay < 0 || r.Delay > time.Second {
		t.Fatalf("offset %v delay %v, want 2h", r.Offset, r.Delay)
	}
}

// The median of several servers: one server far off cannot move it; servers
// whose answers are refused do not count.
func TestOffsetMedian(t *testing.T) {
	good1 := newFakeServer(t, -90*time.Minute, nil)
	good2 := newFakeServer(t, -90*time.Minute+time.Second, nil)
	liar := newFakeServer(t, 30*24*time.Hour, nil)
	kod := newFakeServer(t, 0, func(b []byte) { b[1] = 0; copy(b[12:16], "RATE") })
	off, res, err := Offset(context.Background(), Config{Network: loopback{}, Timeout: time.Second},
		[]string{good1.addr(), liar.addr(), kod.addr(), good2.addr()})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 {
		t.Errorf("%d answers used, want 3 (the kiss-o'-death refused)", len(res))
	}
	if !near(off, -90*time.Minute+time.Second) {
		t.Fatalf("offset %v, want about -1h29m59s", off)
	}
}

func TestOffsetNoAnswer(t *testing.T) {
	bad := newFakeServer(t, 0, func(b []byte) { b[0] = 3<<6 | 4<<3 | 4 }) // unsynchronized
	// A port nothing listens on: the read times out or is refused.
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := pc.LocalAddr().String()
	pc.Close()
	start := time.Now()
	_, _, err = Offset(context.Background(), Config{Network: loopback{}, Timeout: 300 * time.Millisecond},
		[]string{bad.addr(), dead})
	if !errors.Is(err, ErrNoAnswer) || !errors.Is(err, ErrBadPacket) {
		t.Fatalf("err %v, want ErrNoAnswer and ErrBadPacket", err)
	}
	if time.Since(start) > 3*time.Second {
		t.Fatal("the timeout was not applied")
	}
	if _, err := Query(context.Background(), Config{Network: loopback{}}, "10.0.0.1"); err == nil {
		t.Fatal("dialed outside loopback")
	}
}

// A reply that does not echo our transmit timestamp is not ours: it is
// skipped and the real answer still counts.
func TestQuerySkipsStrays(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 512)
		_, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		var r [PacketSize]byte
		r[0], r[1] = 4<<3|4, 1
		now := time.Now()
		binary.BigEndian.PutUint64(r[32:40], ntpStamp(now.Add(time.Hour)))
		binary.BigEndian.PutUint64(r[40:48], ntpStamp(now.Add(time.Hour)))
		_, _ = pc.WriteTo(r[:], from) // originate 0: a stray
		copy(r[24:32], buf[40:48])
		binary.BigEndian.PutUint64(r[32:40], ntpStamp(now.Add(time.Minute)))
		binary.BigEndian.PutUint64(r[40:48], ntpStamp(now.Add(time.Minute)))
		_, _ = pc.WriteTo(r[:], from)
	}()
	r, err := Query(context.Background(), Config{Network: loopback{}}, pc.LocalAddr().String())
	<-done
	if err != nil {
		t.Fatal(err)
	}
	if !near(r.Offset, time.Minute) {
		t.Fatalf("offset %v, want 1m (the stray was used?)", r.Offset)
	}
}

func TestParse(t *testing.T) {
	now := time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)
	good := func() []byte {
		b := make([]byte, PacketSize)
		b[0], b[1] = 4<<3|4, 3
		binary.BigEndian.PutUint64(b[24:32], 42)
		binary.BigEndian.PutUint64(b[32:40], ntpStamp(now))
		binary.BigEndian.PutUint64(b[40:48], ntpStamp(now.Add(time.Millisecond)))
		return b
	}
	a, err := Parse(good(), 42, now)
	if err != nil || !a.Receive.Equal(now) || a.Transmit.Sub(now) < time.Millisecond-time.Microsecond {
		t.Fatalf("good packet: %+v %v", a, err)
	}
	for name, mod := range map[string]func([]byte) []byte{
		"short":       func(b []byte) []byte { return b[:47] },
		"client mode": func(b []byte) []byte { b[0] = 4<<3 | 3; return b },
		"version 2":   func(b []byte) []byte { b[0] = 2<<3 | 4; return b },
		"alarm":       func(b []byte) []byte { b[0] |= 3 << 6; return b },
		"kod":         func(b []byte) []byte { b[1] = 0; return b },
		"stratum 16":  func(b []byte) []byte { b[1] = 16; return b },
		"zero tx":     func(b []byte) []byte { clear(b[40:48]); return b },
		"tx before rx": func(b []byte) []byte {
			binary.BigEndian.PutUint64(b[40:48], ntpStamp(now.Add(-time.Second)))
			return b
		},
		"not ours": func(b []byte) []byte { b[31]++; return b },
	} {
		if _, err := Parse(mod(good()), 42, now); !errors.Is(err, ErrBadPacket) {
			t.Errorf("%s: err %v", name, err)
		}
	}
}

// NTP seconds wrap in 2036: a timestamp is read in the era nearest now.
func TestNTPEra(t *testing.T) {
	for _, at := range []time.Time{
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2036, 2, 7, 6, 28, 15, 0, time.UTC), // the last second of era 0
		time.Date(2036, 2, 7, 6, 28, 17, 0, time.UTC),
		time.Date(2040, 5, 1, 0, 0, 0, 500_000_000, time.UTC),
	} {
		got := ntpTime(ntpStamp(at), at.Add(time.Hour))
		if d := got.Sub(at); d < -time.Microsecond || d > time.Microsecond {
			t.Errorf("%v read back as %v", at, got)
		}
	}
}

func FuzzParse(f *testing.F) {
	b := make([]byte, PacketSize)
	b[0], b[1] = 4<<3|4, 2
	binary.BigEndian.PutUint64(b[32:40], 1<<63)
	binary.BigEndian.PutUint64(b[40:48], 1<<63+1)
	f.Add(b, uint64(0))
	f.Add([]byte{}, uint64(1))
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte, nonce uint64) {
		a, err := Parse(b, nonce, now)
		if err == nil && (a.Transmit.Before(a.Receive) || a.Stratum == 0 || a.Stratum > 15) {
			t.Fatalf("accepted %+v", a)
		}
	})
}
