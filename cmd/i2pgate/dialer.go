package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"i2pgate/gateway"
	"i2pgate/router"
	"i2pgate/router/data"
	"i2pgate/router/destination"
	"i2pgate/router/naming"
	"i2pgate/router/streaming"
)

// i2pDialer is the gateway's Dialer: it resolves .i2p names with the
// address book and opens streams from a router destination, and maps the
// router's errors to the gateway's kinds.
type i2pDialer struct {
	book *naming.Book
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// critical reports a critical memory pressure, under which new
	// streams are refused; nil: never.
	critical func() bool
}

// errMemoryCritical refuses a new stream while the router is close to
// limits.memory; the streams already open go on.
var errMemoryCritical = errors.New("i2pgate: memory pressure critical: new streams refused")

// memoryCritical reports whether r's memory pressure is critical.
func memoryCritical(r *router.Router) func() bool {
	return func() bool { return r.MemoryPressure() >= router.PressureCritical }
}

var _ gateway.Dialer = (*i2pDialer)(nil)

func (d *i2pDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dial %q: %w", addr, err)
	}
	name := strings.ToLower(strings.TrimSuffix(host, "."))
	if !strings.HasSuffix(name, ".i2p") {
		return nil, fmt.Errorf("dial %q: %w", host, gateway.ErrNotAllowed)
	}
	b32 := name
	if !strings.HasSuffix(name, ".b32.i2p") || len(name) != 60 {
		h, _, err := d.book.Resolve(name)
		switch {
		case errors.Is(err, naming.ErrNotFound), errors.Is(err, naming.ErrInvalidName), errors.Is(err, naming.ErrB33Unsupported):
			return nil, fmt.Errorf("%s: %w: %w", name, gateway.ErrUnknownName, err)
		case err != nil:
			return nil, err
		}
		b32 = data.B32Address(h)
	}
	if d.critical != nil && d.critical() {
		return nil, fmt.Errorf("dial %q: %w", name, errMemoryCritical)
	}
	c, err := d.dial(ctx, network, net.JoinHostPort(b32, port))
	if err != nil {
		return nil, classifyDial(err)
	}
	return c, nil
}

// classifyDial wraps router errors with the gateway kind they mean.
func classifyDial(err error) error {
	var kind error
	switch {
	case errors.Is(err, destination.ErrNotFound):
		kind = gateway.ErrNotFound
	case errors.Is(err, destination.ErrNoTunnels):
		kind = gateway.ErrNoTunnels
	case errors.Is(err, destination.ErrTimeout), errors.Is(err, streaming.ErrTimeout),
		errors.Is(err, context.DeadlineExceeded):
		kind = gateway.ErrTimeout
	case errors.Is(err, streaming.ErrRefused), errors.Is(err, streaming.ErrReset):
		kind = gateway.ErrRefused
	default:
		return err
	}
	return fmt.Errorf("%w: %w", kind, err)
}

// routerDialer dials from the router's shared client destination.
func routerDialer(r *router.Router, book *naming.Book) *i2pDialer {
	return &i2pDialer{book: book, dial: r.Dial, critical: memoryCritical(r)}
}
