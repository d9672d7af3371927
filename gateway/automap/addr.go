package automap

import (
	"encoding/binary"
	"net/netip"
)

// addr4 returns the IPv4 address of slot: the network address plus
// reservedLow plus slot.
func (t *Table) addr4(slot uint32) netip.Addr {
	b := t.v4.Addr().As4()
	v := binary.BigEndian.Uint32(b[:]) + reservedLow + slot
	binary.BigEndian.PutUint32(b[:], v)
	return netip.AddrFrom4(b)
}

// addr6 returns the IPv6 address of slot, or the zero Addr without an IPv6
// range. The offset stays in the low 64 bits: the range's host bits are
// zero and slot < 2^32.
func (t *Table) addr6(slot uint32) netip.Addr {
	if !t.v6.IsValid() {
		return netip.Addr{}
	}
	b := t.v6.Addr().As16()
	v := binary.BigEndian.Uint64(b[8:]) + reservedLow + uint64(slot)
	binary.BigEndian.PutUint64(b[8:], v)
	return netip.AddrFrom16(b)
}

// slotOf returns the slot of an address in either range.
func (t *Table) slotOf(ip netip.Addr) (uint32, bool) {
	ip = ip.Unmap()
	var off uint64
	switch {
	case ip.Is4() && t.v4.Contains(ip):
		a, n := ip.As4(), t.v4.Addr().As4()
		off = uint64(binary.BigEndian.Uint32(a[:]) - binary.BigEndian.Uint32(n[:]))
	case ip.Is6() && t.v6.IsValid() && t.v6.Contains(ip.WithZone("")):
		a, n := ip.As16(), t.v6.Addr().As16()
		if [8]byte(a[:8]) != [8]byte(n[:8]) {
			return 0, false
		}
		off = binary.BigEndian.Uint64(a[8:]) - binary.BigEndian.Uint64(n[8:])
	default:
		return 0, false
	}
	if off < reservedLow || off-reservedLow >= uint64(t.slots) {
		return 0, false
	}
	return uint32(off - reservedLow), true
}
