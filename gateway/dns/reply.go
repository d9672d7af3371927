package dns

import (
	"encoding/binary"
	"strings"
)

// reply is an answer under construction: at most one question and one
// answer record, and an OPT record when the query had one.
type reply struct {
	hdr    header // flags without RCODE, which is set from rcode when packed
	rcode  uint16 // may be extended (more than 4 bits)
	q      question
	hasQ   bool
	answer record // rtype 0: no answer
	edns   bool
}

// record is an answer record of class IN with a TTL of TTL seconds (RFC
// 1035 3.2, 4.1.3).
type record struct {
	name  string // owner, as text
	rtype uint16 // typeA, typeAAAA or typePTR; 0 for none
	addr  []byte // A: 4 bytes, AAAA: 16 (RFC 1035 3.4.1, RFC 3596 2.2)
	ptr   string // PTR: the target name as text (RFC 1035 3.3.12)
}

// newReply starts the reply to q: same ID and opcode, RD and CD copied for
// standard queries, the first question echoed, NOERROR.
func newReply(q *query) reply {
	r := reply{hdr: header{id: q.hdr.id, flags: flagQR | q.hdr.opcode()<<opcodeShift}}
	if q.hdr.opcode() == 0 {
		r.hdr.flags |= q.hdr.flags & (flagRD | flagCD)
	}
	if q.questions > 0 {
		r.q, r.hasQ = q.q, true
	}
	return r
}

// pack encodes r in at most limit bytes: when the answer does not fit, it
// goes and the TC bit is set (RFC 2181 9), and when not even the question
// fits (it cannot within 512 bytes, but the bound is checked, not
// assumed) it goes as well.
func (r *reply) pack(limit int) ([]byte, error) {
	b, err := r.build()
	if err != nil || len(b) <= limit {
		return b, err
	}
	r.hdr.flags |= flagTC
	r.answer = record{}
	if b, err = r.build(); err != nil || len(b) <= limit {
		return b, err
	}
	r.hasQ = false
	return r.build()
}

// build encodes r with its names compressed.
func (r *reply) build() ([]byte, error) {
	be := binary.BigEndian
	b := make([]byte, headerLen, minUDPSize)
	be.PutUint16(b[idOff:], r.hdr.id)
	be.PutUint16(b[flagsOff:], r.hdr.flags&^0xf|r.rcode&0xf)
	var names compressor
	var err error
	if r.hasQ {
		b[qdCountOff+1] = 1
		if b, err = names.append(b, r.q.name); err != nil {
			return nil, err
		}
		b = be.AppendUint16(b, r.q.qtype)
		b = be.AppendUint16(b, r.q.class)
	}
	if a := &r.answer; a.rtype != 0 {
		b[anCountOff+1] = 1
		if b, err = names.append(b, a.name); err != nil {
			return nil, err
		}
		b = be.AppendUint16(b, a.rtype)
		b = be.AppendUint16(b, classIN)
		b = be.AppendUint32(b, TTL)
		at := len(b)
		b = append(b, 0, 0) // RDLENGTH, set below
		if a.rtype == typePTR {
			if b, err = names.append(b, a.ptr); err != nil {
				return nil, err
			}
		} else {
			b = append(b, a.addr...)
		}
		be.PutUint16(b[at:], uint16(len(b)-at-2))
	}
	if r.edns {
		// The OPT record (RFC 6891 6.1.2, 6.1.3): root owner, our payload
		// size in CLASS, the RCODE's upper bits, version 0 and no flags
		// in TTL, no options.
		b[arCountOff+1] = 1
		b = append(b, 0)
		b = be.AppendUint16(b, typeOPT)
		b = be.AppendUint16(b, maxUDPSize)
		b = be.AppendUint32(b, uint32(r.rcode>>4)<<24)
		b = append(b, 0, 0)
	}
	return b, nil
}

// compressor remembers where names went in a message so that a later name
// ending the same way points there (RFC 1035 4.1.4). Suffixes match byte
// for byte, case included. A reply holds at most three names; more are
// written but not remembered.
type compressor struct {
	n     int
	names [3]struct {
		name    string
		off     int // where the name starts in the message
		literal int // how much of the name (as text) was written as labels
	}
}

// append writes name (text, ending in a dot) to b, compressed.
func (c *compressor) append(b []byte, name string) ([]byte, error) {
	if name == "." {
		return append(b, 0), nil
	}
	if len(name)+1 > maxWireName || !strings.HasSuffix(name, ".") {
		return nil, errName
	}
	start := len(b)
	i := 0
	for i < len(name) {
		if off, ok := c.find(name[i:]); ok {
			b = append(b, pointerBits|byte(off>>8), byte(off))
			break
		}
		n := strings.IndexByte(name[i:], '.')
		if n == 0 || n > maxLabel {
			return nil, errName
		}
		b = append(b, byte(n))
		b = append(b, name[i:i+n]...)
		i += n + 1
	}
	if i == len(name) {
		b = append(b, 0)
	}
	if c.n < len(c.names) {
		e := &c.names[c.n]
		e.name, e.off, e.literal = name, start, i
		c.n++
	}
	return b, nil
}

// find returns where suffix was written as labels, if it was. A name's
// text and wire forms have the same length up to each label, so the
// suffix starting at text index k of a name starts k bytes into it.
func (c *compressor) find(suffix string) (int, bool) {
	for _, e := range c.names[:c.n] {
		k := len(e.name) - len(suffix)
		if k < 0 || k >= e.literal || (k > 0 && e.name[k-1] != '.') || e.name[k:] != suffix {
			continue
		}
		if off := e.off + k; off <= maxPointer {
			return off, true
		}
	}
	return 0, false
}
