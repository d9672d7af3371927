//go:build linux

package transparent

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"syscall"

	"golang.org/x/sys/unix"
)

// SyscallOriginalDst reads the destination a connection had before the firewall
// redirected it: getsockopt SOL_IP/SO_ORIGINAL_DST for IPv4 (also for IPv4 on a
// dual-stack socket), SOL_IPV6/IP6T_SO_ORIGINAL_DST for IPv6. The kernel answers
// from the connection-tracking entry, so a connection that was not redirected
// gets its own local address back, and one that conntrack does not know gets an
// error.
//
// x/sys/unix has no getsockopt for a raw sockaddr; IPv6Mreq (20 bytes) holds a
// sockaddr_in (16) and IPv6MTUInfo (32) a sockaddr_in6 (28), whose bytes are
// then decoded without unsafe.
func SyscallOriginalDst(c net.Conn) (netip.AddrPort, error) {
	c = rawConn(c)
	sc, ok := c.(syscall.Conn)
	if !ok {
		return netip.AddrPort{}, fmt.Errorf("transparent: %T has no socket", c)
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("transparent: %w", err)
	}
	v4 := true
	if ta, ok := c.LocalAddr().(*net.TCPAddr); ok && ta.IP.To4() == nil {
		v4 = false
	}
	var (
		ap   netip.AddrPort
		oerr error
	)
	err = raw.Control(func(fd uintptr) {
		if v4 {
			m, err := unix.GetsockoptIPv6Mreq(int(fd), unix.SOL_IP, soOriginalDst)
			if err != nil {
				oerr = err
				return
			}
			ap, oerr = decodeSockaddrIn(m.Multiaddr[:])
			return
		}
		m, err := unix.GetsockoptIPv6MTUInfo(int(fd), unix.SOL_IPV6, ip6tSOOriginalDst)
		if err != nil {
			oerr = err
			return
		}
		ap, oerr = decodeSockaddrIn6(sockaddrIn6Bytes(&m.Addr))
	})
	if err == nil {
		err = oerr
	}
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("transparent: SO_ORIGINAL_DST: %w", err)
	}
	return ap, nil
}

// sockaddrIn6Bytes lays a RawSockaddrInet6 out as the kernel's bytes: x/sys read
// the family, port, flowinfo and scope as host-order integers.
func sockaddrIn6Bytes(r *unix.RawSockaddrInet6) []byte {
	b := make([]byte, 0, sockaddrIn6Size)
	b = binary.NativeEndian.AppendUint16(b, r.Family)
	b = binary.NativeEndian.AppendUint16(b, r.Port)
	b = binary.NativeEndian.AppendUint32(b, r.Flowinfo)
	b = append(b, r.Addr[:]...)
	return binary.NativeEndian.AppendUint32(b, r.Scope_id)
}
