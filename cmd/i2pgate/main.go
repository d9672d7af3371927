// Command i2pgate runs the i2pgate router and its LAN front-ends.
//
//	i2pgate run [--config FILE] [--KEY=VALUE ...]
//	i2pgate status [--json] [--config FILE] [--console.address=ADDR]
//	i2pgate version
//
// It reads the configuration, builds the logger, wires the router to the front-ends
// and handles signals. What each part does is left to router/ and gateway/.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"

	"i2pgate/cmd/i2pgate/internal/config"
	"i2pgate/router"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage:
  i2pgate run [--config FILE] [--KEY=VALUE ...]   run the router and the gateway
  i2pgate status [--json] [--config FILE] [--console.address=ADDR]
                                                  show the running router's status
  i2pgate version                                 print the version

Every configuration key can be given as --key=value or --section.key=value
(booleans also as a bare --key). Keys:
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage, "  ", strings.Join(config.Keys(), "\n  "), "\n")
		return 2
	}
	switch args[0] {
	case "run":
		if err := runDaemon(args[1:], stderr); err != nil {
			fmt.Fprintln(stderr, "i2pgate:", err)
			return 1
		}
		return 0
	case "status":
		if err := runStatus(args[1:], stdout); err != nil {
			fmt.Fprintln(stderr, "i2pgate:", err)
			return 1
		}
		return 0
	case "version", "--version", "-v":
		fmt.Fprintf(stdout, "i2pgate %s (%s, %s/%s) router.version %s\n",
			version, runtime.Version(), runtime.GOOS, runtime.GOARCH, router.Version)
		return 0
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage, "  ", strings.Join(config.Keys(), "\n  "), "\n")
		return 0
	default:
		fmt.Fprintf(stderr, "i2pgate: unknown command %q\n%s", args[0], usage)
		return 2
	}
}

// splitArgs separates --config FILE (or --config=FILE) from the key overrides.
func splitArgs(args []string) (path string, overrides []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--config" || a == "-c":
			if i+1 >= len(args) {
				return "", nil, errors.New("--config needs a file name")
			}
			path = args[i+1]
			i++
		case strings.HasPrefix(a, "--config="):
			path = strings.TrimPrefix(a, "--config=")
		case strings.HasPrefix(a, "--") && !strings.Contains(a, "=") && config.TakesValue(a[2:]) &&
			i+1 < len(args) && !strings.HasPrefix(args[i+1], "--"):
			// "--datadir /var/lib/i2pgate", as systemd units and init
			// scripts write it.
			overrides = append(overrides, a+"="+args[i+1])
			i++
		default:
			overrides = append(overrides, a)
		}
	}
	return path, overrides, nil
}

func runDaemon(args []string, stderr io.Writer) error {
	path, overrides, err := splitArgs(args)
	if err != nil {
		return err
	}
	cfg, err := config.Load(path, overrides)
	if err != nil {
		return err
	}
	level := new(slog.LevelVar)
	level.Set(logLevel(cfg.LogLevel))
	log := newLogger(stderr, level)
	// The soft limit makes the collector work harder near the ceiling
	// instead of letting the heap grow past it.
	debug.SetMemoryLimit(memoryLimit(cfg))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	// SIGHUP (systemd's ExecReload, the OpenWrt init's reload) reloads the
	// configuration; it must not end the router, also while it starts.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	n := newNotifier(log)
	n.Status("starting: reseeding and joining the network")
	r, err := router.New(routerConfig(cfg, log))
	if err != nil {
		return err
	}
	if err := r.Start(ctx); err != nil {
		r.Close()
		if ctx.Err() != nil {
			return nil // a signal during the start is a clean stop
		}
		return err
	}
	log.Info("router started", "version", version, "router_hash", r.Hash().String(), "datadir", cfg.DataDir)
	tunnels, err := startTunnels(ctx, cfg, r, log)
	if err != nil {
		r.Close()
		return err
	}
	fronts, err := startFrontEnds(ctx, cfg, r, log)
	if err != nil {
		tunnels.Close()
		r.Close()
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	d := &running{path: path, overrides: overrides, log: log, level: level, r: r, tunnels: tunnels, fronts: fronts, cfg: cfg}
	// READY=1 comes from the health loop once tunnels exist; the watchdog
	// pings only while that loop keeps looking at the router.
	h := newHealth(r, n, cfg.DataDir)
	hctx, hcancel := context.WithCancel(ctx)
	var hwg sync.WaitGroup
	hwg.Add(2)
	go func() { defer hwg.Done(); h.run(hctx) }()
	go func() { defer hwg.Done(); n.runWatchdog(hctx, h.healthy) }()
	defer func() { hcancel(); hwg.Wait() }()
	for ctx.Err() == nil {
		select {
		case <-hup:
			d.onHangup(h, n)
		case <-ctx.Done():
		}
	}
	n.Stopping()
	log.Info("shutting down")
	fronts.Close()
	tunnels.Close()
	return r.Close()
}

// onHangup reloads the configuration (SIGHUP), between RELOADING=1 and
// READY=1 once the daemon was ready; a failure keeps the running
// configuration and shows in STATUS=.
func (d *running) onHangup(h *health, n *notifier) {
	d.log.Info("SIGHUP: reloading the configuration", "config", d.path)
	ready := h.ready.Load()
	if ready {
		n.Reloading()
	}
	note := ""
	if err := d.reload(); err != nil {
		note = "reload failed: " + oneLine(err)
		d.log.Error("reload failed: keeping the running configuration where it did not apply", "err", err)
	}
	h.setNote(note)
	st := d.r.Status()
	n.Status(h.statusText(&st))
	if ready {
		n.Ready()
	}
}
