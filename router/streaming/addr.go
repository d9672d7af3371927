package streaming

import (
	"net"
	"strconv"

	"i2pgate/router/data"
)

// Addr is a destination and port: the net.Addr of a Conn or Listener.
type Addr struct {
	Hash data.Hash
	Port uint16
}

var _ net.Addr = Addr{}

// Network returns "i2p".
func (a Addr) Network() string { return "i2p" }

// String returns the b32 address and the port, "xxxx.b32.i2p:80".
func (a Addr) String() string {
	return data.B32Address(a.Hash) + ":" + strconv.Itoa(int(a.Port))
}
