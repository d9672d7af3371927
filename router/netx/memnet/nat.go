package memnet

import (
	"errors"
	"fmt"
	"net/netip"
	"sync/atomic"
)

// NATType is the behaviour of a NAT in front of a host (RFC 4787 terms).
type NATType int

const (
	// NATNone takes the host out from behind its NAT.
	NATNone NATType = iota
	// NATFullCone maps each private endpoint to one public port that
	// anyone may send to once it exists.
	NATFullCone
	// NATRestrictedCone is NATFullCone, but inbound datagrams are only let
	// through from IPs the private endpoint has sent to.
	NATRestrictedCone
	// NATPortRestrictedCone lets inbound datagrams through only from
	// IP:port pairs the private endpoint has sent to. The common home NAT.
	NATPortRestrictedCone
	// NATSymmetric maps each private endpoint to a new public port per
	// destination, and only that destination may answer.
	NATSymmetric
)

const firstNATPort = 20000

// nat is the state of one public address shared by the hosts behind it,
// guarded by Network.mu. Mappings do not expire.
type nat struct {
	public netip.Addr
	typ    NATType
	out    map[natKey]uint16
	in     map[uint16]*natMapping
	next   uint16
}

type natKey struct{ src, dst netip.AddrPort } // dst is zero unless symmetric

type natMapping struct {
	private netip.AddrPort
	peers   map[netip.AddrPort]struct{} // destinations sent to
}

// SetNAT puts the host private behind a NAT of type typ whose outside
// address is public; several hosts may share one public address. Datagrams
// the host sends to the outside come from public:mapped-port; unsolicited
// inbound datagrams are dropped (Stats.NATDropped) as typ says; its private
// address is unreachable from outside; TCP connections out of it come from
// the public address and none can come in. NATNone removes the NAT.
func (n *Network) SetNAT(private, public string, typ NATType) error {
	priv, err1 := netip.ParseAddr(private)
	pub, err2 := netip.ParseAddr(public)
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("memnet: set NAT: %w", err)
	}
	priv, pub = priv.Unmap(), pub.Unmap()
	if typ < NATNone || typ > NATSymmetric {
		return fmt.Errorf("memnet: set NAT: unknown type %d", typ)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.mu.hosts[pub]; ok {
		return fmt.Errorf("memnet: set NAT: public address %s is a host", pub)
	}
	h := n.hostLocked(priv)
	if typ == NATNone {
		h.nat = nil
		return nil
	}
	nt := n.mu.publics[pub]
	if nt == nil {
		nt = &nat{public: pub, out: make(map[natKey]uint16), in: make(map[uint16]*natMapping), next: firstNATPort}
		n.mu.publics[pub] = nt
	}
	nt.typ = typ
	h.nat = nt
	return nil
}

// outboundLocked returns the public endpoint for a datagram from src to dst
// and opens the filter for replies from dst; ok is false when the NAT has
// no port left.
func (t *nat) outboundLocked(src, dst netip.AddrPort) (netip.AddrPort, bool) {
	key := natKey{src: src}
	if t.typ == NATSymmetric {
		key.dst = dst
	}
	port, ok := t.out[key]
	if !ok {
		if port, ok = t.allocLocked(); !ok {
			return netip.AddrPort{}, false
		}
		t.out[key] = port
		t.in[port] = &natMapping{private: src, peers: make(map[netip.AddrPort]struct{})}
	}
	t.in[port].peers[dst] = struct{}{}
	return netip.AddrPortFrom(t.public, port), true
}

func (t *nat) allocLocked() (uint16, bool) {
	for range 65536 - firstNATPort {
		if t.next < firstNATPort {
			t.next = firstNATPort
		}
		p := t.next
		t.next++
		if t.in[p] == nil {
			return p, true
		}
	}
	return 0, false
}

// inboundLocked returns the private endpoint for a datagram from from to
// the public endpoint to, or false when the NAT drops it.
func (t *nat) inboundLocked(from, to netip.AddrPort) (netip.AddrPort, bool) {
	m := t.in[to.Port()]
	if m == nil {
		return netip.AddrPort{}, false
	}
	switch t.typ {
	case NATFullCone:
		return m.private, true
	case NATRestrictedCone:
		for p := range m.peers {
			if p.Addr() == from.Addr() {
				return m.private, true
			}
		}
		return netip.AddrPort{}, false
	default:
		_, ok := m.peers[from]
		return m.private, ok
	}
}

// routeLocked decides where a datagram from host src, socket sap, to dst
// goes: it returns the source address the receiver sees and the receiving
// endpoint, or the counter of the reason it is dropped.
func (n *Network) routeLocked(src *host, sap, dst netip.AddrPort) (from, to netip.AddrPort, drop *atomic.Uint64) {
	if dh := n.mu.hosts[dst.Addr()]; dh != nil {
		switch {
		case dh == src, src.nat != nil && dh.nat == src.nat:
			return sap, dst, nil // same host or same LAN
		case dh.nat != nil:
			return from, to, &n.stats.nat // a private address from outside
		}
		from = sap
		if src.nat != nil {
			var ok bool
			if from, ok = src.nat.outboundLocked(sap, dst); !ok {
				return from, to, &n.stats.nat
			}
		}
		return from, dst, nil
	}
	nt := n.mu.publics[dst.Addr()]
	if nt == nil {
		return from, to, &n.stats.noListener
	}
	if src.nat == nt {
		return from, to, &n.stats.nat // no hairpinning
	}
	from = sap
	if src.nat != nil {
		var ok bool
		if from, ok = src.nat.outboundLocked(sap, dst); !ok {
			return from, to, &n.stats.nat
		}
	}
	priv, ok := nt.inboundLocked(from, dst)
	if !ok {
		return from, to, &n.stats.nat
	}
	return from, priv, nil
}
