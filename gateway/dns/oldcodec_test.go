package dns

import (
	"errors"

	"golang.org/x/net/dns/dnsmessage"
)

// The codec this package used before its own: queries read with
// dnsmessage.Parser and replies built with dnsmessage.Builder. The
// differential tests and FuzzParseQuery hold the hand-written codec to
// the same results.

// oldParseQuery reads msg with dnsmessage.Parser into a query. The Z bit
// of the header is lost (dnsmessage.Header has no field for it).
func oldParseQuery(msg []byte) (query, dnsmessage.Header, error) {
	var q query
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil {
		return q, h, errNoHeader
	}
	q.hdr = header{id: h.ID, flags: oldFlags(h)}
	for {
		question, err := p.Question()
		if errors.Is(err, dnsmessage.ErrSectionDone) {
			break
		}
		if err != nil {
			return q, h, err
		}
		if q.questions == 0 {
			q.q = oldQuestion(question)
		}
		q.questions++
	}
	if err := p.SkipAllAnswers(); err != nil {
		return q, h, err
	}
	if err := p.SkipAllAuthorities(); err != nil {
		return q, h, err
	}
	for {
		rh, err := p.AdditionalHeader()
		if errors.Is(err, dnsmessage.ErrSectionDone) {
			return q, h, nil
		}
		if err != nil {
			return q, h, err
		}
		if rh.Type == dnsmessage.TypeOPT {
			if q.edns {
				return q, h, errTwoOPT
			}
			q.edns = true
			q.udpSize = int(rh.Class)
			q.version = uint8(rh.TTL >> 16)
		}
		if err := p.SkipAdditional(); err != nil {
			return q, h, err
		}
	}
}

func oldQuestion(q dnsmessage.Question) question {
	return question{name: q.Name.String(), qtype: uint16(q.Type), class: uint16(q.Class)}
}

// oldFlags packs h's flags as they are on the wire.
func oldFlags(h dnsmessage.Header) uint16 {
	f := uint16(h.OpCode)<<11 | uint16(h.RCode)&0xf
	for _, b := range []struct {
		set  bool
		flag uint16
	}{
		{h.Response, 1 << 15}, {h.Authoritative, 1 << 10}, {h.Truncated, 1 << 9}, {h.RecursionDesired, 1 << 8},
		{h.RecursionAvailable, 1 << 7}, {h.AuthenticData, 1 << 5}, {h.CheckingDisabled, 1 << 4},
	} {
		if b.set {
			f |= b.flag
		}
	}
	return f
}

// oldHandle answers msg as handle did with dnsmessage: the resolver's
// logic (Server.answer) is shared, the reading, the reply's header and
// the packing are dnsmessage's.
func oldHandle(s *Server, msg []byte, udp bool) []byte {
	q, h, err := oldParseQuery(msg)
	if errors.Is(err, errNoHeader) || h.Response {
		return nil
	}
	var r reply
	if err != nil {
		r = reply{rcode: rcodeFormErr}
	} else {
		r, _ = s.answer(&q)
	}
	rh := dnsmessage.Header{ID: h.ID, Response: true, OpCode: h.OpCode, Authoritative: r.hdr.flags&flagAA != 0}
	if h.OpCode == 0 {
		rh.RecursionDesired = h.RecursionDesired
		rh.CheckingDisabled = h.CheckingDisabled
	}
	return oldPack(rh, r, q, q.limit(udp))
}

// oldRefuse is refuse with dnsmessage.
func oldRefuse(msg []byte) []byte {
	q, h, err := oldParseQuery(msg)
	if err != nil || h.Response {
		return nil
	}
	rh := dnsmessage.Header{ID: h.ID, Response: true, OpCode: h.OpCode}
	if h.OpCode == 0 {
		rh.RecursionDesired = h.RecursionDesired
		rh.CheckingDisabled = h.CheckingDisabled
	}
	return oldPack(rh, reply{rcode: rcodeRefused, edns: false}, q, minUDPSize)
}

// oldPack builds the reply with header h, r's rcode, answer and OPT
// record, and q's first question, truncating as pack does; nil on error.
func oldPack(h dnsmessage.Header, r reply, q query, limit int) []byte {
	hasQ := q.questions > 0
	b, err := oldBuild(h, r, q.q, hasQ)
	if err != nil || len(b) <= limit {
		return b
	}
	h.Truncated = true
	r.answer = record{}
	if b, err = oldBuild(h, r, q.q, hasQ); err != nil || len(b) <= limit {
		return b
	}
	b, _ = oldBuild(h, r, q.q, false)
	return b
}

func oldBuild(h dnsmessage.Header, r reply, q question, hasQ bool) ([]byte, error) {
	h.RCode = dnsmessage.RCode(r.rcode & 0xf)
	b := dnsmessage.NewBuilder(make([]byte, 0, minUDPSize), h)
	b.EnableCompression()
	if hasQ {
		name, err := dnsmessage.NewName(q.name)
		if err != nil {
			return nil, err
		}
		if err := b.StartQuestions(); err != nil {
			return nil, err
		}
		if err := b.Question(dnsmessage.Question{Name: name, Type: dnsmessage.Type(q.qtype), Class: dnsmessage.Class(q.class)}); err != nil {
			return nil, err
		}
	}
	if a := r.answer; a.rtype != 0 {
		name, err := dnsmessage.NewName(a.name)
		if err != nil {
			return nil, err
		}
		rh := dnsmessage.ResourceHeader{Name: name, Type: dnsmessage.Type(a.rtype), Class: dnsmessage.ClassINET, TTL: TTL}
		if err := b.StartAnswers(); err != nil {
			return nil, err
		}
		switch a.rtype {
		case typeA:
			err = b.AResource(rh, dnsmessage.AResource{A: [4]byte(a.addr)})
		case typeAAAA:
			err = b.AAAAResource(rh, dnsmessage.AAAAResource{AAAA: [16]byte(a.addr)})
		case typePTR:
			var ptr dnsmessage.Name
			if ptr, err = dnsmessage.NewName(a.ptr); err == nil {
				err = b.PTRResource(rh, dnsmessage.PTRResource{PTR: ptr})
			}
		default:
			err = errors.New("answer of an unexpected type")
		}
		if err != nil {
			return nil, err
		}
	}
	if r.edns {
		if err := b.StartAdditionals(); err != nil {
			return nil, err
		}
		var rh dnsmessage.ResourceHeader
		if err := rh.SetEDNS0(maxUDPSize, dnsmessage.RCode(r.rcode), false); err != nil {
			return nil, err
		}
		if err := b.OPTResource(rh, dnsmessage.OPTResource{}); err != nil {
			return nil, err
		}
	}
	return b.Finish()
}
