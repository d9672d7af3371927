//go:build linux

package transparent

import (
	"net"
	"net/netip"
	"testing"

	"i2pgate/gateway"
)

// On a connection that was not redirected the kernel either has no conntrack
// entry (error) or answers with the connection's own local address; either way
// the real getsockopt path runs, unwrapping gateway.Conn, without root.
func TestSyscallOriginalDstLoopback(t *testing.T) {
	for _, network := range []string{"tcp4", "tcp6"} {
		t.Run(network, func(t *testing.T) {
			addr := "127.0.0.1:0"
			if network == "tcp6" {
				addr = "[::1]:0"
			}
			ln, err := net.Listen(network, addr)
			if err != nil {
				t.Skipf("no %s loopback: %v", network, err)
			}
			gl := gateway.NewListener(ln, gateway.ListenerConfig{})
			defer gl.Close()
			c, err := net.Dial(network, ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			sc, err := gl.Accept()
			if err != nil {
				t.Fatal(err)
			}
			defer sc.Close()
			got, err := SyscallOriginalDst(sc)
			if err != nil {
				t.Logf("no conntrack entry: %v", err)
				return
			}
			want := netip.MustParseAddrPort(ln.Addr().String())
			if got != want {
				t.Errorf("SyscallOriginalDst = %v, want %v", got, want)
			}
		})
	}
	if _, err := SyscallOriginalDst(pipeConn()); err == nil {
		t.Error("net.Pipe has an original destination")
	}
}

func pipeConn() net.Conn {
	a, b := net.Pipe()
	b.Close()
	return a
}
