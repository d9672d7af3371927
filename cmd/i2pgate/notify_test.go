package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"i2pgate/router"
	"i2pgate/router/clock"
	"i2pgate/router/clock/clocktest"
	"i2pgate/router/tunnel/pool"
)

// readGuard bounds a read from the fake notify socket, so a missing datagram
// fails the test instead of hanging it; the tests never wait for it to pass.
const readGuard = 10 * time.Second

// fakeSystemd is a NOTIFY_SOCKET: a unixgram socket in a temporary directory
// that collects what the notifier sends.
type fakeSystemd struct {
	t    *testing.T
	conn *net.UnixConn
}

func newFakeSystemd(t *testing.T) *fakeSystemd {
	t.Helper()
	path := filepath.Join(t.TempDir(), "n.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	t.Setenv("NOTIFY_SOCKET", path)
	t.Setenv("WATCHDOG_USEC", "")
	t.Setenv("WATCHDOG_PID", "")
	return &fakeSystemd{t: t, conn: conn}
}

// next returns the next datagram.
func (s *fakeSystemd) next() string {
	s.t.Helper()
	buf := make([]byte, 4096)
	if err := s.conn.SetReadDeadline(time.Now().Add(readGuard)); err != nil {
		s.t.Fatal(err)
	}
	n, err := s.conn.Read(buf)
	if err != nil {
		s.t.Fatalf("no notification: %v", err)
	}
	return string(buf[:n])
}

// expect reads len(want) datagrams and compares them in order.
func (s *fakeSystemd) expect(want ...string) {
	s.t.Helper()
	for i, w := range want {
		if got := s.next(); got != w {
			s.t.Fatalf("notification %d = %q, want %q", i, got, w)
		}
	}
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestNotifierSendsStates(t *testing.T) {
	sd := newFakeSystemd(t)
	n := newNotifier(quietLogger())
	n.monotonic = func() (time.Duration, error) { return 1234567 * time.Microsecond, nil }

	n.Status("starting the router")
	n.Ready()
	n.Reloading()
	n.Ready()
	n.Stopping()
	sd.expect(
		"STATUS=starting the router",
		"READY=1",
		"RELOADING=1\nMONOTONIC_USEC=1234567",
		"READY=1",
		"STOPPING=1",
	)
}

func TestNotifierReloadingWithoutMonotonicClock(t *testing.T) {
	sd := newFakeSystemd(t)
	n := newNotifier(quietLogger())
	n.monotonic = func() (time.Duration, error) { return 0, fmt.Errorf("no clock") }
	n.Reloading()
	sd.expect("RELOADING=1")
}

func TestMonotonicNowAdvances(t *testing.T) {
	a, err := monotonicNow()
	if err != nil {
		t.Fatal(err)
	}
	b, err := monotonicNow()
	if err != nil {
		t.Fatal(err)
	}
	if a <= 0 || b < a {
		t.Errorf("CLOCK_MONOTONIC went %v then %v", a, b)
	}
}

// TestNotifierOutsideSystemd: with NOTIFY_SOCKET unset nothing is sent and the
// watchdog loop returns at once, even when WATCHDOG_USEC is set.
func TestNotifierOutsideSystemd(t *testing.T) {
	sd := newFakeSystemd(t) // a listener that must stay silent
	t.Setenv("NOTIFY_SOCKET", "")
	t.Setenv("WATCHDOG_USEC", "1000000")
	n := newNotifier(quietLogger())
	if n.enabled {
		t.Fatal("enabled without NOTIFY_SOCKET")
	}
	n.Status("x")
	n.Ready()
	n.Reloading()
	n.Stopping()
	n.runWatchdog(context.Background(), func() bool { return true })

	// Now point the same process at the socket: the first datagram it sees
	// must be this one, so nothing was queued before.
	t.Setenv("NOTIFY_SOCKET", sd.conn.LocalAddr().String())
	newNotifier(quietLogger()).Status("first")
	sd.expect("STATUS=first")
}

// TestWatchdogOff: under systemd but without WatchdogSec (or with the
// watchdog meant for another process) runWatchdog returns at once.
func TestWatchdogOff(t *testing.T) {
	tests := []struct{ name, usec, pid string }{
		{"unset", "", ""},
		{"other pid", "1000000", "1"},
		{"garbage", "soon", ""},
		{"zero", "0", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sd := newFakeSystemd(t)
			t.Setenv("WATCHDOG_USEC", tc.usec)
			t.Setenv("WATCHDOG_PID", tc.pid)
			n := newNotifier(quietLogger())
			n.clock = clocktest.New(time.Unix(0, 0))
			n.runWatchdog(context.Background(), func() bool {
				t.Error("healthy called with the watchdog off")
				return true
			})
			n.Status("after")
			sd.expect("STATUS=after")
		})
	}
}

// TestWatchdogPingsOnlyWhileHealthy drives the watchdog loop with a fake
// clock: WATCHDOG=1 is sent at start and every WatchdogSec/2 while healthy
// says so, and never while it does not. healthy itself sends a STATUS=
// marker, so the order of the datagrams shows which check each ping
// followed.
func TestWatchdogPingsOnlyWhileHealthy(t *testing.T) {
	sd := newFakeSystemd(t)
	const watchdogSec = 60 * time.Second
	t.Setenv("WATCHDOG_USEC", strconv.FormatInt(watchdogSec.Microseconds(), 10))
	t.Setenv("WATCHDOG_PID", strconv.Itoa(os.Getpid()))
	fc := clocktest.New(time.Unix(1_700_000_000, 0))
	n := newNotifier(quietLogger())
	n.clock = fc

	answers := []bool{true, true, false, false, true}
	checked := make(chan int)
	check := 0
	healthy := func() bool {
		i := check
		check++
		n.Status("check " + strconv.Itoa(i))
		checked <- i
		return answers[i]
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		n.runWatchdog(ctx, healthy)
	}()
	for i := range answers {
		if got := <-checked; got != i {
			t.Fatalf("check %d arrived as %d", i, got)
		}
		if i < len(answers)-1 {
			// One tick per check; the ticker keeps it if the loop is
			// not yet waiting.
			fc.Advance(watchdogSec / 2)
		}
	}
	cancel()
	<-done
	n.Status("end")
	sd.expect(
		"STATUS=check 0", "WATCHDOG=1",
		"STATUS=check 1", "WATCHDOG=1",
		"STATUS=check 2",
		"STATUS=check 3",
		"STATUS=check 4", "WATCHDOG=1",
		"STATUS=end",
	)
	if fc.Pending() != 0 {
		t.Errorf("%d timers left armed after the loop returned", fc.Pending())
	}
}

// tickerClock is the fake clock that also records the periods of the
// tickers made on it.
type tickerClock struct {
	*clocktest.Fake
	periods []time.Duration
}

func (c *tickerClock) NewTicker(d time.Duration) clock.Ticker {
	c.periods = append(c.periods, d)
	return c.Fake.NewTicker(d)
}

// TestWatchdogTicksAtHalfTheInterval: the loop checks on a ticker of half
// WatchdogSec, as sd_watchdog_enabled(3) advises.
func TestWatchdogTicksAtHalfTheInterval(t *testing.T) {
	sd := newFakeSystemd(t)
	t.Setenv("WATCHDOG_USEC", "10000000") // 10 s
	fc := &tickerClock{Fake: clocktest.New(time.Unix(0, 0))}
	n := newNotifier(quietLogger())
	n.clock = fc
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // one check and ping, then return
	n.runWatchdog(ctx, nil)
	sd.expect("WATCHDOG=1")
	if len(fc.periods) != 1 || fc.periods[0] != 5*time.Second {
		t.Errorf("ticker periods %v, want [5s]", fc.periods)
	}
}

func TestStatusLine(t *testing.T) {
	st := &router.Status{
		NetworkStatus:  "OK",
		KnownRouters:   1234,
		TransitTunnels: 15,
		Tunnels:        pool.Stats{ExploratoryIn: 2, ExploratoryOut: 3, ClientIn: 1, ClientOut: 0},
	}
	want := "OK: 1234 routers, tunnels expl 2/3 client 1/0, 15 transit"
	if got := statusLine(st); got != want {
		t.Errorf("statusLine = %q, want %q", got, want)
	}
	st.Clock = router.ClockStatus{SkewSeconds: -7201, Source: "peers", FarOff: true}
	want += ", clock is off by 2h0m1s (ahead of the network; corrected from peers)"
	if got := statusLine(st); got != want {
		t.Errorf("statusLine = %q, want %q", got, want)
	}
}
