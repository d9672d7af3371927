package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"
	"golang.org/x/sys/unix"

	"i2pgate/router"
	"i2pgate/router/clock"
)

// notifySocketEnv names the socket systemd passes to a Type=notify service.
const notifySocketEnv = "NOTIFY_SOCKET"

// notifier tells systemd how the daemon is doing over the sd_notify(3) protocol:
// STATUS= lines for `systemctl status`, READY=1 once the router and the
// front-ends are up, RELOADING=1 and STOPPING=1 around a reload and the
// shutdown, and WATCHDOG=1 pings while the router is healthy.
//
// Outside systemd (NOTIFY_SOCKET unset when the notifier is made) every method
// does nothing. Failures to send are logged, never returned: the daemon runs on
// whether or not systemd listens.
type notifier struct {
	log     *slog.Logger
	enabled bool
	// clock drives the watchdog ticker; tests replace it with a fake.
	clock clock.Clock
	// monotonic reads CLOCK_MONOTONIC for RELOADING=1; tests replace it.
	monotonic func() (time.Duration, error)
}

// newNotifier returns a notifier for the service manager named by NOTIFY_SOCKET,
// or one that does nothing when it is unset. A nil logger means slog.Default().
func newNotifier(logger *slog.Logger) *notifier {
	if logger == nil {
		logger = slog.Default()
	}
	return &notifier{
		log:       logger.With("component", "notify"),
		enabled:   os.Getenv(notifySocketEnv) != "",
		clock:     clock.System(),
		monotonic: monotonicNow,
	}
}

// Status sets the one-line status `systemctl status i2pgate` shows.
func (n *notifier) Status(s string) { n.send("STATUS=" + s) }

// Ready tells systemd that start-up (or a reload) is complete.
func (n *notifier) Ready() { n.send(daemon.SdNotifyReady) }

// Stopping tells systemd that the daemon is shutting down.
func (n *notifier) Stopping() { n.send(daemon.SdNotifyStopping) }

// Reloading tells systemd that a reload (SIGHUP) has begun; Ready ends it.
// MONOTONIC_USEC is included as Type=notify-reload requires; plain
// Type=notify ignores it.
func (n *notifier) Reloading() {
	if !n.enabled {
		return
	}
	msg := daemon.SdNotifyReloading
	if now, err := n.monotonic(); err == nil {
		msg += "\nMONOTONIC_USEC=" + strconv.FormatInt(now.Microseconds(), 10)
	}
	n.send(msg)
}

// send writes one notification; it reports failures in the log only.
func (n *notifier) send(state string) {
	if !n.enabled {
		return
	}
	if _, err := daemon.SdNotify(false, state); err != nil {
		n.log.Warn("sd_notify failed", "err", err)
	}
}

// runWatchdog pings systemd's watchdog (WATCHDOG=1) at half the interval
// systemd set (WatchdogSec=, passed as WATCHDOG_USEC), but only while healthy
// returns true: a wedged router stops pinging and systemd restarts it. It
// returns when ctx is done, or at once when the watchdog is off. healthy is
// called once per interval, from this goroutine; nil means always healthy.
func (n *notifier) runWatchdog(ctx context.Context, healthy func() bool) {
	if !n.enabled {
		return
	}
	interval, err := daemon.SdWatchdogEnabled(false)
	if err != nil {
		n.log.Warn("watchdog disabled", "err", err)
		return
	}
	if interval <= 0 {
		return
	}
	period := interval / 2
	if period <= 0 {
		period = interval
	}
	t := n.clock.NewTicker(period)
	defer t.Stop()
	wasHealthy := true
	for {
		ok := healthy == nil || healthy()
		if ok != wasHealthy {
			if ok {
				n.log.Info("router healthy again: watchdog pings resume")
			} else {
				n.log.Warn("router unhealthy: watchdog pings stop", "watchdog", interval)
			}
			wasHealthy = ok
		}
		if ok {
			n.send(daemon.SdNotifyWatchdog)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C():
		}
	}
}

// monotonicNow reads CLOCK_MONOTONIC, the clock systemd compares
// MONOTONIC_USEC against.
func monotonicNow() (time.Duration, error) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0, fmt.Errorf("notify: clock_gettime: %w", err)
	}
	return time.Duration(ts.Nano()), nil
}

// statusLine is the STATUS= text for a router status: the network state, the
// known routers and the usable tunnels, e.g.
// "OK: 1234 routers, tunnels expl 2/2 client 2/2, 15 transit".
func statusLine(st *router.Status) string {
	return fmt.Sprintf("%s: %d routers, tunnels expl %d/%d client %d/%d, %d transit",
		st.NetworkStatus, st.KnownRouters,
		st.Tunnels.ExploratoryIn, st.Tunnels.ExploratoryOut,
		st.Tunnels.ClientIn, st.Tunnels.ClientOut, st.TransitTunnels) + memoryNote(st) + clockNote(st)
}

// clockNote says how far off the clock is, when it is far off.
func clockNote(st *router.Status) string {
	if n := st.Clock.ClockNote(); n != "" {
		return ", " + n
	}
	return ""
}

// memoryNote names a memory pressure above normal for the status line.
func memoryNote(st *router.Status) string {
	switch p := st.Memory.Pressure; p {
	case "high", "critical":
		return ", memory " + p
	}
	return ""
}
