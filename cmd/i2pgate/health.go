package main

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"i2pgate/router"
)

// healthInterval is how often the health loop looks at the router; the
// watchdog counts the router healthy while the last look is recent.
const healthInterval = 5 * time.Second

// faultEnv turns the test-only fault switch on: with I2PGATE_FAULTS=1, a
// file named wedge in the data directory blocks the health loop, as a
// wedged router would, so that systemd's watchdog must restart us.
const faultEnv = "I2PGATE_FAULTS"

// health runs the health loop: it reads the router's status (which takes
// the router's locks, so a deadlocked router stops it), tells systemd the
// status line, and READY=1 once the router has tunnels both ways and the
// front-ends listen.
type health struct {
	r       *router.Router
	n       *notifier
	datadir string
	last    atomic.Int64 // unix nanos of the last completed look
	ready   atomic.Bool
	note    atomic.Pointer[string] // appended to STATUS= (a failed reload)
}

// setNote sets the text appended to the status line; empty clears it.
func (h *health) setNote(s string) { h.note.Store(&s) }

// statusText is the STATUS= line for st with the note.
func (h *health) statusText(st *router.Status) string {
	line := statusLine(st)
	if p := h.note.Load(); p != nil && *p != "" {
		line += "; " + *p
	}
	return line
}

func newHealth(r *router.Router, n *notifier, datadir string) *health {
	h := &health{r: r, n: n, datadir: datadir}
	h.last.Store(time.Now().UnixNano())
	return h
}

// healthy reports whether the loop completed a look recently.
func (h *health) healthy() bool {
	return time.Since(time.Unix(0, h.last.Load())) < 3*healthInterval
}

// run looks every healthInterval until ctx ends.
func (h *health) run(ctx context.Context) {
	t := time.NewTicker(healthInterval)
	defer t.Stop()
	for {
		h.look(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (h *health) look(ctx context.Context) {
	if os.Getenv(faultEnv) == "1" {
		for ctx.Err() == nil {
			if _, err := os.Stat(filepath.Join(h.datadir, "wedge")); err != nil {
				break
			}
			time.Sleep(time.Second) // wedged on purpose: no more looks
		}
	}
	st := h.r.Status()
	h.last.Store(time.Now().UnixNano())
	h.n.Status(h.statusText(&st))
	if !h.ready.Load() && st.Tunnels.ExploratoryIn > 0 && st.Tunnels.ExploratoryOut > 0 {
		h.ready.Store(true)
		h.n.Ready()
	}
}
