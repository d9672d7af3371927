package datagram

import (
	"errors"
	"net"
	"os"
)

// Errors returned, wrapped with context, by this package. Callers decide
// with errors.Is; the signature errors of router/data (data.ErrBadSignature,
// data.ErrUnsupportedSigType, ...) are wrapped as they come.
var (
	// ErrTruncated means a datagram ended before its fields did.
	ErrTruncated = errors.New("truncated datagram")
	// ErrInvalid means a field holds a value the format forbids.
	ErrInvalid = errors.New("invalid datagram")
	// ErrTooLarge means a datagram exceeds MaxSize, or the Manager's
	// Config.MaxSize when sending.
	ErrTooLarge = errors.New("datagram too large")
	// ErrExpired means a Datagram2 offline signature has expired.
	ErrExpired = errors.New("offline signature expired")
	// ErrOffline means Datagram1 was asked of offline keys: its format
	// has no room for an offline signature (datagrams.rst).
	ErrOffline = errors.New("offline keys cannot sign Datagram1")
	// ErrNoAddress means WriteTo was given an address with no destination
	// hash, such as the sender of a raw datagram.
	ErrNoAddress = errors.New("no destination address")
	// ErrPortInUse means a Conn already holds the port.
	ErrPortInUse = errors.New("port already in use")
	// ErrClosed is net.ErrClosed: the Conn or Manager is closed.
	ErrClosed = net.ErrClosed
)

// timeoutError is what ReadFrom and WriteTo return when a deadline has
// passed: a net.Error whose Timeout is true, matching
// os.ErrDeadlineExceeded as net.PacketConn requires.
type timeoutError struct{}

func (timeoutError) Error() string   { return "datagram: i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }
func (timeoutError) Is(err error) bool {
	return err == os.ErrDeadlineExceeded
}

var _ net.Error = timeoutError{}
