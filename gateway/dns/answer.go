package dns

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/net/dns/dnsmessage"
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

// handle answers one message from an admitted client; nil means no
// reply: no header (there is nothing to answer to) or a response (so two
// servers cannot loop). udp selects the size limit.
func (s *Server) handle(msg []byte, udp bool) []byte {
	q, err := parseQuery(msg)
	if errors.Is(err, errNoHeader) {
		s.counts[outFormErr].Add(1)
		return nil
	}
	if q.hdr.Response {
		return nil
	}
	var r reply
	var out outcome
	if err != nil {
		r, out = newReply(&q), outFormErr
		r.rcode = dnsmessage.RCodeFormatError
	} else {
		r, out = s.answer(&q)
	}
	s.counts[out].Add(1)
	b, err := r.pack(q.limit(udp))
	if err != nil {
		s.log.Debug("pack", "err", err)
		return nil
	}
	if r.hdr.Truncated {
		s.truncated.Add(1)
	}
	return b
}

// refuse counts a message from a client that Allow does not admit and
// returns the REFUSED reply to send, or nil when it is not a well-formed
// query.
func (s *Server) refuse(msg []byte) []byte {
	s.denied.Add(1)
	q, err := parseQuery(msg)
	if err != nil || q.hdr.Response {
		return nil
	}
	r := newReply(&q)
	r.rcode = dnsmessage.RCodeRefused
	b, err := r.pack(minUDPSize)
	if err != nil {
		return nil
	}
	return b
}

// answer builds the reply to a query that parsed.
func (s *Server) answer(q *query) (reply, outcome) {
	r := newReply(q)
	r.hdr.Authoritative = true
	if q.edns {
		r.edns = true
		if q.version != 0 {
			r.hdr.Authoritative = false
			r.rcode = rcodeBadVers
			return r, outBadVers
		}
	}
	out := s.resolve(q, &r)
	switch out {
	case outRefused, outFormErr, outNotImp:
		r.hdr.Authoritative = false
	}
	return r, out
}

// resolve fills r, the reply to q, and sets its rcode.
func (s *Server) resolve(q *query, r *reply) outcome {
	switch {
	case q.hdr.OpCode != 0:
		r.rcode = dnsmessage.RCodeNotImplemented
		return outNotImp
	case q.questions != 1:
		r.rcode = dnsmessage.RCodeFormatError
		return outFormErr
	}
	if q.q.Class != dnsmessage.ClassINET {
		r.rcode = dnsmessage.RCodeRefused
		return outRefused
	}
	name := lowerASCII(strings.TrimSuffix(q.q.Name.String(), "."))
	switch {
	case name == zone:
		return outNoData
	case strings.HasSuffix(name, "."+zone):
		return s.forward(q.q, name, r)
	case strings.HasSuffix(name, reverse4), strings.HasSuffix(name, reverse6):
		return s.reverse(q.q, name, r)
	}
	r.rcode = dnsmessage.RCodeRefused
	return outRefused
}

// lowerASCII folds A-Z only: DNS names compare case-insensitively in
// ASCII alone (RFC 4343), and other bytes must pass unchanged.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// forward answers A and AAAA for an .i2p name.
func (s *Server) forward(q dnsmessage.Question, name string, r *reply) outcome {
	if !s.cfg.Names.Known(name) {
		r.rcode = dnsmessage.RCodeNameError
		return outNXDomain
	}
	if q.Type != dnsmessage.TypeA && q.Type != dnsmessage.TypeAAAA {
		return outNoData
	}
	v4, v6, err := s.cfg.Mapper.Map(name)
	if err != nil {
		r.rcode = dnsmessage.RCodeServerFailure
		return outServFail
	}
	hdr := dnsmessage.ResourceHeader{Name: q.Name, Type: q.Type, Class: dnsmessage.ClassINET, TTL: TTL}
	switch {
	case q.Type == dnsmessage.TypeA && v4.Is4():
		r.answer = dnsmessage.Resource{Header: hdr, Body: &dnsmessage.AResource{A: v4.As4()}}
	case q.Type == dnsmessage.TypeAAAA && v6.Is6() && !v6.Is4In6():
		r.answer = dnsmessage.Resource{Header: hdr, Body: &dnsmessage.AAAAResource{AAAA: v6.As16()}}
	default:
		return outNoData
	}
	return outAnswer
}

// reverse answers PTR for a virtual address.
func (s *Server) reverse(q dnsmessage.Question, name string, r *reply) outcome {
	ip, ok := parseReverse(name)
	var target string
	if ok {
		target, ok = s.cfg.Mapper.Reverse(ip)
	}
	var ptr dnsmessage.Name
	if ok {
		ptr, ok = hostName(target)
	}
	if !ok {
		r.rcode = dnsmessage.RCodeNameError
		return outNXDomain
	}
	if q.Type != dnsmessage.TypePTR {
		return outNoData
	}
	hdr := dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypePTR, Class: dnsmessage.ClassINET, TTL: TTL}
	r.answer = dnsmessage.Resource{Header: hdr, Body: &dnsmessage.PTRResource{PTR: ptr}}
	return outAnswer
}

// hostName turns a name from the Mapper (with or without the root dot)
// into a wire name, if it is one: labels of 1 to 63 bytes, none with a
// dot in it, maxNameLen bytes in all.
func hostName(name string) (dnsmessage.Name, bool) {
	name = strings.TrimSuffix(name, ".")
	if name == "" || len(name) > maxNameLen {
		return dnsmessage.Name{}, false
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" || len(label) > 63 {
			return dnsmessage.Name{}, false
		}
	}
	n, err := dnsmessage.NewName(name + ".")
	return n, err == nil
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
