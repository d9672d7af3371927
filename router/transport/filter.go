package transport

import (
	"fmt"
	"net/netip"
)

// reservedPrefixes are the ranges no transport dials or accepts on the
// public network: RFC 6890 special-purpose blocks, loopback, private,
// shared, link-local, benchmarking (198.18/15, which the private testnet
// uses), documentation, multicast and reserved space, for IPv4 and IPv6.
var reservedPrefixes = [...]netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("192.88.99.0/24"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("224.0.0.0/4"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("::/128"),
	netip.MustParsePrefix("::1/128"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("fe80::/10"),
	netip.MustParsePrefix("ff00::/8"),
}

// IsReserved reports whether ip is in a reserved range (see
// reservedPrefixes); IPv4-mapped IPv6 addresses are judged as IPv4. The
// invalid address counts as reserved.
func IsReserved(ip netip.Addr) bool {
	if !ip.IsValid() {
		return true
	}
	ip = ip.Unmap()
	for _, p := range reservedPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// AddrFilter decides which peer addresses a transport may dial or accept.
// The zero value refuses reserved ranges, as the config's
// "reservedrange = true" (the default) asks; AllowReserved is
// "reservedrange = false", for private testnets.
type AddrFilter struct {
	AllowReserved bool
}

// Check returns nil if ip may be used, or an error wrapping ErrReserved.
func (f AddrFilter) Check(ip netip.Addr) error {
	if !ip.IsValid() {
		return fmt.Errorf("%w: invalid address", ErrReserved)
	}
	if !f.AllowReserved && IsReserved(ip) {
		return fmt.Errorf("%w: %v", ErrReserved, ip)
	}
	return nil
}
