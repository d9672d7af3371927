package memnet_test

import (
	"errors"
	"net"
	"syscall"
	"testing"
	"time"

	"i2pgate/router/netx/memnet"
)

const (
	natPriv   = "10.0.0.2"
	natPriv2  = "10.0.0.3"
	natPublic = "198.18.1.1"
	server    = "198.18.0.10"
	stranger  = "198.18.0.20"
)

func natNet(t *testing.T, typ memnet.NATType) *memnet.Network {
	t.Helper()
	n := memnet.New(memnet.Options{})
	t.Cleanup(func() { n.Close() })
	if err := n.SetNAT(natPriv, natPublic, typ); err != nil {
		t.Fatal(err)
	}
	return n
}

// natSend sends from the NATed host to srv and returns the source address
// srv saw.
func natSend(t *testing.T, inner, srv net.PacketConn) net.Addr {
	t.Helper()
	if _, err := inner.WriteTo([]byte("out"), srv.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	_, from, err := recvUDP(t, srv, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return from
}

func canReach(t *testing.T, from net.PacketConn, to net.Addr, inner net.PacketConn) bool {
	t.Helper()
	from.WriteTo([]byte("in"), to)
	_, _, err := recvUDP(t, inner, 20*time.Millisecond)
	return err == nil
}

func TestNATFiltering(t *testing.T) {
	tests := []struct {
		typ            memnet.NATType
		replyOK        bool // the server it sent to answers
		otherPortOK    bool // the same server from another port
		strangerOK     bool // an unrelated host
		samePortForAll bool // one mapping for every destination
	}{
		{memnet.NATFullCone, true, true, true, true},
		{memnet.NATRestrictedCone, true, true, false, true},
		{memnet.NATPortRestrictedCone, true, false, false, true},
		{memnet.NATSymmetric, true, false, false, false},
	}
	for _, tc := range tests {
		t.Run(map[memnet.NATType]string{1: "full", 2: "restricted", 3: "port-restricted", 4: "symmetric"}[tc.typ], func(t *testing.T) {
			n := natNet(t, tc.typ)
			inner := listenUDP(t, n, natPriv, ":5000")
			srv := listenUDP(t, n, server, ":1")
			srv2 := listenUDP(t, n, server, ":2")
			str := listenUDP(t, n, stranger, ":1")
			if inner.LocalAddr().String() != natPriv+":5000" {
				t.Fatalf("LocalAddr %v", inner.LocalAddr())
			}
			mapped := natSend(t, inner, srv)
			if ua := mapped.(*net.UDPAddr); ua.IP.String() != natPublic || ua.Port == 5000 {
				t.Fatalf("server saw %v, want %s:mapped", mapped, natPublic)
			}
			if got := canReach(t, srv, mapped, inner); got != tc.replyOK {
				t.Errorf("reply: %v", got)
			}
			if got := canReach(t, srv2, mapped, inner); got != tc.otherPortOK {
				t.Errorf("other port of server: %v", got)
			}
			if got := canReach(t, str, mapped, inner); got != tc.strangerOK {
				t.Errorf("stranger: %v", got)
			}
			mapped2 := natSend(t, inner, str)
			if same := mapped2.String() == mapped.String(); same != tc.samePortForAll {
				t.Errorf("mapping to a second host %v, first %v", mapped2, mapped)
			}
			// After sending to the stranger, it may answer.
			if !canReach(t, str, mapped2, inner) {
				t.Error("stranger cannot answer after being contacted")
			}
			if n.Stats().NATDropped == 0 && !tc.strangerOK {
				t.Error("NATDropped not counted")
			}
		})
	}
}

func TestNATPrivateUnreachable(t *testing.T) {
	n := natNet(t, memnet.NATPortRestrictedCone)
	if err := n.SetNAT(natPriv2, natPublic, memnet.NATPortRestrictedCone); err != nil {
		t.Fatal(err)
	}
	inner := listenUDP(t, n, natPriv, ":5000")
	lan := listenUDP(t, n, natPriv2, ":5000")
	str := listenUDP(t, n, stranger, ":1")
	if canReach(t, str, inner.LocalAddr(), inner) {
		t.Error("private address reachable from outside")
	}
	if !canReach(t, lan, inner.LocalAddr(), inner) {
		t.Error("host on the same LAN cannot reach the private address")
	}
	if canReach(t, inner, &net.UDPAddr{IP: net.ParseIP(natPublic), Port: 20000}, lan) {
		t.Error("hairpinning worked")
	}
	if err := n.SetNAT(natPriv, natPublic, memnet.NATNone); err != nil {
		t.Fatal(err)
	}
	if !canReach(t, str, inner.LocalAddr(), inner) {
		t.Error("host still unreachable after NATNone")
	}
	n.Host(server)
	if err := n.SetNAT(natPriv, server, memnet.NATFullCone); err == nil {
		t.Error("SetNAT with a host's address as public succeeded")
	}
	if err := n.SetNAT("bad", natPublic, memnet.NATFullCone); err == nil {
		t.Error("SetNAT with a bad address succeeded")
	}
}

func TestNATTCP(t *testing.T) {
	n := natNet(t, memnet.NATPortRestrictedCone)
	ln, err := n.Host(server).Listen(ctx, "tcp", ":80")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := n.Host(natPriv).Dial(ctx, "tcp", server+":80")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if ra := s.RemoteAddr().(*net.TCPAddr); ra.IP.String() != natPublic {
		t.Fatalf("server sees %v, want the NAT's public address", ra)
	}
	if c.LocalAddr().(*net.TCPAddr).IP.String() != natPriv {
		t.Fatalf("client LocalAddr %v", c.LocalAddr())
	}
	inLn, err := n.Host(natPriv).Listen(ctx, "tcp", ":80")
	if err != nil {
		t.Fatal(err)
	}
	defer inLn.Close()
	for _, addr := range []string{natPriv + ":80", natPublic + ":80"} {
		if _, err := n.Host(stranger).Dial(ctx, "tcp", addr); !errors.Is(err, syscall.ETIMEDOUT) {
			t.Errorf("dial into NAT at %s: %v", addr, err)
		}
	}
}
