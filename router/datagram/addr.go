package datagram

import (
	"fmt"
	"net"
	"strconv"

	"i2pgate/router/data"
)

// Addr is a datagram endpoint, the net.Addr of a Conn: a destination hash
// and an I2CP port. ReadFrom fills in what the datagram told about its
// sender; WriteTo needs only Hash (or Dest) and Port.
type Addr struct {
	// Hash is the destination hash; zero when the sender is unknown (a
	// raw datagram).
	Hash data.Hash
	// Port is the I2CP port: the sender's source port on a received
	// datagram.
	Port uint16
	// Dest is the sender's full Destination on a received Datagram1 or
	// Datagram2, whose signature it verified; nil otherwise.
	Dest *data.Destination
	// Proto is the protocol a received datagram came with (ProtoDatagram,
	// ProtoRaw, ProtoDatagram2, ProtoDatagram3); 0 on addresses made to
	// send to.
	Proto uint8
}

var _ net.Addr = Addr{}

// Network returns "i2p".
func (a Addr) Network() string { return "i2p" }

// String returns the b32 address and the port, "xxxx.b32.i2p:1234", or
// only ":1234" when the sender is unknown (a raw datagram), the form
// net.SplitHostPort reads as an empty host.
func (a Addr) String() string {
	port := strconv.Itoa(int(a.Port))
	if a.Hash.IsZero() {
		return ":" + port
	}
	return data.B32Address(a.Hash) + ":" + port
}

// Authenticated reports whether the sender was verified by a signature
// (Datagram1, Datagram2). The Hash of a Datagram3 is only claimed.
func (a Addr) Authenticated() bool { return a.Dest != nil }

// ParseAddr reads "xxxx.b32.i2p:port" (or "xxxx.b32.i2p", port 0), the
// form String writes. Other names must be resolved by the caller.
func ParseAddr(s string) (Addr, error) {
	host, portStr, err := net.SplitHostPort(s)
	if err != nil {
		host, portStr = s, "0"
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return Addr{}, fmt.Errorf("datagram: address %q: bad port: %w", s, ErrInvalid)
	}
	h, err := data.ParseB32Address(host)
	if err != nil {
		return Addr{}, fmt.Errorf("datagram: address %q: %w", s, err)
	}
	return Addr{Hash: h, Port: uint16(port)}, nil
}

// target returns where WriteTo sends to addr: a *Addr or Addr, or any
// net.Addr whose String is a b32 address and port.
func target(addr net.Addr) (data.Hash, uint16, error) {
	var a Addr
	switch v := addr.(type) {
	case Addr:
		a = v
	case *Addr:
		if v == nil {
			return data.Hash{}, 0, fmt.Errorf("datagram: nil address: %w", ErrNoAddress)
		}
		a = *v
	case nil:
		return data.Hash{}, 0, fmt.Errorf("datagram: nil address: %w", ErrNoAddress)
	default:
		var err error
		if a, err = ParseAddr(addr.String()); err != nil {
			return data.Hash{}, 0, err
		}
	}
	if a.Hash.IsZero() && a.Dest != nil {
		a.Hash = a.Dest.Hash()
	}
	if a.Hash.IsZero() {
		return data.Hash{}, 0, fmt.Errorf("datagram: address %s: %w", a, ErrNoAddress)
	}
	return a.Hash, a.Port, nil
}
