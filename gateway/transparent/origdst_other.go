//go:build !linux

package transparent

import (
	"errors"
	"net"
	"net/netip"
)

// SyscallOriginalDst needs Linux netfilter; elsewhere it always fails, and
// tests inject an OriginalDst.
func SyscallOriginalDst(c net.Conn) (netip.AddrPort, error) {
	_ = rawConn(c)
	return netip.AddrPort{}, errors.New("transparent: SO_ORIGINAL_DST needs Linux")
}
