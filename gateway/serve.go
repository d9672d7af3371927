package gateway

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"
)

// AcceptRetryDelay is how long Serve waits after an accept error that is not
// the listener's end (e.g. too many open files).
const AcceptRetryDelay = 100 * time.Millisecond

// ListenFunc opens a listener; net.ListenConfig.Listen has this shape.
type ListenFunc func(ctx context.Context, network, address string) (net.Listener, error)

// Listen opens a TCP listener on address with listen (nil: net.ListenConfig)
// and wraps it in a Listener that enforces cfg: what every front-end does
// in its Start.
func Listen(ctx context.Context, listen ListenFunc, address string, cfg ListenerConfig) (*Listener, error) {
	if listen == nil {
		var lc net.ListenConfig
		listen = lc.Listen
	}
	ln, err := listen(ctx, "tcp", address)
	if err != nil {
		return nil, err
	}
	return NewListener(ln, cfg), nil
}

// Serve accepts on ln until it is closed or ctx ends, and runs handle for
// each connection in a goroutine counted in wg (as is Serve itself: the
// caller adds 1 before starting it). Accept errors other than the end are
// logged and retried after AcceptRetryDelay.
func Serve(ctx context.Context, ln *Listener, wg *sync.WaitGroup, log *slog.Logger, handle func(*Conn)) {
	defer wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) || ctx.Err() != nil {
				return
			}
			log.Warn("accept", "err", err)
			select {
			case <-time.After(AcceptRetryDelay):
			case <-ctx.Done():
				return
			}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			handle(c.(*Conn))
		}()
	}
}
