package data

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"

	"golang.org/x/crypto/cryptobyte"
)

// Transport styles and the standard RouterAddress option keys.
const (
	TransportNTCP2 = "NTCP2"
	TransportSSU2  = "SSU2"

	OptionHost    = "host"
	OptionPort    = "port"
	OptionStatic  = "s"
	OptionIntro   = "i"
	OptionVersion = "v"
	OptionCaps    = "caps"
)

// RouterAddress is a common-structures "RouterAddress": how to reach a
// router over one transport. Expiration must be zero in new addresses;
// non-zero values are kept as read.
type RouterAddress struct {
	Cost       uint8
	Expiration Date
	Transport  string
	Options    Mapping
}

// ParseRouterAddress decodes a RouterAddress from the start of b and
// returns the rest.
func ParseRouterAddress(b []byte) (*RouterAddress, []byte, error) {
	in := cryptobyte.String(b)
	a := new(RouterAddress)
	if err := readRouterAddress(&in, a); err != nil {
		return nil, nil, fmt.Errorf("data: %w", err)
	}
	return a, in, nil
}

func readRouterAddress(in *cryptobyte.String, a *RouterAddress) error {
	if !in.ReadUint8(&a.Cost) || !readDate(in, &a.Expiration) || !readString(in, &a.Transport) {
		return fmt.Errorf("router address: %w", ErrTruncated)
	}
	if err := readMapping(in, &a.Options); err != nil {
		return fmt.Errorf("router address %s: %w", a.Transport, err)
	}
	return nil
}

// Append appends the wire form of a.
func (a *RouterAddress) Append(dst []byte) ([]byte, error) {
	b, err := a.appendTo(dst)
	if err != nil {
		return dst, fmt.Errorf("data: %w", err)
	}
	return b, nil
}

func (a *RouterAddress) appendTo(dst []byte) ([]byte, error) {
	if len(a.Transport) > MaxStringLen {
		return dst, fmt.Errorf("router address: transport style of %d bytes: %w", len(a.Transport), ErrInvalid)
	}
	dst = append(dst, a.Cost)
	dst = binary.BigEndian.AppendUint64(dst, uint64(a.Expiration))
	dst = append(dst, byte(len(a.Transport)))
	dst = append(dst, a.Transport...)
	return a.Options.appendTo(dst)
}

// Clone returns an independent copy of a.
func (a *RouterAddress) Clone() *RouterAddress {
	c := *a
	c.Options = a.Options.Clone()
	return &c
}

// Option returns the value of an option.
func (a *RouterAddress) Option(key string) (string, bool) { return a.Options.Get(key) }

// Host returns the "host" option as an IP address.
func (a *RouterAddress) Host() (netip.Addr, bool) {
	h, ok := a.Options.Get(OptionHost)
	if !ok {
		return netip.Addr{}, false
	}
	ip, err := netip.ParseAddr(h)
	return ip, err == nil
}

// Port returns the "port" option.
func (a *RouterAddress) Port() (uint16, bool) {
	p, ok := a.Options.Get(OptionPort)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(p, 10, 16)
	return uint16(n), err == nil
}

// AddrPort returns host and port together when both are valid.
func (a *RouterAddress) AddrPort() (netip.AddrPort, bool) {
	ip, ok1 := a.Host()
	port, ok2 := a.Port()
	if !ok1 || !ok2 || port == 0 {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(ip, port), true
}

// StaticKey returns the base64 "s" option: the 32-byte X25519 static key
// of NTCP2 and SSU2.
func (a *RouterAddress) StaticKey() ([32]byte, bool) {
	b, ok := a.base64Option(OptionStatic)
	if !ok || len(b) != 32 {
		return [32]byte{}, false
	}
	return [32]byte(b), true
}

// IntroKey returns the base64 "i" option: NTCP2's 16-byte AES IV or
// SSU2's 32-byte intro key.
func (a *RouterAddress) IntroKey() ([]byte, bool) {
	return a.base64Option(OptionIntro)
}

// Version returns the "v" option (the transport version, "2").
func (a *RouterAddress) Version() string { v, _ := a.Options.Get(OptionVersion); return v }

// Caps returns the "caps" option (e.g. SSU2 "BC", or "4"/"6").
func (a *RouterAddress) Caps() string { v, _ := a.Options.Get(OptionCaps); return v }

func (a *RouterAddress) base64Option(key string) ([]byte, bool) {
	v, ok := a.Options.Get(key)
	if !ok {
		return nil, false
	}
	b, err := DecodeBase64(v)
	return b, err == nil
}
