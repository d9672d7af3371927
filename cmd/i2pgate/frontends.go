package main

import (
	"context"
	"errors"
	"log/slog"

	"i2pgate/cmd/i2pgate/internal/config"
	"i2pgate/gateway/console"
	"i2pgate/router"
)

// frontEnds are the listeners the gateway runs beside the router.
type frontEnds struct {
	closers []interface{ Close() error }
	gw      *gatewayParts // the address book and the listeners' shared parts
}

// Close stops the front-ends in reverse order of their start.
func (f *frontEnds) Close() error {
	var errs []error
	for i := len(f.closers) - 1; i >= 0; i-- {
		errs = append(errs, f.closers[i].Close())
	}
	f.closers = nil
	return errors.Join(errs...)
}

// routerStatus adapts the router to the console's StatusSource.
type routerStatus struct{ r *router.Router }

func (s routerStatus) Status() any { return s.r.Status() }

func startFrontEnds(ctx context.Context, cfg *config.Config, r *router.Router, log *slog.Logger) (*frontEnds, error) {
	f := new(frontEnds)
	g, err := startGateway(ctx, cfg, r, log, f)
	if err != nil {
		f.Close()
		return nil, err
	}
	f.gw = g
	if cfg.Console.Address != "" {
		cc := consoleConfig(cfg, r, g)
		cc.Logger = log
		c, err := console.New(cc)
		if err != nil {
			f.Close()
			return nil, err
		}
		if err := c.Start(ctx); err != nil {
			f.Close()
			return nil, err
		}
		f.closers = append(f.closers, c)
	}
	return f, nil
}
