package streaming

import (
	"errors"
	"net"
	"os"
)

// Errors returned, wrapped with context, by this package. Callers decide
// with errors.Is.
var (
	// ErrTruncated means a packet ended before its fields did.
	ErrTruncated = errors.New("truncated packet")
	// ErrInvalid means a packet field holds a value the format forbids.
	ErrInvalid = errors.New("invalid packet")
	// ErrBadSignature means a packet or offline signature did not verify
	// or had the wrong length.
	ErrBadSignature = errors.New("bad signature")
	// ErrReset means the peer reset the connection, or it was given up
	// after too many retransmissions.
	ErrReset = errors.New("connection reset")
	// ErrRefused means the peer answered a SYN with a RESET.
	ErrRefused = errors.New("connection refused")
	// ErrTimeout means a connection attempt, a ping or an idle connection
	// timed out. Conn deadlines return a net.Error whose Timeout is true.
	ErrTimeout = errors.New("timed out")
	// ErrLimit means a connection limit was reached.
	ErrLimit = errors.New("too many connections")
	// ErrPortInUse means a listener already holds the port.
	ErrPortInUse = errors.New("port already in use")
	// ErrClosed is net.ErrClosed: the Conn, Listener or Manager is closed.
	ErrClosed = net.ErrClosed
)

// timeoutError is what Read and Write return when a deadline passes. It
// is a net.Error whose Timeout is true and matches os.ErrDeadlineExceeded
// and ErrTimeout, as net.Conn requires.
type timeoutError struct{}

func (timeoutError) Error() string   { return "streaming: i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }
func (timeoutError) Is(err error) bool {
	return err == ErrTimeout || err == os.ErrDeadlineExceeded
}

var _ net.Error = timeoutError{}
