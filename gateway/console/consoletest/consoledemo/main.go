// Command consoledemo serves the web console with the fixed sample data of
// consoletest, for looking at the pages (scripts/console-screenshots.sh takes
// screenshots of it). It prints the console's URL on its first line of output
// and serves until interrupted. It talks to no router.
//
//	consoledemo [-addr 127.0.0.1:0] [-password PW]
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"i2pgate/gateway/console"
	"i2pgate/gateway/console/consoletest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "consoledemo:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	password := flag.String("password", "", "require this password (HTTP Basic)")
	flag.Parse()

	now := time.Now()
	data := consoletest.Sample(now)
	cfg := console.Config{
		Address:  *addr,
		Status:   statusOf(data),
		Password: *password,
		Logger:   slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	data.Wire(&cfg, consoletest.SampleBook(now))
	s, err := console.New(cfg)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := s.Start(ctx); err != nil {
		return err
	}
	fmt.Printf("http://%s/\n", s.Addr())
	<-ctx.Done()
	return s.Close()
}

// statusOf serves the overview's figures at /api/status.
func statusOf(d *consoletest.Data) console.StatusSource {
	return statusFunc(func() any {
		o := d.Overview
		return map[string]any{"router_hash": o.RouterHash, "version": o.Version, "netid": o.NetID,
			"uptime_s": int64(o.Uptime / time.Second), "network_status": o.NetworkStatus,
			"known_routers": o.KnownRouters, "floodfills": o.Floodfills}
	})
}

type statusFunc func() any

func (f statusFunc) Status() any { return f() }
