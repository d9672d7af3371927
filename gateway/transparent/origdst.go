package transparent

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
)

// Socket option values of Linux netfilter (linux/netfilter_ipv4.h and
// linux/netfilter_ipv6/ip6_tables.h); both are 80.
const (
	soOriginalDst     = 80 // SOL_IP
	ip6tSOOriginalDst = 80 // SOL_IPV6
	afInet            = 2
	afInet6           = 10
)

// Sizes of the socket addresses the kernel fills in.
const (
	sockaddrInSize  = 16 // family(2, host order) port(2, big-endian) addr(4) zero(8)
	sockaddrIn6Size = 28 // family port flowinfo(4) addr(16) scope_id(4)
)

var errBadSockaddr = errors.New("transparent: bad original destination address")

// OriginalDst returns where a redirected connection was going. Tests inject their
// own; nil in Config means SyscallOriginalDst.
type OriginalDst func(c net.Conn) (netip.AddrPort, error)

// decodeSockaddrIn reads a struct sockaddr_in as the kernel wrote it. The family
// is in host order; the port and address are in network order on every
// architecture.
func decodeSockaddrIn(b []byte) (netip.AddrPort, error) {
	if len(b) < sockaddrInSize || binary.NativeEndian.Uint16(b[0:2]) != afInet {
		return netip.AddrPort{}, errBadSockaddr
	}
	addr := netip.AddrFrom4([4]byte(b[4:8]))
	return netip.AddrPortFrom(addr, binary.BigEndian.Uint16(b[2:4])), nil
}

// decodeSockaddrIn6 reads a struct sockaddr_in6 as the kernel wrote it.
func decodeSockaddrIn6(b []byte) (netip.AddrPort, error) {
	if len(b) < sockaddrIn6Size || binary.NativeEndian.Uint16(b[0:2]) != afInet6 {
		return netip.AddrPort{}, errBadSockaddr
	}
	addr := netip.AddrFrom16([16]byte(b[8:24])).Unmap()
	return netip.AddrPortFrom(addr, binary.BigEndian.Uint16(b[2:4])), nil
}

// rawConn unwraps connections that wrap a socket (gateway.Conn and the like)
// down to one that has a file descriptor.
func rawConn(c net.Conn) net.Conn {
	for i := 0; i < 8; i++ {
		u, ok := c.(interface{ NetConn() net.Conn })
		if !ok {
			break
		}
		c = u.NetConn()
	}
	return c
}
