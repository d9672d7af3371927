package dns

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
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
	if q.hdr.response() {
		return nil
	}
	var r reply
	var out outcome
	if err != nil {
		r, out = newReply(&q), outFormErr
		r.rcode = rcodeFormErr
	} else {
		r, out = s.answer(&q)
	}
	s.counts[out].Add(1)
	b, err := r.pack(q.limit(udp))
	if err != nil {
		s.log.Debug("pack", "err", err)
		return nil
	}
	if r.hdr.flags&flagTC != 0 {
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
	if err != nil || q.hdr.response() {
		return nil
	}
	r := newReply(&q)
	r.rcode = rcodeRefused
	b, err := r.pack(minUDPSize)
	if err != nil {
		return nil
	}
	return b
}

// answer builds the reply to a query that parsed.
func (s *Server) answer(q *query) (reply, outcome) {
	r := newReply(q)
	r.hdr.flags |= flagAA
	if q.edns {
		r.edns = true
		if q.version != 0 {
			r.hdr.flags &^= flagAA
			r.rcode = rcodeBadVers
			return r, outBadVers
		}
	}
	out := s.resolve(q, &r)
	switch out {
	case outRefused, outFormErr, outNotImp:
		r.hdr.flags &^= flagAA
	}
	return r, out
}

// resolve fills r, the reply to q, and sets its rcode.
func (s *Server) resolve(q *query, r *reply) outcome {
	switch {
	case q.hdr.opcode() != 0:
		r.rcode = rcodeNotImp
		return outNotImp
	case q.questions != 1:
		r.rcode = rcodeFormErr
		return outFormErr
	}
	if q.q.class != classIN {
		r.rcode = rcodeRefused
		return outRefused
	}
	name := lowerASCII(strings.TrimSuffix(q.q.name, "."))
	switch {
	case name == zone:
		return outNoData
	case strings.HasSuffix(name, "."+zone):
		return s.forward(q.q, name, r)
	case strings.HasSuffix(name, reverse4), strings.HasSuffix(name, reverse6):
		return s.reverse(q.q, name, r)
	}
	r.rcode = rcodeRefused
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
func (s *Server) forward(q question, name string, r *reply) outcome {
	if !s.cfg.Names.Known(name) {
		r.rcode = rcodeNXDomain
		return outNXDomain
	}
	if q.qtype != typeA && q.qtype != typeAAAA {
		return outNoData
	}
	v4, v6, err := s.cfg.Mapper.Map(name)
	if err != nil {
		r.rcode = rcodeServFail
		return outServFail
	}
	switch {
	case q.qtype == typeA && v4.Is4():
		r.answer = record{name: q.name, rtype: typeA, addr: v4.AsSlice()}
	case q.qtype == typeAAAA && v6.Is6() && !v6.Is4In6():
		r.answer = record{name: q.name, rtype: typeAAAA, addr: v6.AsSlice()}
	default:
		return outNoData
	}
	return outAnswer
}

// reverse answers PTR for a virtual address.
func (s *Server) reverse(q question, name string, r *reply) outcome {
	ip, ok := parseReverse(name)
	var target string
	if ok {
		target, ok = s.cfg.Mapper.Reverse(ip)
	}
	var ptr string
	if ok {
		ptr, ok = hostName(target)
	}
	if !ok {
		r.rcode = rcodeNXDomain
		return outNXDomain
	}
	if q.qtype != typePTR {
		return outNoData
	}
	r.answer = record{name: q.name, rtype: typePTR, ptr: ptr}
	return outAnswer
}

// hostName turns a name from the Mapper (with or without the root dot)
// into the text form of a wire name, with the root dot, if it is one:
// labels of 1 to 63 bytes, maxNameLen bytes in all.
func hostName(name string) (string, bool) {
	name = strings.TrimSuffix(name, ".")
	if name == "" || len(name) > maxNameLen {
		return "", false
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" || len(label) > maxLabel {
			return "", false
		}
	}
	return name + ".", true
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
