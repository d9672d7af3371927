package main

import (
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"

	"i2pgate/cmd/i2pgate/internal/config"
	"i2pgate/router"
)

// liveKey reports whether a reload applies key to the running daemon; the
// others (listen addresses, the data directory, identity and transport
// settings, ...) need a restart and keep their running values.
func liveKey(key string) bool {
	switch key {
	case "loglevel", "limits.memory", "limits.transittunnels",
		"addressbook.subscriptions", "addressbook.initialdelay":
		return true
	}
	return false
}

// running is the router with its tunnels and front-ends, and how to
// read its configuration again (SIGHUP).
type running struct {
	path      string   // --config, empty: none
	overrides []string // the command line's --key=value
	log       *slog.Logger
	level     *slog.LevelVar
	r         *router.Router
	tunnels   *tunnelSet
	fronts    *frontEnds
	// cfg is the configuration in effect; only reload, on the signal
	// loop's goroutine, uses it.
	cfg *config.Config
}

// memoryLimit is limits.memory in bytes.
func memoryLimit(c *config.Config) int64 { return int64(c.Limits.Memory) << 20 }

// reload reads the configuration file again with the same command-line
// overrides and applies it without stopping the router: the log level,
// limits.memory and limits.transittunnels, the address book's
// subscriptions and the [tunnels.NAME] sections (new ones start, removed
// ones stop, changed ones restart, unchanged ones keep their listeners and
// connections). Keys that need a restart are logged and keep their
// running values. A configuration that does not load changes nothing and
// is returned as the error; tunnels or subscriptions that fail to start
// are returned too, after everything else was applied.
func (d *running) reload() error {
	cfg, err := config.Load(d.path, d.overrides)
	if err != nil {
		return err
	}
	next := *d.cfg
	var live, restart []string
	for _, k := range config.Changed(d.cfg, cfg) {
		if liveKey(k) {
			live = append(live, k)
		} else {
			restart = append(restart, k)
		}
	}
	if len(restart) > 0 {
		d.log.Warn("reload: needs restart: " + strings.Join(restart, ", "))
	}
	next.LogLevel = cfg.LogLevel
	d.level.Set(logLevel(cfg.LogLevel))
	if next.Limits != cfg.Limits {
		next.Limits = cfg.Limits
		debug.SetMemoryLimit(memoryLimit(cfg))
		d.r.SetLimits(transitLimit(cfg.Limits.TransitTunnels), memoryLimit(cfg))
	}
	var errs []error
	if !slices.Equal(next.AddressBook.Subscriptions, cfg.AddressBook.Subscriptions) ||
		next.AddressBook.InitialDelay != cfg.AddressBook.InitialDelay {
		next.AddressBook = cfg.AddressBook
		if d.fronts.gw != nil {
			if err := d.fronts.gw.setSubscriptions(cfg.AddressBook, d.log); err != nil {
				errs = append(errs, fmt.Errorf("addressbook.subscriptions: %w", err))
			}
		}
	}
	next.Tunnels = cfg.Tunnels
	started, stopped, err := d.tunnels.apply(cfg.Tunnels)
	if err != nil {
		errs = append(errs, err)
	}
	d.cfg = &next
	d.log.Info("configuration reloaded", "applied", strings.Join(live, ","), "needs_restart", strings.Join(restart, ","),
		"tunnels_started", strings.Join(started, ","), "tunnels_stopped", strings.Join(stopped, ","))
	if len(errs) > 0 {
		return fmt.Errorf("reload: %w", errors.Join(errs...))
	}
	return nil
}

// oneLine puts an error's lines on one (for STATUS=).
func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }
