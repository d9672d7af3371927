package gateway

import (
	"context"
	"errors"
	"net"
	"os"
)

// Kinds of failure of a Dialer. The integrator maps the router's errors to these
// (wrapping with %w); the front-ends decide what to tell the client with errors.Is,
// through Classify: a SOCKS reply code, an HTTP error page, a closed connection.
var (
	// ErrUnknownName means the name has no address-book entry (a hostname that
	// is not a .b32.i2p address and is not known locally or by subscription).
	ErrUnknownName = errors.New("gateway: unknown I2P name")
	// ErrNotFound means the destination's LeaseSet was not found in the netDb:
	// the site is offline or does not exist.
	ErrNotFound = errors.New("gateway: destination not found")
	// ErrTimeout means the destination did not answer in time (lookup or
	// streaming SYN).
	ErrTimeout = errors.New("gateway: timed out")
	// ErrNoTunnels means the local destination has no usable tunnels yet (the
	// router is starting or badly connected).
	ErrNoTunnels = errors.New("gateway: no tunnels")
	// ErrNotAllowed means the target is outside I2P (clearnet) and no outproxy
	// is configured; nothing was dialed.
	ErrNotAllowed = errors.New("gateway: clearnet target and no outproxy")
	// ErrRefused means the peer refused or reset the stream (no service on that
	// port, or the server closed it at once).
	ErrRefused = errors.New("gateway: connection refused")
)

// kinds lists the error kinds in the order Classify tests them.
var kinds = [...]error{ErrUnknownName, ErrNotFound, ErrNoTunnels, ErrNotAllowed, ErrRefused, ErrTimeout}

// Classify returns the kind of err: one of ErrUnknownName, ErrNotFound,
// ErrTimeout, ErrNoTunnels, ErrNotAllowed or ErrRefused, or nil when err is nil or
// of no known kind. Deadlines (context.DeadlineExceeded, os.ErrDeadlineExceeded
// and any net.Error that reports Timeout) count as ErrTimeout.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	for _, k := range kinds {
		if errors.Is(err, k) {
			return k
		}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return ErrTimeout
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ErrTimeout
	}
	return nil
}
