package destination

import "errors"

// Failure reasons a caller can tell apart with errors.Is.
var (
	// ErrNotFound: no floodfill had the remote destination's lease set.
	ErrNotFound = errors.New("destination: lease set not found")
	// ErrNoTunnels: this destination has no usable tunnels yet.
	ErrNoTunnels = errors.New("destination: no tunnels")
	// ErrTimeout: the lookup or send did not finish in time.
	ErrTimeout = errors.New("destination: timeout")
	// ErrUnsupported: the remote offers no encryption we speak (ElGamal
	// only) or an encrypted lease set.
	ErrUnsupported = errors.New("destination: unsupported lease set")
	// ErrClosed: the destination was closed.
	ErrClosed = errors.New("destination: closed")
)
