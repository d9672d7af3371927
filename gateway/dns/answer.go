package dns

import (
	"net/netip"
	"strconv"
	"strings"

	mdns "github.com/miekg/dns"
)

const (
	// TTL is the time to live of every answer, in seconds: short, since a
	// mapping can be reclaimed and a name can enter the address book.
	TTL = 60
	// maxUDPSize is the EDNS0 buffer size we read with and advertise (the
	// DNS Flag Day 2020 value, below any LAN's MTU).
	maxUDPSize = 1232
	// zone is the pseudo top-level domain we answer for.
	zone = "i2p"
	// Reverse zones for PTR queries.
	reverse4 = ".in-addr.arpa"
	reverse6 = ".ip6.arpa"
)

// outcome classifies an answer for the counters.
type outcome uint8

const (
	outAnswer outcome = iota
	outNoData
	outNXDomain
	outRefused
	outServFail
	outFormErr
	outNotImp
	outBadVers
	numOutcomes
)

// answer builds the reply to a query; udp selects the size limit. It never
// returns nil for a query (QR clear); responses get no answer.
func (s *Server) answer(req *mdns.Msg, udp bool) (*mdns.Msg, outcome) {
	if req.Response {
		return nil, outFormErr
	}
	m := new(mdns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	size := mdns.MinMsgSize
	if opt := req.IsEdns0(); opt != nil {
		size = max(size, min(int(opt.UDPSize()), maxUDPSize))
		m.SetEdns0(maxUDPSize, false)
		if opt.Version() != 0 {
			m.Authoritative = false
			m.Rcode = mdns.RcodeBadVers
			return m, outBadVers
		}
	}
	out := s.resolve(req, m)
	switch out {
	case outRefused, outFormErr, outNotImp:
		m.Authoritative = false
	}
	if udp {
		m.Truncate(size)
	}
	return m, out
}

// resolve fills m, a reply to req, and sets its Rcode.
func (s *Server) resolve(req, m *mdns.Msg) outcome {
	switch {
	case req.Opcode != mdns.OpcodeQuery:
		m.Rcode = mdns.RcodeNotImplemented
		return outNotImp
	case len(req.Question) != 1:
		m.Rcode = mdns.RcodeFormatError
		return outFormErr
	}
	q := req.Question[0]
	if q.Qclass != mdns.ClassINET {
		m.Rcode = mdns.RcodeRefused
		return outRefused
	}
	name := strings.ToLower(strings.TrimSuffix(q.Name, "."))
	switch {
	case name == zone:
		return outNoData
	case strings.HasSuffix(name, "."+zone):
		return s.forward(q, name, m)
	case strings.HasSuffix(name, reverse4), strings.HasSuffix(name, reverse6):
		return s.reverse(q, name, m)
	}
	m.Rcode = mdns.RcodeRefused
	return outRefused
}

// forward answers A and AAAA for an .i2p name.
func (s *Server) forward(q mdns.Question, name string, m *mdns.Msg) outcome {
	if !s.cfg.Names.Known(name) {
		m.Rcode = mdns.RcodeNameError
		return outNXDomain
	}
	if q.Qtype != mdns.TypeA && q.Qtype != mdns.TypeAAAA {
		return outNoData
	}
	v4, v6, err := s.cfg.Mapper.Map(name)
	if err != nil {
		m.Rcode = mdns.RcodeServerFailure
		return outServFail
	}
	hdr := mdns.RR_Header{Name: q.Name, Rrtype: q.Qtype, Class: mdns.ClassINET, Ttl: TTL}
	switch {
	case q.Qtype == mdns.TypeA && v4.Is4():
		m.Answer = append(m.Answer, &mdns.A{Hdr: hdr, A: v4.AsSlice()})
	case q.Qtype == mdns.TypeAAAA && v6.Is6() && !v6.Is4In6():
		m.Answer = append(m.Answer, &mdns.AAAA{Hdr: hdr, AAAA: v6.AsSlice()})
	default:
		return outNoData
	}
	return outAnswer
}

// reverse answers PTR for a virtual address.
func (s *Server) reverse(q mdns.Question, name string, m *mdns.Msg) outcome {
	ip, ok := parseReverse(name)
	var target string
	if ok {
		target, ok = s.cfg.Mapper.Reverse(ip)
	}
	if ok {
		_, ok = mdns.IsDomainName(target)
	}
	if !ok || target == "" || len(target) > maxNameLen {
		m.Rcode = mdns.RcodeNameError
		return outNXDomain
	}
	if q.Qtype != mdns.TypePTR {
		return outNoData
	}
	hdr := mdns.RR_Header{Name: q.Name, Rrtype: mdns.TypePTR, Class: mdns.ClassINET, Ttl: TTL}
	m.Answer = append(m.Answer, &mdns.PTR{Hdr: hdr, Ptr: mdns.Fqdn(target)})
	return outAnswer
}

// maxNameLen is the longest name that fits a DNS message as text.
const maxNameLen = 253

// parseReverse turns "4.3.2.1.in-addr.arpa" or a 32-nibble ".ip6.arpa"
// name (lower case, no root dot) into an address.
func parseReverse(name string) (netip.Addr, bool) {
	if labels, ok := strings.CutSuffix(name, reverse4); ok {
		parts := strings.Split(labels, ".")
		if len(parts) != 4 {
			return netip.Addr{}, false
		}
		var b [4]byte
		for i, p := range parts {
			// Decimal without leading zeros, as written by resolvers.
			if p == "" || len(p) > 3 || (len(p) > 1 && p[0] == '0') {
				return netip.Addr{}, false
			}
			v, err := strconv.ParseUint(p, 10, 8)
			if err != nil {
				return netip.Addr{}, false
			}
			b[3-i] = byte(v)
		}
		return netip.AddrFrom4(b), true
	}
	labels, ok := strings.CutSuffix(name, reverse6)
	if !ok || len(labels) != 63 {
		return netip.Addr{}, false
	}
	var b [16]byte
	for i := range 32 {
		c := labels[62-2*i]
		if i < 31 && labels[62-2*i-1] != '.' {
			return netip.Addr{}, false
		}
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		default:
			return netip.Addr{}, false
		}
		if i%2 == 0 {
			b[i/2] = v << 4
		} else {
			b[i/2] |= v
		}
	}
	return netip.AddrFrom16(b), true
}
